// The shape of sigap.yaml and of the environment, as zod schemas with explicit defaults.
// config.ts is the one reader that applies them; nothing else imports this file.
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { z } from 'zod';
import { compileGatewayTemplate } from './detector/notify/channels/gateway-template.js';
import { normalizePhoneNumber } from './detector/incidents/reporter.js';
import { normalizeTerm, SHIPPED_TERMS } from './probes/integrity-terms.js';

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

export const duration = (min = 1) =>
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

export const key = z
  .string({ error: 'must be a key (lower-case letters, digits, - and _)' })
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _, starting with a letter or digit');
const impact = z.enum(['high', 'medium', 'low'], { error: 'must be one of high, medium, low' });
const strings = z.array(z.string().min(1, 'must not be empty'));
const statusCode = z.number().int().min(100, 'must be an HTTP status code (100-599)').max(599, 'must be an HTTP status code (100-599)');
const TWO_XX = Array.from({ length: 100 }, (_, i) => 200 + i);

/** `host:port`, `[v6]:port`: a TCP endpoint. */
export const endpoint = z.string({ error: 'must be host:port' }).transform((text, ctx) => {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not host:port (for example gateway.example:53)` });
    return z.NEVER;
  }
  return { host: (match[1] ?? match[2])!, port };
});

const minDaysValid = z.number({ error: 'must be a number of days' }).int().min(0).max(3650);
const tlsOptions = z.object({ minDaysValid: minDaysValid.default(14) }).strict();

/** Fields every check has, whatever its type. */
const common = {
  key,
  interval: duration(100).default(60_000),
  timeout: duration(100).default(10_000),
  retryInterval: duration(100).optional(),
  failureThreshold: z.number().int().min(1).max(100).default(3),
  successThreshold: z.number().int().min(1).max(100).default(2),
  // k of the probe locations (SIGAP_INSTANCE) reporting recently must confirm a P1/P2 failure.
  confirm: z
    .object({ locations: z.number({ error: 'must be a number of locations' }).int().min(1, 'must be at least 1').max(20, 'must be at most 20').default(1) })
    .strict()
    .default({ locations: 1 }),
};

// Lifts the outbound address policy for one check (link-local and unspecified addresses,
// redirects from a public address to a private one); connecting checks only.
const allowPrivate = z.boolean({ error: 'must be true or false' }).default(false);

export const httpCheckSchema = z
  .object({
    ...common,
    type: z.literal('http'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    followRedirects: z.boolean().default(true),
    maxRedirects: z.number().int().min(0).max(20).default(5),
    allowPrivate,
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
    tls: tlsOptions.optional(),
  })
  .strict();

export const tcpCheckSchema = z.object({ ...common, type: z.literal('tcp'), target: endpoint, allowPrivate }).strict();

export const dnsCheckSchema = z
  .object({
    ...common,
    type: z.literal('dns'),
    name: z.string().regex(/^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9_-]{1,63}\.?$/, 'must be a domain name'),
    recordType: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'TXT']).default('A'),
    server: z
      .string()
      .refine((s) => isIP(s.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([\d.]+):\d+$/, '$1')) !== 0, 'must be an IP address, optionally with :port')
      .optional(),
    expect: z
      .object({ answers: strings.default([]) })
      .strict()
      .default({ answers: [] }),
  })
  .strict();

export const tlsCheckSchema = z
  .object({ ...common, type: z.literal('tls'), target: endpoint, serverName: z.string().min(1).optional(), tls: tlsOptions.default({ minDaysValid: 14 }), allowPrivate })
  .strict();

/** A domain name an integrity check's links may point to (`example.go.id`; its subdomains too). */
const domainName = z
  .string({ error: 'must be a domain name such as lapor.go.id' })
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as lapor.go.id (no scheme, path or port)');
const term = z.string({ error: 'must be a term' }).trim().min(2, 'must be at least 2 characters').max(100, 'must be at most 100 characters');

// A site integrity check: slower than the others (each run fetches the page as four viewers and
// samples the sitemap), confirmed twice before it opens an incident.
export const integrityCheckSchema = z
  .object({
    ...common,
    interval: duration(1000).default(900_000),
    timeout: duration(1000).default(60_000),
    failureThreshold: z.number().int().min(1).max(100).default(2),
    type: z.literal('integrity'),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    allowDomains: z.array(domainName).max(500, 'must list at most 500 domains').default([]),
    terms: z
      .object({ add: z.array(term).max(500).default([]), remove: z.array(term).default([]) })
      .strict()
      .default({ add: [], remove: [] })
      .superRefine((terms, ctx) => {
        const shipped = new Set(SHIPPED_TERMS);
        terms.remove.forEach((t, i) => {
          if (!shipped.has(normalizeTerm(t))) ctx.addIssue({ code: 'custom', path: ['remove', i], message: `"${t}" is not on the shipped list (docs/integrity.md)` });
        });
      }),
    sitemap: z.boolean({ error: 'must be true or false' }).default(true),
    sample: z.number({ error: 'must be a number of pages' }).int().min(0, 'must be at least 0').max(100, 'must be at most 100').default(20),
    allowPrivate,
  })
  .strict();

export const checkSchema = z.discriminatedUnion('type', [httpCheckSchema, tcpCheckSchema, dnsCheckSchema, tlsCheckSchema, integrityCheckSchema], {
  error: 'must be one of http, tcp, dns, tls, integrity',
});

// Notifications (DESIGN §3): where messages go (channels), which events go where (routes), and
// reminders while an incident is unacknowledged. Cross-references (a route naming a channel, an
// e-mail channel without smtp) are checked in config.ts, with every other problem.
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
const EVENT_NAMES = ['opened', 'acknowledged', 'escalated', 'warning', 'breached', 'restored', 'resolved', 'closed', 'reopened', 'reminder'] as const;
/** The events on which a reporter may be told (what they reported is fixed, or the incident is closed). */
export const REPORTER_EVENTS = ['resolved', 'closed'] as const;
const ROLE_NAMES = ['service_desk', 'support', 'vendor', 'manager', 'admin'] as const;
const language = z.enum(['id', 'en'], { error: 'must be id or en' }).default('id');
const email = z.email({ error: 'must be an e-mail address' });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
/** Where people reach the dashboard: an absolute http(s) address, no query or fragment. */
const publicUrl = httpUrl.refine((u) => !/[?#]/.test(u), 'must be an http:// or https:// address without ? or #, such as https://sigap.example.go.id');

// Channels `whatsapp` and `http` (phones): who they reach, and a gateway's request template,
// checked and compiled here so a broken one stops the start with the field named.
/** A phone number as people write it (0812-3456-7890, +62 812…) → international digits (6281234567890). */
const phoneNumber = z.string({ error: 'must be a phone number in quotes, such as "0812-3456-7890" (YAML reads an unquoted 0812… as a number)' }).transform((text, ctx) => {
  const digits = normalizePhoneNumber(text);
  if (digits === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a phone number (write it as 0812-3456-7890 or +62 812 3456 7890)` });
    return z.NEVER;
  }
  return digits;
});
const WHATSAPP_GRAPH_API = 'https://graph.facebook.com/v23.0';
const HTTP_METHODS = ['POST', 'GET', 'PUT', 'PATCH'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * A gateway template (an http channel's url or body) that compiles: its problem, said at its
 * field, is found even when other fields of the channel are wrong. How values are escaped does not
 * change whether it compiles.
 */
const gatewayTemplate = (what: string) =>
  z.string({ error: `must be ${what}` }).superRefine((source, ctx) => {
    try {
      compileGatewayTemplate(source, 'text');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

const whatsappChannel = z
  .object({
    key,
    type: z.literal('whatsapp'),
    phoneNumberId: z
      .string({ error: 'must be the phone number ID from WhatsApp Manager, in quotes' })
      .regex(/^\d{5,25}$/, 'must be the phone number ID from WhatsApp Manager (digits only)'),
    accessToken: z.string({ error: 'must be an access token, such as "${WHATSAPP_TOKEN}"' }).min(1, 'must not be empty'),
    to: z.array(phoneNumber).default([]),
    apiBaseUrl: httpUrl.default(WHATSAPP_GRAPH_API),
    template: z
      .object({
        name: z.string({ error: 'must be the template name' }).regex(/^[a-z0-9_]{1,512}$/, 'must be the template name as approved: lower-case letters, digits and _'),
        language: z
          .string({ error: 'must be the template language code, such as id or en_US' })
          .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be the template language code, such as id or en_US'),
      })
      .strict()
      .optional(),
    timeout: duration(100).default(10_000),
    language,
  })
  .strict();

const httpChannel = z
  .object({
    key,
    type: z.literal('http'),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }))
      .default('POST'),
    url: httpUrl.pipe(gatewayTemplate('a URL')),
    headers: z.record(z.string().regex(HEADER_NAME, 'must be an HTTP header name'), z.string().regex(/^[^\r\n]*$/, 'must be one line')).default({}),
    body: gatewayTemplate('a Handlebars template (text)').optional(),
    to: z.array(z.string({ error: 'must be text' }).trim().min(1, 'must not be empty')).default([]),
    timeout: duration(100).default(10_000),
    language,
  })
  .strict()
  .refine((c) => c.method !== 'GET' || c.body === undefined, {
    path: ['body'],
    message: 'a GET request has no body: put the fields in the url ({{recipient}}, {{text}}) or use POST',
  });

const channelSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ key, type: z.literal('webhook'), url: httpUrl, timeout: duration(100).default(10_000), headers: z.record(z.string(), z.string()).default({}) }).strict(),
    z.object({ key, type: z.literal('email'), to: z.array(email).min(1, 'must list at least one address'), language }).strict(),
    z
      .object({
        key,
        type: z.literal('telegram'),
        botToken: z.string().regex(/^\d+:[\w-]+$/, 'must be a bot token as BotFather gives it (123456:ABC-…)'),
        chatId: z.union([z.string().regex(/^-?\d+$|^@\w+$/, 'must be a chat id (-1001234) or @channelname'), z.number().int().transform(String)]),
        apiBaseUrl: httpUrl.default('https://api.telegram.org'),
        timeout: duration(100).default(10_000),
        language,
      })
      .strict(),
    whatsappChannel,
    httpChannel,
  ],
  { error: 'must be one of webhook, email, telegram, whatsapp, http' },
);

