// The live pages behind a proxy without sticky sessions: two web processes share one database, and
// a change made through one of them changes the ETag the other answers the queue and an incident
// page with. A poll that holds the current ETag gets 304 and no body; one that does not gets the
// page rendered as usual, showing a vendor only what its page would.
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Element } from 'domhandler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { LIVE_FULL_REFRESH_MS } from '../../api/live-page.js';

type Started = Awaited<ReturnType<typeof startTestSigap>>;

/** A web process only: no probes, no SLA sweep, no dispatcher, as behind a load balancer. */
const startWeb = (databaseUrl: string) => startTestSigap({ databaseUrl, yaml: INCIDENT_TEST_YAML, env: { SIGAP_ROLE: 'web' } });

function poll(base: string, path: string, cookie: string, etag?: string | null): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie, accept: 'text/html', ...(etag ? { 'if-none-match': etag } : {}) } });
}

/**
 * The ETag also turns once a minute by design (LIVE_FULL_REFRESH_MS): polls that must agree are
 * taken again when a minute boundary fell between them, so the check is never of two minutes.
 */
async function withinOneMinute<T>(polls: () => Promise<T>): Promise<T> {
  for (;;) {
    const minute = Math.floor(Date.now() / LIVE_FULL_REFRESH_MS);
    const result = await polls();
    if (Math.floor(Date.now() / LIVE_FULL_REFRESH_MS) === minute) return result;
  }
}

/** The text of a page's region marked data-live-region="name" (empty when the page has none). */
function regionText(html: string, name: string): string {
  const region = DomUtils.findOne((el) => el.attribs['data-live-region'] === name, parseDocument(html).children);
  return region ? DomUtils.textContent(region) : '';
}

/** What the page hands views/static/live.js. */
function liveOf(html: string): Element['attribs'] {
  const live = DomUtils.findOne((el) => 'data-live' in el.attribs, parseDocument(html).children);
  if (!live) throw new Error('the page has no data-live element');
  return live.attribs;
}

