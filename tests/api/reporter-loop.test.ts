// The reporter in the loop (SOP-Insiden-003): a manual incident records how and when the report
// came in; when it is resolved and closed, the reporter's own contact gets a plain Indonesian
// message through the outbox (a real SMTP server on 127.0.0.1 stands in for the relay), the
// timeline says so, and only then is "reporter informed" ticked. The desk can switch it off.
// On SQLite and PostgreSQL, with a clock the test moves and a dispatcher it ticks by hand.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, INCIDENT_TEST_YAML, type Caller } from '../helpers/incident-api.js';
import { parseMail } from '../helpers/mail.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const MINUTE = 60_000;
// Monday 2 March 2026, 09:00 in Jakarta.
const START = new Date('2026-03-02T02:00:00Z');

/** A real SMTP server that answers 451 (try again later) while `failing`, keeping what it accepted. */
async function startSmtp() {
  const state = { failing: false, messages: [] as Array<{ to: string[]; raw: string }> };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.failing) {
          callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
          return;
        }
        state.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return Object.assign(state, { server, port: (server.server.address() as AddressInfo).port });
}

const REPORTER_ADDRESS = 'sari.warga@example.org';

const WHATSAPP_REPORT = {
  service: 'skm',
  title: 'Formulir SKM tidak bisa dikirim',
  description: 'Warga mengirim pesan WhatsApp: tombol kirim tidak merespons.',
  impact: 'medium',
  urgency: 'medium',
  category: 'application',
  subcategory: 'form-submission',
  reporter: { name: 'Ibu Sari', contact: REPORTER_ADDRESS },
  reportedVia: 'whatsapp',
};

