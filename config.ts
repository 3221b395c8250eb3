// The one reader of the environment and of sigap.yaml. Everything is validated here, once,
// every problem is reported together, and the result is frozen.
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkSchema, envSchema, fileSchema, holidayEntry, key, LOGO_TYPES, parseDuration, type CheckInput, type FileConfig, type HolidayEntry } from './config-schema.js';
import { parseBusinessHours, type BusinessCalendar } from './detector/sla/business-calendar.js';
import { loadHolidays } from './config-holidays.js';
import { redactUrl } from './redaction.js';
import { CATCH_ALL_SERVICE } from './detector/detection/check-types.js';
import type { UserRole } from './detector/accounts/account-types.js';
import type { ChannelConfig, NotificationEvent, SmtpConfig } from './detector/notify/notification-types.js';
import { DEFAULT_SLA_TARGETS, type SlaTargets } from './detector/sla/due-times.js';
import type { Priority } from './detector/incidents/priority.js';
import type { ProbeTarget, TcpTarget } from './probes/probe-types.js';
import { termsFor } from './probes/integrity-terms.js';

export { parseDuration } from './config-schema.js';

export type Impact = 'high' | 'medium' | 'low';
export type Role = 'all' | 'web' | 'worker';

export interface CheckConfig {
  key: string;
  serviceKey: string;
  type: ProbeTarget['type'];
  /** What is probed, for people: the URL, `host:port`, or the DNS name. */
  description: string;
  intervalMs: number;
  timeoutMs: number;
  retryIntervalMs: number;
  failureThreshold: number;
  successThreshold: number;
  /**
   * Probe locations that must each confirm a failure before a P1/P2 incident opens (`confirm:
   * { locations: k }`, default 1: the check's one shared streak decides, as with one location).
   */
  confirmLocations: number;
  /** Everything the probe needs (its timeout included). */
  target: ProbeTarget;
}

/** The probing host's own link to the world (Gatus's connectivity checker). */
export interface ConnectivityConfig {
  target: TcpTarget;
  intervalMs: number;
}

export interface RetentionConfig {
  rawMs: number;
  hourlyMs: number;
}

/** `availability:` in sigap.yaml (defaults: degraded up, businessHoursOnly false). */
export interface AvailabilityConfig {
  /** Whether degraded (slow) time counts as available (`up`) or as an outage (`down`). */
  degraded: 'up' | 'down';
  /** Count only time inside the business calendar's hours. */
  businessHoursOnly: boolean;
}

export interface ServiceConfig {
  key: string;
  name: string;
  impact: Impact;
  checks: CheckConfig[];
}

export interface PolicyConfig {
  targets: SlaTargets;
  warnAt: number;
  reopenWindowMs: number;
  verifyForMs: number;
  autoCloseAfterMs: number;
  /** ≥ `changes` up ↔ down changes within `windowMs` mark a check's incident flapping. */
  flapping: { changes: number; windowMs: number };
}

/** Which incident events go to which channels and people (DESIGN §3 `notifications.routes`). */
export interface NotificationRoute {
  events: NotificationEvent[];
  /** Only incidents of these priorities / services; null: all. */
  priorities: Priority[] | null;
  services: string[] | null;
  /** Channel keys. */
  notify: string[];
  /** Every active user of these roles with an e-mail address, by e-mail (needs smtp). */
  roles: UserRole[];
}

export interface NotificationsConfig {
  /** The dashboard's address for links in messages: `SigapConfig.publicUrl`, else http://HOST:PORT. */
  baseUrl: string;
  smtp: SmtpConfig | null;
  channels: ChannelConfig[];
  routes: NotificationRoute[];
  /** Repeat while unacknowledged, per priority. */
  reminders: Partial<Record<Priority, number>>;
  /** Backoff of failed deliveries: the first retry after `initialMs`, doubling up to `maxMs`. */
  retry: { initialMs: number; maxMs: number };
  /** Telling the reporter of a manual incident (`notifications.reporters`); null: off. */
  reporters: { notify: string[]; events: Array<'resolved' | 'closed'> } | null;
}

/** `reports:` in sigap.yaml: what the printed monthly report carries besides its figures. */
export interface ReportsConfig {
  /** The office's letterhead; the logo inlined as a data URI (null: none). */
  letterhead: { office: string; address: string | null; logoDataUri: string | null } | null;
  /** Who signs the report under "Mengetahui". */
  signature: { title: string; name: string; nip: string | null; place: string | null } | null;
}

