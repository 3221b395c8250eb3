// Every route × every role → the status it answers. The table below is the audit surface, and it
// is complete: every route the app registers (read from Express's router stack, see
// api/route-list.ts) must have a row, and every row a route — a new route without a row fails
// here. A row is `METHOD /path` as registered (`:param` for parameters, a literal step such as
// `/api/incidents/:ref/acknowledge` for `/api/incidents/:ref/:action`), optionally followed by a
// label in parentheses for a variant (`(level 0)`, `(CSV)`); REQUESTS says what it sends. Each
// request is valid enough (real refs, valid bodies, an incident in a state that allows the
// action, escalated to the vendor's level where the vendor should see it) that only the role
// decides. API calls use API tokens; page calls use a logged-in browser session with its CSRF
// token. Anonymous API calls get 401; anonymous page calls are sent to /login (303).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../detector/accounts/account-types.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, REPORT, type Caller } from '../helpers/incident-api.js';
import { finding, integrityEvidence, integrityResult } from '../helpers/integrity-results.js';
import { logIn, startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { snapshotVersion } from '../../detector/integrity/baseline-service.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;
type Role = 'anonymous' | UserRole;
const ROLES: readonly Role[] = ['anonymous', 'service_desk', 'support', 'vendor', 'manager', 'admin'];

// prettier-ignore
const TABLE: ReadonlyArray<readonly [route: string, anonymous: number, service_desk: number, support: number, vendor: number, manager: number, admin: number]> = [
  // route                                             anon  desk  supp  vend  mgr   admin
  ['GET /healthz',                                      200,  200,  200,  200,  200,  200],
  ['GET /readyz',                                       200,  200,  200,  200,  200,  200],
  ['GET /api/openapi.json',                             200,  200,  200,  200,  200,  200],
  // ── pages (session cookie; forms carry _csrf) ──
  ['GET /login',                                        200,  200,  200,  200,  200,  200],
  ['GET /',                                             303,  200,  200,  200,  200,  200],
  ['GET /incidents/new',                                303,  200,  200,  403,  403,  200],
  ['POST /incidents/new',                               303,  303,  303,  403,  403,  303],
  ['GET /incidents/:ref (level 0)',                     303,  200,  200,  404,  200,  200],
  ['GET /incidents/:ref (vendor level)',                303,  200,  200,  200,  200,  200],
  ['POST /incidents/:ref/actions/note (vendor level)',  303,  303,  303,  303,  403,  303],
  ['POST /incidents/:ref/actions/close (vendor level)', 303,  303,  303,  403,  403,  303],
  ['POST /incidents/:ref/actions/note (level 0)',      303,  303,  303,  404,  403,  303],
  ['POST /incidents/:ref/known-error',                  303,  303,  303,  403,  403,  303],
  ['POST /incidents/:ref/suggestion-helped',            303,  303,  303,  303,  403,  303],
  ['POST /incidents/:ref/inform-reporter',              303,  303,  403,  403,  403,  303],
  ['POST /incidents/:ref/accept-baseline',              303,  403,  303,  403,  403,  303],
  ['GET /services',                                     303,  200,  200,  200,  200,  200],
  ['POST /services/checks',                             303,  403,  403,  403,  403,  303],
  ['POST /services/checks/:key',                        303,  403,  403,  403,  403,  303],
  ['POST /services/checks/:key/disable',                303,  403,  403,  403,  403,  303],
  ['POST /services/checks/:key/enable',                 303,  403,  403,  403,  403,  303],
  ['POST /services/checks/:key/accept-baseline',        303,  403,  303,  403,  403,  303],
  ['GET /maintenance',                                  303,  200,  200,  200,  200,  200],
  ['POST /maintenance',                                 303,  303,  403,  403,  403,  303],
  ['POST /maintenance/:id/delete',                      303,  303,  403,  403,  403,  303],
  ['GET /known-errors',                                 303,  200,  200,  200,  200,  200],
  ['GET /notifications',                                303,  200,  200,  403,  200,  200],
  ['POST /notifications/:id/retry',                     303,  303,  303,  403,  403,  303],
  ['GET /sop',                                          303,  200,  200,  200,  200,  200],
  ['GET /users',                                        303,  403,  403,  403,  403,  200],
  ['GET /audit',                                        303,  403,  403,  403,  403,  200],
  ['GET /me',                                           303,  200,  200,  200,  200,  200],
  ['POST /logout',                                      303,  303,  303,  303,  303,  303],
  // A refused log-in also answers 303 (back to /login): this table counts that as 401.
  ['POST /login',                                       303,  303,  303,  303,  303,  303],
  ['POST /users',                                       303,  403,  403,  403,  403,  303],
  ['POST /users/tokens',                                303,  403,  403,  403,  403,  201],
  ['POST /users/tokens/:id/revoke',                     303,  403,  403,  403,  403,  303],
  ['POST /users/:username/edit',                        303,  403,  403,  403,  403,  303],
  ['POST /users/:username/password',                    303,  403,  403,  403,  403,  303],
  ['POST /me',                                          303,  303,  303,  303,  303,  303],
  ['GET /reports',                                      303,  200,  200,  403,  200,  200],
  // Public: the status page (a logged-in caller gets the same page).
  ['GET /status',                                       200,  200,  200,  200,  200,  200],
  ['GET /status.json',                                  200,  200,  200,  200,  200,  200],
  // Open while metrics.bearerToken is not set (tests/api/metrics.test.ts covers the token).
  ['GET /metrics',                                      200,  200,  200,  200,  200,  200],
  // ── JSON API (Bearer token) ──
  ['POST /api/session',                                 200,  200,  200,  200,  200,  200],
  ['DELETE /api/session',                               401,  204,  204,  204,  204,  204],
  ['GET /api/me',                                       401,  200,  200,  200,  200,  200],
  ['PATCH /api/me',                                     401,  200,  200,  200,  200,  200],
  ['GET /api/users',                                    401,  403,  403,  403,  403,  200],
  ['POST /api/users',                                   401,  403,  403,  403,  403,  201],
  ['PATCH /api/users/:username',                        401,  403,  403,  403,  403,  200],
  ['POST /api/users/:username/password',                401,  403,  403,  403,  403,  204],
  ['POST /api/tokens',                                  401,  403,  403,  403,  403,  201],
  ['GET /api/tokens',                                   401,  403,  403,  403,  403,  200],
  ['DELETE /api/tokens/:id',                            401,  403,  403,  403,  403,  204],
  ['GET /api/incidents',                                401,  200,  200,  200,  200,  200],
  ['POST /api/incidents',                               401,  201,  201,  403,  403,  201],
  ['GET /api/incidents/:ref (level 0)',                 401,  200,  200,  404,  200,  200],
  ['GET /api/incidents/:ref (vendor level)',            401,  200,  200,  200,  200,  200],
  ['POST /api/incidents/:ref/acknowledge',              401,  403,  403,  200,  403,  200],
  ['POST /api/incidents/:ref/acknowledge (level 0)',    401,  200,  200,  404,  403,  200],
  ['POST /api/incidents/:ref/assign',                   401,  200,  200,  403,  403,  200],
  ['POST /api/incidents/:ref/note',                     401,  200,  200,  200,  403,  200],
  ['POST /api/incidents/:ref/note (level 0)',           401,  200,  200,  404,  403,  200],
  ['POST /api/incidents/:ref/reprioritize',             401,  200,  200,  403,  403,  200],
  ['POST /api/incidents/:ref/escalate (level 0)',       401,  200,  200,  404,  403,  200],
  ['POST /api/incidents/:ref/escalate_management',      401,  200,  200,  403,  403,  200],
  ['POST /api/incidents/:ref/pending',                  401,  403,  403,  200,  403,  200],
  ['POST /api/incidents/:ref/pending (level 0)',        401,  200,  200,  404,  403,  200],
  ['POST /api/incidents/:ref/resume',                   401,  403,  403,  200,  403,  200],
  ['POST /api/incidents/:ref/resume (level 0)',         401,  200,  200,  404,  403,  200],
  ['POST /api/incidents/:ref/resolve',                  401,  403,  403,  200,  403,  200],
  ['POST /api/incidents/:ref/resolve (level 0)',        401,  200,  200,  404,  403,  200],
  ['POST /api/incidents/:ref/close',                    401,  200,  200,  403,  403,  200],
  ['POST /api/incidents/:ref/reopen',                   401,  200,  200,  403,  403,  200],
  ['POST /api/incidents/:ref/cancel',                   401,  200,  200,  403,  403,  200],
  ['POST /api/incidents/:ref/known-error',              401,  201,  201,  403,  403,  201],
  ['POST /api/incidents/:ref/suggestion-helped',        401,  201,  201,  201,  403,  201],
  ['PUT /api/incidents/:ref/inform-reporter',           401,  200,  403,  403,  403,  200],
  ['GET /api/checks/:key/integrity-baseline',          401,  200,  200,  200,  200,  200],
  ['PUT /api/checks/:key/integrity-baseline',          401,  403,  200,  403,  403,  200],
  ['GET /api/known-errors',                             401,  200,  200,  200,  200,  200],
  ['GET /api/services',                                 401,  200,  200,  200,  200,  200],
  ['GET /api/checks',                                   401,  200,  200,  200,  200,  200],
  ['POST /api/checks',                                  401,  403,  403,  403,  403,  201],
  ['PUT /api/checks/:key',                              401,  403,  403,  403,  403,  200],
  ['POST /api/checks/:key/disable',                     401,  403,  403,  403,  403,  200],
  ['POST /api/checks/:key/enable',                      401,  403,  403,  403,  403,  200],
  ['GET /api/checks/:key/results',                      401,  200,  200,  200,  200,  200],
  ['POST /api/alertmanager',                            401,  200,  200,  403,  403,  200],
  ['GET /api/maintenance',                              401,  200,  200,  200,  200,  200],
  ['POST /api/maintenance',                             401,  201,  403,  403,  403,  201],
  ['DELETE /api/maintenance/:id',                       401,  204,  403,  403,  403,  204],
  ['GET /api/notifications',                            401,  200,  200,  403,  200,  200],
  ['POST /api/notifications/:id/retry',                 401,  200,  200,  403,  403,  200],
  // A vendor reads no report: they cover every incident, and it sees only those escalated to it.
  ['GET /api/reports/availability',                     401,  200,  200,  403,  200,  200],
  ['GET /api/reports/availability (CSV)',               401,  200,  200,  403,  200,  200],
  ['GET /api/reports/incidents',                        401,  200,  200,  403,  200,  200],
  ['GET /api/reports/incidents (CSV)',                  401,  200,  200,  403,  200,  200],
  ['GET /api/audit',                                    401,  403,  403,  403,  403,  200],
  // Last: they change the caller's password (the page's from the one the API set).
  ['POST /api/me/password',                             401,  204,  204,  204,  204,  204],
  ['POST /me/password',                                 303,  303,  303,  303,  303,  303],
];

// Alertmanager-style channel on a closed local port: deliveries fail and stay in the outbox.
const YAML = `${INCIDENT_TEST_YAML}
notifications:
  channels:
    - { key: hook, type: webhook, url: "http://127.0.0.1:9/hook" }
  routes:
    - { events: [opened], notify: [hook] }
`;

interface Request {
  path: string;
  body?: Record<string, unknown>;
  /** A session of its own (log-out ends the session it is sent with). */
  ownSession?: true;
  /** With ownSession: log in with this password instead of the role's first one. */
  sessionPassword?: string;
  /** The log-in form: fetched first for its CSRF cookie and field, then posted without a session. */
  logInForm?: true;
}

interface World {
  sigap: Started;
  admin: Caller;
  /** The id of a known error among the incident's current suggestions, as this role sees them. */
  suggestedKnownError(ref: string, role: Role): Promise<number>;
  passwords: Record<UserRole, string>;
  /** A fresh manual incident at level 0 (`new`) after these admin actions. */
  incident(steps?: ReadonlyArray<readonly [string, unknown?]>): Promise<string>;
  /** Escalated to the vendor's level (2) first, then these actions. */
  vendorIncident(steps?: ReadonlyArray<readonly [string, unknown?]>): Promise<string>;
  dashboardCheck(): Promise<string>;
  /** A dashboard integrity check with a latest snapshot (its version) and an open incident; made once. */
  integrityCheck(): Promise<{ key: string; ref: string; snapshot: string }>;
  maintenanceWindow(): Promise<number>;
  failedNotification(): Promise<number>;
}

const AFTER_API_PASSWORD_CHANGE = 'another-long-password';
const TO_VENDOR = ['escalate', { level: 2, note: 'to the vendor' }] as const;
const RESOLVE = ['resolve', { resolutionCode: 'fixed', note: 'restarted php-fpm' }] as const;
let unique = 0;
const next = (prefix: string) => `${prefix}-${++unique}`;

/** What each row sends: a real ref, a valid body. */
const REQUESTS: Record<string, (w: World, role: Role) => Promise<Request>> = {
  'GET /healthz': async () => ({ path: '/healthz' }),
  'GET /readyz': async () => ({ path: '/readyz' }),
  'GET /api/openapi.json': async () => ({ path: '/api/openapi.json' }),
  'GET /login': async () => ({ path: '/login' }),
  'GET /': async () => ({ path: '/' }),
  'GET /incidents/new': async () => ({ path: '/incidents/new' }),
  'POST /incidents/new': async () => ({
    path: '/incidents/new',
    body: { ...REPORT, reporter: undefined, reporterName: 'Ibu Sari', reporterContact: '0812', reportedVia: 'phone' },
  }),
  'GET /incidents/:ref (level 0)': async (w) => ({ path: `/incidents/${await w.incident()}` }),
  'GET /incidents/:ref (vendor level)': async (w) => ({ path: `/incidents/${await w.vendorIncident()}` }),
  'POST /incidents/:ref/actions/note (vendor level)': async (w) => ({ path: `/incidents/${await w.vendorIncident()}/actions/note`, body: { note: 'checked the logs' } }),
  'POST /incidents/:ref/actions/note (level 0)': async (w) => ({ path: `/incidents/${await w.incident()}/actions/note`, body: { note: 'checked the logs' } }),
  'POST /incidents/:ref/actions/close (vendor level)': async (w) => ({ path: `/incidents/${await w.vendorIncident([RESOLVE])}/actions/close`, body: { closureCode: 'confirmed' } }),
  'POST /incidents/:ref/known-error': async (w) => ({
    path: `/incidents/${await w.incident([['acknowledge'], RESOLVE])}/known-error`,
    body: { symptoms: 'form hangs', cause: 'php-fpm stuck' },
  }),
  'POST /incidents/:ref/suggestion-helped': async (w, role) => {
    const ref = await w.vendorIncident();
    return { path: `/incidents/${ref}/suggestion-helped`, body: { knownErrorId: String(await w.suggestedKnownError(ref, role)) } };
  },
  'POST /incidents/:ref/inform-reporter': async (w) => ({ path: `/incidents/${await w.incident()}/inform-reporter`, body: { informReporter: 'false' } }),
  'POST /incidents/:ref/accept-baseline': async (w) => {
    const { ref, snapshot } = await w.integrityCheck();
    return { path: `/incidents/${ref}/accept-baseline`, body: { snapshot } };
  },
  'POST /services/checks/:key/accept-baseline': async (w) => {
    const { key, snapshot } = await w.integrityCheck();
    return { path: `/services/checks/${key}/accept-baseline`, body: { snapshot } };
  },
  'GET /services': async () => ({ path: '/services' }),
  'POST /services/checks': async () => ({ path: '/services/checks', body: { service: 'skm', definition: `key: ${next('page-check')}\ntype: http\nurl: http://127.0.0.1:9/\n` } }),
  'POST /services/checks/:key': async (w) => {
    const key = await w.dashboardCheck();
    return { path: `/services/checks/${key}`, body: { service: 'skm', definition: `key: ${key}\ntype: http\nurl: http://127.0.0.1:9/other\n` } };
  },
  'POST /services/checks/:key/disable': async (w) => ({ path: `/services/checks/${await w.dashboardCheck()}/disable`, body: {} }),
  'POST /services/checks/:key/enable': async (w) => ({ path: `/services/checks/${await w.dashboardCheck()}/enable`, body: {} }),
  'GET /maintenance': async () => ({ path: '/maintenance' }),
  'POST /maintenance': async () => ({
    path: '/maintenance',
    body: { title: 'Server patching', service: 'skm', recurrence: 'none', startsAt: '2026-12-01T20:00:00+07:00', endsAt: '2026-12-01T22:00:00+07:00' },
  }),
  'POST /maintenance/:id/delete': async (w) => ({ path: `/maintenance/${await w.maintenanceWindow()}/delete`, body: {} }),
  'GET /known-errors': async () => ({ path: '/known-errors' }),
  'GET /notifications': async () => ({ path: '/notifications' }),
  'POST /notifications/:id/retry': async (w) => ({ path: `/notifications/${await w.failedNotification()}/retry`, body: {} }),
  'GET /sop': async () => ({ path: '/sop' }),
  'GET /users': async () => ({ path: '/users' }),
  'GET /audit': async () => ({ path: '/audit' }),
  'GET /me': async () => ({ path: '/me' }),
  'POST /logout': async () => ({ path: '/logout', body: {}, ownSession: true }),
  'POST /login': async (w, role) => {
    const username = role === 'anonymous' ? 'admin' : role;
    return { path: '/login', body: { username, password: w.passwords[username] }, logInForm: true };
  },
  'POST /users': async () => ({
    path: '/users',
    body: { username: next('page-clerk'), displayName: 'Clerk', role: 'service_desk', email: '', language: 'id', password: 'a-long-password' },
  }),
  'POST /users/tokens': async () => ({ path: '/users/tokens', body: { name: next('page-script'), username: 'admin' } }),
  'POST /users/tokens/:id/revoke': async (w) => {
    const admin = (await w.sigap.db.stores.accounts.findUserByUsername('admin'))!;
    const { record } = await w.sigap.accounts.createToken(admin, next('page-spare'));
    return { path: `/users/tokens/${record.id}/revoke`, body: {} };
  },
  'POST /users/:username/edit': async () => ({
    path: '/users/service_desk/edit',
    body: { displayName: 'Service desk', role: 'service_desk', email: '', language: 'id', active: 'true' },
  }),
  'POST /users/:username/password': async (w) => {
    // Someone no other row logs in as: setting a password may end that user's sessions.
    const spare = await w.sigap.accounts.createUser({ username: next('spare'), displayName: 'Spare', role: 'support', password: 'a-long-password' });
    return { path: `/users/${spare.username}/password`, body: { password: 'another-long-password' } };
  },
  'POST /me': async () => ({ path: '/me', body: { displayName: 'Someone', email: '', language: 'id' } }),
  'GET /reports': async () => ({ path: '/reports' }),
  'GET /status': async () => ({ path: '/status' }),
  'GET /status.json': async () => ({ path: '/status.json' }),
  'GET /metrics': async () => ({ path: '/metrics' }),
  'GET /api/reports/availability': async () => ({ path: '/api/reports/availability' }),
  'GET /api/reports/availability (CSV)': async () => ({ path: '/api/reports/availability?format=csv' }),
  'GET /api/reports/incidents': async () => ({ path: '/api/reports/incidents' }),
  'GET /api/reports/incidents (CSV)': async () => ({ path: '/api/reports/incidents?format=csv' }),
  'POST /me/password': async (w, role) => ({
    path: '/me/password',
    body: { currentPassword: AFTER_API_PASSWORD_CHANGE, newPassword: 'a-third-long-password', newPasswordAgain: 'a-third-long-password' },
    ...(role === 'anonymous' ? {} : { ownSession: true as const, sessionPassword: AFTER_API_PASSWORD_CHANGE }),
  }),

  'POST /api/session': async (w, role) => {
    const username = role === 'anonymous' || role === 'admin' ? 'admin' : role;
    return { path: '/api/session', body: { username, password: w.passwords[username as UserRole] } };
  },
  'DELETE /api/session': async () => ({ path: '/api/session' }),
  'GET /api/me': async () => ({ path: '/api/me' }),
  'PATCH /api/me': async () => ({ path: '/api/me', body: { language: 'en' } }),
  'GET /api/users': async () => ({ path: '/api/users' }),
  'GET /api/audit': async () => ({ path: '/api/audit' }),
  'POST /api/users': async () => ({ path: '/api/users', body: { username: next('clerk'), displayName: 'Clerk', role: 'service_desk', password: 'a-long-password' } }),
  'PATCH /api/users/:username': async () => ({ path: '/api/users/service_desk', body: { displayName: 'Service desk' } }),
  'POST /api/users/:username/password': async (w) => ({ path: '/api/users/manager/password', body: { password: w.passwords.manager } }),
  'POST /api/tokens': async () => ({ path: '/api/tokens', body: { name: next('script') } }),
  'GET /api/tokens': async () => ({ path: '/api/tokens' }),
  'DELETE /api/tokens/:id': async (w) => {
    const admin = (await w.sigap.db.stores.accounts.findUserByUsername('admin'))!;
    const { record } = await w.sigap.accounts.createToken(admin, next('spare'));
    return { path: `/api/tokens/${record.id}` };
  },
  'GET /api/incidents': async () => ({ path: '/api/incidents' }),
  'POST /api/incidents': async () => ({ path: '/api/incidents', body: REPORT }),
  'GET /api/incidents/:ref (level 0)': async (w) => ({ path: `/api/incidents/${await w.incident()}` }),
  'GET /api/incidents/:ref (vendor level)': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}` }),
  'POST /api/incidents/:ref/acknowledge': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}/acknowledge`, body: {} }),
  'POST /api/incidents/:ref/acknowledge (level 0)': async (w) => ({ path: `/api/incidents/${await w.incident()}/acknowledge`, body: {} }),
  'POST /api/incidents/:ref/assign': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}/assign`, body: { assignee: 'admin' } }),
  'POST /api/incidents/:ref/note (level 0)': async (w) => ({ path: `/api/incidents/${await w.incident()}/note`, body: { note: 'looked at the logs' } }),
  'POST /api/incidents/:ref/note': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}/note`, body: { note: 'looked at the logs' } }),
  'POST /api/incidents/:ref/reprioritize': async (w) => ({
    path: `/api/incidents/${await w.vendorIncident()}/reprioritize`,
    body: { urgency: 'high', reason: 'every form fails' },
  }),
  'POST /api/incidents/:ref/escalate (level 0)': async (w) => ({ path: `/api/incidents/${await w.incident()}/escalate`, body: { note: 'needs system support' } }),
  'POST /api/incidents/:ref/escalate_management': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}/escalate_management`, body: { note: 'the head should know' } }),
  'POST /api/incidents/:ref/pending': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}/pending`, body: { reason: 'waiting on the hosting provider' } }),
  'POST /api/incidents/:ref/pending (level 0)': async (w) => ({
    path: `/api/incidents/${await w.incident([['acknowledge']])}/pending`,
    body: { reason: 'waiting on the hosting provider' },
  }),
  'POST /api/incidents/:ref/resume': async (w) => ({ path: `/api/incidents/${await w.vendorIncident([['pending', { reason: 'waiting' }]])}/resume`, body: {} }),
  'POST /api/incidents/:ref/resume (level 0)': async (w) => ({
    path: `/api/incidents/${await w.incident([['acknowledge'], ['pending', { reason: 'waiting' }]])}/resume`,
    body: {},
  }),
  'POST /api/incidents/:ref/resolve': async (w) => ({ path: `/api/incidents/${await w.vendorIncident()}/resolve`, body: { resolutionCode: 'vendor_fixed', note: 'patched' } }),
  'POST /api/incidents/:ref/resolve (level 0)': async (w) => ({
    path: `/api/incidents/${await w.incident([['acknowledge']])}/resolve`,
    body: { resolutionCode: 'fixed', note: 'patched' },
  }),
  'POST /api/incidents/:ref/close': async (w) => ({ path: `/api/incidents/${await w.vendorIncident([RESOLVE])}/close`, body: { closureCode: 'confirmed' } }),
  'POST /api/incidents/:ref/reopen': async (w) => ({ path: `/api/incidents/${await w.vendorIncident([RESOLVE])}/reopen`, body: { reason: 'it failed again' } }),
  'POST /api/incidents/:ref/cancel': async (w) => ({ path: `/api/incidents/${await w.vendorIncident([['acknowledge']])}/cancel`, body: { reason: 'duplicate' } }),
  'POST /api/incidents/:ref/known-error': async (w) => ({
    path: `/api/incidents/${await w.incident([['acknowledge'], RESOLVE])}/known-error`,
    body: { symptoms: 'form hangs', cause: 'php-fpm stuck' },
  }),
  'POST /api/incidents/:ref/suggestion-helped': async (w, role) => {
    const ref = await w.vendorIncident();
    return { path: `/api/incidents/${ref}/suggestion-helped`, body: { knownErrorId: await w.suggestedKnownError(ref, role) } };
  },
  'PUT /api/incidents/:ref/inform-reporter': async (w) => ({ path: `/api/incidents/${await w.incident()}/inform-reporter`, body: { informReporter: false } }),
  'GET /api/checks/:key/integrity-baseline': async (w) => ({ path: `/api/checks/${(await w.integrityCheck()).key}/integrity-baseline` }),
  'PUT /api/checks/:key/integrity-baseline': async (w) => {
    const { key, snapshot } = await w.integrityCheck();
    return { path: `/api/checks/${key}/integrity-baseline`, body: { snapshot } };
  },
  'GET /api/known-errors': async () => ({ path: '/api/known-errors' }),
  'GET /api/services': async () => ({ path: '/api/services' }),
  'GET /api/checks': async () => ({ path: '/api/checks' }),
  'POST /api/checks': async () => ({ path: '/api/checks', body: { service: 'skm', check: { key: next('api-check'), type: 'http', url: 'http://127.0.0.1:9/' } } }),
  'PUT /api/checks/:key': async (w) => {
    const key = await w.dashboardCheck();
    return { path: `/api/checks/${key}`, body: { service: 'skm', check: { key, type: 'http', url: 'http://127.0.0.1:9/other' } } };
  },
  'POST /api/checks/:key/disable': async (w) => ({ path: `/api/checks/${await w.dashboardCheck()}/disable` }),
  'POST /api/checks/:key/enable': async (w) => ({ path: `/api/checks/${await w.dashboardCheck()}/enable` }),
  'GET /api/checks/:key/results': async (w) => ({ path: `/api/checks/${await w.dashboardCheck()}/results` }),
  'POST /api/alertmanager': async () => ({
    path: '/api/alertmanager',
    body: {
      version: '4',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DiskFull', service: 'skm', severity: 'warning' },
          annotations: { summary: 'disk full' },
          startsAt: '2026-11-27T01:00:00Z',
          fingerprint: next('fp'),
        },
      ],
    },
  }),
  'GET /api/maintenance': async () => ({ path: '/api/maintenance' }),
  'POST /api/maintenance': async () => ({
    path: '/api/maintenance',
    body: { title: 'Server patching', service: 'skm', recurrence: 'none', startsAt: '2026-12-01T13:00:00Z', endsAt: '2026-12-01T15:00:00Z' },
  }),
  'DELETE /api/maintenance/:id': async (w) => ({ path: `/api/maintenance/${await w.maintenanceWindow()}` }),
  'GET /api/notifications': async () => ({ path: '/api/notifications' }),
  'POST /api/notifications/:id/retry': async (w) => ({ path: `/api/notifications/${await w.failedNotification()}/retry` }),
  'POST /api/me/password': async (w, role) => ({
    path: '/api/me/password',
    body: { currentPassword: w.passwords[role as UserRole] ?? 'x', newPassword: AFTER_API_PASSWORD_CHANGE },
  }),
};

