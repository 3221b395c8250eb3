// Sessions and tokens that do not outlive their purpose, through a whole Sigap with an injected
// clock: a session ends 7 days after its log-in however active it is; a log-in always issues a new
// session and ends the one the browser came with; API tokens may expire and may be read-only; a
// password someone else chose (the generated bootstrap password, an admin's reset) must be replaced
// before anything else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Who = { cookie: string; csrfToken: string };
const HOUR = 3_600_000;

describe.each(testDatabaseKinds())('session and token hygiene on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = new Date('2026-12-04T01:00:00Z');
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  let admin: Who;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: 'timezone: Asia/Jakarta\nservices: []\n', start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const call = async (method: string, path: string, options: { who?: Who; token?: string; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (options.who) Object.assign(headers, { cookie: options.who.cookie, 'x-csrf-token': options.who.csrfToken });
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sigap.url}${path}`, { method, headers, redirect: 'manual', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : null;
    return { status: res.status, json, text, location: res.headers.get('location'), res };
  };

  describe('sessions', () => {
    it('ends a session 7 days after its log-in, however active it was', async () => {
      const who = await logIn(sigap.url!);
      // Active every 11 hours, so the 12-hour idle expiry never comes: 165 hours on, it still works.
      for (let hours = 11; hours <= 165; hours += 11) {
        advance(11 * HOUR);
        expect((await call('GET', '/api/me', { who })).status, `after ${hours} h`).toBe(200);
      }
      advance(3 * HOUR);
      const after = await call('GET', '/api/me', { who });
      expect(after.status).toBe(401);
      expect(after.json.error.code).toBe('unauthenticated');
      admin = await logIn(sigap.url!);
    });

    it('issues a new session at every log-in and ends the one the browser presented', async () => {
      const first = await logIn(sigap.url!);
      const res = await fetch(`${sigap.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: first.cookie },
        body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
      });
      expect(res.status).toBe(200);
      const second = res.headers
        .getSetCookie()
        .find((c) => c.startsWith('sigap_session='))!
        .split(';')[0]!;
      expect(second).not.toBe(first.cookie);
      expect((await call('GET', '/api/me', { who: first })).status).toBe(401);
      expect((await call('GET', '/api/me', { who: { cookie: second, csrfToken: '' } })).status).toBe(200);

      // The same through the form.
      const page = await fetch(`${sigap.url}/login`);
      const csrfCookie = page.headers
        .getSetCookie()
        .find((c) => c.startsWith('sigap_login_csrf='))!
        .split(';')[0]!;
      const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
      const form = await fetch(`${sigap.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${csrfCookie}; ${second}` },
        body: new URLSearchParams({ username: 'admin', password: TEST_ADMIN_PASSWORD, _csrf: csrf, next: '/' }).toString(),
      });
      expect(form.status).toBe(303);
      const third = form.headers
        .getSetCookie()
        .find((c) => c.startsWith('sigap_session='))!
        .split(';')[0]!;
      expect(third).not.toBe(second);
      expect((await call('GET', '/api/me', { who: { cookie: second, csrfToken: '' } })).status).toBe(401);
      expect((await call('GET', '/api/me', { who: { cookie: third, csrfToken: '' } })).status).toBe(200);
    });
  });

  describe('API tokens', () => {
    it('refuses an expiry in the past, naming the field', async () => {
      const made = await call('POST', '/api/tokens', { who: admin, body: { name: 'late', expiresAt: new Date(now.getTime() - 1000).toISOString() } });
      expect(made.status).toBe(422);
      expect(made.json.error.details).toEqual([{ path: 'expiresAt', message: 'must lie in the future' }]);
      const malformed = await call('POST', '/api/tokens', { who: admin, body: { name: 'late', expiresAt: 'next week', scope: 'admin' } });
      expect(made.status).toBe(422);
      expect(malformed.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['expiresAt', 'scope']);
    });

    it('refuses an expired token with 401 and a message saying it expired; lists its expiry', async () => {
      const expiresAt = new Date(now.getTime() + 2 * HOUR).toISOString();
      const made = await call('POST', '/api/tokens', { who: admin, body: { name: 'short-lived', expiresAt } });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({ name: 'short-lived', scope: 'write', expiresAt });
      expect((await call('GET', '/api/incidents', { token: made.json.token })).status).toBe(200);
      const listed = (await call('GET', '/api/tokens', { who: admin })).json.items.find((t: { name: string }) => t.name === 'short-lived');
      expect(listed).toMatchObject({ scope: 'write', expiresAt });

      advance(2 * HOUR);
      const refused = await call('GET', '/api/incidents', { token: made.json.token });
      expect(refused.status).toBe(401);
      expect(refused.json.error).toMatchObject({ code: 'unauthenticated', message: expect.stringContaining('"short-lived" expired at') });
      admin = await logIn(sigap.url!);
    });

    it('lets a read-only token read but refuses every other method with 403 saying it is read-only', async () => {
      const made = await call('POST', '/api/tokens', { who: admin, body: { name: 'grafana', scope: 'read' } });
      expect(made.json).toMatchObject({ scope: 'read', expiresAt: null });
      const token = made.json.token as string;
      expect((await call('GET', '/api/incidents', { token })).status).toBe(200);
      expect((await call('HEAD', '/api/services', { token })).status).toBe(200);
      for (const [method, path, body] of [
        ['POST', '/api/tokens', { name: 'escalate-myself' }],
        ['POST', '/api/incidents', { service: 'x', title: 'x' }],
        ['DELETE', '/api/session', undefined],
        ['PATCH', '/api/me', { displayName: 'x' }],
      ] as const) {
        const refused = await call(method, path, { token, body });
        expect(refused.status, `${method} ${path}`).toBe(403);
        expect(refused.json.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('read-only') });
      }
      expect((await call('GET', '/api/tokens', { who: admin })).json.items.filter((t: { name: string }) => t.name === 'escalate-myself')).toEqual([]);
    });

    it('makes a read-only token with an expiry date from the /users page and lists both', async () => {
      const res = await fetch(`${sigap.url}/users/tokens`, {
        method: 'POST',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'accept-language': 'en' },
        body: new URLSearchParams({ _csrf: admin.csrfToken, name: 'report-reader', username: 'admin', scope: 'read', expiresOn: '2027-01-31' }).toString(),
      });
      expect(res.status).toBe(201);
      const listed = (await call('GET', '/api/tokens', { who: admin })).json.items.find((t: { name: string }) => t.name === 'report-reader');
      // Valid through 31 January in the office's time zone (UTC+7): until midnight there.
      expect(listed).toMatchObject({ scope: 'read', expiresAt: '2027-01-31T17:00:00.000Z' });
      const page = await (await fetch(`${sigap.url}/users?lang=en`, { headers: { cookie: admin.cookie } })).text();
      const row = page.slice(page.indexOf('report-reader'), page.indexOf('</tr>', page.indexOf('report-reader')));
      expect(row).toContain('read only');
      expect(row).toMatch(/2027/);
    });
  });

  describe('a password someone else chose', () => {
    it('after an admin reset: only /api/me, the password change and log-out work until the user sets their own', async () => {
      await sigap.accounts.createUser({ username: 'budi', displayName: 'Budi', role: 'support', password: 'budi-password-1' });
      expect((await call('POST', '/api/users/budi/password', { who: admin, body: { password: 'temporary-pass-1' } })).status).toBe(204);
      const budi = await logIn(sigap.url!, 'budi', 'temporary-pass-1');

      const blocked = await call('GET', '/api/incidents', { who: budi });
      expect(blocked.status).toBe(403);
      expect(blocked.json.error.code).toBe('password_change_required');
      expect((await call('GET', '/api/me', { who: budi })).json).toMatchObject({ username: 'budi', mustChangePassword: true });
      const page = await call('GET', '/', { who: budi });
      expect([page.status, page.location]).toEqual([303, '/me?must=password']);
      expect((await call('GET', '/me?lang=en', { who: budi })).text).toContain('Set your own password to continue.');

      const same = await call('POST', '/api/me/password', { who: budi, body: { currentPassword: 'temporary-pass-1', newPassword: 'temporary-pass-1' } });
      expect(same.status).toBe(422);
      expect((await call('POST', '/api/me/password', { who: budi, body: { currentPassword: 'temporary-pass-1', newPassword: 'budi-own-password' } })).status).toBe(204);
      expect((await call('GET', '/api/incidents', { who: budi })).status).toBe(200);
      expect((await call('GET', '/', { who: budi })).status).toBe(200);
    });
  });
});

