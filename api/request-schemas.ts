// What the JSON API validates requests with, one zod schema per body or query. The routes parse
// with them, the incident pages read their forms into the same bodies (a browser and a script
// meet the same rules), and the OpenAPI document is generated from them.
import { z } from 'zod';
import { PERSON_CLOSURE_CODES, RESOLUTION_CODES, type IncidentAction } from '../detector/incidents/incident-actions.js';
import { INCIDENT_STATES } from '../detector/incidents/lifecycle.js';
import { TAXONOMY } from '../detector/incidents/taxonomy.js';
import { DEFAULT_REPORTED_VIA, REPORTED_VIA } from '../detector/incidents/reporter.js';
import { MAX_AUDIT_PAGE } from '../detector/audit/audit-service.js';

// Log-in and API tokens.

export const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict();
// `username`: an admin may make a token acting as another user (e.g. a service_desk user for Alertmanager).
// `expiresAt`: after it the token is refused (none: never); `scope`: read = GET and HEAD only (default write).
export const tokenRequest = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100),
    username: z.string().min(1).max(64).optional(),
    expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date and time, e.g. 2027-01-31T17:00:00+07:00' }).optional(),
    scope: z.enum(['read', 'write'], { error: 'must be read or write' }).optional(),
  })
  .strict();

// Incidents.

/** `a,b` or repeated parameters → a list of allowed values. */
const listOf = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `must be one or more of ${values.join(', ')}` })))
    .optional();

export const queueQuery = z.object({
  status: listOf(INCIDENT_STATES),
  priority: listOf(['P1', 'P2', 'P3', 'P4', 'P5']),
  service: z.string().max(64).optional(),
  category: z.string().max(40).optional(),
  q: z.string().max(200).optional(),
  assignee: z.string().max(64).optional(),
  breached: z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'], error: 'must be true, false, 1 or 0' }).optional(),
  group: z.enum(['service_desk', 'support', 'vendor']).optional(),
  reportedVia: z.enum(REPORTED_VIA, { error: `must be one of ${REPORTED_VIA.join(', ')}` }).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1 to 200').max(200, 'must be 1 to 200').default(50),
  cursor: z.string().max(500).optional(),
});

/** Probe results per answer of GET /api/checks/:key/results, at most (each may carry evidence). */
export const MAX_RESULTS_PAGE = 500;

export const resultsQuery = z.object({
  from: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time' }).optional(),
  to: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time' }).optional(),
  limit: z.coerce
    .number({ error: 'must be a number from 1 to 500' })
    .int('must be a whole number from 1 to 500')
    .min(1, 'must be 1 to 500')
    .max(MAX_RESULTS_PAGE, 'must be 1 to 500')
    .default(MAX_RESULTS_PAGE),
  cursor: z.string().max(500).optional(),
});

const LEVELS = ['high', 'medium', 'low'] as const;
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const note = text(5000);

export const actionBodies: Record<IncidentAction, z.ZodType> = {
  acknowledge: z.object({ note: note.optional() }).strict(),
  assign: z.object({ assignee: text(64), note: note.optional() }).strict(),
  note: z.object({ note }).strict(),
  reprioritize: z
    .object({ impact: z.enum(LEVELS).optional(), urgency: z.enum(LEVELS).optional(), reason: note })
    .strict()
    .refine((b) => b.impact !== undefined || b.urgency !== undefined, { path: ['impact'], message: 'give impact, urgency or both' }),
  escalate: z.object({ level: z.number().int().min(1, 'must be 1 or 2').max(2, 'must be 1 or 2').optional(), note }).strict(),
  escalate_management: z.object({ note }).strict(),
  pending: z.object({ reason: note }).strict(),
  resume: z.object({ note: note.optional() }).strict(),
  // While the probes still see the failure, resolving needs `confirmStillFailing: true` (409 otherwise).
  resolve: z.object({ resolutionCode: z.enum(RESOLUTION_CODES), note, confirmStillFailing: z.boolean({ error: 'must be true or false' }).optional() }).strict(),
  close: z
    .object({ closureCode: z.enum(PERSON_CLOSURE_CODES, { error: `must be one of ${PERSON_CLOSURE_CODES.join(', ')} (auto_closed is Sigap's own)` }), note: note.optional() })
    .strict(),
  reopen: z.object({ reason: note }).strict(),
  cancel: z.object({ reason: note }).strict(),
};

const categories = Object.keys(TAXONOMY) as [string, ...string[]];
export const manualIncident = z
  .object({
    service: text(64),
    title: text(300),
    description: text(10_000),
    impact: z.enum(LEVELS),
    urgency: z.enum(LEVELS),
    category: z.enum(categories, { error: `must be one of ${categories.join(', ')}` }),
    subcategory: text(40),
    reporter: z.object({ name: text(200), contact: text(200).nullable().default(null) }).strict(),
    // How the report came in; a script that does not say gets `other` (the form always asks).
    reportedVia: z.enum(REPORTED_VIA, { error: `must be one of ${REPORTED_VIA.join(', ')}` }).default(DEFAULT_REPORTED_VIA),
    // When the report came in (default now): the detection time the SLA clocks start from.
    reportedAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO-8601 date and time, e.g. 2026-12-05T09:30:00+07:00' })
      .transform((t) => new Date(t))
      .optional(),
    // Tell the reporter when it is fixed (default: yes when they left a contact).
    informReporter: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const allowed = TAXONOMY[b.category] ?? [];
    if (!allowed.includes(b.subcategory)) ctx.addIssue({ code: 'custom', path: ['subcategory'], message: `must be one of ${allowed.join(', ')} for ${b.category}` });
  });

