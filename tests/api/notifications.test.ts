// The notification outbox as people see it: every incident event queues its deliveries (shown on
// the incident and, once they fail, on /notifications with their last error), the dispatcher
// retries with backoff, and a person can make a failing one due now. People reached by role get
// an e-mail. On SQLite and PostgreSQL, with a clock the test moves and a dispatcher it ticks by
// hand, against a real webhook receiver and a real SMTP server on 127.0.0.1.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { startHttpServer } from '../helpers/local-servers.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const SECOND = 1000;
// Monday 2 March 2026, 09:00 in Jakarta.
const START = new Date('2026-03-02T02:00:00Z');

/** A webhook receiver that answers 500 while `failing`, and keeps every body it accepted. */
async function startReceiver() {
  const state = { failing: false, refused: 0, accepted: [] as Array<{ headers: Record<string, string | string[] | undefined>; body: any }> };
  const server = await startHttpServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      if (state.failing) {
        state.refused += 1;
        res.writeHead(500).end('receiver is down');
        return;
      }
      state.accepted.push({ headers: req.headers, body: JSON.parse(text) });
      res.writeHead(200).end('ok');
    });
  });
  return Object.assign(state, { server });
}

/** A real SMTP server without STARTTLS, keeping each message's recipients and raw text. */
async function startSmtp() {
  const messages: Array<{ to: string[]; raw: string }> = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, messages, port: (server.server.address() as AddressInfo).port };
}

/** The decoded text/plain part of a raw message (quoted-printable soft breaks joined). */
function plainTextOf(raw: string): string {
  const match = /Content-Type: text\/plain[^]*?\r\n\r\n([^]*?)\r\n--/i.exec(raw);
  return (match?.[1] ?? '').replace(/=\r\n/g, '');
}