export interface SigapConfig {
  configPath: string;
  timezone: string;
  calendar: BusinessCalendar;
  services: ServiceConfig[];
  policy: PolicyConfig;
  notifications: NotificationsConfig;
  connectivity: ConnectivityConfig | null;
  retention: RetentionConfig;
  availability: AvailabilityConfig;
  reports: ReportsConfig;
  /** `/metrics` asks for this Bearer token; null: open to anyone who can reach it. */
  metrics: { bearerToken: string | null };
  /** The `SIGAP_CHECK_…` environment variables dashboard checks' header values may refer to. */
  checkEnv: CheckEnvironment;
  port: number;
  host: string;
  databaseUrl: string;
  role: Role;
  instance: string;
  bootstrapAdminPassword: string | null;
  sessionSecret: string | null;
  logLevel: string;
  /** `SIGAP_OUTBOX_POLL`: how often the dispatcher looks for due rows without a wake (default 1 s). */
  outboxPollMs: number;
  /**
   * The address people use, without a trailing slash: `PUBLIC_URL`, else `notifications.baseUrl`
   * of the file; null when neither is set. https turns on Secure cookies and HSTS.
   */
  publicUrl: string | null;
}

/** A configuration that cannot be used; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

/** One line per issue; issues at `alreadyReported` paths (a missing `${NAME}`) are said once, there. */
function zodProblems(prefix: string, error: z.ZodError, alreadyReported: ReadonlySet<string> = new Set()): string[] {
  return error.issues.flatMap((issue) => {
    const where = formatPath(issue.path);
    if (alreadyReported.has(where)) return [];
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (where ? `${where}.${k}` : k));
      return [`${prefix}${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}`];
    }
    return [`${prefix}${where || '(top level)'}: ${issue.message}`];
  });
}

/** Replace `${NAME}` in every string value by the environment variable; `$${` stays a literal `${`. */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[], problems: string[], file: string, missing: Set<string>, ancestors: Set<object>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = env[name];
      if (found === undefined) {
        problems.push(`${file}: ${formatPath(path)}: environment variable ${name} is not set`);
        missing.add(formatPath(path));
        return '';
      }
      return found;
    });
  }
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  // An alias that contains itself (`services: &s [*s]`) makes a cycle: say where, do not recurse forever.
  if (ancestors.has(value)) {
    problems.push(`${file}: ${formatPath(path) || '(top level)'}: refers to itself through a YAML alias`);
    return null;
  }
  if (path.length > 200) {
    problems.push(`${file}: ${formatPath(path.slice(0, 3))}…: nested more than 200 levels deep`);
    return null;
  }
  ancestors.add(value);
  const out = Array.isArray(value)
    ? value.map((v, i) => substituteEnv(v, env, [...path, i], problems, file, missing, ancestors))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], problems, file, missing, ancestors)]));
  ancestors.delete(value);
  return out;
}

/** The services as far as they parsed: a key or value that failed its schema is undefined. */
type ParsedServices = Array<{ key: string | undefined; checks: Array<Partial<CheckInput>> }>;

/**
 * When the file fails its schema there is no whole config, but the cross-section checks still run
 * on every part that parses on its own (at its own position), so one start reports every problem.
 */
function parsedParts(raw: unknown): { services: ParsedServices; businessHours: Record<string, string> | undefined; holidays: Array<HolidayEntry | undefined> } {
  const asObject = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const services = asObject(raw).services;
  return {
    businessHours: fileSchema.shape.businessHours.safeParse(asObject(raw).businessHours).data,
    holidays: (Array.isArray(asObject(raw).holidays) ? (asObject(raw).holidays as unknown[]) : []).map((h) => holidayEntry.safeParse(h).data),
    services: (Array.isArray(services) ? services : []).map((s) => {
      const checks = asObject(s).checks;
      return {
        key: key.safeParse(asObject(s).key).data,
        checks: (Array.isArray(checks) ? checks : []).map((c) => checkSchema.safeParse(c).data ?? { key: key.safeParse(asObject(c).key).data }),
      };
    }),
  };
}

function crossCheck(file: string, services: ParsedServices, problems: string[]): void {
  const serviceKeys = new Set<string>();
  const checkKeys = new Set<string>();
  services.forEach((service, si) => {
    if (service.key !== undefined && serviceKeys.has(service.key)) problems.push(`${file}: services[${si}].key: "${service.key}" is used by another service`);
    if (service.key !== undefined) serviceKeys.add(service.key);
    service.checks.forEach((check, ci) => {
      const at = `${file}: services[${si}].checks[${ci}]`;
      if (check.key !== undefined && checkKeys.has(check.key)) problems.push(`${at}.key: "${check.key}" is used by another check (check keys are global)`);
      if (check.key !== undefined) checkKeys.add(check.key);
      for (const p of intervalProblems(check)) problems.push(`${at}.${p.path}: ${p.message}`);
    });
  });
}

