// The one reader of the environment and of sigap.yaml. Everything is validated here, once,
// every problem is reported together, and the result is frozen.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseBusinessHours, type BusinessCalendar } from './detector/business-calendar.js';
import { DEFAULT_SLA_TARGETS, type Priority, type SlaTargets } from './detector/sla.js';
import type { HttpExpectations } from './probes/probe-types.js';

export type Impact = 'high' | 'medium' | 'low';
export type Role = 'all' | 'web' | 'worker';

export interface CheckConfig {
  key: string;
  serviceKey: string;
  type: 'http';
  url: string;
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  retryIntervalMs: number;
  failureThreshold: number;
  successThreshold: number;
  expect: HttpExpectations;
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
}

export interface SigapConfig {
  configPath: string;
  timezone: string;
  calendar: BusinessCalendar;
  services: ServiceConfig[];
  policy: PolicyConfig;
  port: number;
  host: string;
  databaseUrl: string;
  role: Role;
  instance: string;
  bootstrapAdminPassword: string | null;
  sessionSecret: string | null;
  logLevel: string;
}

/** A configuration that cannot be used; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `5m`, `1h`, `7d` (or a sum such as `1h30m`) → milliseconds; null if not a duration. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(trimmed)) return null;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * DURATION_UNITS[unit as string]!;
  }
  return Math.round(total);
}

const duration = (min = 1) =>
  z.string({ error: 'must be a duration such as 500ms, 30s, 5m, 1h or 7d' }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (use 500ms, 30s, 5m, 1h, 7d)` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: `must be at least ${min}ms` });
      return z.NEVER;
    }
    return ms;
  });

const key = z
  .string({ error: 'must be a key (lower-case letters, digits, - and _)' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _, starting with a letter or digit');
const impact = z.enum(['high', 'medium', 'low'], { error: 'must be one of high, medium, low' });
const strings = z.array(z.string().min(1, 'must not be empty'));
const statusCode = z.number().int().min(100, 'must be an HTTP status code (100-599)').max(599, 'must be an HTTP status code (100-599)');
const TWO_XX = Array.from({ length: 100 }, (_, i) => 200 + i);

const httpCheckSchema = z
  .object({
    key,
    type: z.literal('http', { error: 'must be http (tcp, dns and tls probes are not available in this version)' }),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    interval: duration(100).default(60_000),
    timeout: duration(100).default(10_000),
    retryInterval: duration(100).optional(),
    failureThreshold: z.number().int().min(1).max(100).default(3),
    successThreshold: z.number().int().min(1).max(100).default(2),
    expect: z
      .object({
        status: z.array(statusCode).min(1, 'must list at least one status').default(TWO_XX),
        contains: strings.default([]),
        notContains: strings.default([]),
        form: strings.default([]),
        maxLatency: duration(1).optional(),
      })
      .strict()
      .default({ status: TWO_XX, contains: [], notContains: [], form: [] }),
  })
  .strict();

const serviceSchema = z
  .object({ key, name: z.string().min(1, 'must not be empty'), impact, checks: z.array(httpCheckSchema).default([]) })
  .strict();

const targetSchema = z
  .object({ respond: duration(), resolve: duration(), clock: z.enum(['24x7', 'business']) })
  .strict();

const fileSchema = z
  .object({
    timezone: z
      .string()
      .refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Asia/Jakarta')
      .default('Asia/Jakarta'),
    businessHours: z.record(z.string(), z.string()).default({ 'mon-thu': '07:30-16:00', fri: '07:30-16:30' }),
    holidays: z
      .array(
        z
          .union([z.string(), z.date()])
          .transform((d) => (d instanceof Date ? d.toISOString().slice(0, 10) : d))
          // Date.parse alone would accept 2026-02-30 (as 2 March): the date must read back unchanged.
          .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().slice(0, 10) === d, 'must be a date written YYYY-MM-DD'),
      )
      .default([]),
    services: z.array(serviceSchema).default([]),
    policy: z
      .object({
        targets: z.partialRecord(z.enum(['P1', 'P2', 'P3', 'P4', 'P5'], { error: 'must be P1 to P5' }), targetSchema).default({}),
        warnAt: z.number().gt(0).lt(1).default(0.75),
        reopenWindow: duration().default(86_400_000),
        verifyFor: duration().default(900_000),
        autoCloseAfter: duration().default(3 * 86_400_000),
      })
      .strict()
      .default({ targets: {}, warnAt: 0.75, reopenWindow: 86_400_000, verifyFor: 900_000, autoCloseAfter: 3 * 86_400_000 }),
  })
  .strict();

const envSchema = z.object({
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:PATH or postgres://…')
    .default('sqlite:./data/sigap.db'),
  SIGAP_CONFIG: z.string().min(1).default('./sigap.yaml'),
  SIGAP_ROLE: z.enum(['all', 'web', 'worker'], { error: 'must be all, web or worker' }).default('all'),
  SIGAP_INSTANCE: z.string().min(1).default(hostname()),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

function zodProblems(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => (where ? `${where}.${k}` : k));
      return `${prefix}${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}`;
    }
    return `${prefix}${where || '(top level)'}: ${issue.message}`;
  });
}

/** Replace `${NAME}` in every string value by the environment variable; `$${` stays a literal `${`. */
function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[], problems: string[], file: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const found = env[name];
      if (found === undefined) {
        problems.push(`${file}: ${formatPath(path)}: environment variable ${name} is not set`);
        return '';
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, [...path, i], problems, file));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, [...path, k], problems, file)]));
  }
  return value;
}