/** The desk switches telling the reporter on or off (PUT /api/incidents/:ref/inform-reporter). */
export const informReporterBody = z.object({ informReporter: z.boolean({ error: 'must be true or false' }), note: note.optional() }).strict();

// Checks.

/** What a person accepts as an integrity check's baseline: the version of the snapshot they were shown (PUT /api/checks/:key/integrity-baseline). */
export const integrityBaselineBody = z
  .object({ snapshot: z.string({ error: 'must be the version of the latest snapshot' }).regex(/^[0-9a-f]{16}$/, 'must be the 16 hex digits of the latest snapshot') })
  .strict();

/** A check definition is the same object as one entry of `checks:` in sigap.yaml. */
export const definitionBody = z.object({ service: z.string().min(1).max(64), check: z.record(z.string(), z.unknown()) }).strict();

// Known errors.

export const knownErrorQuery = z.object({
  q: z.string().trim().max(200).optional(),
  category: z.string().trim().max(40).optional(),
});

// Notifications.

export const notificationIdParam = z.object({ id: z.coerce.number({ error: 'must be a notification id' }).int().positive('must be a notification id') });

// Reports: whole days in the office time zone, `to` exclusive.

export const MAX_REPORT_DAYS = 400;
const DAY_MS = 86_400_000;

const day = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().slice(0, 10) === d, 'must be a date written YYYY-MM-DD');

const period = {
  from: day.describe('first day, YYYY-MM-DD in the office time zone; default the first day of the current month').optional(),
  to: day.describe('day after the last, YYYY-MM-DD in the office time zone (exclusive); default now').optional(),
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json'),
  // CSV for the office's spreadsheets: `;` and Indonesian by default (Excel with Indonesian regional settings).
  sep: z.enum([';', ','], { error: 'must be ; or , (the CSV separator)' }).default(';'),
  lang: z.enum(['id', 'en'], { error: 'must be id or en (the CSV headers and decimal mark)' }).default('id'),
};

function periodRule<T extends { from?: string; to?: string }>(value: T, ctx: z.RefinementCtx): void {
  if (value.from === undefined || value.to === undefined) return; // a default is checked once it is known
  const days = (Date.parse(value.to) - Date.parse(value.from)) / DAY_MS;
  if (Number.isNaN(days)) return; // a bad date is reported on its own field
  if (days <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (days > MAX_REPORT_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_REPORT_DAYS} days after from` });
}

export const availabilityReportQuery = z.object({ ...period, service: z.string().trim().min(1).max(64).optional() }).superRefine(periodRule);
export const incidentReportQuery = z.object(period).superRefine(periodRule);

// The audit log (admins): newest first, filtered, in pages of at most MAX_AUDIT_PAGE.

/** A day (YYYY-MM-DD, in the office time zone) or an ISO-8601 time with its offset. */
const dayOrTime = z
  .string()
  .max(40)
  .refine((v) => day.safeParse(v).success || z.iso.datetime({ offset: true }).safeParse(v).success, 'must be a date YYYY-MM-DD or an ISO-8601 time with its offset');
/** A form's empty field is an absent one. */
const optionalText = (max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
    z.string().max(max, `must be at most ${max} characters`).optional(),
  );

export const auditQuery = z.object({
  from: z.preprocess((v) => (v === '' ? undefined : v), dayOrTime.describe('from this day (its start, office time zone) or time on').optional()),
  to: z.preprocess((v) => (v === '' ? undefined : v), dayOrTime.describe('up to this day (included) or time (excluded)').optional()),
  action: optionalText(64).describe('an action (user.created), or a prefix: user or user. matches every user.*'),
  actor: optionalText(64).describe('the user name of who acted'),
  target: optionalText(300).describe('what was acted on, exactly as listed (a user name, a check key, maintenance 12)'),
  limit: z.coerce.number().int().min(1, `must be 1 to ${MAX_AUDIT_PAGE}`).max(MAX_AUDIT_PAGE, `must be 1 to ${MAX_AUDIT_PAGE}`).default(100),
  cursor: z.string().max(500).optional(),
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).optional().describe('csv, or send Accept: text/csv; default json'),
  sep: period.sep,
  lang: period.lang,
});

// The Alertmanager webhook (payload version 4).

export const MAX_ALERTS = 1000;

const time = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time' });
const labelSet = z.record(z.string(), z.string({ error: 'must be a string' }));

// Alertmanager sends more than Sigap reads (groupKey, receiver, …): unknown fields are allowed.
const alert = z.object({
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: time,
  endsAt: time.optional(),
  generatorURL: z.string().max(2000).default(''),
  fingerprint: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
});

export const webhook = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  alerts: z.array(alert).min(1, 'must hold at least one alert').max(MAX_ALERTS, `must hold at most ${MAX_ALERTS} alerts`),
});

export type AlertmanagerAlert = z.output<typeof alert>;