/** Timings that each parse but do not fit together. */
function intervalProblems(check: Partial<CheckInput>): CheckProblem[] {
  if (check.interval === undefined || check.timeout === undefined) return [];
  const problems: CheckProblem[] = [];
  if (check.timeout > check.interval) problems.push({ path: 'timeout', message: 'must not be longer than interval' });
  if (check.retryInterval !== undefined && check.retryInterval > check.interval) {
    problems.push({ path: 'retryInterval', message: 'must not be longer than interval' });
  }
  return problems;
}

export interface CheckProblem {
  path: string;
  message: string;
}

/**
 * One check defined outside the file (from the dashboard), validated exactly like a check in
 * sigap.yaml. Answers the check, or every problem with its path inside the definition.
 */
export function parseCheckDefinition(
  serviceKey: string,
  input: unknown,
  env?: CheckEnvironment,
): { check: CheckConfig; problems?: undefined } | { check?: undefined; problems: CheckProblem[] } {
  const result = checkSchema.safeParse(input);
  if (!result.success) {
    return {
      problems: result.error.issues.flatMap((issue) => {
        const where = formatPath(issue.path);
        if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: where ? `${where}.${k}` : k, message: 'unknown key' }));
        return [{ path: where || '(check)', message: issue.message }];
      }),
    };
  }
  const problems = intervalProblems(result.data);
  const check = env && result.data.type === 'http' ? { ...result.data, headers: expandHeaderVariables(result.data.headers, env, problems) } : result.data;
  return problems.length > 0 ? { problems } : { check: deepFreeze(toCheckConfig(serviceKey, check)) };
}

/**
 * What a dashboard check's header values may name as `${NAME}`: the environment variables whose
 * names start with `SIGAP_CHECK_`, so a check typed in the browser cannot send the database URL or
 * the session secret anywhere.
 */
export type CheckEnvironment = Readonly<Record<string, string>>;
export const CHECK_ENV_PREFIX = 'SIGAP_CHECK_';

function checkEnvironment(env: NodeJS.ProcessEnv): CheckEnvironment {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0].startsWith(CHECK_ENV_PREFIX) && typeof e[1] === 'string'));
}

/**
 * `${NAME}` in a dashboard check's header values, as the file does it (`$${` stays a literal
 * `${`). The stored definition keeps `${NAME}`: the secret lives in the environment, never in the
 * database, and is put in when the check is loaded for probing.
 */
function expandHeaderVariables(headers: Record<string, string>, env: CheckEnvironment, problems: CheckProblem[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, variable: string) => {
        if (match.startsWith('$$')) return match.slice(1);
        const path = `headers.${name}`;
        if (!variable.startsWith(CHECK_ENV_PREFIX))
          problems.push({ path, message: `\${${variable}}: a dashboard check may only use environment variables named ${CHECK_ENV_PREFIX}…` });
        else if (env[variable] === undefined) problems.push({ path, message: `environment variable ${variable} is not set` });
        return env[variable] ?? '';
      }),
    ]),
  );
}

function checkedWeekHours(file: string, businessHours: Record<string, string>, problems: string[]): BusinessCalendar['weekly'] {
  const parsed = parseBusinessHours(businessHours);
  for (const p of parsed.problems) problems.push(`${file}: businessHours.${p.key}: ${p.message}`);
  if (parsed.problems.length === 0 && parsed.weekly.every((day) => day.length === 0)) {
    problems.push(`${file}: businessHours: must give at least one day with business hours`);
  }
  return parsed.weekly;
}

function buildCalendar(file: string, cfg: FileConfig, problems: string[]): BusinessCalendar {
  const names = loadHolidays(cfg.holidays, file, problems);
  const dates = [...names.keys()].sort();
  return {
    timezone: cfg.timezone,
    weekly: checkedWeekHours(file, cfg.businessHours, problems),
    holidays: new Set(dates),
    holidayNames: new Map(dates.map((d) => [d, names.get(d)!])),
  };
}

const MAX_LOGO_BYTES = 512 * 1024;

