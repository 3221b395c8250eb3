// The audit log through the real API, on SQLite and PostgreSQL: each kind of change made through
// the API shows up with who, when (the injected clock), from where (the client address, or the one
// a loopback proxy forwarded) and what — never a secret; a refused change records nothing; the
// command line records as itself; a start with a changed sigap.yaml records what changed. Then the
// filters, the CSV, the roles and the page in both languages.
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { parseCsv } from '../helpers/csv.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

// Monday 2 March 2026, 09:00 in Jakarta.
const NOW = new Date('2026-03-02T02:00:00.000Z');
const YAML = `${INCIDENT_TEST_YAML}
notifications:
  channels:
    - { key: hook, type: webhook, url: "http://127.0.0.1:9/hook", timeout: 5s }
  routes:
    - { events: [opened], notify: [hook] }
`;
const YAML_WITH_A_CHECK = YAML.replace(
  '  - key: pengaduan\n',
  '    checks:\n      - { key: skm-home, type: http, url: "http://127.0.0.1:9/", interval: 60s }\n  - key: pengaduan\n',
);
const HEADER_SECRET = 'header-secret-3f9a';

describe.each(testDatabaseKinds())('the audit log on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let admin: Caller;
  let desk: Caller;
  let manager: Caller;
  let adminSession: { cookie: string; csrfToken: string };
  const logLines: string[] = [];
  const start = (yaml: string) =>
    startTestSigap({
      databaseUrl: database.url,
      yaml,
      start: {
        clock: () => NOW,
        slaSweepMs: 0,
        dispatchMs: 0,
        reportMailMs: 0,
        logger: pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) })),
      },
    });
  /** Entries matching `query`, newest first, as admin reads them. */
  const audit = async (query: string) => {
    const { status, json } = await admin.call('GET', `/api/audit?${query}`);
    expect(status, JSON.stringify(json)).toBe(200);
    return json.items as Array<Record<string, any>>;
  };
  /** A CSV download's rows, checking the byte-order mark that fetch's text() would hide. */
  const csvRows = async (res: Response, sep: ',' | ';' = ';') => {
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parseCsv(bytes.subarray(3).toString('utf8'), sep);
  };
  const count = async () => (await audit('limit=500')).length;
  let adminToken: string;
  /** Admin calls through a loopback proxy (nginx) that forwards the client's address, which the app trusts. */
  const viaProxy = (forwardedFor: string) => async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sigap.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, 'x-forwarded-for': forwardedFor, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    database = await kind.create();
    sigap = await start(YAML);
    admin = await callerFor(sigap, 'admin', 'admin');
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    manager = await callerFor(sigap, 'head1', 'manager');
    adminSession = await logIn(sigap.url!);
    adminToken = (await sigap.accounts.createToken((await sigap.accounts.userNamed('admin'))!, 'proxy-tests')).token;
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('records users and tokens created, changed and revoked, with who, when, from where and what, and never a password or token', async () => {
    const created = await admin.call('POST', '/api/users', { username: 'rina', displayName: 'Rina', role: 'support', password: 'rina-password-1' });
    expect(created.status).toBe(201);
    expect((await admin.call('PATCH', '/api/users/rina', { role: 'manager', displayName: 'Rina' })).status).toBe(200);
    expect((await admin.call('POST', '/api/users/rina/password', { password: 'rina-password-2' })).status).toBe(204);
    const rina = await logIn(sigap.url!, 'rina', 'rina-password-2');
    const changed = await fetch(`${sigap.url}/api/me/password`, {
      method: 'POST',
      headers: { cookie: rina.cookie, 'x-csrf-token': rina.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: 'rina-password-2', newPassword: 'rina-password-3' }),
    });
    expect(changed.status).toBe(204);
    const token = await admin.call('POST', '/api/tokens', { name: 'alertmanager', username: 'rina' });
    expect(token.status).toBe(201);
    const tokenId = (await admin.call('GET', '/api/tokens')).json.items.find((t: { name: string }) => t.name === 'alertmanager').id as number;
    expect((await admin.call('DELETE', `/api/tokens/${tokenId}`)).status).toBe(204);

    const who = { userId: expect.any(Number), username: 'admin' };
    const when = NOW.toISOString();
    expect((await audit('target=rina&action=user')).map(({ id: _id, ...e }) => e)).toEqual([
      { at: when, action: 'user.password_changed', actor: { userId: expect.any(Number), username: 'rina' }, ip: '127.0.0.1', target: 'rina', detail: {} },
      { at: when, action: 'user.password_set', actor: who, ip: '127.0.0.1', target: 'rina', detail: {} },
      { at: when, action: 'user.updated', actor: who, ip: '127.0.0.1', target: 'rina', detail: { changes: { role: { from: 'support', to: 'manager' } } } },
      { at: when, action: 'user.created', actor: who, ip: '127.0.0.1', target: 'rina', detail: { role: 'support' } },
    ]);
    expect(await audit(`target=token%20${tokenId}`)).toEqual([
      expect.objectContaining({ action: 'token.revoked', actor: who, ip: '127.0.0.1', detail: { name: 'alertmanager', user: 'rina' } }),
      expect.objectContaining({ action: 'token.created', actor: who, ip: '127.0.0.1', detail: { name: 'alertmanager', user: 'rina', scope: 'write', expiresAt: null } }),
    ]);
    const everything = JSON.stringify(await audit('limit=500'));
    for (const secret of ['rina-password-1', 'rina-password-2', 'rina-password-3', token.json.token]) expect(everything).not.toContain(secret);
    // Every entry is logged too.
    expect(logLines.some((line) => line.includes('"audit: user.created"') && line.includes('"target":"rina"'))).toBe(true);
  });

  it('records checks defined, disabled and enabled, maintenance windows created and deleted, from the forwarded client address; header values stay out', async () => {
    const proxied = { call: viaProxy('203.0.113.7') };
    const check = { key: 'skm-api', type: 'http', url: 'http://127.0.0.1:9/api', interval: '60s', headers: { 'X-Api-Key': HEADER_SECRET } };
    expect((await proxied.call('POST', '/api/checks', { service: 'skm', check })).status).toBe(201);
    expect((await proxied.call('PUT', '/api/checks/skm-api', { service: 'skm', check: { ...check, interval: '120s' } })).status).toBe(200);
    expect((await proxied.call('POST', '/api/checks/skm-api/disable')).status).toBe(200);
    expect((await proxied.call('POST', '/api/checks/skm-api/enable')).status).toBe(200);
    const window = await proxied.call('POST', '/api/maintenance', { title: 'Ganti server', service: 'skm', startsAt: '2026-03-07T22:00', endsAt: '2026-03-08T02:00' });
    expect(window.status).toBe(201);
    expect((await proxied.call('DELETE', `/api/maintenance/${window.json.id}`)).status).toBe(204);

    const by = { actor: { userId: expect.any(Number), username: 'admin' }, ip: '203.0.113.7', at: NOW.toISOString() };
    expect(await audit('target=skm-api')).toEqual([
      expect.objectContaining({ ...by, action: 'check.enabled', detail: { service: 'skm' } }),
      expect.objectContaining({ ...by, action: 'check.disabled', detail: { service: 'skm' } }),
      expect.objectContaining({ ...by, action: 'check.defined', detail: { service: 'skm', type: 'http', replaced: true, changed: ['interval'] } }),
      expect.objectContaining({
        ...by,
        action: 'check.defined',
        detail: { service: 'skm', type: 'http', replaced: false, changed: ['headers', 'interval', 'key', 'type', 'url'] },
      }),
    ]);
    const windowDetail = { title: 'Ganti server', service: 'skm', check: null, recurrence: 'none' };
    expect(await audit(`target=maintenance%20${window.json.id}`)).toEqual([
      expect.objectContaining({ ...by, action: 'maintenance.deleted', detail: windowDetail }),
      expect.objectContaining({ ...by, action: 'maintenance.created', detail: windowDetail }),
    ]);
    expect(JSON.stringify(await audit('limit=500'))).not.toContain(HEADER_SECRET);
  });

  it('records a notification retried and a known error recorded, by the service desk', async () => {
    const ref = await logIncident(desk);
    const [delivery] = (await desk.call('GET', `/api/incidents/${ref}`)).json.notifications as Array<{ id: number }>;
    expect((await desk.call('POST', `/api/notifications/${delivery!.id}/retry`)).status).toBe(200);
    await drive(desk, ref, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'php-fpm dimulai ulang' }]]);
    const knownError = await desk.call('POST', `/api/incidents/${ref}/known-error`, { symptoms: 'Tombol kirim diam', cause: 'php-fpm macet' });
    expect(knownError.status).toBe(201);

    const desk1 = { userId: expect.any(Number), username: 'desk1' };
    expect(await audit('actor=desk1')).toEqual([
      expect.objectContaining({
        action: 'known_error.recorded',
        actor: desk1,
        ip: '127.0.0.1',
        target: `known error ${knownError.json.id}`,
        detail: expect.objectContaining({ incident: ref }),
      }),
      expect.objectContaining({
        action: 'notification.retried',
        actor: desk1,
        ip: '127.0.0.1',
        target: `notification ${delivery!.id}`,
        detail: expect.objectContaining({ incident: ref, channel: 'hook' }),
      }),
    ]);
  });

  it('records nothing for a change that is refused', async () => {
    const before = await count();
    expect((await admin.call('POST', '/api/users', { username: 'x', displayName: 'X', role: 'support', password: 'short' })).status).toBe(422);
    expect((await admin.call('PATCH', '/api/users/admin', { active: false })).status).toBe(409);
    expect((await admin.call('POST', '/api/maintenance', { title: 'Terbalik', startsAt: '2026-03-08T02:00', endsAt: '2026-03-07T22:00' })).status).toBe(422);
    expect((await admin.call('POST', '/api/checks', { service: 'skm', check: { key: 'skm-bad', type: 'http' } })).status).toBe(422);
    expect((await manager.call('POST', '/api/notifications/1/retry')).status).toBe(403);
    expect((await admin.call('DELETE', '/api/maintenance/99999')).status).toBe(404);
    expect(await count()).toBe(before);
  });

  it('records what the command line changes as the command line, without an address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigap-audit-cli-'));
    try {
      writeFileSync(join(dir, 'sigap.yaml'), YAML);
      const io = { env: { DATABASE_URL: database.url, SIGAP_CONFIG: join(dir, 'sigap.yaml') }, stdout: () => undefined, stderr: () => undefined, readStdin: async () => '' };
      expect(await runCli(['user', 'add', 'budi', '--role', 'support'], io)).toBe(0);
      expect(await runCli(['token', 'create', 'budi', 'cadangan'], io)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const cli = { actor: { userId: null, username: null }, ip: null };
    expect((await audit('target=budi'))[0]).toMatchObject({ ...cli, action: 'user.created', detail: { role: 'support', via: 'cli' } });
    expect((await audit('action=token.created'))[0]).toMatchObject({ ...cli, detail: { name: 'cadangan', user: 'budi', via: 'cli' } });
  });

  it('filters by time, action prefix and actor, pages with a cursor, and answers CSV with the reports’ conventions', async () => {
    expect((await audit('from=2026-03-02&to=2026-03-02')).length).toBeGreaterThan(10);
    // (The command line's entries carry the real time, not the test's clock.)
    expect(await audit('from=2026-03-03&to=2026-03-04')).toEqual([]);
    expect(await audit('to=2026-03-02T01:59:59Z')).toEqual([]);
    expect(new Set((await audit('action=check')).map((e) => e.action))).toEqual(new Set(['check.defined', 'check.disabled', 'check.enabled']));

    const first = await admin.call('GET', '/api/audit?action=check&limit=3');
    expect(first.json.items).toHaveLength(3);
    const rest = await admin.call('GET', `/api/audit?action=check&limit=3&cursor=${encodeURIComponent(first.json.nextCursor)}`);
    expect([...first.json.items, ...rest.json.items].map((e: { id: number }) => e.id)).toEqual((await audit('action=check')).map((e) => e.id));
    expect((await admin.call('GET', '/api/audit?limit=501')).json.error.details).toEqual([{ path: 'limit', message: 'must be 1 to 500' }]);
    expect((await admin.call('GET', '/api/audit?from=yesterday')).json.error.details[0].path).toBe('from');

    const csv = await fetch(`${sigap.url}/api/audit?target=skm-api&format=csv`, { headers: { cookie: adminSession.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = await csvRows(csv);
    expect(rows[0]).toEqual(['Waktu', 'Tindakan', 'Pelaku', 'Alamat', 'Sasaran', 'Rincian']);
    expect(rows[1]).toEqual(['2026-03-02 09:00 WIB', 'check.enabled', 'admin', '203.0.113.7', 'skm-api', '{"service":"skm"}']);
    const byAccept = await fetch(`${sigap.url}/api/audit?target=skm-api`, { headers: { cookie: adminSession.cookie, accept: 'text/csv' } });
    expect((await csvRows(byAccept))[0]![0]).toBe('Waktu');
    expect((await csvRows(await fetch(`${sigap.url}/api/audit?target=skm-api&format=csv&lang=en&sep=,`, { headers: { cookie: adminSession.cookie } }), ','))[0]).toEqual([
      'Time',
      'Action',
      'Actor',
      'Address',
      'Target',
      'Detail',
    ]);
  });

  it('shows the log to admins only: others get 403, and anonymous callers 401 or the log-in page', async () => {
    for (const caller of [desk, manager]) expect((await caller.call('GET', '/api/audit')).status).toBe(403);
    expect((await fetch(`${sigap.url}/api/audit`)).status).toBe(401);
    const page = await fetch(`${sigap.url}/audit`, { redirect: 'manual' });
    expect([page.status, page.headers.get('location')]).toEqual([303, '/login?next=%2Faudit']);
    const deskSession = await logIn(sigap.url!, 'desk1', 'desk1-password');
    expect((await fetch(`${sigap.url}/audit`, { headers: { cookie: deskSession.cookie } })).status).toBe(403);
  });

  it('renders the page for an admin in Indonesian and English, filters as a GET form, a CSV link with the current filters that answers', async () => {
    const id = await fetch(`${sigap.url}/audit?action=check&actor=admin`, { headers: { cookie: adminSession.cookie } });
    expect(id.status).toBe(200);
    const html = await id.text();
    expect(html).toContain('<h1>Log audit</h1>');
    expect(html).toContain('<form method="get" action="/audit"');
    expect(html).toContain('value="check"');
    expect(html).toContain('<code>check.enabled</code>');
    expect(html).toMatch(/<a href="\/audit"( aria-current="page")?>Log audit<\/a>/);
    expect(html).not.toContain('<code>maintenance.created</code>');
    const csvHref = /<a href="([^"]+)" class="csv-download"/
      .exec(html)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    expect(csvHref).toBe('/api/audit?action=check&actor=admin&format=csv&limit=500');
    const download = await fetch(`${sigap.url}${csvHref}`, { headers: { cookie: adminSession.cookie } });
    expect(download.status).toBe(200);
    expect((await csvRows(download)).slice(1).map((row) => row[1])).toEqual((await audit('action=check&actor=admin')).map((e) => e.action));

    const en = await (await fetch(`${sigap.url}/audit?lang=en&from=2026-03-03&to=2026-03-04`, { headers: { cookie: adminSession.cookie } })).text();
    expect(en).toContain('<h1>Audit log</h1>');
    expect(en).toContain('No entries match these filters.');
  });

  it('records a start with a changed sigap.yaml as a configuration reload by Sigap itself, saying what changed', async () => {
    await sigap.stop();
    sigap = await start(YAML_WITH_A_CHECK);
    admin = await callerFor(sigap, 'admin', 'admin');
    expect(await audit('action=config.reloaded')).toEqual([
      expect.objectContaining({
        actor: { userId: null, username: null },
        ip: null,
        detail: { checksAdded: ['skm-home'], checksRemoved: [], checksChanged: [], servicesAdded: ['skm'], servicesRemoved: [] },
      }),
    ]);
  });
});
