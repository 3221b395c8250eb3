// Hostile input against every route: thousands of malformed bodies, queries, paths and
// headers, with a fixed seed and a bounded count, against one running Sigap on SQLite and on
// PostgreSQL. Every answer must be below 500, an /api error must have DESIGN §6's shape, the
// process must stay up, and nothing may change: a snapshot of the data taken before the run must
// equal one taken after. Requests that carry working credentials (an admin token, a session with
// its CSRF token) are aimed so that they must be refused (a body the route's schema rejects, a
// form whose fields all come as arrays, a resource that does not exist): the validation layer is
// exercised, not just the 401, and a request the server accepts is a bug in the test, not a
// data change to excuse. Failures are collected with the exact request that caused them.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_ACTIONS } from '../../detector/incidents/incident-actions.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { FUZZ_ROUTES, hasParams, surelyRefused, type FuzzRoute } from './fuzz-routes.js';
import { badAuthHeaders, contentType, formPairs, garbageParam, hostileString, joinPairs, jsonBodyText, pct, rawBodyBytes } from './hostile-input.js';
import { sendRaw, type RawResponse } from './raw-http.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;
type Header = [string, string | Buffer];

const SEED = 20261127;
const RUNS = { jsonBodies: 700, rawBodies: 450, forms: 450, queries: 500, paths: 500, headers: 400 } as const;

const YAML = `${INCIDENT_TEST_YAML}
notifications:
  channels:
    - { key: hook, type: webhook, url: "http://127.0.0.1:9/hook" }
  routes:
    - { events: [opened], notify: [hook] }
`;

type Auth = { kind: 'admin-token' } | { kind: 'session' } | { kind: 'session-without-csrf' } | { kind: 'session-wrong-csrf'; csrf: string } | { kind: 'bad'; headers: Header[] };

interface Attack {
  route: FuzzRoute;
  /** 'real': the world's resources; otherwise this (encoded) value for every path parameter. */
  params: 'real' | string;
  pick: number;
  query: string;
  auth: Auth;
  contentType?: string;
  body?: Buffer;
  extraHeaders: Header[];
}

const works = (auth: Auth) => auth.kind === 'admin-token' || auth.kind === 'session';

/** Aim a request with working credentials where it must be refused (see the file header). */
function aim(attack: Attack): Attack {
  if (attack.route.method === 'GET' || !works(attack.auth)) return attack;
  if (attack.route.endsSession) return { ...attack, auth: { kind: 'session-without-csrf' } };
  if (hasParams(attack.route) && attack.params !== 'real') return attack;
  if (surelyRefused(attack.route, attack.contentType, attack.body)) return attack;
  if (hasParams(attack.route)) return { ...attack, params: 'INC-2026-99999%00' };
  return { ...attack, auth: { kind: 'session-without-csrf' } };
}

const routeArb = (filter: (r: FuzzRoute) => boolean = () => true) => fc.constantFrom(...FUZZ_ROUTES.filter(filter));
const authArb: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'admin-token' } as const) },
  { weight: 3, arbitrary: fc.constant({ kind: 'session' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'session-without-csrf' } as const) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        hostileString,
        fc.integer({ min: 1_000, max: 12_000 }).map((n) => 'c'.repeat(n)),
      )
      .map((csrf) => ({ kind: 'session-wrong-csrf', csrf }) as const),
  },
  { weight: 2, arbitrary: badAuthHeaders.map((headers) => ({ kind: 'bad', headers }) as const) },
);

const base = { pick: fc.nat(1000), query: fc.constant(''), extraHeaders: fc.constant([] as Header[]) };