/** The letterhead's logo read once at start, so the page never serves a file by path. */
function toReports(file: string, cfg: FileConfig, problems: string[]): ReportsConfig {
  const { letterhead, signature } = cfg.reports;
  let logoDataUri: string | null = null;
  if (letterhead?.logo) {
    const path = resolve(dirname(file), letterhead.logo);
    const where = `${file}: reports.letterhead.logo`;
    try {
      const size = statSync(path).size;
      if (size > MAX_LOGO_BYTES) problems.push(`${where}: ${path} is ${Math.round(size / 1024)} KB; a logo must be at most ${MAX_LOGO_BYTES / 1024} KB`);
      else logoDataUri = `data:${LOGO_TYPES[extname(path).toLowerCase() as keyof typeof LOGO_TYPES]};base64,${readFileSync(path).toString('base64')}`;
    } catch (err) {
      problems.push(`${where}: cannot read ${path} (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message})`);
    }
  }
  return {
    letterhead: letterhead ? { office: letterhead.office, address: letterhead.address ?? null, logoDataUri } : null,
    signature: signature ? { title: signature.title, name: signature.name, nip: signature.nip ?? null, place: signature.place ?? null } : null,
  };
}

function toTarget(check: CheckInput): { target: ProbeTarget; description: string } {
  const base = { checkKey: check.key, timeoutMs: check.timeout };
  switch (check.type) {
    case 'http': {
      const { url, method, headers, followRedirects, maxRedirects, expect, tls, allowPrivate } = check;
      const https = url.startsWith('https:');
      return {
        // For people, in incidents and messages too: a token in the URL stays in the config.
        description: redactUrl(url),
        target: {
          ...base,
          type: 'http',
          url,
          method,
          headers,
          followRedirects,
          maxRedirects,
          expect: { status: expect.status, contains: expect.contains, notContains: expect.notContains, form: expect.form, maxLatencyMs: expect.maxLatency ?? null },
          minDaysValid: https ? (tls?.minDaysValid ?? 14) : null,
          allowPrivate,
        },
      };
    }
    case 'tcp':
      return { description: `${check.target.host}:${check.target.port}`, target: { ...base, type: 'tcp', ...check.target, allowPrivate: check.allowPrivate } };
    case 'dns':
      return {
        description: `${check.name} ${check.recordType}`,
        target: { ...base, type: 'dns', name: check.name, recordType: check.recordType, expectAnswers: check.expect.answers, server: check.server ?? null },
      };
    case 'integrity':
      return {
        description: redactUrl(check.url),
        target: {
          ...base,
          type: 'integrity',
          url: check.url,
          allowDomains: check.allowDomains,
          terms: termsFor(check.terms.add, check.terms.remove),
          sitemap: check.sitemap,
          sample: check.sample,
          allowPrivate: check.allowPrivate,
        },
      };
    case 'tls':
      return {
        description: `${check.target.host}:${check.target.port}`,
        target: {
          ...base,
          type: 'tls',
          ...check.target,
          serverName: check.serverName ?? check.target.host,
          minDaysValid: check.tls.minDaysValid,
          allowPrivate: check.allowPrivate,
        },
      };
  }
}

/**
 * What the schema alone cannot see: routes naming channels and services that exist, e-mail
 * needing smtp. Read from the raw file, so these are reported even when other values are wrong.
 */
