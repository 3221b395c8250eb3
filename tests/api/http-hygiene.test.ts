// HTTP hygiene as an attacker probes it: log-in CSRF (only JSON, only from Sigap's own origin),
// bodies read only from known callers, personal answers never kept by a shared cache, /readyz
// without the database's words, and an https public address turning on Secure cookies and HSTS.
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, INCIDENT_TEST_YAML, logIncident } from '../helpers/incident-api.js';
import { logIn, startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

const EVIL = 'http://evil.example';
const CREDENTIALS = { username: 'admin', password: TEST_ADMIN_PASSWORD };
const sessionCookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('sigap_session='));

/** POST /api/session with this body and these headers. */
const postSession = (base: string, body: string, headers: Record<string, string>) => fetch(`${base}/api/session`, { method: 'POST', headers, body });

/**
 * Sends a POST whose body is declared `declared` bytes long but sends only its first `sent` bytes,
 * and resolves with the answer's status and headers once one arrives — while the rest of the body
 * is still unsent, so a server that answers has not read it. Rejects when no answer comes.
 */
function answerWhileSending(
  base: string,
  path: string,
  headers: Record<string, string>,
  declared: number,
  sent: number,
): Promise<{ status: number; headers: Record<string, string> }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    let done = false;
    const finish = (outcome: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no answer to POST ${path} while ${declared - sent} bytes of its body were still unsent`))), 10_000);
    socket.on('error', (err) => finish(() => reject(err)));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      const answer = {
        status: Number(statusLine!.split(' ')[1]),
        headers: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])),
      };
      finish(() => resolve(answer));
    });
    const head = Object.entries({ host: url.host, 'content-length': String(declared), ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    socket.write(`{"padding":"${'x'.repeat(sent - 13)}`);
  });
}

const TWO_MB = 2 * 1024 * 1024;

describe.each(testDatabaseKinds())('HTTP hygiene on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  let base: string;
  let token: string;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, env: { SIGAP_ROLE: 'web' }, start: { slaSweepMs: 0, dispatchMs: 0 } });
    base = sigap.url!;
    const admin = (await sigap.db.stores.accounts.findUserByUsername('admin'))!;
    token = (await sigap.accounts.createToken(admin, 'hygiene-tests')).token;
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  describe('log-in from another site', () => {
    it('sets no cookie for a cross-origin form-encoded POST to /api/session', async () => {
      const res = await postSession(base, new URLSearchParams(CREDENTIALS).toString(), { 'content-type': 'application/x-www-form-urlencoded', origin: EVIL });
      expect(res.status).toBe(403);
      expect(sessionCookieOf(res)).toBeUndefined();
    });

    it.each([
      ['a form', 'application/x-www-form-urlencoded', new URLSearchParams(CREDENTIALS).toString()],
      ['JSON sent as text/plain (what a form can send)', 'text/plain', JSON.stringify(CREDENTIALS)],
      ['multipart', 'multipart/form-data; boundary=x', `--x\r\ncontent-disposition: form-data; name="username"\r\n\r\nadmin\r\n--x--\r\n`],
    ])('answers 415 to %s, naming what to send, and sets no cookie', async (_what, type, body) => {
      const res = await postSession(base, body, { 'content-type': type });
      expect(res.status).toBe(415);
      expect(sessionCookieOf(res)).toBeUndefined();
      const json = (await res.json()) as { error: { code: string; message: string; details: unknown[] } };
      expect(json.error).toEqual({
        code: 'unsupported_media_type',
        message: expect.stringContaining('Content-Type: application/json'),
        details: [{ path: 'content-type', message: 'must be application/json' }],
      });
    });

    it('refuses JSON from another origin with 403 and sets no cookie', async () => {
      for (const headers of [
        { origin: EVIL },
        { origin: `http://127.0.0.1.evil.example:${new URL(base).port}` },
        { origin: 'not an origin' },
        // What a browser sends from an opaque context (a sandboxed frame, a data: page), whatever it claims.
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
        { origin: 'null', 'sec-fetch-site': 'same-origin' },
        { origin: 'null' },
        { 'sec-fetch-site': 'same-site' },
      ] as Array<Record<string, string>>) {
        const res = await postSession(base, JSON.stringify(CREDENTIALS), { 'content-type': 'application/json', ...headers });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(sessionCookieOf(res), JSON.stringify(headers)).toBeUndefined();
      }
    });

    it('logs in with JSON from its own origin, or from a script that sends no Origin', async () => {
      for (const headers of [{ origin: new URL(base).origin }, { origin: new URL(base).origin, 'sec-fetch-site': 'same-origin' }, {}] as Array<Record<string, string>>) {
        const res = await postSession(base, JSON.stringify(CREDENTIALS), { 'content-type': 'application/json; charset=utf-8', ...headers });
        expect(res.status).toBe(200);
        expect(sessionCookieOf(res)).toBeDefined();
      }
    });

    it('refuses the log-in form posted from another origin, even with its double-submit token', async () => {
      const page = await fetch(`${base}/login`);
      const csrfCookie = page.headers
        .getSetCookie()
        .find((c) => c.startsWith('sigap_login_csrf='))!
        .split(';')[0]!;
      const form = (origin: Record<string, string>) =>
        fetch(`${base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, ...origin },
          body: new URLSearchParams({ ...CREDENTIALS, _csrf: csrfCookie.split('=')[1]!, next: '/' }).toString(),
        });
      const refused = await form({ origin: EVIL });
      expect(refused.status).toBe(403);
      expect(sessionCookieOf(refused)).toBeUndefined();
      const accepted = await form({ origin: new URL(base).origin });
      expect(accepted.status).toBe(303);
      expect(sessionCookieOf(accepted)).toBeDefined();
    });

    it('sends no HSTS and no Secure cookie when the public address is not https', async () => {
      const res = await postSession(base, JSON.stringify(CREDENTIALS), { 'content-type': 'application/json' });
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(sessionCookieOf(res)).not.toMatch(/;\s*Secure/i);
    });
  });

  describe('bodies are read only once the caller is known', () => {
    it('answers an anonymous 2 MB POST to /api/alertmanager with 401 before reading its body, and closes the connection', async () => {
      const answer = await answerWhileSending(base, '/api/alertmanager', { 'content-type': 'application/json' }, TWO_MB, 64 * 1024);
      expect(answer.status).toBe(401);
      expect(answer.headers.connection).toBe('close');
    });

    it('does the same for another API route, for a wrong API token, and for a page form', async () => {
      const api = await answerWhileSending(base, '/api/incidents', { 'content-type': 'application/json' }, 200 * 1024, 16 * 1024);
      expect(api.status).toBe(401);
      const badToken = await answerWhileSending(base, '/api/alertmanager', { 'content-type': 'application/json', authorization: 'Bearer not-a-token' }, TWO_MB, 16 * 1024);
      expect(badToken.status).toBe(401);
      const page = await answerWhileSending(base, '/incidents/new', { 'content-type': 'application/x-www-form-urlencoded' }, 60 * 1024, 16 * 1024);
      expect(page.status).toBe(303);
      expect(page.headers.location).toMatch(/^\/login\?next=/);
    });

    it('still reads the body of a caller with an API token', async () => {
      const res = await fetch(`${base}/api/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ version: '4', alerts: 'none' }),
      });
      expect(res.status).toBe(422);
      expect(JSON.stringify(await res.json())).toContain('alerts');
    });
  });

  describe('caching', () => {
    it('marks every answer to a logged-in user, pages and JSON, private and not to be stored', async () => {
      const session = await logIn(base);
      const bearer = { authorization: `Bearer ${token}` };
      for (const [path, headers] of [
        ['/', { cookie: session.cookie }],
        ['/services', { cookie: session.cookie }],
        ['/api/incidents', { cookie: session.cookie }],
        ['/api/me', bearer],
        ['/api/checks', bearer],
      ] as const) {
        const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' });
        expect(res.status, path).toBe(200);
        expect(res.headers.get('cache-control'), path).toBe('private, no-store');
      }
    });
  });
});

