// The OpenAPI 3.1 document of the JSON API, generated from the very zod schemas the routes
// validate with (z.toJSONSchema, input side): the document and the validation cannot drift.
// What JSON Schema cannot say (refinements such as "impact, urgency or both", or a subcategory
// that must belong to its category) is said in the operation's description instead.
import { z } from 'zod';
import { newUserInput, passwordChangeInput, passwordInput, profilePatchInput, userPatchInput } from '../detector/accounts/account-service.js';
import { USER_ROLES, type UserRole } from '../detector/accounts/account-types.js';
import { assertRoleMayAct, INCIDENT_ACTIONS, VENDOR_ACTIONS, type IncidentAction } from '../detector/incidents/incident-actions.js';
import { KNOWN_ERROR_ROLES, knownErrorInput, suggestionHelpedInput } from '../detector/incidents/known-error-service.js';
import { BASELINE_ROLES } from '../detector/integrity/baseline-service.js';
import { maintenanceWindowInput } from '../detector/detection/maintenance-service.js';
import { NOTIFICATION_READERS, NOTIFICATION_RETRIERS } from '../detector/notify/notification-service.js';
import { REPORT_READERS } from '../detector/reporting/incident-report.js';
import {
  actionBodies,
  auditQuery,
  availabilityReportQuery,
  credentials,
  definitionBody,
  incidentReportQuery,
  knownErrorQuery,
  manualIncident,
  informReporterBody,
  integrityBaselineBody,
  queueQuery,
  resultsQuery,
  tokenRequest,
  webhook,
} from './request-schemas.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: nobody needs to log in, any logged-in user, or these roles only. */
export type Callers = 'public' | 'anyone' | readonly UserRole[];

export interface ApiOperation {
  method: Method;
  /** OpenAPI style: /api/incidents/{ref}. */
  path: string;
  summary: string;
  callers: Callers;
  /** Only an API token, never a browser session (the Alertmanager webhook). */
  tokenOnly?: true;
  description?: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success status → what it answers; the error statuses are added from `callers` and `body`. */
  responses: Record<number, string>;
}

const ANYONE: Callers = 'anyone';
const jsonOk = (what: string) => ({ 200: what });

/** Who may take each lifecycle action, from the rules the incident service enforces. */
export function actionCallers(action: IncidentAction): UserRole[] {
  return USER_ROLES.filter((role) => {
    try {
      assertRoleMayAct({ role });
    } catch {
      return false;
    }
    return role !== 'vendor' || VENDOR_ACTIONS.includes(action);
  });
}

const ACTION_SUMMARIES: Record<IncidentAction, string> = {
  acknowledge: 'Acknowledge: new or escalated → assigned, owner = caller',
  assign: 'Assign an owner (a new incident becomes assigned)',
  note: 'Add a work note; state unchanged',
  reprioritize: 'Change impact and/or urgency (give at least one) with a reason; recomputes priority and due times',
  escalate: 'Escalate to a higher support level (default one above the current)',
  escalate_management: 'Hierarchical escalation: bring in the head of division',
  pending: 'Wait on a third party or the reporter (resolution clock paused)',
  resume: 'Back to the state before pending',
  resolve: 'Resolve with a resolution code and notes; while the probes still see the failure, only with confirmStillFailing: true (409 otherwise, recorded in the event)',
  close: 'Close (probe incidents only once verified healthy); monitoring_verified for a probe incident without a reporter whose restoration the probes verified',
  reopen: 'Reopen a resolved incident (→ assigned); the time spent resolved moves the resolution due time',
  cancel: 'Cancel: false alarm, duplicate or test',
};

// One operation per action (rather than one with oneOf): each has its own body, its own callers
// and its own page in any OpenAPI viewer.
const actionOperations: ApiOperation[] = INCIDENT_ACTIONS.map((action) => ({
  method: 'post',
  path: `/api/incidents/{ref}/${action}`,
  summary: ACTION_SUMMARIES[action],
  callers: actionCallers(action),
  description: "A vendor sees only incidents escalated to its level (404 otherwise). 409 when the lifecycle does not allow the action in the incident's state.",
  body: actionBodies[action],
  responses: {
    200: 'the updated incident with its events and suggestions',
    409:
      action === 'resolve'
        ? 'the action does not apply in this state, or the probes still see the failure (send confirmStillFailing: true)'
        : 'the action does not apply in this state',
  },
}));