describe.each(testDatabaseKinds())('the reporter in the loop, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let now = START;
  let desk: Caller;
  let support: Caller;
  let manager: Caller;
  let admin: { cookie: string; csrfToken: string };
  let ref: string;
  let phoneRef: string;

  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  const detail = async (incidentRef: string) => (await desk.call('GET', `/api/incidents/${incidentRef}`)).json;
  const reporterTick = (d: { closure: { checklist: Array<{ item: string; done: boolean | null }> } | null }) =>
    d.closure?.checklist.find((c) => c.item === 'reporter_informed')?.done;
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address)).map((m) => parseMail(m.raw));
  const textOf = (mail: ReturnType<typeof parseMail>) => mail.parts.find((p) => p.contentType === 'text/plain')!.content.toString('utf8');
  const page = async (path: string) => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: admin.cookie, accept: 'text/html' } });
    return { status: res.status, html: await res.text() };
  };
  const postForm = (path: string, fields: Record<string, string>) =>
    fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ _csrf: admin.csrfToken, ...fields }).toString(),
    });

  beforeAll(async () => {
    smtp = await startSmtp();
    database = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: database.url,
      yaml: `${INCIDENT_TEST_YAML}
notifications:
  smtp: { host: 127.0.0.1, port: ${smtp.port}, from: sigap@dpmptsp.example, timeout: 5s }
  channels:
    - { key: desk-mail, type: email, to: [helpdesk@dpmptsp.example] }
    - { key: warga-mail, type: email, to: [arsip@dpmptsp.example] }
  routes:
    - { events: [resolved, closed], notify: [desk-mail] }
  reporters: { notify: [warga-mail], events: [resolved, closed] }
`,
      start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 },
    });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    support = await callerFor(sigap, 'support1', 'support');
    manager = await callerFor(sigap, 'kabid', 'manager');
    admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
    await database?.drop();
  });

  it('logs a report that came in by WhatsApp half an hour ago: reportedVia is kept and the SLA clocks start at reportedAt', async () => {
    const reportedAt = new Date(now.getTime() - 30 * MINUTE);
    const { status, json } = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reportedAt: reportedAt.toISOString() });
    expect(status, JSON.stringify(json)).toBe(201);
    ref = json.ref;
    expect(json).toMatchObject({ reportedVia: 'whatsapp', informReporter: true, reporterInformedAt: null, detectedAt: reportedAt.toISOString() });
    // P3 on the business clock: 2 office hours from 08:30 WIB.
    expect(json.responseDueAt).toBe(new Date(reportedAt.getTime() + 120 * MINUTE).toISOString());

    // A script that does not say how it came in gets `other`; no contact: nobody to tell.
    const other = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reportedVia: undefined, reporter: { name: 'Pak Budi', contact: null } });
    expect(other.json).toMatchObject({ reportedVia: 'other', informReporter: false });
    const phone = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reportedVia: 'phone', reporter: { name: 'Pak Joko', contact: '0812-3456-7890' } });
    phoneRef = phone.json.ref;
  });

  it('refuses a reportedAt in the future or more than 7 days back, naming the field', async () => {
    const future = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reportedAt: new Date(now.getTime() + 10 * MINUTE).toISOString() });
    expect(future.status).toBe(422);
    expect(future.json.error.details).toEqual([expect.objectContaining({ path: 'reportedAt' })]);
    const old = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reportedAt: new Date(now.getTime() - 8 * 24 * 60 * MINUTE).toISOString() });
    expect(old.status).toBe(422);
    expect(old.json.error.details).toEqual([expect.objectContaining({ path: 'reportedAt' })]);
    const via = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reportedVia: 'pigeon' });
    expect(via.json.error.details).toEqual([expect.objectContaining({ path: 'reportedVia' })]);
  });

  it('filters the queue by how the report came in, in the API and on the queue page', async () => {
    const { json } = await desk.call('GET', '/api/incidents?reportedVia=whatsapp');
    expect(json.items.map((i: { ref: string }) => i.ref)).toEqual([ref]);
    expect((await desk.call('GET', '/api/incidents?reportedVia=phone')).json.items.map((i: { ref: string }) => i.ref)).toEqual([phoneRef]);
    expect((await desk.call('GET', '/api/incidents?reportedVia=fax')).status).toBe(422);

    const { html } = await page('/?reportedVia=whatsapp');
    expect(html).toContain(`/incidents/${ref}`);
    expect(html).not.toContain(`/incidents/${phoneRef}`);
    expect(html).toContain('<option value="whatsapp" selected>WhatsApp</option>');
    expect(html).toContain('<option value="lapor">SP4N-LAPOR!</option>');
  });

  it('on resolution writes a row for the reporter, and ticks "reporter informed" only once it is delivered; a refused delivery is retried', async () => {
    await desk.act(ref, 'acknowledge');
    advance(20 * MINUTE);
    const resolved = await desk.act(ref, 'resolve', { resolutionCode: 'fixed', note: 'php-fpm pool dinaikkan ke 20 worker; internal' });
    expect(resolved.status, JSON.stringify(resolved.json)).toBe(200);

    const rows = (await detail(ref)).notifications as Array<Record<string, unknown>>;
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'resolved', channel: 'warga-mail', recipient: REPORTER_ADDRESS, status: 'pending' }),
        expect.objectContaining({ event: 'resolved', channel: 'desk-mail', recipient: 'helpdesk@dpmptsp.example' }),
      ]),
    );
    // The reporter gets their own row only: never the staff channel's.
    expect(rows.filter((r) => r.recipient === REPORTER_ADDRESS)).toHaveLength(1);
    expect(rows.some((r) => r.recipient === 'arsip@dpmptsp.example')).toBe(false);
    expect(reporterTick(await detail(ref))).toBe(false);

    smtp.failing = true;
    expect((await sigap.dispatcher!.tick()).failed).toBeGreaterThanOrEqual(1);
    const afterRefusal = await detail(ref);
    expect(reporterTick(afterRefusal)).toBe(false);
    expect(afterRefusal.events.some((e: { type: string }) => e.type === 'reporter_informed')).toBe(false);
    const refused = afterRefusal.notifications.find((r: { recipient: string }) => r.recipient === REPORTER_ADDRESS);
    expect(refused).toMatchObject({ status: 'pending', attempts: 1 });
    expect(refused.lastError).toContain('451');
    const pageWhileFailing = await page(`/incidents/${ref}`);
    expect(pageWhileFailing.html).toContain('warga-mail');

    smtp.failing = false;
    advance(11_000);
    expect((await sigap.dispatcher!.tick()).sent).toBeGreaterThanOrEqual(1);

    const [mail] = mailsTo(REPORTER_ADDRESS);
    expect(mail).toBeDefined();
    expect(mail!.headers.get('subject')).toContain(ref);
    const text = textOf(mail!);
    expect(text).toContain('Yth. Ibu Sari');
    expect(text).toContain(ref);
    expect(text).toContain('Survei Kepuasan Masyarakat');
    expect(text).toContain('sudah kami selesaikan');
    expect(text).toContain('Gangguannya sudah diperbaiki.');
    expect(text).toContain('WIB');
    // Plain words only: no internal notes, codes, priorities or links into the dashboard.
    for (const internal of ['php-fpm', 'fixed', 'P3', 'desk1', '/incidents/', 'skm']) expect(text).not.toContain(internal);

    const after = await detail(ref);
    expect(reporterTick(after)).toBe(true);
    expect(after.reporterInformedAt).toBe(now.toISOString());
    const informed = after.events.filter((e: { type: string }) => e.type === 'reporter_informed');
    expect(informed).toHaveLength(1);
    expect(informed[0]).toMatchObject({ actor: 'sigap', data: { channel: 'warga-mail', notification: 'resolved', contactKind: 'email' } });
    // The timeline names the channel, not the person's address.
    expect(JSON.stringify(informed[0])).not.toContain(REPORTER_ADDRESS);

    const { html } = await page(`/incidents/${ref}`);
    expect(html).toContain('Pelapor dikabari');
    expect(html).toContain('Laporan masuk lewat: WhatsApp');
    expect(html).toContain('Pesan ke pelapor sudah terkirim.');
  });

  it('on closure tells the reporter again, once, that the report is closed', async () => {
    advance(MINUTE);
    expect((await desk.act(ref, 'close', { closureCode: 'unconfirmed' })).status).toBe(200);
    await sigap.dispatcher!.tick();
    await sigap.dispatcher!.tick();
    const mails = mailsTo(REPORTER_ADDRESS);
    expect(mails).toHaveLength(2);
    expect(textOf(mails[1]!)).toContain('sudah selesai ditangani dan kami tutup');
    const events = (await detail(ref)).events.filter((e: { type: string }) => e.type === 'reporter_informed');
    expect(events.map((e: { data: { notification: string } }) => e.data.notification)).toEqual(['resolved', 'closed']);
  });

  it('sends the reporter nothing once the desk switched it off, and records the switch in the timeline', async () => {
    const { json } = await desk.call('POST', '/api/incidents', { ...WHATSAPP_REPORT, reporter: { name: 'Ibu Rina', contact: 'rina@example.org' } });
    const quiet = json.ref as string;
    expect((await support.call('PUT', `/api/incidents/${quiet}/inform-reporter`, { informReporter: false })).status).toBe(403);
    expect((await manager.call('PUT', `/api/incidents/${quiet}/inform-reporter`, { informReporter: false })).status).toBe(403);
    const off = await desk.call('PUT', `/api/incidents/${quiet}/inform-reporter`, { informReporter: false, note: 'pelapor minta tidak dihubungi' });
    expect(off.status).toBe(200);
    expect(off.json.informReporter).toBe(false);
    expect(off.json.events.at(-1)).toMatchObject({ type: 'inform_reporter_changed', actor: 'desk1', data: { informReporter: false } });

    await desk.act(quiet, 'acknowledge');
    await desk.act(quiet, 'resolve', { resolutionCode: 'restarted', note: 'restart' });
    await desk.act(quiet, 'close', { closureCode: 'unconfirmed' });
    await sigap.dispatcher!.tick();
    const rows = (await detail(quiet)).notifications as Array<{ channel: string; recipient: string | null }>;
    expect(rows.some((r) => r.channel === 'warga-mail')).toBe(false);
    expect(mailsTo('rina@example.org')).toEqual([]);
    expect(reporterTick(await detail(quiet))).toBe(false);
  });

  it('the new-incident form refuses a future time and a subcategory of another category with Indonesian messages naming the fields', async () => {
    const form = await page('/incidents/new');
    expect(form.html).toContain('type="datetime-local"');
    expect(form.html).toContain('data-category="network"');
    expect(form.html).toContain('<script src="/static/incident-new.js" defer></script>');
    expect(form.html).toContain('banyak warga');

    const fields = {
      service: 'skm',
      title: 'Situs lambat',
      description: 'Datang langsung ke loket.',
      impact: 'low',
      urgency: 'low',
      category: 'performance',
      subcategory: 'slow-response',
      reporterName: 'Pak Ali',
      reporterContact: '',
      reportedVia: 'walk_in',
      reportedAt: '2026-03-02T08:45',
      informReporterShown: '1',
    };
    const wrongSubcategory = await postForm('/incidents/new', { ...fields, category: 'network', subcategory: 'outage' });
    expect(wrongSubcategory.status).toBe(422);
    const subcategoryHtml = await wrongSubcategory.text();
    expect(subcategoryHtml).toContain('<li><strong>Subkategori</strong>: pilih salah satu: DNS, koneksi</li>');
    expect(subcategoryHtml).not.toMatch(/must (not )?be/);

    // The form asks how the report came in (the API alone assumes `other`).
    const noChannel = await postForm('/incidents/new', { ...fields, reportedVia: '' });
    expect(noChannel.status).toBe(422);
    expect(await noChannel.text()).toContain('<li><strong>Laporan masuk lewat</strong>: Pilih lewat apa laporan masuk.</li>');

    // 12:00 WIB while the office clock says about 09:20.
    const future = await postForm('/incidents/new', { ...fields, reportedAt: '2026-03-02T12:00' });
    expect(future.status).toBe(422);
    const futureHtml = await future.text();
    expect(futureHtml).toContain('<li><strong>Waktu laporan diterima</strong>: tidak boleh di masa depan</li>');
    expect(futureHtml).toContain('value="2026-03-02T12:00"');
    expect(futureHtml).not.toMatch(/must (not )?be/);
  });

  it('the new-incident form logs a walk-in report with the office time it came in as the detection time', async () => {
    const res = await postForm('/incidents/new', {
      service: 'skm',
      title: 'Situs lambat',
      description: 'Datang langsung ke loket.',
      impact: 'low',
      urgency: 'low',
      category: 'performance',
      subcategory: 'slow-response',
      reporterName: 'Pak Ali',
      reporterContact: 'ali@example.org',
      reportedVia: 'walk_in',
      reportedAt: '2026-03-02T08:15',
      informReporterShown: '1',
    });
    expect(res.status).toBe(303);
    const walkInRef = decodeURIComponent(res.headers.get('location')!.split('/').pop()!);
    const logged = await detail(walkInRef);
    expect(logged).toMatchObject({ reportedVia: 'walk_in', detectedAt: '2026-03-02T01:15:00.000Z', informReporter: false });
  });

  it('counts incidents by how the report came in, in the report JSON, its CSV and the report page', async () => {
    const { json } = await manager.call('GET', '/api/reports/incidents?from=2026-03-01&to=2026-03-03');
    expect(json.byReportedVia).toEqual({ whatsapp: 2, other: 1, phone: 1, walk_in: 1 });
    expect(json.incidents.find((i: { ref: string }) => i.ref === ref).reportedVia).toBe('whatsapp');
    const token = (await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('kabid'))!, 'csv')).token;
    const csv = await (await fetch(`${sigap.url}/api/reports/incidents?from=2026-03-01&to=2026-03-03&format=csv`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(csv.split('\r\n')[0]).toMatch(/;Masuk lewat$/);
    expect(csv).toContain(';WhatsApp\r\n');
    const report = await page('/reports?month=2026-03');
    expect(report.html).toMatch(/<tr data-reported-via="whatsapp"><td>WhatsApp<\/td><td>2<\/td><\/tr>/);
  });
});
