// Maintenance windows through the API and the /maintenance page: admins and the service desk
// create and delete them, everyone else may only look; invalid windows are refused naming each field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Who = { cookie: string; csrfToken: string };

describe.each(testDatabaseKinds())('maintenance windows through the API and the dashboard, on $name', (kind) => {
  let testDb: TestDatabase;
  let sigap: Sigap;
  let admin: Who;
  let desk: Who;
  let manager: Who;
  let vendor: Who;

  const api = async (method: string, path: string, body?: unknown, who = admin) => {
    const res = await fetch(`${sigap.url}${path}`, {
      method,
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>) };
  };
  const form = (path: string, fields: Array<[string, string]>, who = admin) =>
    fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: who.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['_csrf', who.csrfToken], ...fields]).toString(),
    });
  const page = async (who = admin, lang = 'id') => (await fetch(`${sigap.url}/maintenance?lang=${lang}`, { headers: { cookie: who.cookie } })).text();
  const items = async () => (await api('GET', '/api/maintenance')).json.items as Array<Record<string, unknown>>;
  const details = (json: Record<string, unknown>) => (json.error as { details: Array<{ path: string; message: string }> }).details;

  beforeAll(async () => {
    testDb = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: `
timezone: Asia/Jakarta
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:9/", interval: 60s }
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:9/", interval: 60s }
`,
    });
    admin = await logIn(sigap.url!);
    for (const role of ['service_desk', 'manager', 'vendor'] as const) {
      await sigap.accounts.createUser({ username: role, displayName: role, role, password: `${role}-password` });
    }
    desk = await logIn(sigap.url!, 'service_desk', 'service_desk-password');
    manager = await logIn(sigap.url!, 'manager', 'manager-password');
    vendor = await logIn(sigap.url!, 'vendor', 'vendor-password');
  });

  afterAll(async () => {
    await sigap?.stop();
    await testDb?.drop();
  });

  it('creates a weekly window that crosses midnight, in the configured time zone', async () => {
    const { status, json } = await api('POST', '/api/maintenance', {
      title: 'Backup mingguan',
      service: 'skm',
      recurrence: 'weekly',
      weekdays: ['sat'],
      start: '22:00',
      durationMinutes: 240,
    });
    expect(status).toBe(201);
    expect(json).toMatchObject({
      title: 'Backup mingguan',
      service: 'skm',
      check: null,
      recurrence: 'weekly',
      weekdays: ['sat'],
      start: '22:00',
      durationMinutes: 240,
      timezone: 'Asia/Jakarta',
      createdBy: 'admin',
      startsAt: null,
    });
  });

  it('lets the service desk create a one-off window, local times read in WIB', async () => {
    const { status, json } = await api(
      'POST',
      '/api/maintenance',
      { title: 'Migrasi server', check: 'pengaduan-form', startsAt: '2099-12-05T22:00', endsAt: '2099-12-06T01:00' },
      desk,
    );
    expect(status).toBe(201);
    expect(json).toMatchObject({
      check: 'pengaduan-form',
      service: null,
      recurrence: 'none',
      startsAt: '2099-12-05T15:00:00.000Z',
      endsAt: '2099-12-05T18:00:00.000Z',
      createdBy: 'service_desk',
      activeNow: false,
    });
    expect((await items()).map((w) => w.title)).toEqual(['Backup mingguan', 'Migrasi server']);
  });

  it('refuses invalid windows with 422, naming every field', async () => {
    const missing = await api('POST', '/api/maintenance', { title: '', recurrence: 'weekly', weekdays: ['someday'], durationMinutes: 0, color: 'red' });
    expect(missing.status).toBe(422);
    expect(
      details(missing.json)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['color', 'durationMinutes', 'title', 'weekdays.0']);

    const weekly = await api('POST', '/api/maintenance', { title: 'x', recurrence: 'weekly', start: '25:00', startsAt: '2099-01-01T00:00', service: 'nope' });
    expect(weekly.status).toBe(422);
    expect(
      details(weekly.json)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['durationMinutes', 'service', 'start', 'startsAt', 'weekdays']);

    const once = await api('POST', '/api/maintenance', { title: 'x', service: 'skm', check: 'pengaduan-form', startsAt: '2099-01-01T10:00', endsAt: '2099-01-01T09:00' });
    expect(once.status).toBe(422);
    expect(
      details(once.json)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['check', 'endsAt']);

    const past = await api('POST', '/api/maintenance', { title: 'x', startsAt: '2020-01-01T10:00', endsAt: 'tomorrow' });
    expect(details(past.json)).toEqual([{ path: 'endsAt', message: expect.stringContaining('date-time') }]);
    expect((await api('POST', '/api/maintenance', { title: 'x', startsAt: '2020-01-01T10:00', endsAt: '2020-01-01T11:00' })).status).toBe(422);
    expect(await items()).toHaveLength(2);
  });

  it('lets managers and vendors look but not create or delete (403)', async () => {
    const [first] = await items();
    for (const who of [manager, vendor]) {
      expect((await api('GET', '/api/maintenance', undefined, who)).status).toBe(200);
      expect((await api('POST', '/api/maintenance', { title: 'x', recurrence: 'weekly', weekdays: ['sun'], start: '01:00', durationMinutes: 60 }, who)).status).toBe(403);
      expect((await api('DELETE', `/api/maintenance/${first!.id}`, undefined, who)).status).toBe(403);
    }
    const noCsrf = await fetch(`${sigap.url}/api/maintenance/${first!.id}`, { method: 'DELETE', headers: { cookie: admin.cookie } });
    expect(noCsrf.status).toBe(403);
    expect(await items()).toHaveLength(2);
  });

  it('deletes a window, and answers 404 for one that does not exist', async () => {
    const [, second] = await items();
    expect((await api('DELETE', `/api/maintenance/${second!.id}`, undefined, desk)).status).toBe(204);
    expect((await api('DELETE', `/api/maintenance/${second!.id}`)).status).toBe(404);
    expect((await api('DELETE', '/api/maintenance/abc')).status).toBe(404);
    expect((await items()).map((w) => w.title)).toEqual(['Backup mingguan']);
  });

  it('shows the windows on the /maintenance page, with a form that works without JavaScript', async () => {
    const html = await page();
    expect(html).toContain('Jadwal pemeliharaan');
    expect(html).toContain('Backup mingguan');
    expect(html).toContain('Setiap Sabtu 22:00, selama 4 jam');
    expect(html).toContain('action="/maintenance"');
    expect(html).toContain(`name="_csrf" value="${admin.csrfToken}"`);
    expect(await page(admin, 'en')).toContain('Every Sat 22:00, for 4 h');

    const added = await form('/maintenance', [
      ['title', 'Pembaruan aplikasi'],
      ['service', ''],
      ['check', 'skm-form'],
      ['recurrence', 'weekly'],
      ['weekdays', 'tue'],
      ['weekdays', 'thu'],
      ['start', '23:30'],
      ['durationMinutes', '90'],
      ['startsAt', 'ignored'],
    ]);
    expect(added.status).toBe(303);
    expect((await items()).find((w) => w.title === 'Pembaruan aplikasi')).toMatchObject({ check: 'skm-form', weekdays: ['tue', 'thu'], start: '23:30', durationMinutes: 90 });

    const refused = await form('/maintenance', [
      ['title', 'Tanpa waktu'],
      ['recurrence', 'none'],
      ['startsAt', '2099-01-01T10:00'],
    ]);
    expect(refused.status).toBe(422);
    const errorPage = await refused.text();
    expect(errorPage).toContain('<strong>Selesai</strong>');
    expect(errorPage).toContain('value="Tanpa waktu"'); // what was typed comes back to be fixed

    const id = (await items()).find((w) => w.title === 'Pembaruan aplikasi')!.id;
    expect((await form(`/maintenance/${id}/delete`, [])).status).toBe(303);
    expect((await items()).map((w) => w.title)).toEqual(['Backup mingguan']);
  });

  it('shows the page to a manager without the form or delete buttons, and refuses their posts', async () => {
    const html = await page(manager);
    expect(html).toContain('Backup mingguan');
    expect(html).not.toContain('action="/maintenance"');
    expect(html).not.toContain('/delete"');
    const [first] = await items();
    expect((await form(`/maintenance/${first!.id}/delete`, [], manager)).status).toBe(403);
    expect(
      (
        await form(
          '/maintenance',
          [
            ['title', 'x'],
            ['recurrence', 'weekly'],
            ['weekdays', 'sun'],
            ['start', '01:00'],
            ['durationMinutes', '60'],
          ],
          vendor,
        )
      ).status,
    ).toBe(403);
    expect(await items()).toHaveLength(1);
  });
});