describe.each(testDatabaseKinds())('the bootstrap admin on $name', (kind) => {
  it('must replace a generated password at the first log-in, through the pages too', async () => {
    const database = await kind.create();
    const sigap = await startTestSigap({ databaseUrl: database.url, env: { BOOTSTRAP_ADMIN_PASSWORD: undefined as unknown as string } });
    try {
      const password = sigap.announced.join('\n').match(/password: (\S+)/)![1]!;
      const admin = await logIn(sigap.url!, 'admin', password);
      const get = (path: string) => fetch(`${sigap.url}${path}`, { headers: { cookie: admin.cookie }, redirect: 'manual' });

      const api = await get('/api/users');
      expect(api.status).toBe(403);
      expect(((await api.json()) as { error: { code: string } }).error.code).toBe('password_change_required');
      for (const path of ['/', '/users', '/services']) expect([path, (await get(path)).headers.get('location')]).toEqual([path, '/me?must=password']);
      expect((await get('/me')).status).toBe(200);

      const changed = await fetch(`${sigap.url}/me/password`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: admin.csrfToken, currentPassword: password, newPassword: 'the-admins-own-1', newPasswordAgain: 'the-admins-own-1' }).toString(),
      });
      expect(changed.status).toBe(303);
      expect((await get('/api/users')).status).toBe(200);
      expect((await get('/users')).status).toBe(200);
    } finally {
      await sigap.stop();
      await database.drop();
    }
  });

  it('is not asked to change a password the operator set in BOOTSTRAP_ADMIN_PASSWORD', async () => {
    const database = await kind.create();
    const sigap = await startTestSigap({ databaseUrl: database.url });
    try {
      const admin = await logIn(sigap.url!);
      expect((await fetch(`${sigap.url}/api/users`, { headers: { cookie: admin.cookie } })).status).toBe(200);
    } finally {
      await sigap.stop();
      await database.drop();
    }
  });
});
