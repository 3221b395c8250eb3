// Users and API tokens: admins manage accounts and tokens through the API and the /users page,
// every user manages their own language, name, e-mail address and password (/api/me, /me).
// Deactivated users are locked out at once — log-in, sessions and tokens alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap, TEST_ADMIN_PASSWORD } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Who = { cookie: string; csrfToken: string };

describe.each(testDatabaseKinds())('users and API tokens through the API and the dashboard, on $name', (kind) => {
  let testDb: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let admin: Who;
  let adminToken: Caller;
  let desk: Caller;

  /** A cookie-authenticated call, with the CSRF header unless told otherwise. */
  const api = async (method: string, path: string, body?: unknown, who: Who = admin, csrf = true) => {
    const res = await fetch(`${sigap.url}${path}`, {
      method,
      headers: { cookie: who.cookie, ...(csrf ? { 'x-csrf-token': who.csrfToken } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const bearer = async (token: string, path = '/api/incidents') => (await fetch(`${sigap.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  const form = (path: string, fields: Array<[string, string]>, who: Who = admin, csrf = true) =>
    fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([...(csrf ? [['_csrf', who.csrfToken] as [string, string]] : []), ...fields]).toString(),
    });
  const page = async (path: string, who: Who = admin) => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: who.cookie }, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  };
  const paths = (json: { error: { details: Array<{ path: string }> } }) => json.error.details.map((d) => d.path).sort();
  const addUser = async (username: string, role = 'service_desk', extra: Record<string, unknown> = {}) => {
    const { status, json } = await api('POST', '/api/users', { username, displayName: `Pak ${username}`, role, password: `${username}-password`, ...extra });
    expect(status, JSON.stringify(json)).toBe(201);
    return json;
  };
  const userNamed = async (username: string) => ((await api('GET', '/api/users')).json.items as Array<Record<string, unknown>>).find((u) => u.username === username);

  beforeAll(async () => {
    testDb = await kind.create();
    sigap = await startTestSigap({ databaseUrl: testDb.url, yaml: 'timezone: Asia/Jakarta\nservices: []\n' });
    admin = await logIn(sigap.url!);
    adminToken = await callerFor(sigap, 'admin', 'admin');
    desk = await callerFor(sigap, 'desk', 'service_desk');
  });

  afterAll(async () => {
    await sigap?.stop();
    await testDb?.drop();
  });

  it('an admin adds a user, sees it in the list with its last log-in, and changes its name, role, e-mail and language', async () => {
    const created = await addUser('siti', 'service_desk', { email: 'siti@dpmptsp.example', language: 'en' });
    expect(created).toEqual({
      username: 'siti',
      displayName: 'Pak siti',
      role: 'service_desk',
      language: 'en',
      email: 'siti@dpmptsp.example',
      active: true,
      lastLoginAt: null,
      mustChangePassword: false,
    });
    expect(created).not.toHaveProperty('password');
    expect(created).not.toHaveProperty('passwordHash');

    await logIn(sigap.url!, 'siti', 'siti-password');
    expect((await userNamed('siti'))?.lastLoginAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));

    const { status, json } = await api('PATCH', '/api/users/siti', { displayName: 'Bu Siti', role: 'support', email: null, language: 'id' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ username: 'siti', displayName: 'Bu Siti', role: 'support', email: null, language: 'id', active: true });
    // Bearer-token admins manage users too.
    expect((await adminToken.call('PATCH', '/api/users/siti', { email: 'siti@dpmptsp.example' })).json.email).toBe('siti@dpmptsp.example');
  });

  it('refuses invalid users with 422 naming every field, a taken user name with 409 and an unknown user with 404', async () => {
    const bad = await api('POST', '/api/users', { username: 'Bad Name', displayName: '', role: 'boss', password: 'short', email: 'not-an-address', language: 'fr' });
    expect(bad.status).toBe(422);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(paths(bad.json)).toEqual(['displayName', 'email', 'language', 'password', 'role', 'username']);

    const missing = await api('POST', '/api/users', { username: 'rudi' });
    expect(missing.status).toBe(422);
    expect(paths(missing.json)).toEqual(['displayName', 'password', 'role']);
    expect(paths((await api('POST', '/api/users', { username: 'rudi', displayName: 'Rudi', role: 'support', password: 'rudi-password', admin: true })).json)).toEqual(['admin']);
    // A body that is not an object is malformed, not invalid.
    expect((await api('POST', '/api/users', ['rudi'])).status).toBe(400);

    await addUser('rudi', 'support');
    const taken = await api('POST', '/api/users', { username: 'rudi', displayName: 'Rudi lagi', role: 'vendor', password: 'another-password' });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('duplicate');

    expect(paths((await api('PATCH', '/api/users/rudi', { active: 'no', role: 'chief' })).json)).toEqual(['active', 'role']);
    expect(paths((await api('POST', '/api/users/rudi/password', { password: 'short' })).json)).toEqual(['password']);
    expect((await api('PATCH', '/api/users/nobody', { displayName: 'X' })).status).toBe(404);
    expect((await api('POST', '/api/users/nobody/password', { password: 'long-enough-1' })).status).toBe(404);
    expect((await api('POST', '/api/tokens', { name: 'ghost', username: 'nobody' })).status).toBe(404);
  });

  it('an admin cannot deactivate or demote themselves (409), but may change their own name', async () => {
    const off = await api('PATCH', '/api/users/admin', { active: false });
    expect(off.status).toBe(409);
    expect(paths(off.json)).toEqual(['active']);
    const demoted = await api('PATCH', '/api/users/admin', { role: 'manager' });
    expect(demoted.status).toBe(409);
    expect(paths(demoted.json)).toEqual(['role']);
    expect((await api('PATCH', '/api/users/admin', { role: 'admin', displayName: 'Admin Bidang' })).status).toBe(200);
    expect(await userNamed('admin')).toMatchObject({ role: 'admin', active: true, displayName: 'Admin Bidang' });
  });

  it('a deactivated user cannot log in, and its session and its API token stop working at once', async () => {
    await addUser('andi', 'service_desk');
    const session = await logIn(sigap.url!, 'andi', 'andi-password');
    const made = await api('POST', '/api/tokens', { name: 'alertmanager', username: 'andi' });
    expect(made.status).toBe(201);
    expect(made.json).toEqual({ name: 'alertmanager', scope: 'write', createdAt: expect.any(String), expiresAt: null, token: expect.stringMatching(/^sigap_/) });
    expect((await api('GET', '/api/tokens')).json.items).toContainEqual(expect.objectContaining({ name: 'alertmanager', user: 'andi' }));
    const token = made.json.token as string;
    expect(await bearer(token)).toBe(200);
    expect((await api('GET', '/api/incidents', undefined, session)).status).toBe(200);

    expect((await api('PATCH', '/api/users/andi', { active: false })).json.active).toBe(false);
    expect((await api('GET', '/api/incidents', undefined, session)).status).toBe(401);
    expect(await bearer(token)).toBe(401);
    await expect(logIn(sigap.url!, 'andi', 'andi-password')).rejects.toThrow(/401/);

    // Active again: the token works again (it was never revoked); the old session stays ended.
    await api('PATCH', '/api/users/andi', { active: true });
    expect(await bearer(token)).toBe(200);
    expect((await api('GET', '/api/incidents', undefined, session)).status).toBe(401);
  });

  it('every admin route answers 403 to other roles, by token and by session, and 401 to nobody', async () => {
    const deskSession = await logIn(sigap.url!, 'desk', 'desk-password');
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'eve', displayName: 'Eve', role: 'admin', password: 'eve-password' }],
      ['PATCH', '/api/users/desk', { role: 'admin' }],
      ['POST', '/api/users/admin/password', { password: 'taken-over-1' }],
      ['GET', '/api/tokens'],
      ['POST', '/api/tokens', { name: 'mine' }],
      ['DELETE', '/api/tokens/1'],
    ];
    for (const [method, path, body] of routes) {
      expect((await desk.call(method, path, body)).status, `${method} ${path} by token`).toBe(403);
      expect((await api(method, path, body, deskSession)).status, `${method} ${path} by session`).toBe(403);
      const anonymous = await fetch(`${sigap.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(anonymous.status, `${method} ${path} without log-in`).toBe(401);
    }
    expect(await userNamed('eve')).toBeUndefined();
    expect((await userNamed('desk'))?.role).toBe('service_desk');
    for (const path of ['/users']) {
      expect((await page(path, deskSession)).status).toBe(403);
      expect(
        (
          await form(
            '/users',
            [
              ['username', 'eve'],
              ['displayName', 'Eve'],
              ['role', 'admin'],
              ['password', 'eve-password'],
            ],
            deskSession,
          )
        ).status,
      ).toBe(403);
    }
  });

  it('an admin resets a password: the old one stops working and the user is logged out everywhere', async () => {
    await addUser('budi', 'support');
    const first = await logIn(sigap.url!, 'budi', 'budi-password');
    const second = await logIn(sigap.url!, 'budi', 'budi-password');
    expect((await api('POST', '/api/users/budi/password', { password: 'budi-new-password' })).status).toBe(204);
    for (const session of [first, second]) expect((await api('GET', '/api/incidents', undefined, session)).status).toBe(401);
    await expect(logIn(sigap.url!, 'budi', 'budi-password')).rejects.toThrow(/401/);
    await logIn(sigap.url!, 'budi', 'budi-new-password');
  });

  it('a user changes their own password: the current password is checked, the other sessions end, this one stays', async () => {
    await addUser('citra', 'manager');
    const here = await logIn(sigap.url!, 'citra', 'citra-password');
    const elsewhere = await logIn(sigap.url!, 'citra', 'citra-password');
    const wrong = await api('POST', '/api/me/password', { currentPassword: 'guess-guess', newPassword: 'citra-new-password' }, here);
    expect(wrong.status).toBe(422);
    expect(paths(wrong.json)).toEqual(['currentPassword']);
    expect(paths((await api('POST', '/api/me/password', { currentPassword: 'citra-password', newPassword: 'short' }, here)).json)).toEqual(['newPassword']);
    expect((await api('POST', '/api/me/password', { currentPassword: 'citra-password', newPassword: 'citra-new-password' }, here, false)).status).toBe(403);

    expect((await api('POST', '/api/me/password', { currentPassword: 'citra-password', newPassword: 'citra-new-password' }, here)).status).toBe(204);
    expect((await api('GET', '/api/incidents', undefined, here)).status).toBe(200);
    expect((await api('GET', '/api/incidents', undefined, elsewhere)).status).toBe(401);
    await logIn(sigap.url!, 'citra', 'citra-new-password');
  });

  it('every user changes their own language, name and e-mail address (PATCH /api/me), never their role', async () => {
    const { status, json } = await desk.call('PATCH', '/api/me', { language: 'en', displayName: 'Desk One', email: 'desk@dpmptsp.example' });
    expect(status).toBe(200);
    expect(json).toMatchObject({ username: 'desk', language: 'en', displayName: 'Desk One', email: 'desk@dpmptsp.example', role: 'service_desk' });
    const role = await desk.call('PATCH', '/api/me', { role: 'admin' });
    expect(role.status).toBe(422);
    expect(paths(role.json)).toEqual(['role']);
    expect(paths((await desk.call('PATCH', '/api/me', { language: 'jv', email: 'x' })).json)).toEqual(['email', 'language']);
    expect((await desk.call('GET', '/api/me')).json.role).toBe('service_desk');
  });

  it('the /me form switches the pages to English for that user, with the CSRF token, and refuses the form without it', async () => {
    await addUser('dewi', 'service_desk');
    const dewi = await logIn(sigap.url!, 'dewi', 'dewi-password');
    const before = await page('/me', dewi);
    expect(before.status).toBe(200);
    expect(before.html).toContain('<html lang="id">');
    expect(before.html).toContain('Akun saya');
    expect(before.html).not.toContain('href="/users"');

    const fields: Array<[string, string]> = [
      ['displayName', 'Dewi <b>Lestari</b>'],
      ['email', ''],
      ['language', 'en'],
    ];
    expect((await form('/me', fields, dewi, false)).status).toBe(403);
    const saved = await form('/me', fields, dewi);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/me?saved=profile');

    const queue = await page('/', dewi);
    expect(queue.html).toContain('<html lang="en">');
    expect(queue.html).toContain('My account');
    const me = await page('/me?saved=profile', dewi);
    expect(me.html).toContain('Dewi &lt;b&gt;Lestari&lt;/b&gt;');
    expect(me.html).toContain('Saved.');

    const invalid = await form(
      '/me',
      [
        ['displayName', ''],
        ['email', 'nope'],
        ['language', 'en'],
      ],
      dewi,
    );
    expect(invalid.status).toBe(422);
    const html = await invalid.text();
    expect(html).toContain('<strong>E-mail</strong>');
    expect(html).toContain('<strong>Name</strong>');

    const mismatch = await form(
      '/me/password',
      [
        ['currentPassword', 'dewi-password'],
        ['newPassword', 'dewi-password-2'],
        ['newPasswordAgain', 'dewi-password-3'],
      ],
      dewi,
    );
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('<strong>New password again</strong>');
    const changed = await form(
      '/me/password',
      [
        ['currentPassword', 'dewi-password'],
        ['newPassword', 'dewi-password-2'],
        ['newPasswordAgain', 'dewi-password-2'],
      ],
      dewi,
    );
    expect(changed.status).toBe(303);
    expect((await page('/me?saved=password', dewi)).html).toContain('Your password has been changed.');
  });

  it('lists tokens with their user and times but never their secret, and revokes them', async () => {
    const made = await api('POST', '/api/tokens', { name: 'backup-script' });
    const secret = made.json.token as string;
    expect(await bearer(secret)).toBe(200);

    const { status, json } = await api('GET', '/api/tokens');
    expect(status).toBe(200);
    expect(JSON.stringify(json)).not.toContain(secret);
    const listed = (json.items as Array<Record<string, unknown>>).find((t) => t.name === 'backup-script');
    expect(listed).toEqual({
      id: expect.any(Number),
      name: 'backup-script',
      user: 'admin',
      scope: 'write',
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: expect.any(String),
    });
    expect((json.items as Array<Record<string, unknown>>).every((t) => !('token' in t) && !('tokenHash' in t))).toBe(true);

    expect((await api('DELETE', `/api/tokens/${listed!.id}`)).status).toBe(204);
    expect(await bearer(secret)).toBe(401);
    expect((await api('DELETE', `/api/tokens/${listed!.id}`)).status).toBe(404);
    expect((await api('DELETE', '/api/tokens/not-a-number')).status).toBe(404);
    expect(((await api('GET', '/api/tokens')).json.items as Array<Record<string, unknown>>).map((t) => t.name)).not.toContain('backup-script');
  });

  it('the /users page adds, changes and resets users through forms with the CSRF token, and shows refused forms again', async () => {
    const { status, html } = await page('/users');
    expect(status).toBe(200);
    expect(html).toContain('action="/users/siti/edit"');
    expect(html).toContain(`name="_csrf" value="${admin.csrfToken}"`);
    expect(html).toContain('href="/users"');

    const add: Array<[string, string]> = [
      ['username', 'eko'],
      ['displayName', 'Eko <script>'],
      ['role', 'vendor'],
      ['email', ''],
      ['language', 'id'],
      ['password', 'eko-password'],
    ];
    expect((await form('/users', add, admin, false)).status).toBe(403);
    expect(await userNamed('eko')).toBeUndefined();
    const added = await form('/users', add);
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/users');
    expect(await userNamed('eko')).toMatchObject({ role: 'vendor', displayName: 'Eko <script>', email: null, active: true });
    expect((await page('/users')).html).toContain('Eko &lt;script&gt;');

    const again = await form('/users', add);
    expect(again.status).toBe(409);
    const invalid = await form('/users', [
      ['username', 'X Y'],
      ['displayName', 'Fajar'],
      ['role', 'vendor'],
      ['password', 'short'],
    ]);
    expect(invalid.status).toBe(422);
    const refused = await invalid.text();
    expect(refused).toContain('<strong>Nama pengguna</strong>');
    expect(refused).toContain('<strong>Kata sandi</strong>');
    expect(refused).toContain('value="Fajar"');

    const edit = await form('/users/eko/edit', [
      ['displayName', 'Eko Vendor'],
      ['role', 'support'],
      ['email', 'eko@vendor.example'],
      ['language', 'en'],
      ['active', 'false'],
    ]);
    expect(edit.status).toBe(303);
    expect(await userNamed('eko')).toMatchObject({ displayName: 'Eko Vendor', role: 'support', email: 'eko@vendor.example', language: 'en', active: false });
    await expect(logIn(sigap.url!, 'eko', 'eko-password')).rejects.toThrow(/401/);
    const self = await form('/users/admin/edit', [
      ['displayName', 'Admin'],
      ['role', 'admin'],
      ['email', ''],
      ['language', 'id'],
      ['active', 'false'],
    ]);
    expect(self.status).toBe(409);

    await form('/users/eko/edit', [
      ['displayName', 'Eko Vendor'],
      ['role', 'support'],
      ['email', ''],
      ['language', 'en'],
      ['active', 'true'],
    ]);
    expect((await form('/users/eko/password', [['password', 'eko-new-password']])).status).toBe(303);
    await logIn(sigap.url!, 'eko', 'eko-new-password');
    expect((await form('/users/eko/password', [['password', 'short']])).status).toBe(422);
    expect((await form('/users/nobody/password', [['password', 'long-enough-1']])).status).toBe(404);
  });

  it('the /users page creates a token for a chosen user, shows it once, and it works as a Bearer token until revoked', async () => {
    expect(
      (
        await form(
          '/users/tokens',
          [
            ['name', 'am'],
            ['username', 'desk'],
          ],
          admin,
          false,
        )
      ).status,
    ).toBe(403);
    const res = await form('/users/tokens', [
      ['name', 'alertmanager-page'],
      ['username', 'desk'],
    ]);
    expect(res.status).toBe(201);
    const html = await res.text();
    const secret = /<code class="token">(sigap_[A-Za-z0-9_-]+)<\/code>/.exec(html)?.[1];
    expect(secret).toBeDefined();
    expect(await bearer(secret!)).toBe(200);
    expect((await desk.call('GET', '/api/users')).status).toBe(403);

    const later = (await page('/users')).html;
    expect(later).not.toContain(secret);
    expect(later).toContain('alertmanager-page');

    const empty = await form('/users/tokens', [
      ['name', ' '],
      ['username', 'desk'],
    ]);
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('<strong>Nama</strong>');

    const id = ((await api('GET', '/api/tokens')).json.items as Array<{ id: number; name: string }>).find((t) => t.name === 'alertmanager-page')!.id;
    expect((await form(`/users/tokens/${id}/revoke`, [], admin, false)).status).toBe(403);
    expect(await bearer(secret!)).toBe(200);
    const revoked = await form(`/users/tokens/${id}/revoke`, []);
    expect(revoked.status).toBe(303);
    expect(await bearer(secret!)).toBe(401);
  });

  it('keeps the admin able to log in with the bootstrap password throughout', async () => {
    await logIn(sigap.url!, 'admin', TEST_ADMIN_PASSWORD);
  });
});
