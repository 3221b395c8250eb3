// The phone channels in a whole Sigap (main.ts wires the channels, the API and the pages): a
// WhatsApp delivery refused outside the 24-hour window is listed by GET /api/notifications and on
// /notifications with its Indonesian last error and the number it was for, and neither the
// answer nor the page shows the access token or the gateway's key; an HTTP gateway gets its
// request from the running dispatcher. On SQLite and PostgreSQL, against stand-ins on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { startHttpServer, type LocalServer } from '../helpers/local-servers.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const START = new Date('2026-03-02T02:00:00Z');
const TOKEN = 'EAAGapiTestToken-0123456789-secret';
const GATEWAY_KEY = 'gateway-key-0123456789';

describe.each(testDatabaseKinds())('phone channel deliveries through the API and the pages, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let whatsapp: LocalServer;
  let gateway: LocalServer;
  const gatewayBodies: string[] = [];
  let desk: Caller;
  let admin: { cookie: string; csrfToken: string };

  beforeAll(async () => {
    whatsapp = await startHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const error = { message: '(#131047) Re-engagement message', type: 'OAuthException', code: 131047, error_data: { details: `24 hours passed (${TOKEN})` } };
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
      });
    });
    gateway = await startHttpServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        gatewayBodies.push(text);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":true}');
      });
    });
    database = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: database.url,
      env: { WHATSAPP_TOKEN: TOKEN, GATEWAY_KEY },
      yaml: `${INCIDENT_TEST_YAML}
notifications:
  channels:
    - { key: desk-wa, type: whatsapp, phoneNumberId: "109876543210", accessToken: "\${WHATSAPP_TOKEN}", apiBaseUrl: "${whatsapp.origin}", to: ["0812-3456-7890"], timeout: 5s }
    - { key: desk-sms, type: http, url: "${gateway.origin}/send", headers: { X-Api-Key: "\${GATEWAY_KEY}", Content-Type: application/json }, body: '{"to":"{{recipient}}","text":"{{text}}"}', to: ["0813 1111 2222"], timeout: 5s }
  routes:
    - { events: [opened], notify: [desk-wa, desk-sms] }
`,
      start: { clock: () => START, slaSweepMs: 0, dispatchMs: 0 },
    });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    admin = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await whatsapp?.stop();
    await gateway?.stop();
    await database?.drop();
  });

  it('lists the refused WhatsApp delivery with its Indonesian error and its number, without any secret', async () => {
    const ref = await logIncident(desk, { title: 'Formulir "SKM" gagal\nkirim' });
    expect(await sigap.dispatcher!.tick()).toEqual({ sent: 1, failed: 1 });
    expect(gatewayBodies.map((b) => JSON.parse(b))).toEqual([{ to: '6281311112222', text: expect.stringContaining(ref) }]);
    expect(JSON.parse(gatewayBodies[0]!).text).toContain('Formulir "SKM" gagal kirim');

    const { status, json } = await desk.call('GET', '/api/notifications');
    expect(status).toBe(200);
    expect(json.items).toEqual([
      expect.objectContaining({ incident: ref, event: 'opened', channel: 'desk-wa', recipient: '6281234567890', status: 'failed', attempts: 1, nextAttemptAt: null }),
    ]);
    expect(json.items[0].lastError).toMatch(/^whatsapp desk-wa: di luar jendela 24 jam: .*\(kode 131047\)$/);

    const incident = await desk.call('GET', `/api/incidents/${ref}`);
    expect(incident.json.notifications.map((n: { channel: string; status: string }) => [n.channel, n.status]).sort()).toEqual([
      ['desk-sms', 'sent'],
      ['desk-wa', 'failed'],
    ]);

    for (const who of [admin, await logIn(sigap.url!, 'desk1', 'desk1-password')]) {
      const res = await fetch(`${sigap.url}/notifications`, { headers: { cookie: who.cookie, accept: 'text/html' } });
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain('desk-wa');
      expect(html).toContain('6281234567890');
      expect(html).toContain('di luar jendela 24 jam');
      expect(html).not.toContain(TOKEN);
      expect(html).not.toContain(GATEWAY_KEY);
    }
    for (const answer of [json, incident.json]) {
      expect(JSON.stringify(answer)).not.toContain(TOKEN);
      expect(JSON.stringify(answer)).not.toContain(GATEWAY_KEY);
    }
  });
});
