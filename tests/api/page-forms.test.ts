// The dashboard's forms, as a browser without JavaScript uses them (DESIGN §6): a clerk logs an
// incident from a phone call, each incident page offers exactly the actions this user may take
// now, posting them walks the incident to closed, refusals come back on the page with their
// status; the queue filters; free text stays text; the timeline shows the probe results around a
// probe incident. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

// skm-form confirms a failure on one result and a restoration on one; nothing probes by itself.
const YAML = `${INCIDENT_TEST_YAML.replace(/impact: medium\n/, 'impact: medium\n    checks:\n      - { key: skm-form, type: http, url: "http://127.0.0.1:9/", interval: 2h, failureThreshold: 1, successThreshold: 1 }\n')}
policy:
  flapping: { changes: 20 }
`;

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

interface Browser {
  cookie: string;
  csrfToken: string;
}

/** The actions whose forms a page offers, in page order. */
const formsOn = (html: string) => [...html.matchAll(/<form method="post" action="\/incidents\/[^/"]+\/actions\/(\w+)"/g)].map((m) => m[1]);
/** The incidents a queue page lists. */
const refsOn = (html: string) => [...new Set([...html.matchAll(/href="\/incidents\/(INC-\d{4}-\d+)"/g)].map((m) => m[1]))];

describe.each(testDatabaseKinds())('the incident forms and the queue filters on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  // Wednesday 25 November 2026, 10:00 WIB: office hours.
  let now = new Date('2026-11-25T03:00:00Z');
  let desk: Caller;
  let support: Caller;
  let clerk: Browser;
  let head: Browser;
  let vendorBrowser: Browser;
  let supportBrowser: Browser;

  const page = async (path: string, who: Browser) => {
    const res = await fetch(`${sigap.url}${path}`, { redirect: 'manual', headers: { cookie: who.cookie, accept: 'text/html' } });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  const post = async (path: string, who: Browser, fields: Record<string, string>, withCsrf = true) => {
    const body = new URLSearchParams(withCsrf ? { _csrf: who.csrfToken, ...fields } : fields);
    const res = await fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: who.cookie, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  };
  const statusOf = async (ref: string) => (await desk.call('GET', `/api/incidents/${ref}`)).json.status as string;

  /** A probe result for skm-form now; the clock then moves on a minute. */
  async function probe(status: ProbeStatus) {
    await sigap.detector.handleResult({
      checkKey: 'skm-form',
      startedAt: now,
      durationMs: 7,
      status,
      failureKind: status === 'up' ? null : 'connect',
      timings: { connect: 1 },
      evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
    });
    now = new Date(now.getTime() + 60_000);
  }

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    support = await callerFor(sigap, 'support1', 'support');
    await callerFor(sigap, 'head1', 'manager');
    await callerFor(sigap, 'vendor1', 'vendor');
    const browser = (name: string) => logIn(sigap.url!, name, `${name}-password`);
    [clerk, head, vendorBrowser, supportBrowser] = [await browser('desk1'), await browser('head1'), await browser('vendor1'), await browser('support1')];
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  const PHONE_CALL = {
    service: 'pengaduan',
    title: 'Aplikasi pengaduan menolak lampiran',
    description: 'Warga menelepon: unggahan foto gagal.',
    impact: 'medium',
    urgency: 'high',
    category: 'application',
    subcategory: 'form-submission',
    reporterName: 'Pak Budi',
    reporterContact: '0813-1111-2222',
    reportedVia: 'phone',
  };

  it('lets the clerk log a phone call through /incidents/new and sends them to the new incident', async () => {
    const form = await page('/incidents/new', clerk);
    expect(form.status).toBe(200);
    for (const name of ['service', 'title', 'description', 'impact', 'urgency', 'category', 'subcategory', 'reporterName', 'reporterContact', '_csrf']) {
      expect(form.html).toContain(`name="${name}"`);
    }
    const res = await post('/incidents/new', clerk, PHONE_CALL);
    expect(res.status).toBe(303);
    expect(res.location).toMatch(/^\/incidents\/INC-\d{4}-\d+$/);
    const incident = await page(res.location!, clerk);
    expect(incident.status).toBe(200);
    expect(incident.html).toContain('Aplikasi pengaduan menolak lampiran');
    expect(incident.html).toContain('Pak Budi');
  });

  it('re-renders the log form with 422, an error per field and what was typed', async () => {
    const res = await post('/incidents/new', clerk, { ...PHONE_CALL, title: '  ', reporterName: '' });
    expect(res.status).toBe(422);
    expect(res.html).toMatch(/<strong>Judul<\/strong>: wajib diisi/);
    expect(res.html).toMatch(/<strong>Nama pelapor<\/strong>: wajib diisi/);
    expect(res.html).toContain('Warga menelepon: unggahan foto gagal.');
    const wrongSub = await post('/incidents/new', clerk, { ...PHONE_CALL, subcategory: 'dns' });
    expect(wrongSub.status).toBe(422);
    expect(wrongSub.html).toMatch(/<strong>Subkategori<\/strong>: pilih salah satu: status HTTP, isi halaman, /);
    expect(wrongSub.html).toMatch(/<option value="dns" selected>/);
  });

  it('offers the log form and its link only to the service desk, support and admin', async () => {
    expect((await page('/incidents/new', head)).status).toBe(403);
    expect((await post('/incidents/new', head, PHONE_CALL)).status).toBe(403);
    expect((await page('/', clerk)).html).toContain('href="/incidents/new"');
    expect((await page('/', head)).html).not.toContain('href="/incidents/new"');
  });

  it('shows exactly the forms allowed: the service desk on a new incident, a manager none, a vendor its own on level 2', async () => {
    const ref = await logIncident(desk);
    expect(formsOn((await page(`/incidents/${ref}`, clerk)).html)).toEqual(['acknowledge', 'assign', 'note', 'reprioritize', 'escalate', 'escalate_management', 'cancel']);
    const managerPage = await page(`/incidents/${ref}`, head);
    expect(managerPage.status).toBe(200);
    expect(formsOn(managerPage.html)).toEqual([]);
    expect((await page(`/incidents/${ref}`, vendorBrowser)).status).toBe(404);

    expect((await desk.act(ref, 'escalate', { level: 2, note: 'butuh vendor' })).status).toBe(200);
    const vendorPage = await page(`/incidents/${ref}`, vendorBrowser);
    expect(vendorPage.status).toBe(200);
    // The vendor's next step, resolving, comes first.
    expect(formsOn(vendorPage.html)).toEqual(['resolve', 'acknowledge', 'note', 'pending']);
    // At the top level there is nowhere left to escalate to, and the vendor's work is no longer the desk's.
    expect(formsOn((await page(`/incidents/${ref}`, clerk)).html)).toEqual(['note', 'assign', 'reprioritize', 'escalate_management']);
    // A manager posting anyway is refused (403: no form of theirs to correct), and nothing changes.
    const refused = await post(`/incidents/${ref}/actions/note`, head, { note: 'saya mau ikut' });
    expect(refused.status).toBe(403);
    expect(await statusOf(ref)).toBe('escalated');
  });

  it('walks a phone-call incident to closed by posting the acknowledge, escalate, resolve and close forms', async () => {
    const ref = await logIncident(desk);
    const steps: Array<[string, Record<string, string>, string]> = [
      ['acknowledge', { note: '' }, 'assigned'],
      ['escalate', { level: '1', note: 'perlu tim aplikasi' }, 'escalated'],
      ['resolve', { resolutionCode: 'fixed', note: 'batas unggah dinaikkan' }, 'resolved'],
      ['close', { closureCode: 'confirmed', note: '' }, 'closed'],
    ];
    for (const [action, fields, status] of steps) {
      const res = await post(`/incidents/${ref}/actions/${action}`, clerk, fields);
      expect(res.status, `${action}: ${res.html.slice(0, 500)}`).toBe(303);
      expect(res.location).toBe(`/incidents/${ref}?done=${action}`);
      expect(await statusOf(ref)).toBe(status);
    }
    const closed = await page(`/incidents/${ref}`, clerk);
    expect(formsOn(closed.html)).toEqual(['note']);
  });

  it('refuses a form without its CSRF token (403) and changes nothing', async () => {
    const ref = await logIncident(desk);
    const res = await post(`/incidents/${ref}/actions/acknowledge`, clerk, { note: 'tanpa token' }, false);
    expect(res.status).toBe(403);
    expect(await statusOf(ref)).toBe('new');
    expect((await post('/incidents/new', clerk, PHONE_CALL, false)).status).toBe(403);
  });

  it('answers a resolve without notes with the page at 422, the error on `note` and the chosen code kept', async () => {
    const ref = await logIncident(desk);
    await post(`/incidents/${ref}/actions/acknowledge`, clerk, {});
    const res = await post(`/incidents/${ref}/actions/resolve`, clerk, { resolutionCode: 'workaround', note: '   ' });
    expect(res.status).toBe(422);
    expect(res.html).toMatch(/<strong>Catatan<\/strong>: wajib diisi/);
    expect(res.html).toMatch(/<div class="action-form action-resolve primary">\s*<form[^>]*>\s*<input[^>]*>\s*<div class="form-error" role="alert">/);
    expect(res.html).toMatch(/<option value="workaround" selected>/);
    expect(await statusOf(ref)).toBe('assigned');
    expect((await post(`/incidents/${ref}/actions/teleport`, clerk, {})).status).toBe(404);
    const wrongLevel = await post(`/incidents/${ref}/actions/escalate`, clerk, { level: 'two', note: 'x' });
    expect(wrongLevel.status).toBe(422);
  });

  it('shows the probe results around a probe incident in its timeline, long runs compacted', async () => {
    for (const status of ['up', 'up', 'up', 'up', 'up', 'down', 'down', 'down', 'down', 'down', 'up', 'up', 'up', 'up', 'up'] as const) await probe(status);
    // Sessions expire when idle; the clock has moved on.
    clerk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    const { json } = await desk.call('GET', '/api/incidents?status=new&q=');
    const probeIncident = json.items.find((i: { check: string | null }) => i.check === 'skm-form');
    expect(probeIncident).toBeDefined();
    const { html } = await page(`/incidents/${probeIncident.ref}`, clerk);
    const timeline = html.slice(html.indexOf('<ol class="timeline">'));
    expect(timeline).toMatch(/5× normal/);
    expect(timeline).toContain('sambungan ditolak');
    expect(timeline).toContain('HTTP 200');
    const firstResult = timeline.indexOf('class="probe-result');
    const firstEvent = timeline.indexOf('class="event"');
    expect(firstResult).toBeGreaterThan(-1);
    expect(firstEvent).toBeGreaterThan(firstResult);
    expect(timeline.lastIndexOf('class="probe-result')).toBeGreaterThan(firstEvent);
  });

  it('answers a close before the probe incident is verified with the page at 409 saying how long remains', async () => {
    const { json } = await desk.call('GET', '/api/incidents?q=&status=new');
    const ref = json.items.find((i: { check: string | null }) => i.check === 'skm-form').ref as string;
    await post(`/incidents/${ref}/actions/acknowledge`, clerk, {});
    expect((await post(`/incidents/${ref}/actions/resolve`, clerk, { resolutionCode: 'restarted', note: 'php-fpm dijalankan ulang' })).status).toBe(303);
    const res = await post(`/incidents/${ref}/actions/close`, clerk, { closureCode: 'confirmed' });
    expect(res.status).toBe(409);
    expect(res.html).toMatch(/paling cepat \d+ menit lagi/);
    expect(await statusOf(ref)).toBe('resolved');
  });

  it('escapes a script in a title and a note on the queue and the incident page', async () => {
    const res = await post('/incidents/new', clerk, { ...PHONE_CALL, title: XSS, description: XSS });
    const ref = res.location!.split('/').pop()!;
    expect((await post(`/incidents/${ref}/actions/note`, clerk, { note: XSS })).status).toBe(303);
    for (const path of ['/', `/incidents/${ref}`]) {
      const { html } = await page(path, clerk);
      expect(html).not.toContain(XSS);
      expect(html).toContain(ESCAPED);
    }
    // A refused form echoes what was typed, escaped too.
    const refused = await post(`/incidents/${ref}/actions/reprioritize`, clerk, { impact: '', urgency: '', reason: XSS });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain(ESCAPED);
    expect(refused.html).not.toContain(XSS);
  });

  it('filters the queue by status, priority, assignee, "mine", group and breach, and the API likewise', async () => {
    const p1 = await logIncident(desk, { title: 'Layanan pengaduan mati total', service: 'pengaduan', impact: 'high', urgency: 'high' });
    const mine = await logIncident(desk, { title: 'Milik desk1' });
    const theirs = await logIncident(desk, { title: 'Ke tim aplikasi' });
    await desk.act(mine, 'acknowledge', {});
    await desk.act(theirs, 'escalate', { level: 1, note: 'tim aplikasi' });
    const priorityOfP1 = (await desk.call('GET', `/api/incidents/${p1}`)).json.priority as string;

    const queue = async (query: string, who: Browser = clerk) => {
      const res = await page(`/?${query}`, who);
      expect(res.status, res.html.slice(0, 300)).toBe(200);
      return refsOn(res.html.slice(res.html.indexOf('<table')));
    };
    const byStatus = await queue('status=assigned');
    expect(byStatus).toContain(mine);
    expect(byStatus).not.toContain(p1);
    const byPriority = await queue(`priority=${priorityOfP1}`);
    expect(byPriority).toContain(p1);
    expect(byPriority).not.toContain(mine);
    expect(await queue('view=mine')).toEqual(expect.arrayContaining([mine]));
    expect(await queue('view=mine')).not.toContain(p1);
    expect(await queue('assignee=desk1&status=&priority=')).toContain(mine);
    expect(await queue('assignee=desk1')).not.toContain(theirs);
    const supportGroup = await queue('view=group', supportBrowser);
    expect(supportGroup).toContain(theirs);
    expect(supportGroup).not.toContain(p1);
    const deskGroup = await queue('view=group');
    expect(deskGroup).toContain(p1);
    expect(deskGroup).not.toContain(theirs);
    expect(await queue('breached=1')).toEqual([]);

    const api = await support.call('GET', '/api/incidents?group=support&assignee=&breached=false');
    expect(api.status).toBe(200);
    expect(api.json.items.map((i: { ref: string }) => i.ref)).toContain(theirs);
    expect((await support.call('GET', '/api/incidents?breached=maybe')).status).toBe(422);

    // A week later every resolution target has been missed; the sweep records the breaches.
    now = new Date(now.getTime() + 7 * 86_400_000);
    await sigap.incidents.sla.sweep();
    clerk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    const breached = await queue('breached=1');
    expect(breached).toEqual(expect.arrayContaining([p1, mine, theirs]));
    const apiBreached = await desk.call('GET', '/api/incidents?breached=1&limit=200');
    expect(apiBreached.json.items.map((i: { ref: string }) => i.ref)).toEqual(expect.arrayContaining([p1, mine, theirs]));
  });

  it('pages the queue with a "next page" link that keeps the filters', async () => {
    // 50 a page: enough open skm incidents for a second page.
    const open = (await desk.call('GET', '/api/incidents?service=skm&status=new,assigned,escalated,pending&limit=200')).json.items.length as number;
    for (let n = open; n < 55; n += 1) await logIncident(desk, { title: `Isi ${n}` });
    const first = await page('/?service=skm', clerk);
    const next = first.html.match(/<a href="([^"]+)" rel="next">/);
    expect(next).not.toBeNull();
    const href = next![1]!.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
    expect(href).toContain('service=skm');
    expect(href).toContain('cursor=');
    const second = await page(href, clerk);
    expect(second.status).toBe(200);
    const firstRefs = refsOn(first.html.slice(first.html.indexOf('<table')));
    const secondRefs = refsOn(second.html.slice(second.html.indexOf('<table')));
    expect(secondRefs.length).toBeGreaterThan(0);
    expect(secondRefs.filter((r) => firstRefs.includes(r))).toEqual([]);
  });

  it('warns before resolving while the probes still see the failure, records the confirmation, and closes a reporter-less incident as verified by monitoring', async () => {
    // skm-form fails (its resolved incident reopens, or a new one opens) and is taken in hand.
    await probe('down');
    clerk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    const open = (await desk.call('GET', '/api/incidents?q=&status=new,assigned&limit=200')).json.items.find((i: { check: string | null }) => i.check === 'skm-form');
    const ref = open.ref as string;
    if (open.status === 'new') await desk.act(ref, 'acknowledge', {});
    const before = await page(`/incidents/${ref}`, clerk);
    const resolveForm = before.html.slice(before.html.indexOf('action-resolve'), before.html.indexOf('</form>', before.html.indexOf('action-resolve')));
    expect(resolveForm).toContain('class="warning"');
    expect(resolveForm).toContain('skm-form');
    expect(resolveForm).toMatch(/<input type="checkbox" name="confirmStillFailing" value="true"/);

    // The API says so too, before anyone tries.
    expect((await desk.call('GET', `/api/incidents/${ref}`)).json.stillFailing).toMatchObject({ check: 'skm-form', state: 'down' });
    const refused = await post(`/incidents/${ref}/actions/resolve`, clerk, { resolutionCode: 'vendor_fixed', note: 'vendor restarted it' });
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('confirmStillFailing');
    expect(await statusOf(ref)).toBe('assigned');
    const confirmed = await post(`/incidents/${ref}/actions/resolve`, clerk, { resolutionCode: 'vendor_fixed', note: 'vendor restarted it', confirmStillFailing: 'true' });
    expect(confirmed.status).toBe(303);
    const resolved = await page(`/incidents/${ref}`, clerk);
    expect(resolved.html.slice(resolved.html.indexOf('<ol class="timeline">'))).toContain('dikonfirmasi walau pemeriksaan skm-form masih gagal');

    // The site recovers and stays healthy for verifyFor: the close form offers only "verified by monitoring".
    for (let n = 0; n < 17; n += 1) await probe('up');
    clerk = await logIn(sigap.url!, 'desk1', 'desk1-password');
    const verified = await page(`/incidents/${ref}`, clerk);
    const closeForm = verified.html.slice(verified.html.indexOf('action-close'), verified.html.indexOf('</form>', verified.html.indexOf('action-close')));
    expect([...closeForm.matchAll(/<option value="(\w+)"/g)].map((m) => m[1])).toEqual(['monitoring_verified']);
    expect(closeForm).toContain('Pemulihan diverifikasi oleh pemantauan');
    expect((await post(`/incidents/${ref}/actions/close`, clerk, { closureCode: 'monitoring_verified' })).status).toBe(303);
    const closed = (await desk.call('GET', `/api/incidents/${ref}`)).json;
    expect(closed).toMatchObject({ status: 'closed', closureCode: 'monitoring_verified', serviceRestoredAt: expect.any(String), stillFailing: null });
  });
});