export const notificationsSchema = z
  .object({
    /** The dashboard's address as people reach it: the link in every message. */
    baseUrl: httpUrl.optional(),
    smtp: z
      .object({
        host: z.string().min(1, 'must not be empty'),
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().optional(),
        user: z.string().min(1).optional(),
        pass: z.string().min(1).optional(),
        from: email,
        timeout: duration(100).default(15_000),
      })
      .strict()
      .optional(),
    channels: z.array(channelSchema).default([]),
    routes: z
      .array(
        z
          .object({
            events: z.array(z.enum(EVENT_NAMES, { error: `must be one of ${EVENT_NAMES.join(', ')}` })).min(1, 'must list at least one event'),
            priorities: z.array(z.enum(PRIORITIES, { error: 'must be P1 to P5' })).optional(),
            services: z.array(key).optional(),
            notify: z.array(key).default([]),
            roles: z.array(z.enum(ROLE_NAMES, { error: `must be one of ${ROLE_NAMES.join(', ')}` })).default([]),
          })
          .strict()
          .refine((r) => r.notify.length + r.roles.length > 0, { path: ['notify'], message: 'must name at least one channel in notify, or roles' }),
      )
      .default([]),
    reminders: z.partialRecord(z.enum(PRIORITIES, { error: 'must be P1 to P5' }), duration(60_000)).default({}),
    // The reporter of a manual incident told when it is fixed (SOP-Insiden-003); absent: nobody is.
    reporters: z
      .object({
        notify: z.array(key).min(1, 'must name at least one channel'),
        events: z
          .array(z.enum(REPORTER_EVENTS, { error: `must be one of ${REPORTER_EVENTS.join(', ')}` }))
          .min(1, 'must list at least one event')
          .default([...REPORTER_EVENTS]),
      })
      .strict()
      .optional(),
    retry: z
      .object({ initial: duration(100).default(10_000), max: duration(1000).default(3_600_000) })
      .strict()
      .default({ initial: 10_000, max: 3_600_000 }),
  })
  .strict();

