// Secrets stay with admins: the request headers of checks (from the file and from the dashboard),
// secrets in a check's URL and every credential of a notification channel are never in an answer
// or a page a non-admin reads; the header names stay, their values read "[redacted]". Admins see
// what they configured. A dashboard check's header may say `${SIGAP_CHECK_…}`: the database keeps
// the reference, the probe sends the value, no answer ever shows the value.
import type { IncomingHttpHeaders } from 'node:http';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../detector/accounts/account-types.js';
import { callerFor, logIncident, type Caller } from '../helpers/incident-api.js';
import { startHttpServer, stopAllServers, type LocalServer } from '../helpers/local-servers.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { until, waitFor } from '../helpers/wait.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

const SECRETS = {
  fileHeader: 'file-header-secret-1',
  fileUrlToken: 'url-query-secret-2',
  typedHeader: 'typed-header-secret-3',
  envHeader: 'env-header-secret-4',
  webhookUrlToken: 'webhook-url-secret-5',
  webhookHeader: 'webhook-header-secret-6',
  telegramToken: '123456:telegram-secret-7',
  smtpPass: 'smtp-pass-secret-8',
};
const NON_ADMINS: readonly UserRole[] = ['service_desk', 'support', 'vendor', 'manager'];

describe.each(testDatabaseKinds())('secrets stay with admins, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  let site: LocalServer;
  const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const callers = {} as Record<UserRole, Caller>;
  const sessions = {} as Record<UserRole, { cookie: string; csrfToken: string }>;
  let dashboardKey: string;
  let probeIncident: string;

  beforeAll(async () => {
    // The file's check fails (500) so a probe incident with evidence opens; the dashboard's answers 200.
    site = await startHttpServer((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      res.statusCode = req.url?.startsWith('/failing') ? 500 : 200;
      res.end('ok');
    });
    database = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: database.url,
      env: { FILE_KEY: SECRETS.fileHeader, SIGAP_CHECK_SKM_TOKEN: SECRETS.envHeader, SMTP_PASS: SECRETS.smtpPass },
      yaml: `
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - key: skm-file
        type: http
        url: "http://127.0.0.1:${site.port}/failing?token=${SECRETS.fileUrlToken}&page=1"
        interval: 200ms
        timeout: 150ms
        retryInterval: 100ms
        failureThreshold: 1
        headers: { X-Api-Key: "\${FILE_KEY}" }
notifications:
  smtp: { host: 127.0.0.1, port: 9, user: sigap, pass: "\${SMTP_PASS}", from: sigap@example.test, timeout: 500ms }
  channels:
    - { key: hook, type: webhook, url: "http://127.0.0.1:9/hook?token=${SECRETS.webhookUrlToken}", headers: { X-Hook-Key: "${SECRETS.webhookHeader}" } }
    - { key: tg, type: telegram, botToken: "${SECRETS.telegramToken}", chatId: "-100", apiBaseUrl: "http://127.0.0.1:9" }
    - { key: mail, type: email, to: [desk@example.test] }
  routes:
    - { events: [opened], notify: [hook, tg, mail] }
`,
      start: { slaSweepMs: 0, dispatchMs: 0 },
    });
    callers.admin = await callerFor(sigap, 'admin', 'admin');
    sessions.admin = await logIn(sigap.url!);
    for (const role of NON_ADMINS) {
      callers[role] = await callerFor(sigap, role, role);
      sessions[role] = await logIn(sigap.url!, role, `${role}-password`);
    }
    const defined = await callers.admin.call('POST', '/api/checks', {
      service: 'skm',
      check: {
        key: 'skm-dashboard',
        type: 'http',
        url: `http://127.0.0.1:${site.port}/dashboard`,
        interval: '200ms',
        timeout: '150ms',
        headers: { 'X-Api-Key': SECRETS.typedHeader, Authorization: 'Bearer ${SIGAP_CHECK_SKM_TOKEN}' },
      },
    });
    expect(defined.status, JSON.stringify(defined.json)).toBe(201);
    dashboardKey = defined.json.key;
    // A probe incident (with evidence of the failing URL) and a manual one whose notifications fail.
    probeIncident = await waitFor('the file check opens an incident', async () => {
      const { json } = await callers.admin.call('GET', '/api/incidents?service=skm');
      return (json.items as Array<{ source: string; ref: string }>).find((i) => i.source === 'probe')?.ref;
    });
    await logIncident(callers.admin);
    await sigap.dispatcher!.tick();
  });

  afterAll(async () => {
    await sigap?.stop();
    await stopAllServers();
    await database?.drop();
  });

  const readPaths = () => [
    '/api/checks',
    '/api/services',
    `/api/checks/skm-file/results`,
    `/api/checks/${dashboardKey}/results`,
    '/api/incidents',
    `/api/incidents/${probeIncident}`,
    '/api/notifications',
    '/api/openapi.json',
    '/services',
    '/notifications',
    `/incidents/${probeIncident}`,
    '/',
  ];

  async function read(role: UserRole, path: string): Promise<{ status: number; body: string }> {
    if (path.startsWith('/api/')) {
      const res = await fetch(`${sigap.url}${path}`, { headers: { authorization: `Bearer ${await tokenOf(role)}` } });
      return { status: res.status, body: await res.text() };
    }
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: sessions[role].cookie, accept: 'text/html' }, redirect: 'manual' });
    return { status: res.status, body: await res.text() };
  }
  const tokens = new Map<UserRole, string>();
  async function tokenOf(role: UserRole): Promise<string> {
    if (!tokens.has(role)) {
      const user = (await sigap.db.stores.accounts.findUserByUsername(role === 'admin' ? 'admin' : role))!;
      tokens.set(role, (await sigap.accounts.createToken(user, `${role}-reads`)).token);
    }
    return tokens.get(role)!;
  }

  it.each(NON_ADMINS)('a %s reads no secret in any answer or page it may open', async (role) => {
    let opened = 0;
    for (const path of readPaths()) {
      const { status, body } = await read(role, path);
      if (status !== 200) continue;
      opened++;
      for (const [name, secret] of Object.entries(SECRETS)) expect(body.includes(secret), `${name} in ${path}`).toBe(false);
    }
    // Every role reads the checks, the services and their results at least.
    expect(opened).toBeGreaterThanOrEqual(8);
  });

  it.each(NON_ADMINS)("a %s sees the headers' names with their values redacted", async (role) => {
    const { json } = await callers[role].call('GET', '/api/checks');
    const dashboard = json.items.find((c: { key: string }) => c.key === dashboardKey);
    expect(dashboard.definition.headers).toEqual({ 'X-Api-Key': '[redacted]', Authorization: '[redacted]' });
    const file = json.items.find((c: { key: string }) => c.key === 'skm-file');
    expect(file.target).toContain('token=%5Bredacted%5D');
    expect(file.target).toContain('page=1');
  });

  it('an admin sees what was configured, the environment reference and not its value', async () => {
    const { json } = await callers.admin.call('GET', '/api/checks');
    const dashboard = json.items.find((c: { key: string }) => c.key === dashboardKey);
    expect(dashboard.definition.headers).toEqual({ 'X-Api-Key': SECRETS.typedHeader, Authorization: 'Bearer ${SIGAP_CHECK_SKM_TOKEN}' });
    // A URL's token stays in sigap.yaml: the check's description (in incidents and messages too) never carries it, for anyone.
    expect(json.items.find((c: { key: string }) => c.key === 'skm-file').target).toContain('token=%5Bredacted%5D');
    expect((await callers.admin.call('GET', `/api/incidents/${probeIncident}`)).json.description).not.toContain(SECRETS.fileUrlToken);
    for (const path of readPaths()) expect((await read('admin', path)).body, path).not.toContain(SECRETS.envHeader);
  });

  it("the probe sends the environment variable's value; the database keeps only the reference", async () => {
    await until('the dashboard check is probed', async () => seen.some((s) => s.path === '/dashboard'));
    const probe = seen.find((s) => s.path === '/dashboard')!;
    expect(probe.headers.authorization).toBe(`Bearer ${SECRETS.envHeader}`);
    expect(probe.headers['x-api-key']).toBe(SECRETS.typedHeader);

    const raw = database.url.startsWith('sqlite:')
      ? knexFactory({ client: 'better-sqlite3', connection: { filename: database.url.slice(7) }, useNullAsDefault: true })
      : knexFactory({ client: 'pg', connection: database.url });
    try {
      const row = (await raw('checks').where({ key: dashboardKey }).first('definition_json', 'config_json')) as { definition_json: string; config_json: string };
      expect(row.definition_json).toContain('${SIGAP_CHECK_SKM_TOKEN}');
      expect(row.config_json).toContain('${SIGAP_CHECK_SKM_TOKEN}');
      expect(`${row.definition_json}${row.config_json}`).not.toContain(SECRETS.envHeader);
    } finally {
      await raw.destroy();
    }
  });

  it('a header naming a variable that is not set, or one a dashboard check may not use, is refused naming the header', async () => {
    const define = (value: string) =>
      callers.admin.call('POST', '/api/checks', {
        service: 'skm',
        check: { key: `skm-bad-${value.length}`, type: 'http', url: `http://127.0.0.1:${site.port}/x`, headers: { 'X-Kunci': value } },
      });
    const unset = await define('${SIGAP_CHECK_NOT_SET}');
    expect(unset.status).toBe(422);
    expect(unset.json.error.details).toEqual([{ path: 'check.headers.X-Kunci', message: 'environment variable SIGAP_CHECK_NOT_SET is not set' }]);
    const foreign = await define('x ${DATABASE_URL}');
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.details[0].path).toBe('check.headers.X-Kunci');
    expect(foreign.json.error.details[0].message).toContain('SIGAP_CHECK_');
    expect(JSON.stringify(foreign.json)).not.toContain(database.url);
  });
});