describe.each(testDatabaseKinds())('/readyz with the database gone, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Started;
  const logged: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    database = await kind.create();
    const lines = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logged.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        callback();
      },
    });
    sigap = await startTestSigap({ databaseUrl: database.url, env: { SIGAP_ROLE: 'web' }, start: { slaSweepMs: 0, dispatchMs: 0, logger: pino({ level: 'warn' }, lines) } });
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('says "database unavailable" without the error text, which goes to the log once', async () => {
    expect((await fetch(`${sigap.url}/readyz`)).status).toBe(200);
    await sigap.db.close();
    for (let poll = 0; poll < 2; poll++) {
      const res = await fetch(`${sigap.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'not_ready', reason: 'database unavailable' });
    }
    const notReady = logged.filter((l) => l.msg === 'not ready: database unavailable');
    expect(notReady).toHaveLength(1);
    expect(String(notReady[0]!.reason).length).toBeGreaterThan(0);
    expect(notReady[0]!.reason).not.toBe('database unavailable');
  });
});

describe('an https public address (PUBLIC_URL)', () => {
  const PUBLIC = 'https://sigap.kabupaten.example.go.id';
  let database: TestDatabase;
  let sigap: Started;

  beforeAll(async () => {
    database = await testDatabaseKinds()[0]!.create();
    // The file's baseUrl is the old address: PUBLIC_URL wins. Nothing is sent (no dispatcher).
    const yaml = `${INCIDENT_TEST_YAML}notifications:
  baseUrl: "http://sigap-lama.example"
  channels: [{ key: desk-hook, type: webhook, url: "http://127.0.0.1:9/hook" }]
  routes: [{ events: [opened], notify: [desk-hook] }]
`;
    sigap = await startTestSigap({ databaseUrl: database.url, yaml, env: { SIGAP_ROLE: 'web', PUBLIC_URL: `${PUBLIC}/` }, start: { slaSweepMs: 0, dispatchMs: 0 } });
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('sends HSTS and marks the session and log-in form cookies Secure, even over the proxy’s plain http', async () => {
    const res = await postSession(sigap.url!, JSON.stringify(CREDENTIALS), { 'content-type': 'application/json', origin: PUBLIC });
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(sessionCookieOf(res)).toMatch(/;\s*Secure/i);
    const form = await fetch(`${sigap.url}/login`);
    expect(form.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(form.headers.getSetCookie().find((c) => c.startsWith('sigap_login_csrf='))).toMatch(/;\s*Secure/i);
  });

  it('links messages to the incident at the public address', async () => {
    const ref = await logIncident(await callerFor(sigap, 'desk', 'service_desk'));
    const incident = (await sigap.db.stores.incidents.findByRef(ref))!;
    const [queued] = await sigap.db.stores.notifications.listForIncident(incident.id);
    expect(queued!.payload).toMatchObject({ event: 'opened', link: `${PUBLIC}/incidents/${ref}` });
  });

  it('takes a log-in from the public origin or the address the request was sent to, no other', async () => {
    const refused = await postSession(sigap.url!, JSON.stringify(CREDENTIALS), { 'content-type': 'application/json', origin: 'https://sigap.example.go.id.evil.example' });
    expect(refused.status).toBe(403);
    const own = await postSession(sigap.url!, JSON.stringify(CREDENTIALS), { 'content-type': 'application/json', origin: new URL(sigap.url!).origin });
    expect(own.status).toBe(200);
  });
});