/** Each kind of hostile input as its own batch; /healthz must answer 200 after each. */
const ATTACKS: Array<{ name: string; runs: number; arb: fc.Arbitrary<Attack> }> = [
  {
    name: 'JSON bodies of every shape and wrong types for every field',
    runs: RUNS.jsonBodies,
    arb: routeArb((r) => r.api && !!r.body).chain((route) =>
      fc.record({
        ...base,
        route: fc.constant(route),
        params: fc.oneof({ weight: 4, arbitrary: fc.constant('real') }, { weight: 1, arbitrary: garbageParam }),
        auth: authArb,
        contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8'),
        body: jsonBodyText(route.body instanceof Object && 'shape' in route.body ? Object.keys(route.body.shape as object) : ['x']).map((t) => Buffer.from(t, 'utf8')),
      }),
    ),
  },
  {
    name: 'malformed JSON, invalid UTF-8, NUL bytes, 300 kB bodies and wrong content types',
    runs: RUNS.rawBodies,
    arb: fc.record({ ...base, route: routeArb(), params: fc.oneof(fc.constant('real'), garbageParam), auth: authArb, contentType, body: rawBodyBytes }),
  },
  {
    name: 'form bodies with repeated keys, arrays and bracketed keys',
    runs: RUNS.forms,
    arb: routeArb((r) => r.method !== 'GET').chain((route) =>
      fc.record({
        ...base,
        route: fc.constant(route),
        params: fc.oneof(fc.constant('real'), garbageParam),
        auth: authArb,
        contentType: fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'),
        // The route's own fields each repeated (so a working session must be refused), then junk.
        body: fc
          .tuple(
            fc.array(fc.tuple(hostileString, hostileString), { minLength: (route.formFields ?? []).length, maxLength: (route.formFields ?? []).length }),
            formPairs(route.formFields ?? ['note']),
          )
          .map(([twice, junk]) =>
            Buffer.from(
              joinPairs([
                ...(route.formFields ?? []).flatMap((f, i): Array<[string, string]> => [
                  [f, pct(twice[i]![0])],
                  [f, pct(twice[i]![1])],
                ]),
                ...junk,
              ]),
              'latin1',
            ),
          ),
      }),
    ),
  },
  {
    name: 'odd query strings: bracketed keys, repeated parameters, very long values',
    runs: RUNS.queries,
    arb: routeArb().chain((route) =>
      fc.record({
        ...base,
        route: fc.constant(route),
        params: fc.oneof({ weight: 3, arbitrary: fc.constant('real') }, { weight: 1, arbitrary: garbageParam }),
        auth: authArb,
        query: fc.oneof(
          { weight: 5, arbitrary: formPairs([...route.queryFields, 'limit', 'cursor', 'lang']).map((pairs) => `?${joinPairs(pairs)}`) },
          // Each of the route's own parameters once, so that one odd value is all that is wrong.
          {
            weight: 3,
            arbitrary: fc
              .tuple(fc.subarray([...route.queryFields, 'lang']), fc.array(hostileString, { minLength: route.queryFields.length + 1, maxLength: route.queryFields.length + 1 }))
              .map(([keys, values]) => `?${joinPairs(keys.map((k, i): [string, string] => [k, pct(values[i]!)]))}`),
          },
          {
            weight: 1,
            arbitrary: fc.tuple(fc.constantFrom(...route.queryFields, 'q', 'next'), fc.integer({ min: 2_000, max: 20_000 })).map(([k, n]) => `?${k}=${'%41'.repeat(n / 3)}`),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              '?',
              '??',
              '?&&&',
              '?=',
              '?a[b][c]=',
              `?${'a[b]'.repeat(200)}=1`,
              `?status=${'new,'.repeat(500)}`,
              '?limit=-1&limit=1e9',
              '?cursor=%00',
              '?from=2026-02-30&to=0001-01-01',
              '?from=2026-01-01&to=9999-12-31',
              '?format=xml',
              '?lang=../../etc',
            ),
          },
        ),
      }),
    ),
  },
  {
    name: 'path parameters with %00, dot segments, unicode and long refs',
    runs: RUNS.paths,
    arb: fc.record({
      ...base,
      route: routeArb(hasParams),
      params: garbageParam,
      auth: authArb,
      contentType: fc.constant('application/json'),
      body: fc.constant(Buffer.from('{"note": 1}')),
    }),
  },
  {
    name: 'odd headers: bad Authorization schemes, garbage Bearer tokens, bogus cookies, huge CSRF tokens',
    runs: RUNS.headers,
    arb: fc.record({
      ...base,
      route: routeArb(),
      params: fc.oneof(fc.constant('real'), garbageParam),
      auth: authArb.filter((a) => !works(a)),
      contentType: fc.constantFrom('application/json', undefined),
      body: fc.constantFrom(undefined, Buffer.from('{"note": 1}')),
      extraHeaders: fc.array(
        fc
          .tuple(
            fc.constantFrom('Accept', 'Accept-Language', 'X-Forwarded-For', 'X-CSRF-Token', 'User-Agent', 'Origin', 'Referer', 'X-HTTP-Method-Override', 'Accept-Encoding'),
            fc.oneof(
              hostileString.map((s) => Buffer.from(s.replace(/[\r\n]/g, ''), 'utf8')),
              fc.constantFrom('text/html', '*/*', 'application/json;q=0', 'DELETE', '::1, 999.1.1.1', 'gzip;q=2'),
            ),
          )
          .map(([k, v]): Header => [k, v]),
        { maxLength: 3 },
      ),
    }),
  },
];