const ROWS = TABLE.map(([route, ...statuses]) => ({ route, expected: Object.fromEntries(ROLES.map((role, i) => [role, statuses[i]!])) as Record<Role, number> }));

describe.each(testDatabaseKinds())('route × role on $name', (kind) => {
  let database: TestDatabase;
  let world: World;
  const tokens = {} as Record<UserRole, string>;
  let admin: Caller;
  const sessions = {} as Record<UserRole, { cookie: string; csrfToken: string }>;
  const now = new Date('2026-11-27T03:00:00Z');

  beforeAll(async () => {
    database = await kind.create();
    const sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    const passwords = { admin: TEST_ADMIN_PASSWORD } as Record<UserRole, string>;
    for (const role of ROLES) {
      if (role === 'anonymous') continue;
      const caller = await callerFor(sigap, role === 'admin' ? 'admin' : role, role);
      if (role === 'admin') admin = caller;
      tokens[role] = (await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername(caller.username))!, `${role}-table`)).token;
      passwords[role] ??= `${role}-password`;
      sessions[role] = await logIn(sigap.url!, role, passwords[role]);
    }
    const incident = async (steps: ReadonlyArray<readonly [string, unknown?]> = []) => {
      const ref = await logIncident(admin);
      await drive(admin, ref, steps);
      return ref;
    };
    // Escalated to the vendor first: a known error is as visible as the incident it was recorded from.
    const documented = await incident([TO_VENDOR, ['acknowledge'], RESOLVE]);
    const knownError = await admin.call('POST', `/api/incidents/${documented}/known-error`, { symptoms: 'form hangs', cause: 'php-fpm stuck' });
    expect(knownError.status, JSON.stringify(knownError.json)).toBe(201);
    let integrity: Promise<{ key: string; ref: string; snapshot: string }> | undefined;
    // Findings fed to the detector twice (its failure threshold): an open security incident whose latest snapshot anyone may accept, again and again.
    const makeIntegrityCheck = async () => {
      const key = next('site-integrity');
      const res = await admin.call('POST', '/api/checks', { service: 'skm', check: { key, type: 'integrity', url: 'http://127.0.0.1:9/' } });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      const evidence = integrityEvidence([finding('hidden_link', { domain: 'slot.example', hidden: 'display:none' })]);
      for (const minutes of [1, 2]) await sigap.detector.handleResult(integrityResult(key, new Date(now.getTime() - minutes * 60_000), evidence));
      const check = (await sigap.db.stores.checks.getCheck(key))!;
      const incident = (await sigap.db.stores.incidents.findOpenForCheck(check.id))!;
      return { key, ref: incident.ref, snapshot: snapshotVersion(evidence.snapshot!) };
    };
    world = {
      sigap,
      admin,
      async suggestedKnownError(ref, role) {
        // As the caller sees the incident: each role is offered only the known errors it may read.
        const token = tokens[role === 'anonymous' ? 'admin' : role];
        const json = (await (await fetch(`${sigap.url}/api/incidents/${ref}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
          suggestions: Array<{ kind: string; knownErrorId: number }>;
        };
        const suggestion = json.suggestions.find((x: { kind: string }) => x.kind === 'known_error');
        expect(suggestion, JSON.stringify(json.suggestions)).toBeDefined();
        return suggestion!.knownErrorId;
      },
      passwords,
      incident,
      vendorIncident: (steps = []) => incident([TO_VENDOR, ...steps]),
      async dashboardCheck() {
        const res = await admin.call('POST', '/api/checks', { service: 'skm', check: { key: next('fixture-check'), type: 'http', url: 'http://127.0.0.1:9/' } });
        expect(res.status, JSON.stringify(res.json)).toBe(201);
        return res.json.key;
      },
      integrityCheck: () => (integrity ??= makeIntegrityCheck()),
      async maintenanceWindow() {
        const res = await admin.call('POST', '/api/maintenance', {
          title: 'Patching',
          service: 'skm',
          recurrence: 'none',
          startsAt: '2026-12-01T13:00:00Z',
          endsAt: '2026-12-01T15:00:00Z',
        });
        expect(res.status, JSON.stringify(res.json)).toBe(201);
        return res.json.id;
      },
      async failedNotification() {
        await incident();
        await sigap.dispatcher!.tick();
        const res = await admin.call('GET', '/api/notifications');
        expect(res.json.items.length).toBeGreaterThan(0);
        return res.json.items[0].id;
      },
    };
  });

  afterAll(async () => {
    await world?.sigap.stop();
    await database?.drop();
  });

  async function send(route: string, role: Role): Promise<number> {
    const [method, path] = route.split(' ') as [string, string];
    const request = await REQUESTS[route]!(world, role);
    const base = world.sigap.url!;
    if (request.logInForm) return sendLogInForm(request);
    if (path.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(path)) {
      if (role === 'anonymous') {
        const res = await fetch(`${base}${request.path}`, {
          method,
          headers: request.body ? { 'content-type': 'application/json' } : {},
          body: request.body ? JSON.stringify(request.body) : undefined,
        });
        return res.status;
      }
      const res = await fetch(`${base}${request.path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[role]}`, ...(request.body ? { 'content-type': 'application/json' } : {}) },
        body: request.body ? JSON.stringify(request.body) : undefined,
      });
      return res.status;
    }
    let session = role === 'anonymous' ? null : sessions[role];
    if (session && request.ownSession) session = await logIn(base, role, request.sessionPassword ?? world.passwords[role as UserRole]);
    const form = request.body
      ? new URLSearchParams(
          Object.entries({ ...request.body, ...(session ? { _csrf: session.csrfToken } : {}) })
            .filter(([, v]) => v !== undefined)
            .map(([k, v]): [string, string] => [k, String(v)]),
        )
      : undefined;
    const res = await fetch(`${base}${request.path}`, {
      method,
      redirect: 'manual',
      headers: { accept: 'text/html', ...(session ? { cookie: session.cookie } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form?.toString(),
    });
    return res.status;
  }

  /** GET /login for its CSRF cookie and field, then the form; a refused log-in (back to /login) counts as 401. */
  async function sendLogInForm(request: Request): Promise<number> {
    const page = await fetch(`${world.sigap.url}/login`);
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const res = await fetch(`${world.sigap.url}${request.path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...(request.body as Record<string, string>), _csrf: csrf }).toString(),
    });
    return res.status === 303 && res.headers.get('location')?.startsWith('/login') ? 401 : res.status;
  }

  it('knows how to call every row', () => {
    expect(ROWS.filter((r) => !REQUESTS[r.route]).map((r) => r.route)).toEqual([]);
  });

  it('has a row for every route the app registers, and a registered route for every row', () => {
    const rowRoutes = [...new Set(ROWS.map((r) => r.route.replace(/ \(.*\)$/, '')))];
    const covers = (row: string, registered: string) => {
      const [rowMethod, rowPath] = row.split(' ') as [string, string];
      const [method, path] = registered.split(' ') as [string, string];
      const [a, b] = [rowPath.split('/'), path.split('/')];
      return rowMethod === method && a.length === b.length && b.every((step, i) => step === a[i] || (step.startsWith(':') && a[i] !== ''));
    };
    expect(world.sigap.routes.length).toBeGreaterThan(50);
    expect(world.sigap.routes.filter((registered) => !rowRoutes.some((row) => covers(row, registered)))).toEqual([]);
    expect(rowRoutes.filter((row) => !world.sigap.routes.some((registered) => covers(row, registered)))).toEqual([]);
  });

  it.each(ROWS)('$route', async ({ route, expected }) => {
    const actual = {} as Record<Role, number>;
    for (const role of ROLES) actual[role] = await send(route, role);
    expect(actual).toEqual(expected);
  });
});