type FileConfig = z.output<typeof fileSchema>;
type HttpCheck = z.output<typeof httpCheckSchema>;
/** The services as far as they parsed: a key or value that failed its schema is undefined. */
type ParsedServices = Array<{ key: string | undefined; checks: Array<Partial<HttpCheck>> }>;

/**
 * When the file fails its schema there is no whole config, but the cross-section checks still run
 * on every part that parses on its own (at its own position), so one start reports every problem.
 */
function parsedParts(raw: unknown): { services: ParsedServices; businessHours: Record<string, string> | undefined } {
  const asObject = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
  const services = asObject(raw).services;
  return {
    businessHours: fileSchema.shape.businessHours.safeParse(asObject(raw).businessHours).data,
    services: (Array.isArray(services) ? services : []).map((s) => {
      const checks = asObject(s).checks;
      return {
        key: key.safeParse(asObject(s).key).data,
        checks: (Array.isArray(checks) ? checks : []).map((c) => httpCheckSchema.safeParse(c).data ?? { key: key.safeParse(asObject(c).key).data }),
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
      if (check.interval === undefined || check.timeout === undefined) return;
      if (check.timeout > check.interval) problems.push(`${at}.timeout: must not be longer than interval`);
      if (check.retryInterval !== undefined && check.retryInterval > check.interval) {
        problems.push(`${at}.retryInterval: must not be longer than interval`);
      }
    });
  });
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
  return { timezone: cfg.timezone, weekly: checkedWeekHours(file, cfg.businessHours, problems), holidays: new Set(cfg.holidays) };
}

function toServices(cfg: FileConfig): ServiceConfig[] {
  return cfg.services.map((service) => ({
    key: service.key,
    name: service.name,
    impact: service.impact,
    checks: service.checks.map((check) => ({
      key: check.key,
      serviceKey: service.key,
      type: check.type,
      url: check.url,
      method: check.method,
      headers: check.headers,
      intervalMs: check.interval,
      timeoutMs: check.timeout,
      retryIntervalMs: check.retryInterval ?? Math.min(check.interval, 10_000),
      failureThreshold: check.failureThreshold,
      successThreshold: check.successThreshold,
      expect: {
        status: check.expect.status,
        contains: check.expect.contains,
        notContains: check.expect.notContains,
        form: check.expect.form,
        maxLatencyMs: check.expect.maxLatency ?? null,
      },
    })),
  }));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Set)) {
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

  const raw = substituteEnv(doc.toJS() ?? {}, env, [], problems, configPath);
  const fileResult = fileSchema.safeParse(raw);
  if (!fileResult.success) {
    problems.push(...zodProblems(`${configPath}: `, fileResult.error));
    const parts = parsedParts(raw);
    crossCheck(configPath, parts.services, problems);
    if (parts.businessHours) checkedWeekHours(configPath, parts.businessHours, problems);
    throw new ConfigError(problems);
  }
  const cfg = fileResult.data;
  crossCheck(configPath, cfg.services, problems);
  const calendar = buildCalendar(configPath, cfg, problems);
  if (problems.length > 0 || !envResult.success) throw new ConfigError(problems);

  const e = envResult.data;
  const targets = { ...DEFAULT_SLA_TARGETS };
  for (const [priority, t] of Object.entries(cfg.policy.targets)) {
    if (t) targets[priority as Priority] = { respondMs: t.respond, resolveMs: t.resolve, clock: t.clock };
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
    },
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    role: e.SIGAP_ROLE,
    instance: e.SIGAP_INSTANCE,
    bootstrapAdminPassword: e.BOOTSTRAP_ADMIN_PASSWORD ?? null,
    sessionSecret: e.SESSION_SECRET ?? null,
    logLevel: e.LOG_LEVEL,
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