const serviceSchema = z.object({ key, name: z.string().min(1, 'must not be empty'), impact, checks: z.array(checkSchema).default([]) }).strict();

/** `5d`, `2h`, `1d4h` → `{ days, ms }`: days are working days on a business clock, so they stay apart and whole. */
export function parseSlaDuration(text: string): { days: number; ms: number } | null {
  const trimmed = text.trim();
  if (parseDuration(trimmed) === null) return null;
  let days = 0;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    if (unit === 'd') days += Number(amount);
    else ms += Number(amount) * DURATION_UNITS[unit as string]!;
  }
  return { days, ms: Math.round(ms) };
}

const slaDuration = z.string({ error: 'must be a duration such as 30m, 2h, 5d or 1d4h' }).transform((text, ctx) => {
  const parsed = parseSlaDuration(text);
  if (parsed === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (use 30m, 2h, 5d, 1d4h)` });
    return z.NEVER;
  }
  if (!Number.isInteger(parsed.days)) {
    ctx.addIssue({ code: 'custom', message: `"${text}": days must be whole (working) days; write parts of a day in hours, such as 1d4h` });
    return z.NEVER;
  }
  if (parsed.days === 0 && parsed.ms < 1) {
    ctx.addIssue({ code: 'custom', message: 'must be longer than zero' });
    return z.NEVER;
  }
  return parsed;
});

const targetSchema = z.object({ respond: slaDuration, resolve: slaDuration, clock: z.enum(['24x7', 'business'], { error: 'must be 24x7 or business' }) }).strict();

// Holidays (DESIGN §3): a date, a range `from..to`, an .ics file, or `{ date, name }` /
// `{ from, to, name }`. config-holidays.ts turns them into dates with names.
export type HolidayEntry = { kind: 'dates'; from: string; to: string; name: string } | { kind: 'ics'; path: string };

const MAX_RANGE_DAYS = 366;
const DATE_MESSAGE = 'must be a date written YYYY-MM-DD';

/** `2026-12-25` (or a YAML date) → the date; null if not a real date (Date.parse alone takes 2026-02-30). */
function calendarDate(value: unknown): string | null {
  const text = value instanceof Date ? (Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10)) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text ? text : null;
}

export const holidayEntry = z.unknown().transform((value, ctx): HolidayEntry => {
  const fail = (message: string, path: PropertyKey[] = []) => {
    ctx.addIssue({ code: 'custom', message, path });
    return z.NEVER;
  };
  const range = (fromValue: unknown, toValue: unknown, name: string, keys: [PropertyKey[], PropertyKey[]]): HolidayEntry => {
    const from = calendarDate(fromValue);
    const to = calendarDate(toValue);
    if (from === null) return fail(DATE_MESSAGE, keys[0]);
    if (to === null) return fail(DATE_MESSAGE, keys[1]);
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (days < 1) return fail(`the range ends (${to}) before it starts (${from})`, keys[1]);
    if (days > MAX_RANGE_DAYS) return fail(`a range may span at most ${MAX_RANGE_DAYS} days (this one spans ${days})`, keys[1]);
    return { kind: 'dates', from, to, name };
  };
  if (value instanceof Date || typeof value === 'string') {
    const text = value instanceof Date ? '' : value.trim();
    if (/\.ics$/i.test(text)) return { kind: 'ics', path: text };
    const parts = text.split('..');
    if (parts.length === 2) return range(parts[0], parts[1], '', [[], []]);
    if (calendarDate(value) !== null || /^\d{4}-\d{2}-\d{2}$/.test(text)) return range(value, value, '', [[], []]);
    return fail('must be a date (2026-12-25), a range (2026-12-24..2026-12-26), an .ics file path, or { date, name } / { from, to, name }');
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entry = value as Record<string, unknown>;
    const unknownKeys = Object.keys(entry).filter((k) => !['date', 'from', 'to', 'name'].includes(k));
    if (unknownKeys.length > 0) return fail(`unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.join(', ')} (use date or from/to, and name)`);
    if (entry.name !== undefined && typeof entry.name !== 'string') return fail('must be text', ['name']);
    const name = typeof entry.name === 'string' ? entry.name.trim() : '';
    if ('date' in entry && !('from' in entry) && !('to' in entry)) return range(entry.date, entry.date, name, [['date'], ['date']]);
    if ('from' in entry && 'to' in entry && !('date' in entry)) return range(entry.from, entry.to, name, [['from'], ['to']]);
    return fail('give either date, or from and to');
  }
  return fail('must be a date (2026-12-25), a range (2026-12-24..2026-12-26), an .ics file path, or { date, name } / { from, to, name }');
});

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// The printed monthly report: the office's letterhead and who signs it (Mengetahui). A logo is a
// file beside sigap.yaml (or an absolute path), inlined into the page as a data URI by config.ts.
const printedText = (max: number) => z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
export const LOGO_TYPES = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.svg': 'image/svg+xml' } as const;
export const reportsSchema = z
  .object({
    letterhead: z
      .object({
        office: printedText(200),
        address: printedText(300).optional(),
        logo: printedText(500)
          .refine((path) => Object.keys(LOGO_TYPES).some((ext) => path.toLowerCase().endsWith(ext)), `must be an image file: ${Object.keys(LOGO_TYPES).join(', ')}`)
          .optional(),
      })
      .strict()
      .optional(),
    signature: z
      .object({
        title: printedText(200),
        name: printedText(200),
        // NIP: the 18-digit civil servant number, often written in groups (19800101 200501 1 001).
        nip: z
          .union([z.string(), z.number()])
          .transform((v) => String(v).trim())
          .refine((v) => /^[0-9 ]+$/.test(v) && v.replace(/ /g, '').length === 18, 'must be an 18-digit NIP (spaces between groups allowed)')
          .optional(),
        place: printedText(100).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const DAY = 86_400_000;
const FLAPPING_WINDOW = 30 * 60_000;

export const fileSchema = z
  .object({
    timezone: z
      .string()
      .refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Asia/Jakarta')
      .default('Asia/Jakarta'),
    businessHours: z.record(z.string(), z.string()).default({ 'mon-thu': '07:30-16:00', fri: '07:30-16:30' }),
    holidays: z.array(holidayEntry).default([]),
    services: z.array(serviceSchema).default([]),
    // Is the probing host itself online? Its failure turns results into `unknown`, not outages.
    connectivity: z
      .object({ type: z.literal('tcp', { error: 'must be tcp' }), target: endpoint, interval: duration(100).default(30_000), timeout: duration(100).default(3000) })
      .strict()
      .optional(),
    retention: z
      .object({ raw: duration(3_600_000).default(30 * DAY), hourly: duration(DAY).default(730 * DAY) })
      .strict()
      .default({ raw: 30 * DAY, hourly: 730 * DAY }),
    // How availability is counted (DESIGN §7): a slow (degraded) site is available unless
    // `degraded: down`; with businessHoursOnly only time inside businessHours counts.
    availability: z
      .object({ degraded: z.enum(['up', 'down'], { error: 'must be up or down' }).default('up'), businessHoursOnly: z.boolean().default(false) })
      .strict()
      .default({ degraded: 'up', businessHoursOnly: false }),
    // /metrics is open by default, like blackbox_exporter's; a token makes Prometheus send `Authorization: Bearer …`.
    metrics: z
      .object({ bearerToken: z.string().min(16, 'must be at least 16 characters').optional() })
      .strict()
      .default({}),
    reports: reportsSchema.default({}),
    notifications: notificationsSchema.default({ channels: [], routes: [], reminders: {}, retry: { initial: 10_000, max: 3_600_000 } }),
    policy: z
      .object({
        targets: z.partialRecord(z.enum(['P1', 'P2', 'P3', 'P4', 'P5'], { error: 'must be P1 to P5' }), targetSchema).default({}),
        warnAt: z.number().gt(0).lt(1).default(0.75),
        reopenWindow: duration().default(DAY),
        verifyFor: duration().default(900_000),
        autoCloseAfter: duration().default(3 * DAY),
        flapping: z
          .object({
            changes: z.number({ error: 'must be a number of state changes' }).int().min(2, 'must be at least 2').default(4),
            window: duration(60_000).default(FLAPPING_WINDOW),
          })
          .strict()
          .default({ changes: 4, window: FLAPPING_WINDOW }),
      })
      .strict()
      .default({ targets: {}, warnAt: 0.75, reopenWindow: DAY, verifyFor: 900_000, autoCloseAfter: 3 * DAY, flapping: { changes: 4, window: FLAPPING_WINDOW } }),
  })
  .strict();

export const envSchema = z.object({
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:PATH or postgres://…')
    .default('sqlite:./data/sigap.db'),
  SIGAP_CONFIG: z.string().min(1).default('./sigap.yaml'),
  SIGAP_ROLE: z.enum(['all', 'web', 'worker'], { error: 'must be all, web or worker' }).default('all'),
  SIGAP_INSTANCE: z.string().min(1).default(hostname()),
  // The first admin's password, on a new database: long enough to withstand guessing (a generated one is 24 characters).
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // How often the notification dispatcher looks for due rows besides being woken by commits.
  SIGAP_OUTBOX_POLL: duration(100).optional(),
  // The address people use (https: Secure cookies and HSTS; links in messages).
  PUBLIC_URL: publicUrl.optional(),
});

export type FileConfig = z.output<typeof fileSchema>;
export type CheckInput = z.output<typeof checkSchema>;