interface World {
  sigap: Started;
  port: number;
  adminToken: string;
  /** A vendor's token: the read paths that narrow to what a vendor may open get hostile input too. */
  vendorToken: string;
  session: { cookie: string; csrfToken: string };
  refs: string[];
  checkKey: string;
  maintenanceId: number;
  tokenId: number;
  notificationId: number;
}

function realParam(world: World, route: FuzzRoute, name: string, pick: number): string {
  switch (name) {
    case 'ref':
      return world.refs[pick % world.refs.length]!;
    case 'key':
      return world.checkKey;
    case 'action':
      return INCIDENT_ACTIONS[pick % INCIDENT_ACTIONS.length]!;
    case 'username':
      return 'support';
    default:
      if (route.template.includes('maintenance')) return String(world.maintenanceId);
      if (route.template.includes('tokens')) return String(world.tokenId);
      return String(world.notificationId);
  }
}

function requestOf(world: World, attack: Attack) {
  const path = attack.route.template.replace(/\{(\w+)\}/g, (_m, name: string) =>
    attack.params === 'real' ? encodeURIComponent(realParam(world, attack.route, name, attack.pick)) : attack.params,
  );
  const headers: Header[] = [];
  const { auth } = attack;
  if (auth.kind === 'admin-token') headers.push(['Authorization', `Bearer ${world.adminToken}`]);
  if (auth.kind === 'session' || auth.kind === 'session-without-csrf' || auth.kind === 'session-wrong-csrf') headers.push(['Cookie', world.session.cookie]);
  if (auth.kind === 'session') headers.push(['X-CSRF-Token', world.session.csrfToken]);
  if (auth.kind === 'session-wrong-csrf') headers.push(['X-CSRF-Token', Buffer.from(auth.csrf.replace(/[\r\n]/g, ''), 'utf8')]);
  if (auth.kind === 'bad') headers.push(...auth.headers);
  if (attack.contentType !== undefined) headers.push(['Content-Type', attack.contentType]);
  headers.push(...attack.extraHeaders);
  return { method: attack.route.method, target: `${path}${attack.query}`, headers, ...(attack.body ? { body: attack.body } : {}) };
}

/** The request as a reproducer: method, target, headers and the first bytes of the body. */
function reproducer(request: ReturnType<typeof requestOf>): string {
  const short = (b: string | Buffer) => {
    const s = typeof b === 'string' ? b : b.toString('latin1');
    return JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…(${s.length} bytes)` : s);
  };
  const head = `${request.method} ${short(request.target)}\n  ${request.headers.map(([k, v]) => `${k}: ${short(v)}`).join('\n  ')}`;
  return request.body ? `${head}\n  body: ${short(request.body)}` : head;
}

/** What is wrong with the answer, if anything. */
function problemWith(attack: Attack, request: ReturnType<typeof requestOf>, res: RawResponse): string | null {
  if (res.status >= 500) return `status ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
  const hugeJsonToValidator =
    attack.route.api && attack.route.body && works(attack.auth) && attack.params === 'real' && attack.contentType === 'application/json' && (request.body?.length ?? 0) > 64 * 1024;
  if (hugeJsonToValidator && res.status !== 413 && res.status !== 422) return `a ${request.body!.length}-byte body answered ${res.status}, not 413 or 422`;
  if (attack.route.api && res.status >= 400 && res.headers['content-type']) {
    let body: { error?: { code?: unknown; message?: unknown; details?: unknown } };
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      return `status ${res.status} with a body that is not JSON: ${res.body.toString('utf8').slice(0, 200)}`;
    }
    const e = body?.error;
    const detailsOk = Array.isArray(e?.details) && e.details.every((d: { path?: unknown; message?: unknown }) => typeof d?.path === 'string' && typeof d?.message === 'string');
    if (typeof e?.code !== 'string' || typeof e?.message !== 'string' || !detailsOk)
      return `status ${res.status} without the error shape: ${res.body.toString('utf8').slice(0, 300)}`;
  }
  return null;
}

