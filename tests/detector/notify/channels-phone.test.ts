// The phone channels end to end on real SQLite and PostgreSQL: an incident opened through the
// manual command writes its outbox rows with the event, the real dispatcher delivers them to a
// local stand-in of the WhatsApp Cloud API and of an HTTP SMS/WhatsApp gateway (port 0), and what
// the stand-ins receive is checked as they would read it. Failures are retried through the
// dispatcher with the same Idempotency-Key; WhatsApp's errors become Indonesian last errors.
import type { IncomingHttpHeaders } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import type { User } from '../../../detector/accounts/account-types.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import type { ManualIncidentInput } from '../../../detector/incidents/incident-commands.js';
import { createIncidentServices, type IncidentServices } from '../../../detector/incidents/incident-services.js';
import { createChannel } from '../../../detector/notify/channels/index.js';
import { NotificationDispatcher } from '../../../detector/notify/dispatcher.js';
import { phoneText } from '../../../detector/notify/messages.js';
import { NotificationService } from '../../../detector/notify/notification-service.js';
import type { Channel } from '../../../detector/notify/notification-types.js';
import { NotificationPlanner } from '../../../detector/notify/planner.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { notificationJson } from '../../../api/presenters/notification-json.js';
import { startHttpServer, type LocalServer } from '../../helpers/local-servers.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';
import { OUTAGE_REPORT } from '../../helpers/incident-api.js';

const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const SEC = 1000;
const at = (ms: number) => new Date(T0 + ms);
const silent = pino({ level: 'silent' });
const desk: User = { id: 1, username: 'desk1', displayName: 'Desk', role: 'service_desk', language: 'id', active: true, email: null };
const TOKEN = 'EAAGtestAccessToken0123456789secret';
const GATEWAY_KEY = 'fonnte-key-0123456789';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A stand-in that records every request; `answers` are used first, one per request, then 200 with `ok`. */
class StandIn {
  readonly received: Received[] = [];
  answers: Array<{ status: number; body: unknown }> = [];
  ok: unknown = {};
  server!: LocalServer;

  async start(): Promise<void> {
    this.server = await startHttpServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        this.received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        const answer = this.answers.shift() ?? { status: 200, body: this.ok };
        response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
  }
}

const graphError = (code: number, message: string, details: string) => ({
  error: { message, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: 'AbCdEf' },
});

const yaml = (whatsappBase: string, gateway: string) => `
timezone: Asia/Jakarta
notifications:
  baseUrl: https://sigap.dpmptsp.example
  channels:
    - { key: wa-desk, type: whatsapp, phoneNumberId: "109876543210", accessToken: "${TOKEN}", apiBaseUrl: "${whatsappBase}/v23.0", to: ["0812-3456-7890", "+62 813 1111 2222"], timeout: 2s }
    - key: wa-template
      type: whatsapp
      phoneNumberId: "109876543211"
      accessToken: "${TOKEN}"
      apiBaseUrl: "${whatsappBase}/v23.0"
      to: ["0856 7777 8888"]
      template: { name: sigap_insiden, language: id }
      timeout: 2s
    - key: gw-json
      type: http
      url: "${gateway}/send"
      headers: { Content-Type: application/json, Authorization: "${GATEWAY_KEY}" }
      body: '{"target":"{{recipient}}","message":"{{text}}","title":"{{incident.title}}","ref":"{{incident.ref}}","event":"{{event}}"}'
      to: ["0812 9999 0000"]
      timeout: 2s
    - key: gw-form
      type: http
      method: PUT
      url: "${gateway}/form/{{recipient}}"
      headers: { Content-Type: application/x-www-form-urlencoded }
      body: "target={{recipient}}&message={{text}}&title={{incident.title}}&link={{link}}"
      to: ["0812 9999 0001"]
      language: en
      timeout: 2s
  routes:
    - { events: [opened], services: [pengaduan], notify: [wa-desk] }
    - { events: [opened], services: [skm], notify: [wa-template] }
    - { events: [opened], services: [perizinan], notify: [gw-json] }
    - { events: [opened], services: [arsip], notify: [gw-form] }
  reporters: { notify: [wa-desk, gw-json], events: [resolved] }
services:
  - { key: pengaduan, name: Pengaduan Masyarakat, impact: high }
  - { key: skm, name: Survei Kepuasan Masyarakat, impact: low }
  - { key: perizinan, name: Perizinan Online, impact: high }
  - { key: arsip, name: Arsip Digital, impact: medium }
`;

/** Quotes, a backslash, new lines, a closing script tag, an emoji and a non-Latin script. */
const HOSTILE_TITLE = 'Server "utama" C:\\data\nbaris dua\r\n</script><b>tebal</b> & ✅ 日本語 — «ok»';