function notificationProblems(file: string, raw: unknown, problems: string[]): void {
  const asObject = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const asList = (v: unknown) => (Array.isArray(v) ? v : []);
  const n = asObject(asObject(raw).notifications);
  const at = (path: string) => `${file}: notifications.${path}`;
  const hasSmtp = n.smtp !== undefined && n.smtp !== null;
  const channelKeys = new Set<string>();
  // whatsapp and http channels without `to` reach only reporters: a route cannot name them.
  const reachesNobody = new Set<string>();
  asList(n.channels).forEach((c, i) => {
    const channel = asObject(c);
    if (typeof channel.key !== 'string') return;
    if (channelKeys.has(channel.key)) problems.push(`${at(`channels[${i}].key`)}: "${channel.key}" is used by another channel`);
    channelKeys.add(channel.key);
    if (channel.type === 'email' && !hasSmtp) problems.push(`${at(`channels[${i}]`)}: an email channel needs notifications.smtp`);
    if ((channel.type === 'whatsapp' || channel.type === 'http') && asList(channel.to).length === 0) reachesNobody.add(channel.key);
  });
  const serviceKeys = new Set(asList(asObject(raw).services).map((s) => asObject(s).key));
  asList(n.routes).forEach((r, i) => {
    const route = asObject(r);
    asList(route.notify).forEach((channelKey, j) => {
      if (typeof channelKey === 'string' && !channelKeys.has(channelKey)) {
        problems.push(`${at(`routes[${i}].notify[${j}]`)}: no channel has the key "${channelKey}" (channels: ${[...channelKeys].join(', ') || 'none'})`);
      } else if (typeof channelKey === 'string' && reachesNobody.has(channelKey)) {
        problems.push(`${at(`routes[${i}].notify[${j}]`)}: channel "${channelKey}" has no "to" numbers, so a route reaches nobody through it`);
      }
    });
    asList(route.services).forEach((serviceKey, j) => {
      if (typeof serviceKey === 'string' && !serviceKeys.has(serviceKey) && serviceKey !== CATCH_ALL_SERVICE.key) {
        problems.push(`${at(`routes[${i}].services[${j}]`)}: no service has the key "${serviceKey}"`);
      }
    });
    if (asList(route.roles).length > 0 && !hasSmtp) problems.push(`${at(`routes[${i}].roles`)}: people are reached by e-mail: roles need notifications.smtp`);
  });
  asList(asObject(n.reporters).notify).forEach((channelKey, j) => {
    if (typeof channelKey === 'string' && !channelKeys.has(channelKey)) {
      problems.push(`${at(`reporters.notify[${j}]`)}: no channel has the key "${channelKey}" (channels: ${[...channelKeys].join(', ') || 'none'})`);
    }
  });
  const retry = asObject(n.retry);
  const [initial, max] = [retry.initial, retry.max].map((d) => (typeof d === 'string' ? parseDuration(d) : null));
  if (typeof initial === 'number' && typeof max === 'number' && initial > max) problems.push(`${at('retry.initial')}: must not be longer than retry.max`);
}

function toNotifications(cfg: FileConfig, host: string, port: number, publicUrl: string | null): NotificationsConfig {
  const n = cfg.notifications;
  const smtp = n.smtp;
  return {
    baseUrl: publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    smtp: smtp
      ? { host: smtp.host, port: smtp.port, secure: smtp.secure ?? smtp.port === 465, user: smtp.user ?? null, pass: smtp.pass ?? null, from: smtp.from, timeoutMs: smtp.timeout }
      : null,
    channels: n.channels.map((c): ChannelConfig => {
      switch (c.type) {
        case 'webhook':
          return { key: c.key, type: 'webhook', url: c.url, timeoutMs: c.timeout, headers: c.headers };
        case 'email':
          return { key: c.key, type: 'email', to: c.to, language: c.language };
        case 'telegram':
          return { key: c.key, type: 'telegram', botToken: c.botToken, chatId: c.chatId, apiBaseUrl: c.apiBaseUrl.replace(/\/+$/, ''), timeoutMs: c.timeout, language: c.language };
        case 'whatsapp':
          return {
            key: c.key,
            type: 'whatsapp',
            phoneNumberId: c.phoneNumberId,
            accessToken: c.accessToken,
            to: c.to,
            apiBaseUrl: c.apiBaseUrl.replace(/\/+$/, ''),
            template: c.template ?? null,
            timeoutMs: c.timeout,
            language: c.language,
          };
        case 'http':
          return { key: c.key, type: 'http', method: c.method, url: c.url, headers: c.headers, body: c.body ?? null, to: c.to, timeoutMs: c.timeout, language: c.language };
      }
    }),
    routes: n.routes.map((r) => ({ events: r.events, priorities: r.priorities ?? null, services: r.services ?? null, notify: r.notify, roles: r.roles })),
    reminders: n.reminders,
    retry: { initialMs: n.retry.initial, maxMs: n.retry.max },
    reporters: n.reporters ? { notify: n.reporters.notify, events: n.reporters.events } : null,
  };
}

function toServices(cfg: FileConfig): ServiceConfig[] {
  return cfg.services.map((service) => ({
    key: service.key,
    name: service.name,
    impact: service.impact,
    checks: service.checks.map((check) => toCheckConfig(service.key, check)),
  }));
}

