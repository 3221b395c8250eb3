import { DomUtils, parseDocument } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

/** The `name=value` pairs of a response's Set-Cookie headers. */
function cookiesOf(res: Response): Record<string, string> {
  return Object.fromEntries(
    res.headers.getSetCookie().map((c) => {
      const pair = c.split(';')[0]!;
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

/** A hidden form field's value as a browser reads it (entities decoded). */
function hiddenField(html: string, name: string): string | undefined {
  const input = DomUtils.findOne((el) => el.name === 'input' && el.attribs.type === 'hidden' && el.attribs.name === name, parseDocument(html).children);
  return input?.attribs.value;
}

function get(base: string, path: string, cookie?: string): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie, accept: 'text/html' } : { accept: 'text/html' } });
}

function postForm(base: string, path: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
}

/** What the log-in page hands a browser: its CSRF cookie and the form's hidden fields. */
async function openLoginPage(base: string, next?: string) {
  const res = await get(base, next === undefined ? '/login' : `/login?next=${encodeURIComponent(next)}`);
  const html = await res.text();
  const csrfCookie = cookiesOf(res).sigap_login_csrf;
  return { res, html, csrfCookie, cookie: `sigap_login_csrf=${csrfCookie}`, csrf: hiddenField(html, '_csrf'), next: hiddenField(html, 'next') };
}

/** Log in through the HTML form, as a browser would; answers the redirect and the session cookie. */
async function logInWithForm(base: string, next: string, password = TEST_ADMIN_PASSWORD) {
  const page = await openLoginPage(base, next);
  const res = await postForm(base, '/login', { username: 'admin', password, _csrf: page.csrf!, next: page.next! }, page.cookie);
  const session = cookiesOf(res).sigap_session;
  return { res, location: res.headers.get('location'), cookie: session ? `sigap_session=${session}` : null };
}