describe.each(testDatabaseKinds())('the whatsapp and http channels through the outbox on $name', (kind) => {
  const whatsapp = new StandIn();
  const gateway = new StandIn();
  let testDb: TestDatabase;
  let db: Database;
  let config: SigapConfig;
  let now = at(0);
  let incidents: IncidentServices;
  const clock = () => now;

  function dispatcher(owner: string) {
    const channels = new Map<string, Channel>(config.notifications.channels.map((c) => [c.key, createChannel(c, null)]));
    return new NotificationDispatcher({
      db,
      channels,
      people: null,
      retry: config.notifications.retry,
      owner,
      clock,
      logger: silent,
      onReporterDelivered: (stores, row, sentAt) =>
        incidents.commands.reporterInformed(
          stores,
          { outboxId: row.id, incidentRef: row.incidentRef, channelKey: row.channelKey, event: row.event, recipient: row.recipient },
          sentAt,
        ),
    });
  }
  async function deliverOnce(owner: string) {
    const d = dispatcher(owner);
    try {
      return await d.tick();
    } finally {
      await d.stop();
    }
  }
  const outboxOf = async (ref: string) => {
    const incident = (await db.stores.incidents.findByRef(ref))!;
    return db.stores.notifications.listForIncident(incident.id);
  };
  async function open(input: Partial<ManualIncidentInput>) {
    return (await incidents.commands.logManual(desk, { ...OUTAGE_REPORT, ...input })).incident.ref;
  }
  const bodies = (standIn: StandIn) => standIn.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);

  beforeAll(async () => {
    await whatsapp.start();
    await gateway.start();
    whatsapp.ok = { messaging_product: 'whatsapp', contacts: [{ input: '6281234567890', wa_id: '6281234567890' }], messages: [{ id: 'wamid.HBgM' }] };
    gateway.ok = { status: true, detail: 'success! message in queue' };
    config = parseConfig(yaml(whatsapp.server.origin, gateway.server.origin), 'sigap.yaml', {});
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at(0));
    const planner = new NotificationPlanner({ config: config.notifications, timezone: config.timezone, checks: fixedCheckLookup(config.services) });
    incidents = createIncidentServices({
      db,
      checks: fixedCheckLookup(config.services),
      policy: config.policy,
      calendar: config.calendar,
      clock,
      reminders: config.notifications.reminders,
      onEvent: (stores, incident, event) => planner.plan(stores, incident, event),
    });
  });
  beforeEach(async () => {
    // Whatever an earlier test left due is delivered first, then forgotten.
    whatsapp.answers = [];
    gateway.answers = [];
    now = at(now.getTime() - T0 + 3_600 * SEC);
    while ((await deliverOnce('drain')).sent > 0);
    whatsapp.received.length = 0;
    gateway.received.length = 0;
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('sends an opened incident to the Cloud API as text, one message per number, with the bearer token', async () => {
    const ref = await open({});
    expect(await deliverOnce('wa')).toMatchObject({ sent: 2, failed: 0 });
    expect(whatsapp.received.map((r) => [r.method, r.url, r.headers.authorization, r.headers['content-type']])).toEqual([
      ['POST', '/v23.0/109876543210/messages', `Bearer ${TOKEN}`, 'application/json'],
      ['POST', '/v23.0/109876543210/messages', `Bearer ${TOKEN}`, 'application/json'],
    ]);
    const rows = await outboxOf(ref);
    expect(rows.map((r) => [r.channelKey, r.recipient, r.status]).sort()).toEqual([
      ['wa-desk', '6281234567890', 'sent'],
      ['wa-desk', '6281311112222', 'sent'],
    ]);
    const sent = bodies(whatsapp).sort((a, b) => String(a.to).localeCompare(String(b.to)));
    const text = phoneText(rows[0]!.payload);
    expect(sent).toEqual([
      { messaging_product: 'whatsapp', recipient_type: 'individual', to: '6281234567890', type: 'text', text: { body: text, preview_url: false } },
      { messaging_product: 'whatsapp', recipient_type: 'individual', to: '6281311112222', type: 'text', text: { body: text, preview_url: false } },
    ]);
    expect(text).toContain(ref);
    expect(text).toContain('Pengaduan Masyarakat');
    expect(text).toContain(`https://sigap.dpmptsp.example/incidents/${ref}`);
    expect(text).toContain('TERBUKA');
  });

  it('sends a template message when the channel names one: ref, short text and link as the body parameters', async () => {
    const ref = await open({ service: 'skm', impact: 'low', urgency: 'low', title: 'Survei tidak\nbisa diisi' });
    expect(await deliverOnce('wa-template')).toMatchObject({ sent: 1 });
    const [row] = await outboxOf(ref);
    expect(whatsapp.received.map((r) => r.url)).toEqual(['/v23.0/109876543211/messages']);
    const [body] = bodies(whatsapp);
    expect(body).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '6285677778888', type: 'template' });
    const template = body!.template as { name: string; language: { code: string }; components: Array<{ type: string; parameters: Array<{ type: string; text: string }> }> };
    expect(template.name).toBe('sigap_insiden');
    expect(template.language).toEqual({ code: 'id' });
    expect(template.components).toHaveLength(1);
    expect(template.components[0]!.type).toBe('body');
    const [refParam, textParam, linkParam] = template.components[0]!.parameters;
    expect(refParam).toEqual({ type: 'text', text: ref });
    expect(linkParam).toEqual({ type: 'text', text: row!.payload.link });
    // A template parameter may not hold a new line: the lines of the text are joined.
    expect(textParam!.type).toBe('text');
    expect(textParam!.text).not.toMatch(/[\n\r\t]/);
    expect(textParam!.text).toBe(phoneText(row!.payload).split('\n').join(' · '));
  });

  it('fills a JSON gateway body with the recipient and the text, escaped so that it parses back to the same strings', async () => {
    const ref = await open({ service: 'perizinan', title: HOSTILE_TITLE });
    expect(await deliverOnce('gw')).toMatchObject({ sent: 1 });
    const [row] = await outboxOf(ref);
    expect(gateway.received).toHaveLength(1);
    const [request] = gateway.received;
    expect([request!.method, request!.url, request!.headers['content-type'], request!.headers.authorization]).toEqual(['POST', '/send', 'application/json', GATEWAY_KEY]);
    expect(request!.headers['idempotency-key']).toBe(row!.idempotencyKey);
    expect(request!.body).not.toContain('</script>');
    const parsed = JSON.parse(request!.body) as Record<string, string>;
    expect(parsed).toEqual({ target: '6281299990000', message: phoneText(row!.payload), title: HOSTILE_TITLE, ref, event: 'opened' });
    expect(parsed.message).toContain(ref);
  });

  it('fills a form-encoded gateway body and a {{recipient}} in the URL, and speaks the channel’s language', async () => {
    const ref = await open({ service: 'arsip', impact: 'medium', title: 'Arsip & "dokumen" 100% hilang?\nya' });
    expect(await deliverOnce('gw-form')).toMatchObject({ sent: 1 });
    const [row] = await outboxOf(ref);
    const [request] = gateway.received;
    expect([request!.method, request!.url, request!.headers['content-type']]).toEqual(['PUT', '/form/6281299990001', 'application/x-www-form-urlencoded']);
    const form = new URLSearchParams(request!.body);
    expect([...form.keys()]).toEqual(['target', 'message', 'title', 'link']);
    expect(Object.fromEntries(form)).toEqual({ target: '6281299990001', message: phoneText(row!.payload), title: 'Arsip & "dokumen" 100% hilang?\nya', link: row!.payload.link });
    expect(row!.payload.language).toBe('en');
    expect(form.get('message')).toContain('OPENED');
  });

  it('retries a rate limit and a 5xx answer and then delivers, with one Idempotency-Key; the rate limit reads in Indonesian', async () => {
    const ref = await open({ service: 'skm', impact: 'low', urgency: 'low' });
    whatsapp.answers = [
      { status: 429, body: graphError(130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.') },
      { status: 500, body: graphError(131000, '(#131000) Something went wrong', 'Something went wrong') },
    ];
    expect(await deliverOnce('try-1')).toMatchObject({ sent: 0, failed: 1 });
    let [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('batas kecepatan kirim WhatsApp tercapai');
    expect(row!.lastError).toContain('kode 130429');

    now = row!.nextAttemptAt;
    expect(await deliverOnce('try-2')).toMatchObject({ sent: 0, failed: 1 });
    [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row!.lastError).toContain('kode 131000');

    now = row!.nextAttemptAt;
    expect(await deliverOnce('try-3')).toMatchObject({ sent: 1 });
    [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(whatsapp.received.map((r) => r.headers['idempotency-key'])).toEqual([row!.idempotencyKey, row!.idempotencyKey, row!.idempotencyKey]);
    expect(new Set(whatsapp.received.map((r) => r.body)).size).toBe(1);
  });

  it('a gateway answering 503 is tried again with the same Idempotency-Key; its error keeps the status and hides the key', async () => {
    const ref = await open({ service: 'perizinan' });
    gateway.answers = [{ status: 503, body: { reason: 'maintenance', echo: `Authorization: ${GATEWAY_KEY}` } }];
    expect(await deliverOnce('gw-1')).toMatchObject({ failed: 1 });
    let [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('HTTP 503');
    expect(row!.lastError).toContain('maintenance');
    expect(row!.lastError).not.toContain(GATEWAY_KEY);
    now = row!.nextAttemptAt;
    expect(await deliverOnce('gw-2')).toMatchObject({ sent: 1 });
    [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
    expect(gateway.received.map((r) => r.headers['idempotency-key'])).toEqual([row!.idempotencyKey, row!.idempotencyKey]);
  });

  it('outside the 24-hour window the message fails for good with an Indonesian error naming the code, listed for the desk', async () => {
    const ref = await open({ service: 'skm', impact: 'low', urgency: 'low' });
    whatsapp.answers = [
      {
        status: 400,
        body: graphError(
          131047,
          '(#131047) Re-engagement message',
          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        ),
      },
    ];
    await deliverOnce('window');
    const [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toContain('di luar jendela 24 jam');
    expect(row!.lastError).toContain('kode 131047');
    // Nothing retries it by itself.
    now = at(now.getTime() - T0 + 10 * 3_600 * SEC);
    await deliverOnce('later');
    expect(whatsapp.received).toHaveLength(1);
    const listed = (await new NotificationService({ db, clock }).undelivered(desk)).find((r) => r.id === row!.id);
    expect(listed && notificationJson(listed)).toMatchObject({ channel: 'wa-template', recipient: '6285677778888', status: 'failed', lastError: row!.lastError });
  });

  it('an expired or invalid access token is a permanent failure, and the token never reaches the error', async () => {
    const ref = await open({ service: 'skm', impact: 'low', urgency: 'low' });
    whatsapp.answers = [{ status: 401, body: graphError(190, `Error validating access token: Session has expired (token ${TOKEN})`, '') }];
    await deliverOnce('token');
    const [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toContain('access token tidak berlaku');
    expect(row!.lastError).toContain('kode 190');
    expect(JSON.stringify(await outboxOf(ref))).not.toContain(TOKEN);
  });
  it("tells a manual incident's reporter on WhatsApp and through the gateway when it is resolved, in plain words, retried until delivered", async () => {
    const ref = await open({ service: 'perizinan', reporter: { name: 'Ibu Sari', contact: '0857-1234-5678' } });
    await deliverOnce('staff');
    whatsapp.received.length = 0;
    gateway.received.length = 0;
    await incidents.commands.act(desk, ref, { action: 'acknowledge' });
    await incidents.commands.act(desk, ref, { action: 'resolve', resolutionCode: 'restarted', note: 'php-fpm dimulai ulang di web-02' });
    whatsapp.answers = [{ status: 429, body: graphError(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.') }];
    // The reporter's two rows and the staff's `resolved` (it follows `opened` to the gateway).
    expect(await deliverOnce('first')).toMatchObject({ sent: 2, failed: 1 });
    expect((await outboxOf(ref)).filter((r) => r.payload.audience === 'reporter' && r.status !== 'sent').map((r) => r.channelKey)).toEqual(['wa-desk']);
    now = at(now.getTime() - T0 + 3_600 * SEC);
    expect(await deliverOnce('retry')).toMatchObject({ sent: 1 });

    const toReporter = bodies(whatsapp).filter((b) => b.to === '6285712345678');
    expect(toReporter).toHaveLength(2);
    expect(whatsapp.received[0]!.headers['idempotency-key']).toBe(whatsapp.received[1]!.headers['idempotency-key']);
    const text = (toReporter[1]!.text as { body: string }).body;
    expect(text).toContain('Ibu Sari');
    expect(text).toContain(ref);
    expect(text).toContain('Perizinan Online');
    expect(text).not.toContain('php-fpm');
    expect(text).not.toContain('/incidents/');
    const viaGateway = bodies(gateway).filter((b) => b.target === '6285712345678');
    expect(viaGateway).toHaveLength(1);
    expect(viaGateway[0]!.message).toBe(text);
    const rows = (await outboxOf(ref)).filter((r) => r.payload.audience === 'reporter');
    expect(rows.map((r) => [r.channelKey, r.recipient, r.status]).sort()).toEqual([
      ['gw-json', '6285712345678', 'sent'],
      ['wa-desk', '6285712345678', 'sent'],
    ]);
    const incident = (await db.stores.incidents.findByRef(ref))!;
    expect(incident.reporterInformedAt).not.toBeNull();
  });
});