function toCheckConfig(serviceKey: string, check: CheckInput): CheckConfig {
  return {
    key: check.key,
    serviceKey,
    type: check.type,
    intervalMs: check.interval,
    timeoutMs: check.timeout,
    retryIntervalMs: check.retryInterval ?? Math.min(check.interval, 10_000),
    failureThreshold: check.failureThreshold,
    successThreshold: check.successThreshold,
    confirmLocations: check.confirm.locations,
    ...toTarget(check),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Set) && !(value instanceof Map)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Parse the config file's text together with the environment. Throws ConfigError with every problem. */
export function parseConfig(text: string, configPath: string, env: NodeJS.ProcessEnv): SigapConfig {
  const problems: string[] = [];
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) problems.push(...zodProblems('environment: ', envResult.error));

  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const err of doc.errors) {
    const pos = err.linePos?.[0];
    problems.push(`${configPath}${pos ? `:${pos.line}:${pos.col}` : ''}: ${err.message.split('\n')[0]}`);
  }
  if (doc.errors.length > 0) throw new ConfigError(problems);

  // YAML aliases can point at nothing, at themselves, or multiply into millions of nodes: the
  // yaml library throws for those, which is the file's fault, not a crash.
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (err) {
    throw new ConfigError([
      `${configPath}: ${(err as Error).message.split('\n')[0]} (YAML aliases: *name must refer to an &name defined before it, not to itself, and not too many times)`,
    ]);
  }
  const missingVars = new Set<string>();
  const raw = substituteEnv(document, env, [], problems, configPath, missingVars, new Set());
  const fileResult = fileSchema.safeParse(raw);
  if (!fileResult.success) {
    problems.push(...zodProblems(`${configPath}: `, fileResult.error, missingVars));
    notificationProblems(configPath, raw, problems);
    const parts = parsedParts(raw);
    crossCheck(configPath, parts.services, problems);
    if (parts.businessHours) checkedWeekHours(configPath, parts.businessHours, problems);
    loadHolidays(parts.holidays, configPath, problems);
    throw new ConfigError(problems);
  }
  const cfg = fileResult.data;
  crossCheck(configPath, cfg.services, problems);
  notificationProblems(configPath, raw, problems);
  const calendar = buildCalendar(configPath, cfg, problems);
  const reports = toReports(configPath, cfg, problems);
  if (problems.length > 0 || !envResult.success) throw new ConfigError(problems);

  const e = envResult.data;
  const publicUrl = (e.PUBLIC_URL ?? cfg.notifications.baseUrl)?.replace(/\/+$/, '') ?? null;
  const targets = { ...DEFAULT_SLA_TARGETS };
  for (const [priority, t] of Object.entries(cfg.policy.targets)) {
    if (t) targets[priority as Priority] = { respond: t.respond, resolve: t.resolve, clock: t.clock };
  }
  return deepFreeze({
    configPath,
    timezone: cfg.timezone,
    calendar,
    services: toServices(cfg),
    policy: {
      targets,
      warnAt: cfg.policy.warnAt,
      reopenWindowMs: cfg.policy.reopenWindow,
      verifyForMs: cfg.policy.verifyFor,
      autoCloseAfterMs: cfg.policy.autoCloseAfter,
      flapping: { changes: cfg.policy.flapping.changes, windowMs: cfg.policy.flapping.window },
    },
    notifications: toNotifications(cfg, e.HOST, e.PORT, publicUrl),
    connectivity: cfg.connectivity
      ? {
          intervalMs: cfg.connectivity.interval,
          target: { type: 'tcp', checkKey: 'connectivity', ...cfg.connectivity.target, timeoutMs: cfg.connectivity.timeout },
        }
      : null,
    retention: { rawMs: cfg.retention.raw, hourlyMs: cfg.retention.hourly },
    availability: { degraded: cfg.availability.degraded, businessHoursOnly: cfg.availability.businessHoursOnly },
    reports,
    metrics: { bearerToken: cfg.metrics.bearerToken ?? null },
    checkEnv: checkEnvironment(env),
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    role: e.SIGAP_ROLE,
    instance: e.SIGAP_INSTANCE,
    bootstrapAdminPassword: e.BOOTSTRAP_ADMIN_PASSWORD ?? null,
    sessionSecret: e.SESSION_SECRET ?? null,
    logLevel: e.LOG_LEVEL,
    outboxPollMs: e.SIGAP_OUTBOX_POLL ?? 1_000,
    publicUrl,
  });
}

/** Read `SIGAP_CONFIG` (default ./sigap.yaml) and the environment. Throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SigapConfig {
  const configPath = env.SIGAP_CONFIG || './sigap.yaml';
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError([`${configPath}: cannot read the config file (${reason}); set SIGAP_CONFIG to its path`]);
  }
  return parseConfig(text, configPath, env);
}