describe.each(testDatabaseKinds())('live pages across two web processes on $name', (kind) => {
  let database: TestDatabase;
  let one: Started;
  let other: Started;
  let admin: { cookie: string };
  let vendor: { cookie: string };
  let otherAdmin: Caller;

  beforeAll(async () => {
    database = await kind.create();
    one = await startWeb(database.url);
    other = await startWeb(database.url);
    otherAdmin = await callerFor(other, 'admin', 'admin');
    await callerFor(one, 'vendor', 'vendor');
    admin = await logIn(one.url!, 'admin');
    vendor = await logIn(one.url!, 'vendor', 'vendor-password');
  });

  afterAll(async () => {
    await one?.stop();
    await other?.stop();
    await database?.drop();
  });

  it('answers a queue poll that holds the current ETag with 304 and no body, still private and not stored', async () => {
    const { page, again } = await withinOneMinute(async () => {
      const page = await poll(one.url!, '/', admin.cookie);
      return { page, again: await poll(one.url!, '/', admin.cookie, page.headers.get('etag')) };
    });
    expect(page.status).toBe(200);
    const etag = page.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const html = await page.text();
    expect(liveOf(html)['data-live-etag']).toBe(etag);
    expect(liveOf(html)['data-live-url']).toBe('/');

    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('private, no-store');
  });

  it('changes the queue ETag when another web process logs an incident, and the new page lists it (any filter or view)', async () => {
    const paths = ['/', '/?view=group', '/?priority=P3&q=Genset'];
    const before = new Map<string, string>();
    for (const path of paths) before.set(path, (await poll(one.url!, path, admin.cookie)).headers.get('etag')!);

    const ref = await logIncident(otherAdmin, { title: 'Genset kantor mati' });

    for (const path of paths) {
      const { page, again } = await withinOneMinute(async () => {
        const page = await poll(one.url!, path, admin.cookie, before.get(path));
        return { page, again: await poll(one.url!, path, admin.cookie, page.headers.get('etag')) };
      });
      expect(page.status, path).toBe(200);
      const etag = page.headers.get('etag');
      expect(etag, path).not.toBe(before.get(path));
      const html = await page.text();
      if (path !== '/?view=group') expect(regionText(html, 'queue'), path).toContain(ref);
      expect(again.status, path).toBe(304);
    }
  });

  it('changes the ETag when an incident is changed in the database without any new event', async () => {
    const ref = await logIncident(otherAdmin, { title: 'Printer loket macet' });
    const before = (await poll(one.url!, '/', admin.cookie)).headers.get('etag');
    const incident = (await other.db.stores.incidents.findByRef(ref))!;
    await other.db.stores.incidents.update(incident.id, { assignee: 'teknisi-loket' }, new Date(Date.now() + 1000));

    const page = await poll(one.url!, '/', admin.cookie, before);
    expect(page.status).toBe(200);
    expect(regionText(await page.text(), 'queue')).toContain('teknisi-loket');
  });

  it("changes an incident page's ETag when another web process adds a note, and the timeline shows it", async () => {
    const ref = await logIncident(otherAdmin, { title: 'Jaringan lantai 2 lambat' });
    const path = `/incidents/${ref}`;
    const { first, again } = await withinOneMinute(async () => {
      const first = await poll(one.url!, path, admin.cookie);
      return { first, again: await poll(one.url!, path, admin.cookie, first.headers.get('etag')) };
    });
    const etag = first.headers.get('etag');
    expect(liveOf(await first.text())['data-live-url']).toBe(path);
    expect(again.status).toBe(304);

    await drive(otherAdmin, ref, [['note', { note: 'Switch lantai 2 sedang dicek teknisi' }]]);

    const page = await poll(one.url!, path, admin.cookie, etag);
    expect(page.status).toBe(200);
    expect(regionText(await page.text(), 'timeline')).toContain('Switch lantai 2 sedang dicek teknisi');
  });

  it("has a refused action form page poll the incident page itself, not the form's address", async () => {
    const ref = await logIncident(otherAdmin, { title: 'Telepon loket mati' });
    const session = await logIn(one.url!, 'admin');
    const refused = await fetch(`${one.url}/incidents/${ref}/actions/resolve`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrfToken, resolutionCode: 'no-such-code' }).toString(),
    });
    expect(refused.status).toBe(422);
    expect(liveOf(await refused.text())['data-live-url']).toBe(`/incidents/${ref}`);
  });

  it('gives each person and each language an ETag of its own', async () => {
    const adminTag = (await poll(one.url!, '/', admin.cookie)).headers.get('etag');
    const vendorTag = (await poll(one.url!, '/', vendor.cookie)).headers.get('etag');
    const englishTag = (await poll(one.url!, '/?lang=en', admin.cookie)).headers.get('etag');
    expect(new Set([adminTag, vendorTag, englishTag]).size).toBe(3);
    expect((await poll(one.url!, '/', vendor.cookie, adminTag)).status).toBe(200);
  });

  it("shows a vendor's poll only the incidents escalated to it, and never answers 304 for an incident it may not open", async () => {
    const first = await poll(one.url!, '/', vendor.cookie);
    const vendorTag = first.headers.get('etag');
    const hidden = await logIncident(otherAdmin, { title: 'Rahasia kantor: server arsip' });
    const shared = await logIncident(otherAdmin, { title: 'Aplikasi vendor error' });
    await drive(otherAdmin, shared, [['escalate', { level: 2, note: 'ke vendor' }]]);

    const page = await poll(one.url!, '/', vendor.cookie, vendorTag);
    expect(page.status).toBe(200);
    const queue = regionText(await page.text(), 'queue');
    expect(queue).toContain(shared);
    expect(queue).not.toContain(hidden);
    expect(queue).not.toContain('Rahasia kantor');
    // The admin's queue lists it: the vendor's lacks it because it is hidden, not because it is absent.
    expect(regionText(await (await poll(one.url!, '/', admin.cookie)).text(), 'queue')).toContain(hidden);

    const held = (await poll(one.url!, `/incidents/${shared}`, vendor.cookie)).headers.get('etag');
    expect((await poll(one.url!, `/incidents/${hidden}`, vendor.cookie, held)).status).toBe(404);
    expect((await poll(one.url!, `/incidents/${hidden}`, vendor.cookie, vendorTag)).status).toBe(404);
  });

  it('sends a poll whose session ended to the log-in page, never a 304', async () => {
    const session = await logIn(one.url!, 'admin');
    const etag = (await poll(one.url!, '/', session.cookie)).headers.get('etag');
    await fetch(`${one.url}/api/session`, { method: 'DELETE', headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken } });

    const page = await poll(one.url!, '/', session.cookie, etag);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/login/);
  });
});