describe.each(testDatabaseKinds())('HTML pages on $name', (kind) => {
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

  it('sends a browser without a session from / to the log-in page and back', async () => {
    const res = await get(base, '/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2F');
  });

  it('sets the log-in CSRF cookie and the same value in the hidden field', async () => {
    const page = await openLoginPage(base, '/incidents/INC-2026-00001');
    expect(page.res.status).toBe(200);
    expect(page.csrfCookie).toMatch(/^[\w-]{20,}$/);
    expect(page.csrf).toBe(page.csrfCookie);
    expect(page.next).toBe('/incidents/INC-2026-00001');
    const setCookie = page.res.headers.getSetCookie().find((c) => c.startsWith('sigap_login_csrf='))!;
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Path=\/login/i);
  });

  it('logs in through the form and redirects to next with a session that opens the queue', async () => {
    const login = await logInWithForm(base, '/?all=1');
    expect(login.res.status).toBe(303);
    expect(login.location).toBe('/?all=1');
    expect(login.cookie).not.toBeNull();
    const queue = await get(base, '/', login.cookie!);
    expect(queue.status).toBe(200);
  });

  it('does not log in a form post without the CSRF field', async () => {
    const page = await openLoginPage(base, '/');
    const res = await postForm(base, '/login', { username: 'admin', password: TEST_ADMIN_PASSWORD, next: '/' }, page.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?failed=1&next=%2F');
    expect(cookiesOf(res).sigap_session).toBeUndefined();
  });

  it('does not log in a form post whose CSRF field has no matching cookie', async () => {
    const page = await openLoginPage(base, '/');
    const res = await postForm(base, '/login', { username: 'admin', password: TEST_ADMIN_PASSWORD, _csrf: page.csrf!, next: '/' });
    expect(res.headers.get('location')).toMatch(/^\/login\?failed=1/);
    expect(cookiesOf(res).sigap_session).toBeUndefined();
  });

  it('sends a wrong password back to the form with the failure shown', async () => {
    const login = await logInWithForm(base, '/', 'wrong-password');
    expect(login.location).toBe('/login?failed=1&next=%2F');
    expect(login.cookie).toBeNull();
    const html = await (await get(base, login.location!)).text();
    expect(html).toContain('role="alert"');
  });

  it.each(['//evil.example', 'https://evil.example/', '/\\evil.example'])('never redirects to another origin after log-in (next=%s)', async (next) => {
    const page = await openLoginPage(base, next);
    expect(page.next).toBe('/');
    const res = await postForm(base, '/login', { username: 'admin', password: TEST_ADMIN_PASSWORD, _csrf: page.csrf!, next }, page.cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(cookiesOf(res).sigap_session).toBeDefined();
  });

  describe('for a logged-in admin', () => {
    let cookie: string;
    beforeAll(async () => {
      cookie = (await logInWithForm(base, '/')).cookie!;
    });

    it('shows the queue in Indonesian by default', async () => {
      const html = await (await get(base, '/', cookie)).text();
      expect(html).toContain('<html lang="id">');
      expect(html).toContain('Insiden terbuka');
      expect(html).not.toContain('Open incidents');
    });

    it('shows the queue in English with ?lang=en and remembers the choice', async () => {
      const res = await get(base, '/?lang=en', cookie);
      const html = await res.text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('Open incidents');
      expect(html).not.toContain('Insiden terbuka');
      const lang = cookiesOf(res).sigap_lang;
      expect(lang).toBe('en');
      expect(await (await get(base, '/', `${cookie}; sigap_lang=en`)).text()).toContain('Open incidents');
    });

    it('refuses POST /logout without _csrf with 403 and keeps the session', async () => {
      const res = await postForm(base, '/logout', {}, cookie);
      expect(res.status).toBe(403);
      expect((await get(base, '/', cookie)).status).toBe(200);
    });

    it('logs out with the _csrf from the page, after which / redirects to log-in', async () => {
      const own = (await logInWithForm(base, '/')).cookie!;
      const csrf = hiddenField(await (await get(base, '/', own)).text(), '_csrf');
      expect(csrf).toBeTruthy();
      const res = await postForm(base, '/logout', { _csrf: csrf! }, own);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
      expect((await get(base, '/', own)).status).toBe(303);
    });
  });

  // A frozen clock: the slow-down after the 5th failure lasts a second, which a loaded machine could outlast.
  const frozen = { clock: () => new Date('2026-12-04T01:00:00Z') };

  it('answers the form log-in after 5 failures of a user name with 429 and the log-in page saying how long to wait', async () => {
    const fresh = await kind.create();
    const limited = await startTestSigap({ databaseUrl: fresh.url, start: frozen });
    try {
      for (let i = 1; i <= 5; i++) {
        const attempt = await logInWithForm(limited.url!, '/', 'guess-guess');
        expect(attempt.location, `attempt ${i}`).toMatch(/^\/login\?failed=1/);
      }
      const blocked = await logInWithForm(limited.url!, '/', TEST_ADMIN_PASSWORD);
      expect(blocked.res.status).toBe(429);
      expect(blocked.res.headers.get('retry-after')).toBe('1');
      expect(blocked.cookie).toBeNull();
      expect(hiddenField(await blocked.res.text(), '_csrf')).toBeTruthy();
    } finally {
      await limited.stop();
      await fresh.drop();
    }
  });

  it('counts failed log-ins through the form and the API against one budget per user name', async () => {
    const fresh = await kind.create();
    const limited = await startTestSigap({ databaseUrl: fresh.url, start: frozen });
    const apiLogIn = (password: string) =>
      fetch(`${limited.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    try {
      for (let i = 1; i <= 2; i++) {
        expect((await logInWithForm(limited.url!, '/', 'guess-guess')).location, `form attempt ${i}`).toMatch(/^\/login\?failed=1/);
        expect((await apiLogIn('guess-guess')).status, `API attempt ${i}`).toBe(401);
      }
      expect((await logInWithForm(limited.url!, '/', 'guess-guess')).location).toMatch(/^\/login\?failed=1/);
      expect((await apiLogIn(TEST_ADMIN_PASSWORD)).status).toBe(429);
      expect((await logInWithForm(limited.url!, '/', TEST_ADMIN_PASSWORD)).res.status).toBe(429);
    } finally {
      await limited.stop();
      await fresh.drop();
    }
  });
});