export const API_OPERATIONS: readonly ApiOperation[] = [
  { method: 'get', path: '/healthz', summary: 'Liveness', callers: 'public', responses: jsonOk('{status: "ok"}') },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: database reachable, migrations done',
    callers: 'public',
    responses: { 200: '{status: "ready"}', 503: '{status: "not_ready", reason}' },
  },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', callers: 'public', responses: jsonOk('the OpenAPI 3.1 document') },
  {
    method: 'post',
    path: '/api/session',
    summary: 'Log in: sets the session cookie',
    callers: 'public',
    body: credentials,
    responses: { 200: '{user, csrfToken}', 429: 'too many failed log-ins' },
  },
  { method: 'delete', path: '/api/session', summary: 'Log out', callers: ANYONE, responses: { 204: 'logged out' } },
  {
    method: 'post',
    path: '/api/tokens',
    summary: 'Create an API token for scripts (shown once)',
    description: 'username: make the token act as another user (e.g. a service_desk user for Alertmanager); default the caller.',
    callers: ['admin'],
    body: tokenRequest,
    responses: { 201: '{name, token, createdAt}' },
  },
  { method: 'get', path: '/api/tokens', summary: 'API tokens (never their secrets)', callers: ['admin'], responses: jsonOk('{items: [token…]}') },
  { method: 'delete', path: '/api/tokens/{id}', summary: 'Revoke an API token', callers: ['admin'], responses: { 204: 'revoked' } },
  { method: 'get', path: '/api/users', summary: 'Users', callers: ['admin'], responses: jsonOk('{items: [user…]}') },
  { method: 'post', path: '/api/users', summary: 'Create a user', callers: ['admin'], body: newUserInput, responses: { 201: 'the user', 409: 'the user name is taken' } },
  {
    method: 'patch',
    path: '/api/users/{username}',
    summary: 'Change a user (name, role, e-mail, language, active)',
    callers: ['admin'],
    body: userPatchInput,
    responses: jsonOk('the user'),
  },
  { method: 'post', path: '/api/users/{username}/password', summary: "Set a user's password", callers: ['admin'], body: passwordInput, responses: { 204: 'set' } },
  { method: 'get', path: '/api/me', summary: "The caller's own account", callers: ANYONE, responses: jsonOk('the user') },
  { method: 'patch', path: '/api/me', summary: "Change one's own name, e-mail or language", callers: ANYONE, body: profilePatchInput, responses: jsonOk('the user') },
  { method: 'post', path: '/api/me/password', summary: "Change one's own password", callers: ANYONE, body: passwordChangeInput, responses: { 204: 'changed' } },
  {
    method: 'get',
    path: '/api/incidents',
    summary: 'The queue: open first, by priority then due time',
    description: 'status and priority take one value, a comma-separated list or repeated parameters. A vendor sees only incidents escalated to it.',
    callers: ANYONE,
    query: queueQuery,
    responses: jsonOk('{items: [incident…], nextCursor}'),
  },
  {
    method: 'post',
    path: '/api/incidents',
    summary: 'Log an incident by hand',
    description:
      'subcategory must belong to the category (the taxonomy); priority is computed from impact × urgency. reportedVia defaults to other; reportedAt (default now, at most 7 days back, not in the future) is the detection time the SLA clocks start from; informReporter defaults to true when the reporter left a contact.',
    callers: ['service_desk', 'support', 'admin'],
    body: manualIncident,
    responses: { 201: 'the new incident with its events and suggestions' },
  },
  { method: 'get', path: '/api/incidents/{ref}', summary: 'One incident with events and suggestions', callers: ANYONE, responses: jsonOk('the incident') },
  {
    method: 'put',
    path: '/api/incidents/{ref}/inform-reporter',
    summary: 'Switch telling the reporter (SOP-Insiden-003) on or off for one incident; recorded in its timeline',
    callers: ['service_desk', 'admin'],
    body: informReporterBody,
    responses: jsonOk('the incident'),
  },
  ...actionOperations,
  {
    method: 'post',
    path: '/api/incidents/{ref}/known-error',
    summary: 'Record a known error from a resolved or closed incident',
    callers: KNOWN_ERROR_ROLES,
    body: knownErrorInput,
    responses: { 201: 'the known error', 409: 'the incident is not resolved or closed' },
  },
  {
    method: 'post',
    path: '/api/incidents/{ref}/suggestion-helped',
    summary: 'Record which suggestion helped (a known error by id or a past incident by ref, exactly one)',
    callers: ANYONE,
    body: suggestionHelpedInput,
    responses: { 201: 'what was recorded' },
  },
  { method: 'get', path: '/api/known-errors', summary: 'Known errors', callers: ANYONE, query: knownErrorQuery, responses: jsonOk('{items: [knownError…]}') },
  {
    method: 'get',
    path: '/api/services',
    summary: 'Services and checks with current state, availability (confirmed outages) and probe success (probe level)',
    callers: ANYONE,
    responses: jsonOk('{items: [service…]}'),
  },
  {
    method: 'get',
    path: '/api/reports/availability',
    summary: 'Availability and probe success per service per office day, with the confirmed outages',
    description: `Days are YYYY-MM-DD in the office time zone, to exclusive, at most 400 days; from defaults to the first day of the current month, to to now. Time-weighted: availability = available ÷ (up + degraded + down), down and degraded time being confirmed outage time (first failed probe of a confirmed failure → restoration); probeSuccess is the same ratio over probe-level time, confirmed or not; degraded counted as configured (availability.degraded); maintenance and unknown time excluded and reported. downIntervals are the confirmed outages, maintenance cut out. format=csv: one row per service per day for spreadsheets (UTF-8 with BOM): sep=; (default) or sep=, between fields, lang=id (default: Indonesian headers, decimal comma) or lang=en, availability and probe success in percent, durations in whole minutes.`,
    callers: REPORT_READERS,
    query: availabilityReportQuery,
    responses: jsonOk(
      '{from, to, timezone, degradedCountsAs, businessHoursOnly, days: [{day, service, observedMs, upMs, downMs, degradedMs, maintenanceMs, unknownMs, availability, probeDownMs, probeDegradedMs, probeSuccess}], downIntervals: [{service, check, from, to, kind}]} or text/csv',
    ),
  },
  {
    method: 'get',
    path: '/api/reports/incidents',
    summary: 'Incidents detected in a period with MTTA, MTTR, SLA met per priority, counts by category and source, reopen rate',
    description:
      "mttaMs = detection → acknowledgement, mttRestoreMs = detection → serviceRestoredAt, mttResolveMs = detection → resolvedAt less paused time, each on the priority's clock (office time for a business priority, wall time for 24x7); `wall` holds the wall-clock means. Each incident is met or breached by its own stored due times. Days, defaults, sep and lang as for the availability report. format=csv: one row per incident, times in the office time zone with its zone (2026-11-03 14:05 WIB).",
    callers: REPORT_READERS,
    query: incidentReportQuery,
    responses: jsonOk('the incident report or text/csv'),
  },
  {
    method: 'get',
    path: '/api/checks',
    summary: 'Every check and where it comes from',
    description: 'For every role but admin, request header values, secret-named values and URL secrets read "[redacted]" (names kept).',
    callers: ANYONE,
    responses: jsonOk('{items: [check…]}'),
  },
  {
    method: 'post',
    path: '/api/checks',
    summary: 'Define a dashboard check (a sigap.yaml checks: entry)',
    callers: ['admin'],
    body: definitionBody,
    responses: { 201: 'the check', 409: 'the key is taken' },
  },
  {
    method: 'put',
    path: '/api/checks/{key}',
    summary: 'Replace a dashboard check',
    callers: ['admin'],
    body: definitionBody,
    responses: { 200: 'the check', 409: 'a check from the config file is read-only' },
  },
  { method: 'post', path: '/api/checks/{key}/enable', summary: 'Enable a check', callers: ['admin'], responses: jsonOk('the check') },
  { method: 'post', path: '/api/checks/{key}/disable', summary: 'Disable a check', callers: ['admin'], responses: jsonOk('the check') },
  {
    method: 'get',
    path: '/api/checks/{key}/integrity-baseline',
    summary: "An integrity check's baseline (who accepted it and when; acceptedBy null: recorded from its first clean check) and the latest snapshot with its findings",
    description: '404 for a check that is not an integrity check. `latest` is null until the check has seen its page.',
    callers: ANYONE,
    responses: jsonOk('{check, baseline, latest: {checkedAt, status, snapshot, counts, findings}}'),
  },
  {
    method: 'put',
    path: '/api/checks/{key}/integrity-baseline',
    summary: 'Accept what the integrity check sees now (its latest snapshot) as its baseline; recorded in the audit trail and in the timeline of its open incident',
    description:
      '`snapshot` must be the latest snapshot’s `version`, as read from GET: 409 when the page changed since (review it again). 404 for a check that is not an integrity check.',
    callers: BASELINE_ROLES,
    body: integrityBaselineBody,
    responses: jsonOk('the baseline and latest snapshot, as GET answers'),
  },
  {
    method: 'get',
    path: '/api/checks/{key}/results',
    summary: 'Raw probe results (default: the last 24 hours), newest first, at most 500 per answer',
    description: 'Send `cursor` = the answer’s `nextCursor` (with the same `from` and `to`) for the next, older page; `nextCursor` is null on the last.',
    callers: ANYONE,
    query: resultsQuery,
    responses: jsonOk('{items: [result…], nextCursor}'),
  },
  {
    method: 'post',
    path: '/api/alertmanager',
    summary: 'Alertmanager webhook (payload version 4)',
    description: 'An API token only: a browser session gets 403.',
    callers: ['service_desk', 'support', 'admin'],
    tokenOnly: true,
    body: webhook,
    responses: jsonOk('what was opened, updated or restored'),
  },
  { method: 'get', path: '/api/maintenance', summary: 'Maintenance windows', callers: ANYONE, responses: jsonOk('{items: [window…]}') },
  {
    method: 'post',
    path: '/api/maintenance',
    summary: 'Create a maintenance window (once: startsAt/endsAt; weekly: weekdays/start/durationMinutes)',
    callers: ['admin', 'service_desk'],
    body: maintenanceWindowInput,
    responses: { 201: 'the window' },
  },
  { method: 'delete', path: '/api/maintenance/{id}', summary: 'Delete a maintenance window', callers: ['admin', 'service_desk'], responses: { 204: 'deleted' } },
  { method: 'get', path: '/api/notifications', summary: 'Notifications not delivered yet', callers: NOTIFICATION_READERS, responses: jsonOk('{items: [notification…]}') },
  { method: 'post', path: '/api/notifications/{id}/retry', summary: 'Retry a notification now', callers: NOTIFICATION_RETRIERS, responses: jsonOk('the notification') },
  {
    method: 'get',
    path: '/api/audit',
    summary: 'The audit log: who changed what, when and from where, newest first (append-only)',
    description:
      'Log-ins, users, tokens, checks, maintenance windows, configuration reloads, notification retries and known errors. `from`/`to`: a day (office time zone; a `to` day is included) or an ISO-8601 time (`to` excluded). `action`: exact, or a prefix without a dot (`user` or `user.` match every user.*). Pages of `limit` (at most 500) continue with `cursor` = the answer\'s `nextCursor` (also in a `Link: rel="next"` header). format=csv or `Accept: text/csv`: the same page as CSV (`;` and Indonesian headers unless sep/lang say otherwise, times in the office time zone). An entry: `{id, at, action, actor: {userId, username} (null: Sigap itself or the command line), ip, target, detail}`.',
    callers: ['admin'],
    query: auditQuery,
    responses: jsonOk('{items: [entry…], nextCursor} or text/csv'),
  },
];

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });

