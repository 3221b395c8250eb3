import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../detector/accounts/account-service.js';
import { logIn, startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string }> };
}

/** A JSON call: `body` is sent as JSON unless it is already a string. */
async function call(base: string, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { res, status: res.status, text, json: (isJson ? JSON.parse(text) : null) as unknown };
}

function expectError(json: unknown, code: string): ErrorBody['error'] {
  const body = json as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toEqual({ code, message: expect.any(String), details: expect.any(Array) });
  return body.error;
}

// Without BOOTSTRAP_ADMIN_PASSWORD: an env value of undefined removes the harness default.
const NO_BOOTSTRAP_PASSWORD = { BOOTSTRAP_ADMIN_PASSWORD: undefined as unknown as string };

describe.each(testDatabaseKinds())('authentication and error responses on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  let base: string;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url });
    base = sigap.url!;
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  describe('log-in', () => {
    it('lets the bootstrap admin log in with an HttpOnly, SameSite=Lax cookie and a CSRF token', async () => {
      const { res, status, json } = await call(base, 'POST', '/api/session', { body: { username: 'admin', password: TEST_ADMIN_PASSWORD } });
      expect(status).toBe(200);
      expect(json).toMatchObject({ user: { username: 'admin', role: 'admin' }, csrfToken: expect.stringMatching(/^\S{16,}$/) });
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sigap_session='));
      expect(cookie).toBeDefined();
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
    });

    it('answers 401 in the error shape for a wrong password, and the same message for an unknown user', async () => {
      const wrong = await call(base, 'POST', '/api/session', { body: { username: 'admin', password: 'not-the-password' } });
      expect(wrong.status).toBe(401);
      const wrongError = expectError(wrong.json, 'unauthenticated');
      expect(wrong.res.headers.getSetCookie()).toEqual([]);

      const unknown = await call(base, 'POST', '/api/session', { body: { username: 'nobody', password: 'not-the-password' } });
      expect(unknown.status).toBe(401);
      expect(expectError(unknown.json, 'unauthenticated').message).toBe(wrongError.message);
    });

    it('logs out with DELETE /api/session, after which the old cookie is refused', async () => {
      const { cookie, csrfToken } = await logIn(base);
      expect((await call(base, 'GET', '/api/incidents', { headers: { cookie } })).status).toBe(200);
      const out = await call(base, 'DELETE', '/api/session', { headers: { cookie, 'x-csrf-token': csrfToken } });
      expect(out.status).toBe(204);
      const after = await call(base, 'GET', '/api/incidents', { headers: { cookie } });
      expect(after.status).toBe(401);
      expectError(after.json, 'unauthenticated');
    });
  });

  describe('without credentials', () => {
    it.each([
      ['GET', '/api/incidents'],
      ['GET', '/api/incidents/INC-2026-00001'],
      ['GET', '/api/services'],
      ['GET', '/api/checks/x/results'],
      ['POST', '/api/tokens'],
    ])('%s %s answers 401', async (method, path) => {
      const { status, json } = await call(base, method, path, method === 'POST' ? { body: { name: 'x' } } : {});
      expect(status).toBe(401);
      expectError(json, 'unauthenticated');
    });

    it.each(['/healthz', '/readyz'])('%s answers 200 without log-in', async (path) => {
      expect((await call(base, 'GET', path)).status).toBe(200);
    });
  });

  describe('API tokens', () => {
    it('refuses a session call without X-CSRF-Token with 403', async () => {
      const { cookie } = await logIn(base);
      const { status, json } = await call(base, 'POST', '/api/tokens', { body: { name: 'no-csrf' }, headers: { cookie } });
      expect(status).toBe(403);
      expectError(json, 'forbidden');
    });

    it('creates a token that works as a Bearer token without CSRF and is stored only as its hash', async () => {
      const { cookie, csrfToken } = await logIn(base);
      const created = await call(base, 'POST', '/api/tokens', { body: { name: 'backup-script' }, headers: { cookie, 'x-csrf-token': csrfToken } });
      expect(created.status).toBe(201);
      const { name, token, createdAt } = created.json as { name: string; token: string; createdAt: string };
      expect(Object.keys(created.json as object).sort()).toEqual(['createdAt', 'expiresAt', 'name', 'scope', 'token']);
      expect(name).toBe('backup-script');
      expect(new Date(createdAt).toISOString()).toBe(createdAt);

      const bearer = { authorization: `Bearer ${token}` };
      expect((await call(base, 'GET', '/api/incidents', { headers: bearer })).status).toBe(200);
      const second = await call(base, 'POST', '/api/tokens', { body: { name: 'made-by-token' }, headers: bearer });
      expect(second.status).toBe(201);

      const stored = await sigap.db.stores.accounts.findToken(sha256(token));
      expect(stored?.name).toBe('backup-script');
      expect(await sigap.db.stores.accounts.findToken(token)).toBeNull();
      for (const path of ['/api/incidents', '/api/services']) {
        expect((await call(base, 'GET', path, { headers: bearer })).text).not.toContain(token);
      }
    });

    it('refuses a wrong Bearer token with 401', async () => {
      const { status, json } = await call(base, 'GET', '/api/incidents', { headers: { authorization: 'Bearer sigap_not-a-real-token' } });
      expect(status).toBe(401);
      expectError(json, 'unauthenticated');
    });

    it('refuses token creation to a user who is not admin with 403', async () => {
      await sigap.accounts.createUser({ username: 'desk1', displayName: 'Service desk', role: 'service_desk', password: 'desk-password-1' });
      const { cookie, csrfToken } = await logIn(base, 'desk1', 'desk-password-1');
      const { status, json } = await call(base, 'POST', '/api/tokens', { body: { name: 'mine' }, headers: { cookie, 'x-csrf-token': csrfToken } });
      expect(status).toBe(403);
      expectError(json, 'forbidden');
    });
  });

  describe('request validation', () => {
    let auth: Record<string, string>;
    beforeAll(async () => {
      const { cookie, csrfToken } = await logIn(base);
      auth = { cookie, 'x-csrf-token': csrfToken };
    });

    it('answers 400 malformed_request to a body that is not JSON', async () => {
      const { status, json } = await call(base, 'POST', '/api/tokens', { body: '{"name": ', headers: auth });
      expect(status).toBe(400);
      expectError(json, 'malformed_request');
    });

    it('answers 400 malformed_request to a JSON array body', async () => {
      const { status, json } = await call(base, 'POST', '/api/tokens', { body: [{ name: 'x' }], headers: auth });
      expect(status).toBe(400);
      expectError(json, 'malformed_request');
    });

    it('answers 422 validation_failed naming the missing field', async () => {
      const { status, json } = await call(base, 'POST', '/api/tokens', { body: {}, headers: auth });
      expect(status).toBe(422);
      expect(expectError(json, 'validation_failed').details[0]?.path).toBe('name');
    });

    it.each([
      ['priority=P9', 'priority'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['status=open,bogus', 'status'],
    ])('answers 422 to ?%s naming %s', async (query, field) => {
      const { status, json } = await call(base, 'GET', `/api/incidents?${query}`, { headers: auth });
      expect(status).toBe(422);
      const { details } = expectError(json, 'validation_failed');
      expect(details.map((d) => d.path.split('.')[0])).toContain(field);
    });

    it('answers 404 not_found to an unknown incident ref', async () => {
      const { status, json } = await call(base, 'GET', '/api/incidents/INC-2026-99999', { headers: auth });
      expect(status).toBe(404);
      expectError(json, 'not_found');
    });
  });

  it('sends the security headers', async () => {
    for (const path of ['/healthz', '/api/incidents', '/login']) {
      const { res } = await call(base, 'GET', path);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('announces a random admin password once when BOOTSTRAP_ADMIN_PASSWORD is not set', async () => {
    const fresh = await kind.create();
    try {
      const first = await startTestSigap({ databaseUrl: fresh.url, env: NO_BOOTSTRAP_PASSWORD });
      let password: string | undefined;
      try {
        password = first.announced.join('\n').match(/password: (\S+)/)?.[1];
        expect(password).toMatch(/^\S{16,}$/);
        await expect(logIn(first.url!, 'admin', password)).resolves.toMatchObject({ csrfToken: expect.any(String) });
      } finally {
        await first.stop();
      }
      const second = await startTestSigap({ databaseUrl: fresh.url, env: NO_BOOTSTRAP_PASSWORD });
      try {
        expect(second.announced).toEqual([]);
        await expect(logIn(second.url!, 'admin', password)).resolves.toBeDefined();
      } finally {
        await second.stop();
      }
    } finally {
      await fresh.drop();
    }
  });

  it('answers 429 too_many_requests with Retry-After once a user name has failed 5 times, the right password included', async () => {
    const fresh = await kind.create();
    // A frozen clock: the slow-down after the 5th failure lasts a second, which a loaded machine could outlast.
    const frozen = new Date('2026-12-04T01:00:00Z');
    const limited = await startTestSigap({ databaseUrl: fresh.url, start: { clock: () => frozen } });
    try {
      const attempt = (password: string) => call(limited.url!, 'POST', '/api/session', { body: { username: 'admin', password } });
      for (let i = 1; i <= 5; i++) expect((await attempt('guess-guess')).status, `attempt ${i}`).toBe(401);
      const blocked = await attempt(TEST_ADMIN_PASSWORD);
      expect(blocked.status).toBe(429);
      expect(expectError(blocked.json, 'too_many_requests').message).toMatch(/try again in 1 second/);
      expect(blocked.res.headers.get('retry-after')).toBe('1');
      expect(blocked.res.headers.getSetCookie()).toEqual([]);
    } finally {
      await limited.stop();
      await fresh.drop();
    }
  });
});
