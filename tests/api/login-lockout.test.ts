// Log-in that holds against guessing, through a whole Sigap with an injected clock: failures are
// counted per user name and per address in the database, through the API and the form alike; an
// account is slowed after 5 failures and locked after 10, without shutting out anybody else behind
// the same address; a guesser trying many names from one address is refused there, except for the
// users who always log in from it. Addresses are told apart by X-Forwarded-For (the app trusts a
// proxy on loopback, as behind nginx).
import { DomUtils, parseDocument } from 'htmlparser2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS, slowDownMs } from '../../detector/accounts/login-throttle.js';
import { startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const OFFICE = '203.0.113.10';
const ELSEWHERE = '198.51.100.20';

describe.each(testDatabaseKinds())('log-in throttling and lockout on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now: Date;
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));

  beforeEach(async () => {
    now = new Date('2026-12-04T01:00:00Z');
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    for (const name of ['alice', 'bob']) await sigap.accounts.createUser({ username: name, displayName: name, role: 'service_desk', password: `${name}-password-1` });
  });

  afterEach(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const apiLogIn = async (username: string, password: string, from = OFFICE) => {
    const res = await fetch(`${sigap.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ username, password }),
    });
    const json = (await res.json()) as { error?: { code: string; message: string } };
    return { status: res.status, error: json.error ?? null, retryAfter: res.headers.get('retry-after') };
  };

  const formLogIn = async (username: string, password: string, from = OFFICE) => {
    const page = await fetch(`${sigap.url}/login`, { headers: { 'x-forwarded-for': from } });
    const csrfCookie = page.headers
      .getSetCookie()
      .find((c) => c.startsWith('sigap_login_csrf='))!
      .split(';')[0]!;
    const html = await page.text();
    const csrf = DomUtils.findOne((el) => el.name === 'input' && el.attribs.name === '_csrf', parseDocument(html).children)!.attribs.value!;
    const res = await fetch(`${sigap.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie, 'x-forwarded-for': from, accept: 'text/html' },
      body: new URLSearchParams({ username, password, _csrf: csrf, next: '/' }).toString(),
    });
    return { status: res.status, location: res.headers.get('location'), retryAfter: res.headers.get('retry-after'), html: await res.text() };
  };

  /** `count` wrong passwords, waiting out each slow-down as a patient guesser would. */
  const failPatiently = async (username: string, count: number, from = OFFICE) => {
    for (let i = 1; i <= count; i++) {
      const answer = await apiLogIn(username, 'guess-guess', from);
      expect(answer.status, `failure ${i} for ${username}: ${JSON.stringify(answer.error)}`).toBe(401);
      if (i >= LOGIN_LIMITS.SLOW_AFTER) advance(slowDownMs(i));
    }
  };

  it('slows a user name after 5 failures: even the right password waits, then works and starts the count again', async () => {
    for (let i = 1; i <= 5; i++) expect((await apiLogIn('alice', 'guess-guess')).status, `failure ${i}`).toBe(401);
    const slowed = await apiLogIn('alice', 'alice-password-1');
    expect(slowed.status).toBe(429);
    expect(slowed.error).toMatchObject({ code: 'too_many_requests', message: expect.stringMatching(/try again in 1 second$/) });
    expect(slowed.retryAfter).toBe('1');

    advance(1_000);
    expect((await apiLogIn('alice', 'alice-password-1')).status).toBe(200);
    // The success cleared the count: five more failures before any slow-down.
    for (let i = 1; i <= 5; i++) expect((await apiLogIn('alice', 'guess-guess')).status, `failure ${i} after the success`).toBe(401);
    expect((await apiLogIn('alice', 'guess-guess')).status).toBe(429);
  });

  it('locks a user name for 15 minutes after 10 failures, the right password included, and nobody else', async () => {
    await failPatiently('alice', 10);
    const locked = await apiLogIn('alice', 'alice-password-1');
    expect(locked.status).toBe(429);
    expect(locked.error?.message).toMatch(/locked; try again in 15 minutes/);
    expect(Number(locked.retryAfter)).toBeGreaterThan(14 * 60);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(15 * 60);

    // Bob, behind the same office address, logs in as usual.
    expect((await apiLogIn('bob', 'bob-password-1')).status).toBe(200);
    advance(14 * 60_000);
    expect((await apiLogIn('alice', 'alice-password-1')).status).toBe(429);
    advance(60_000);
    expect((await apiLogIn('alice', 'alice-password-1')).status).toBe(200);
  });

  it('counts the form and the API against one budget, and the form says how long to wait', async () => {
    for (let i = 1; i <= 5; i++) {
      if (i % 2) expect((await formLogIn('alice', 'guess-guess')).location, `form failure ${i}`).toMatch(/^\/login\?failed=1/);
      else expect((await apiLogIn('alice', 'guess-guess')).status, `API failure ${i}`).toBe(401);
    }
    expect((await apiLogIn('alice', 'alice-password-1')).status).toBe(429);
    const form = await formLogIn('alice', 'alice-password-1');
    expect(form.status).toBe(429);
    expect(form.retryAfter).toBe('1');
    expect(form.html).toContain('Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 1 menit.');
  });

  it('answers an unknown user name exactly as a known one, step by step', async () => {
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 1; i <= 6; i++) {
      const a = await apiLogIn('alice', 'guess-guess');
      const g = await apiLogIn('ghost', 'guess-guess');
      known.push([a.status, a.error, a.retryAfter]);
      unknown.push([g.status, g.error, g.retryAfter]);
    }
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toEqual([429, expect.objectContaining({ code: 'too_many_requests' }), '1']);
  });

  it('refuses an address that sprays many user names, but not the colleagues who log in from it, nor anyone elsewhere', async () => {
    // Alice has logged in from the office before; Bob never has.
    expect((await apiLogIn('alice', 'alice-password-1')).status).toBe(200);
    const names = Array.from({ length: LOGIN_LIMITS.ADDRESS_NAMES }, (_, i) => `staff${i}`);
    for (const name of names) expect((await apiLogIn(name, 'password123')).status, name).toBe(401);

    const sprayed = await apiLogIn('staff-next', 'password123');
    expect(sprayed.status).toBe(429);
    expect(sprayed.error?.message).toMatch(/from your address; try again in 15 minutes/);

    // Alice's right password still works from the office; a wrong one is refused like the guesser's.
    expect((await apiLogIn('alice', 'alice-password-1')).status).toBe(200);
    const aliceWrong = await apiLogIn('alice', 'guess-guess');
    expect([aliceWrong.status, aliceWrong.error?.message]).toEqual([sprayed.status, sprayed.error?.message]);
    // Bob, never seen at this address, waits; from elsewhere he logs in.
    expect((await apiLogIn('bob', 'bob-password-1')).status).toBe(429);
    expect((await apiLogIn('bob', 'bob-password-1', ELSEWHERE)).status).toBe(200);

    advance(LOGIN_LIMITS.WINDOW_MS);
    expect((await apiLogIn('bob', 'bob-password-1')).status).toBe(200);
  });

  it('lets the admin in with the right password while a guesser hammers another account from the same address', async () => {
    for (let i = 1; i <= 12; i++) await apiLogIn('alice', 'guess-guess');
    expect((await apiLogIn('admin', TEST_ADMIN_PASSWORD)).status).toBe(200);
    expect((await formLogIn('admin', TEST_ADMIN_PASSWORD)).location).toBe('/');
  });
});