/** Request schemas as JSON Schema 2020-12 (what OpenAPI 3.1 speaks), the input side of each zod schema. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  // `unrepresentable: 'any'`: a transform's output has no JSON Schema; its input side is documented.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchemaOf(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: property }));
}

const pathParameters = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1]!, in: 'path', required: true, schema: { type: 'string' } }));

function security(op: ApiOperation) {
  if (op.callers === 'public') return [];
  return op.tokenOnly ? [{ bearerToken: [] }] : [{ sessionCookie: [], csrfHeader: [] }, { bearerToken: [] }];
}

function callersText(callers: Callers): string {
  if (callers === 'public') return 'Public: no log-in.';
  if (callers === 'anyone') return 'Any logged-in user.';
  return `Roles: ${callers.join(', ')}.`;
}

function operationObject(op: ApiOperation) {
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(op.responses)) {
    responses[status] = Number(status) >= 400 ? errorResponse(description) : { description };
  }
  if (op.body) {
    responses['400'] ??= errorResponse('malformed: the body is not a JSON object');
    responses['413'] ??= errorResponse('the body is too large');
    responses['422'] ??= errorResponse('invalid values; each detail names its field');
  }
  if (op.query) responses['422'] ??= errorResponse('invalid query values; each detail names its parameter');
  if (op.callers !== 'public') {
    responses['401'] ??= errorResponse('no session or API token');
    responses['403'] ??= errorResponse(
      op.callers === 'anyone' ? 'missing CSRF token on a cookie-authenticated change' : "the caller's role may not do this, or the CSRF token is missing",
    );
  }
  if (op.path.includes('{')) responses['404'] ??= errorResponse('no such resource (or not visible to the caller)');
  const parameters = [...pathParameters(op.path), ...(op.query ? queryParameters(op.query) : [])];
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: op.summary,
    description: [op.description, callersText(op.callers)].filter(Boolean).join(' '),
    'x-sigap-roles': op.callers === 'public' ? [] : op.callers === 'anyone' ? [...USER_ROLES] : [...op.callers],
    security: security(op),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(op.body) } } } } : {}),
    responses,
  };
}

/** The whole document; built once per app. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sigap API',
      version,
      description:
        'Incident management for public-service websites (ITIL v3; SOP-Insiden-001/002/003). JSON, camelCase fields, ISO-8601 UTC times. Every error has the same shape (Error).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sigap_session', description: 'Set by POST /api/session (or the log-in page).' },
        csrfHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: 'The csrfToken of POST /api/session; required with the session cookie on every state-changing call.',
        },
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens; needs no CSRF token.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', examples: ['validation_failed', 'unauthenticated', 'forbidden', 'not_found', 'invalid_transition'] },
                message: { type: 'string' },
                details: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              },
            },
          },
        },
      },
    },
  };
}
