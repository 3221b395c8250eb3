// The whole notification path as `npm start` runs it, with real time: a real site on 127.0.0.1
// stops answering, the probe confirms it, the incident's `opened` message reaches a real webhook
// receiver in Alertmanager's v4 shape; the site comes back and the `restored` message resolves the
// same alert. The dispatcher and the SLA sweep run by themselves. On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { startHttpServer, type LocalServer } from '../helpers/local-servers.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { StandInSite } from '../helpers/sigap-process.js';
import { until, waitFor } from '../helpers/wait.js';

const PAGE = '<html><body><h1>Survei Kepuasan Masyarakat</h1></body></html>';

interface Received {
  idempotencyKey: string | undefined;
  body: {
    version: string;
    status: string;
    receiver: string;
    alerts: Array<{ status: string; labels: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string }>;
    sigap: { event: string; incident: { ref: string } };
  };
}

describe.each(testDatabaseKinds())('an outage and its recovery reach a webhook receiver, on $name', (kind) => {
  const site = new StandInSite(PAGE);
  const received: Received[] = [];
  let receiver: LocalServer;
  let testDb: TestDatabase;
  let sigap: Sigap;
  let auth: { cookie: string };

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: auth.cookie } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const ofEvent = (event: string) => received.filter((r) => r.body.sigap.event === event);
  /** Every delivery of the incident has been accepted: nothing more is on its way. */
  const allDelivered = async (ref: string) => {
    const { notifications } = await api<{ notifications: Array<{ status: string }> }>(`/api/incidents/${ref}`);
    return notifications.length > 0 && notifications.every((n) => n.status === 'sent');
  };

  beforeAll(async () => {
    receiver = await startHttpServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        received.push({ idempotencyKey: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(text) as Received['body'] });
        res.writeHead(200).end();
      });
    });
    await site.start();
    testDb = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: `
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - key: skm-form
        type: http
        url: http://127.0.0.1:${site.port}/
        interval: 300ms
        timeout: 200ms
        retryInterval: 100ms
        failureThreshold: 2
        successThreshold: 2
        expect: { status: [200], contains: ["Survei Kepuasan"] }
notifications:
  channels:
    - { key: hook, type: webhook, url: "${receiver.origin}/alerts", timeout: 2s }
  routes:
    - { events: [opened, restored], notify: [hook] }
`,
    });
    auth = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await site.stop();
    await receiver?.stop();
    await testDb?.drop();
  });

  it('sends nothing while the site is healthy', async () => {
    await waitFor('the check to be up', async () => {
      const { items } = await api<{ items: Array<{ checks: Array<{ state: string }> }> }>('/api/services');
      return items[0]?.checks[0]?.state === 'up' ? true : undefined;
    });
    expect(received).toEqual([]);
  });

  it('sends one firing alert when the site stops answering', async () => {
    await site.stop();
    const [opened] = await waitFor('the opened message', async () => (ofEvent('opened').length > 0 ? ofEvent('opened') : undefined));
    const ref = opened!.body.sigap.incident.ref;
    await until('every delivery of the incident to be sent', () => allDelivered(ref));

    expect(ofEvent('opened')).toHaveLength(1);
    expect(opened!.body).toMatchObject({ version: '4', status: 'firing', receiver: 'hook' });
    expect(opened!.body.alerts).toHaveLength(1);
    expect(opened!.body.alerts[0]).toMatchObject({ status: 'firing', labels: { service: 'skm', check: 'skm-form', ref } });
    expect(opened!.idempotencyKey).toMatch(new RegExp(`^${ref}/`));
  });

  it('sends one resolved alert for the same fingerprint when the site answers again', async () => {
    const [opened] = ofEvent('opened');
    const ref = opened!.body.sigap.incident.ref;
    await site.start();
    const [restored] = await waitFor('the restored message', async () => (ofEvent('restored').length > 0 ? ofEvent('restored') : undefined));
    await until('every delivery of the incident to be sent', () => allDelivered(ref));

    expect(ofEvent('restored')).toHaveLength(1);
    expect(ofEvent('opened')).toHaveLength(1);
    expect(received).toHaveLength(2);
    expect(restored!.body).toMatchObject({ version: '4', status: 'resolved', receiver: 'hook', sigap: { event: 'restored', incident: { ref } } });
    expect(restored!.body.alerts[0]!.status).toBe('resolved');
    expect(restored!.body.alerts[0]!.fingerprint).toBe(opened!.body.alerts[0]!.fingerprint);
    expect(Date.parse(restored!.body.alerts[0]!.endsAt)).toBeGreaterThan(Date.parse(restored!.body.alerts[0]!.startsAt));
    expect(restored!.idempotencyKey).toMatch(new RegExp(`^${ref}/`));
    expect(restored!.idempotencyKey).not.toBe(opened!.idempotencyKey);
  });
});
