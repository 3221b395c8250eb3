// Checks from the dashboard: admins add, change, disable and enable checks through the API and
// the /services page, validated exactly like sigap.yaml; checks from the file stay read-only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { until } from '../helpers/wait.js';

interface CheckJson {
  key: string;
  service: string;
  source: string;
  enabled: boolean;
  readOnly: boolean;
  state: string;
  lastResultAt: string | null;
  definition: unknown;
}

describe.each(testDatabaseKinds())('checks from the dashboard, on $name', (kind) => {
  let site: Server;
  let siteUrl: string;
  let testDb: TestDatabase;
  let sigap: Sigap;
  let admin: { cookie: string; csrfToken: string };

  const api = async (method: string, path: string, body?: unknown, who = admin) => {
    const res = await fetch(`${sigap.url}${path}`, {
      method,
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const listed = async (key: string) => ((await api('GET', '/api/checks')).json.items as CheckJson[]).find((c) => c.key === key);
  const resultCount = async (key: string) => (await sigap.db.stores.checks.listResults(key, new Date(0), new Date(Date.now() + 1000), 100_000)).length;
  const definition = (key: string, extra: Record<string, unknown> = {}) => ({ key, type: 'http', url: `${siteUrl}${key}`, interval: '200ms', timeout: '150ms', ...extra });

  beforeAll(async () => {
    site = createServer((_req, res) => res.end('Survei Kepuasan'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    testDb = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: `
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "${siteUrl}", interval: 60s }
`,
    });
    admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await new Promise((resolve) => site.close(resolve));
    await testDb?.drop();
  });

  it('lists the checks from sigap.yaml as read-only', async () => {
    expect(await listed('skm-form')).toMatchObject({ service: 'skm', source: 'file', readOnly: true, enabled: true, definition: null });
  });

  it('adds a check that is validated like the file and probed at once', async () => {
    const { status, json } = await api('POST', '/api/checks', { service: 'skm', check: definition('skm-home', { expect: { contains: ['Survei'] } }) });
    expect(status).toBe(201);
    expect(json).toMatchObject({ key: 'skm-home', source: 'dashboard', enabled: true, readOnly: false });
    await until('the new check to be probed', async () => (await listed('skm-home'))?.state === 'up');
  });

  it('refuses invalid definitions naming each field, like the config file does', async () => {
    const bad = await api('POST', '/api/checks', { service: 'nope', check: { key: 'x', type: 'http', url: 'ftp://x', interval: '5 minutes', timeout: '1s' } });
    expect(bad.status).toBe(422);
    const paths = (bad.json.error as { details: Array<{ path: string }> }).details.map((d) => d.path).sort();
    expect(paths).toEqual(['check.interval', 'check.url', 'service']);
    const slow = await api('POST', '/api/checks', { service: 'skm', check: definition('slowpoke', { interval: '1s', timeout: '2s' }) });
    expect((slow.json.error as { details: unknown }).details).toEqual([{ path: 'check.timeout', message: 'must not be longer than interval' }]);
    expect((await api('POST', '/api/checks', { service: 'skm' })).status).toBe(422);
  });

  it('keeps checks from the file and taken keys out of reach', async () => {
    expect((await api('POST', '/api/checks', { service: 'skm', check: definition('skm-form') })).status).toBe(409);
    expect((await api('PUT', '/api/checks/skm-form', { service: 'skm', check: definition('skm-form') })).status).toBe(409);
    expect((await api('POST', '/api/checks/skm-form/disable')).status).toBe(409);
    expect((await api('POST', '/api/checks', { service: 'skm', check: definition('skm-home') })).status).toBe(409);
    const renamed = await api('PUT', '/api/checks/skm-home', { service: 'skm', check: definition('skm-other') });
    expect(renamed.status).toBe(422);
  });

  it('changes a dashboard check in place', async () => {
    const { status, json } = await api('PUT', '/api/checks/skm-home', { service: 'skm', check: definition('skm-home', { interval: '300ms' }) });
    expect(status).toBe(200);
    expect(json.definition).toMatchObject({ interval: '300ms' });
    expect(sigap.catalog.check('skm-home')?.intervalMs).toBe(300);
  });

  it('stops probing a disabled check and resumes when it is enabled', async () => {
    expect((await api('POST', '/api/checks/skm-home/disable')).json).toMatchObject({ enabled: false });
    expect(sigap.catalog.check('skm-home')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 400)); // let a probe in flight land
    const before = await resultCount('skm-home');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // more than three intervals
    expect(await resultCount('skm-home')).toBe(before);
    expect((await api('POST', '/api/checks/skm-home/enable')).json).toMatchObject({ enabled: true });
    await until('probing to resume', async () => (await resultCount('skm-home')) > before);
  });

  it('lets only admins change checks, and asks browsers for the CSRF token', async () => {
    await sigap.accounts.createUser({ username: 'desk', displayName: 'Desk', role: 'service_desk', password: 'desk-password' });
    const desk = await logIn(sigap.url!, 'desk', 'desk-password');
    expect((await api('POST', '/api/checks', { service: 'skm', check: definition('by-desk') }, desk)).status).toBe(403);
    expect((await api('GET', '/api/checks', undefined, desk)).status).toBe(200);
    const noCsrf = await fetch(`${sigap.url}/api/checks/skm-home/disable`, { method: 'POST', headers: { cookie: admin.cookie } });
    expect(noCsrf.status).toBe(403);
  });

  it('offers the same on the /services page: file checks read-only, a YAML form for admins', async () => {
    const page = async () => (await fetch(`${sigap.url}/services`, { headers: { cookie: admin.cookie } })).text();
    const html = await page();
    expect(html).toContain('skm-form');
    expect(html).toContain('sigap.yaml');
    expect(html).toContain('action="/services/checks/skm-home/disable"');
    // each service with its last 30 days of availability as a small chart (one bar a day)
    expect(html).toContain('<svg class="chart"');
    expect(
      html
        .split('<svg class="chart"')[1]!
        .split('</svg>')[0]!
        .match(/<rect class="bar/g),
    ).toHaveLength(30);
    expect(html).not.toContain('action="/services/checks/skm-form');

    const post = (definitionText: string) =>
      fetch(`${sigap.url}/services/checks`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: admin.csrfToken, service: 'skm', definition: definitionText }).toString(),
      });
    const added = await post(`key: skm-form-page\ntype: http\nurl: ${siteUrl}page\ninterval: 1s\ntimeout: 500ms\n`);
    expect(added.status).toBe(303);
    expect(await listed('skm-form-page')).toMatchObject({ source: 'dashboard' });

    const refused = await post('key: broken\ntype: http\nurl: not a url\ninterval: soon\n');
    expect(refused.status).toBe(422);
    const errorPage = await refused.text();
    expect(errorPage).toContain('check.url');
    expect(errorPage).toContain('check.interval');
    expect(errorPage).toContain('url: not a url'); // the admin's text comes back to be fixed
  });
});