describe.each(testDatabaseKinds())('notifications through the API and the pages, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let now = START;
  let desk: Caller;
  let manager: Caller;
  let vendor: Caller;
  let admin: { cookie: string; csrfToken: string };
  let ref: string;
  let failingId: number;

  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  const deliveriesOf = async (incidentRef: string) => (await desk.call('GET', `/api/incidents/${incidentRef}`)).json.notifications as Array<Record<string, unknown>>;
  const page = async (path: string, who: { cookie: string } = admin) => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: who.cookie, accept: 'text/html' } });
    return { status: res.status, html: await res.text() };
  };
  const postForm = (path: string, fields: Record<string, string>) =>
    fetch(`${sigap.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  beforeAll(async () => {
    receiver = await startReceiver();
    smtp = await startSmtp();
    database = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: database.url,
      yaml: `${INCIDENT_TEST_YAML}
notifications:
  smtp: { host: 127.0.0.1, port: ${smtp.port}, from: sigap@dpmptsp.example, timeout: 5s }
  channels:
    - { key: hook, type: webhook, url: "${receiver.server.origin}/hook", timeout: 5s }
  routes:
    - { events: [opened], notify: [hook] }
    - { events: [escalated], roles: [manager] }
`,
      start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 },
    });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    manager = await callerFor(sigap, 'kabid0', 'manager'); // no e-mail address: never reached by role
    vendor = await callerFor(sigap, 'vendor1', 'vendor');
    admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await receiver?.server.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
    await database?.drop();
  });

  it('queues an opened delivery when an incident is logged by hand, shown on the incident in the API and on its page', async () => {
    ref = await logIncident(desk);
    expect(await deliveriesOf(ref)).toEqual([
      expect.objectContaining({ incident: ref, event: 'opened', channel: 'hook', recipient: null, status: 'pending', attempts: 0, lastError: null, sentAt: null }),
    ]);
    // Not failing yet: nothing on the list of failing deliveries.
    expect((await desk.call('GET', '/api/notifications')).json.items).toEqual([]);

    const { status, html } = await page(`/incidents/${ref}`);
    expect(status).toBe(200);
    expect(html).toContain('Riwayat notifikasi');
    const table = html.slice(html.indexOf('Riwayat notifikasi'));
    expect(table).toContain('<td>hook</td>');
    expect(table).toContain('menunggu');
  });

  it('lists a delivery the receiver refused with its last error and attempt count, and retries it only after the backoff', async () => {
    receiver.failing = true;
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 0, failed: 1 });
    expect(receiver.refused).toBe(1);

    const { status, json } = await desk.call('GET', '/api/notifications');
    expect(status).toBe(200);
    expect(json.items).toHaveLength(1);
    const [failing] = json.items;
    expect(failing).toMatchObject({ incident: ref, event: 'opened', channel: 'hook', status: 'pending', attempts: 1, sentAt: null });
    expect(failing.lastError).toMatch(/^webhook hook: HTTP 500/);
    expect(failing.lastError).toContain('receiver is down');
    expect(failing.nextAttemptAt).toBe(new Date(now.getTime() + 10 * SECOND).toISOString());
    failingId = failing.id;

    // Not due before the backoff has passed; due after it.
    advance(9 * SECOND);
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 0, failed: 0 });
    advance(2 * SECOND);
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 0, failed: 1 });
    const [again] = (await desk.call('GET', '/api/notifications')).json.items;
    expect(again).toMatchObject({ id: failingId, attempts: 2 });
    // the second wait is twice the first
    expect(again.nextAttemptAt).toBe(new Date(now.getTime() + 20 * SECOND).toISOString());
  });

  it('shows the failing delivery on the notifications page with a "Coba kirim sekarang" form', async () => {
    const { status, html } = await page('/notifications');
    expect(status).toBe(200);
    expect(html).toContain(`href="/incidents/${ref}"`);
    expect(html).toContain('webhook hook: HTTP 500');
    expect(html).toContain(
      `<form method="post" action="/notifications/${failingId}/retry" class="inline"><input type="hidden" name="_csrf" value="${admin.csrfToken}"><button type="submit">Coba kirim sekarang</button></form>`,
    );
  });

  it('makes a failing delivery due now on retry, and the next round delivers it once', async () => {
    receiver.failing = false;
    const { status, json } = await desk.call('POST', `/api/notifications/${failingId}/retry`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ id: failingId, status: 'pending', attempts: 2, nextAttemptAt: now.toISOString() });

    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 1, failed: 0 });
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.accepted[0]!.body).toMatchObject({ version: '4', status: 'firing', receiver: 'hook', sigap: { event: 'opened', incident: { ref } } });
    expect(await deliveriesOf(ref)).toEqual([expect.objectContaining({ id: failingId, status: 'sent', attempts: 3, lastError: null, sentAt: now.toISOString() })]);
    expect((await desk.call('GET', '/api/notifications')).json.items).toEqual([]);

    // Nothing left to deliver.
    advance(60 * SECOND);
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 0, failed: 0 });
    expect(receiver.accepted).toHaveLength(1);
  });

  it('refuses to retry a delivered notification (409), answers 404 for an unknown one and 422 for what is not an id', async () => {
    const delivered = await desk.call('POST', `/api/notifications/${failingId}/retry`);
    expect(delivered.status).toBe(409);
    expect(delivered.json.error.code).toBe('conflict');
    const unknown = await desk.call('POST', '/api/notifications/999999/retry');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
    const notAnId = await desk.call('POST', '/api/notifications/abc/retry');
    expect(notAnId.status).toBe(422);
    expect(notAnId.json.error.details).toEqual([{ path: 'id', message: 'must be a notification id' }]);
  });

  it('shows failing deliveries to a manager without letting them retry, and to a vendor not at all', async () => {
    receiver.failing = true;
    const other = await logIncident(desk, { title: 'Halaman pengaduan kosong', service: 'pengaduan' });
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 0, failed: 1 });
    const [row] = (await desk.call('GET', '/api/notifications')).json.items;
    expect(row).toMatchObject({ incident: other, attempts: 1 });
    failingId = row.id;

    expect((await vendor.call('GET', '/api/notifications')).status).toBe(403);
    const read = await manager.call('GET', '/api/notifications');
    expect(read.status).toBe(200);
    expect(read.json.items.map((i: { id: number }) => i.id)).toEqual([failingId]);
    expect((await manager.call('POST', `/api/notifications/${failingId}/retry`)).status).toBe(403);
    expect((await vendor.call('POST', `/api/notifications/${failingId}/retry`)).status).toBe(403);

    const managerPage = await page('/notifications', await logIn(sigap.url!, 'kabid0', 'kabid0-password'));
    expect(managerPage.status).toBe(200);
    expect(managerPage.html).toContain('webhook hook: HTTP 500');
    expect(managerPage.html).not.toContain('Coba kirim sekarang');
    expect((await page('/notifications', await logIn(sigap.url!, 'vendor1', 'vendor1-password'))).status).toBe(403);
  });

  it('refuses the page form without the CSRF token and redirects back to the list with it', async () => {
    receiver.failing = false;
    const refused = await postForm(`/notifications/${failingId}/retry`, {});
    expect(refused.status).toBe(403);
    const wrong = await postForm(`/notifications/${failingId}/retry`, { _csrf: 'not-the-token' });
    expect(wrong.status).toBe(403);

    const accepted = await postForm(`/notifications/${failingId}/retry`, { _csrf: admin.csrfToken });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/notifications');
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 1, failed: 0 });
    expect(receiver.accepted).toHaveLength(2);
    expect((await page('/notifications')).html).toContain('Semua notifikasi sudah terkirim.');
  });

  it('e-mails every manager with an address when the head of division is brought in', async () => {
    await sigap.accounts.createUser({ username: 'kabid', displayName: 'Kepala Bidang', role: 'manager', password: 'kabid-password', email: 'kabid@dpmptsp.example' });
    const { status } = await desk.act(ref, 'escalate_management', { note: 'formulir mati sejak pagi' });
    expect(status).toBe(200);

    const escalated = (await deliveriesOf(ref)).filter((d) => d.event === 'escalated');
    expect(escalated).toEqual([expect.objectContaining({ channel: 'role:manager', recipient: 'kabid@dpmptsp.example', status: 'pending', attempts: 0 })]);

    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 1, failed: 0 });
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail!.to).toEqual(['kabid@dpmptsp.example']);
    expect(plainTextOf(mail!.raw)).toContain(ref);
    expect((await deliveriesOf(ref)).find((d) => d.event === 'escalated')).toMatchObject({ status: 'sent', attempts: 1 });
    // the webhook route is for opened only
    expect(receiver.accepted).toHaveLength(2);
  });
});