/** Everything a malformed request could change, read from the stores. */
async function snapshot(sigap: Started) {
  const s = sigap.db.stores;
  const incidents = (await s.incidents.list({}, 1000, null)).items;
  return {
    incidents: await Promise.all(incidents.map(async (i) => ({ ...i, events: (await s.incidents.listEvents(i.id)).length }))),
    users: await s.accounts.listUsers(),
    // lastUsedAt moves with every call made with the token; which tokens exist must not.
    tokens: (await s.accounts.listTokens()).map(({ lastUsedAt: _used, ...token }) => token),
    maintenance: await s.maintenance.list(),
    knownErrors: await s.knownErrors.list({}, 1000, { minEscalationLevel: 0 }),
    checks: await s.checks.listChecks({ includeInactive: true }),
    dashboardChecks: await s.checks.listDashboardChecks(),
    outbox: await s.notifications.backlog(),
    undelivered: await s.notifications.listUndelivered(1000),
  };
}

describe.each(testDatabaseKinds())('hostile HTTP input on $name', (kind) => {
  let database: TestDatabase;
  let world: World;
  let before: Awaited<ReturnType<typeof snapshot>>;
  const now = new Date('2026-11-27T03:00:00Z');

  beforeAll(async () => {
    database = await kind.create();
    const sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    const admin: Caller = await callerFor(sigap, 'admin', 'admin');
    for (const role of ['service_desk', 'support', 'vendor', 'manager'] as const) await callerFor(sigap, role, role);
    const { token: vendorToken } = await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('vendor'))!, 'fuzz-vendor');
    const adminUser = (await sigap.db.stores.accounts.findUserByUsername('admin'))!;
    const { token: adminToken, record } = await sigap.accounts.createToken(adminUser, 'fuzz');
    const fresh = await logIncident(admin);
    const escalated = await logIncident(admin, { urgency: 'high' });
    await drive(admin, escalated, [['escalate', { level: 2, note: 'to the vendor' }]]);
    const resolved = await logIncident(admin);
    await drive(admin, resolved, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'restarted php-fpm' }]]);
    expect((await admin.call('POST', `/api/incidents/${resolved}/known-error`, { symptoms: 'form hangs', cause: 'php-fpm stuck' })).status).toBe(201);
    const check = await admin.call('POST', '/api/checks', { service: 'skm', check: { key: 'fuzz-check', type: 'http', url: 'http://127.0.0.1:9/' } });
    expect(check.status, JSON.stringify(check.json)).toBe(201);
    // Disabled, so that no probe changes its state during the run (its routes still find it).
    expect((await admin.call('POST', '/api/checks/fuzz-check/disable')).status).toBe(200);
    const window = await admin.call('POST', '/api/maintenance', {
      title: 'Patching',
      service: 'skm',
      recurrence: 'none',
      startsAt: '2026-12-01T13:00:00Z',
      endsAt: '2026-12-01T15:00:00Z',
    });
    expect(window.status, JSON.stringify(window.json)).toBe(201);
    await sigap.dispatcher!.tick();
    const notifications = await admin.call('GET', '/api/notifications');
    expect(notifications.json.items.length).toBeGreaterThan(0);
    world = {
      sigap,
      port: Number(new URL(sigap.url!).port),
      adminToken,
      vendorToken,
      session: await logIn(sigap.url!),
      refs: [fresh, escalated, resolved],
      checkKey: check.json.key,
      maintenanceId: window.json.id,
      tokenId: record.id,
      notificationId: notifications.json.items[0].id,
    };
    before = await snapshot(sigap);
  });

  afterAll(async () => {
    await world?.sigap.stop();
    await database?.drop();
  });

  it.each(ATTACKS)('$name: no 5xx, the error shape, still alive', async ({ name, runs, arb }) => {
    const failures = new Map<string, string>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(arb.map(aim), async (attack) => {
        const request = requestOf(world, attack);
        const res = await sendRaw(world.port, request);
        sent++;
        const problem = problemWith(attack, request, res);
        // One reproducer per route and kind of problem is enough to act on.
        const key = `${attack.route.method} ${attack.route.template}: ${problem?.split(':')[0]}`;
        if (problem && !failures.has(key)) failures.set(key, `${problem}\n${reproducer(request)}`);
      }),
      { seed: SEED, numRuns: runs },
    );
    const health = await fetch(`${world.sigap.url}/healthz`);
    expect(health.status, `/healthz after "${name}"`).toBe(200);
    expect(sent).toBe(runs);
    expect([...failures.values()]).toEqual([]);
  });

  // What the fuzz found, kept as plain cases. Before the fixes: a form field sent twice reached a
  // bare zod .parse() and answered 500; on PostgreSQL any text with U+0000 (a query, a body
  // field, a path parameter, a log-in name) failed in the database and answered 500.
  it.each([
    { what: 'a log-in form with its fields twice', method: 'POST', target: '/login', form: 'username=a&username=b&password=x&password=y' },
    { what: 'a maintenance form with its title twice', method: 'POST', target: '/maintenance', form: 'title=a&title=b', auth: true },
    { what: 'a check form with its definition twice', method: 'POST', target: '/services/checks', form: 'service=skm&definition=a&definition=b', auth: true },
    { what: 'a NUL in a queue query', method: 'GET', target: '/api/incidents?q=%00', auth: true },
    { what: 'a NUL in a known-error query', method: 'GET', target: '/api/known-errors?q=a%00', auth: true },
    { what: 'a NUL in an incident ref', method: 'GET', target: '/api/incidents/INC-2026-99999%00', auth: true },
    { what: "a NUL in a page's incident ref", method: 'GET', target: '/incidents/%00', auth: true },
    { what: 'a NUL in a check key', method: 'GET', target: '/api/checks/%00/results', auth: true },
    { what: 'a NUL in a user name path', method: 'PATCH', target: '/api/users/a%00', json: '{"displayName":"x"}', auth: true },
    { what: 'a NUL in a log-in name', method: 'POST', target: '/api/session', json: '{"username":"admin\\u0000","password":"x"}' },
    { what: 'a NUL in a token name', method: 'POST', target: '/api/tokens', json: '{"name":"a\\u0000"}', auth: true },
    { what: 'a NUL in a work note', method: 'POST', target: '/api/incidents/{ref}/note', json: '{"note":"a\\u0000b"}', auth: true },
    // A dashboard check's header may name only SIGAP_CHECK_ variables that are set.
    ...['${DATABASE_URL}', '${SIGAP_CHECK_UNSET}', 'x ${SIGAP_CHECK_UNSET}${DATABASE_URL}', '${SESSION_SECRET}$${x}'].map((value) => ({
      what: `a check header ${JSON.stringify(value)}`,
      method: 'POST',
      target: '/api/checks',
      json: JSON.stringify({ service: 'skm', check: { key: 'fuzz-env', type: 'http', url: 'http://127.0.0.1:9/', headers: { 'X-Kunci': value } } }),
      auth: true,
    })),
    // A vendor's searches and known errors are narrowed to the incidents it may open: still 4xx for a NUL.
    { what: "a NUL in a vendor's queue search", method: 'GET', target: '/api/incidents?q=%00', vendor: true },
    { what: "a NUL in a vendor's known-error search", method: 'GET', target: '/api/known-errors?q=a%00', vendor: true },
    { what: 'a NUL in an incident ref a vendor asks for', method: 'GET', target: '/api/incidents/INC-2026-99999%00', vendor: true },
  ])(
    '$what is refused with a 4xx',
    async ({ method, target, form, json, auth, vendor }: { method: string; target: string; form?: string; json?: string; auth?: boolean; vendor?: boolean }) => {
      const headers: Header[] = auth ? [['Authorization', `Bearer ${world.adminToken}`]] : vendor ? [['Authorization', `Bearer ${world.vendorToken}`]] : [];
      if (form) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
      if (json) headers.push(['Content-Type', 'application/json']);
      const body = form ?? json;
      const res = await sendRaw(world.port, { method, target: target.replace('{ref}', world.refs[0]!), headers, ...(body ? { body: Buffer.from(body) } : {}) });
      expect(res.status, res.body.toString('utf8').slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    },
  );

  it('attacks every route the app registers: a new one without a fuzz route fails here', () => {
    // OpenAPI-documented routes come from the registry (tests/api/openapi.test.ts makes every /api
    // route documented); a new page must be added to the page list in fuzz-routes.ts.
    const attacked = FUZZ_ROUTES.map((r) => `${r.method} ${r.template.replace(/\{(\w+)\}/g, ':$1')}`);
    // A registered `:param` step is met by any step of a fuzz route (the registry lists each incident action on its own).
    const covers = (route: string, registered: string) => {
      const [x, y] = [route.split(/[ /]/), registered.split(/[ /]/)];
      return x.length === y.length && y.every((step, i) => step === x[i] || (step.startsWith(':') && x[i] !== ''));
    };
    expect(world.sigap.routes.filter((registered) => !attacked.some((route) => covers(route, registered)))).toEqual([]);
  });

  it('changes no data', async () => {
    expect(await snapshot(world.sigap)).toEqual(before);
  });
});
