// The whole path, as `npm start` runs it: a real site on 127.0.0.1 stops answering, the probe
// sees it, the detector confirms it, one incident appears in the API and on the queue page, and
// bringing the site back records serviceRestoredAt. On SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { StandInSite } from '../helpers/sigap-process.js';
import { waitFor } from '../helpers/wait.js';

const PAGE = '<html><body><h1>Survei Kepuasan Masyarakat</h1><form method="post"><input name="nama"><input name="nilai"></form></body></html>';

interface IncidentJson {
  ref: string;
  check: string;
  status: string;
  priority: string;
  category: string;
  subcategory: string;
  failureKind: string;
  detectedAt: string;
  serviceRestoredAt: string | null;
  evidence: { errorCode?: string; checkedAt?: string };
}

describe.each(testDatabaseKinds())('a failing website becomes one logged incident, on $name', (kind) => {
  const site = new StandInSite(PAGE);
  let testDb: TestDatabase;
  let sigap: Sigap;
  let auth: { cookie: string; csrfToken: string };
  let stoppedAt = 0;

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${sigap.url}${path}`, { headers: { cookie: auth.cookie } });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const openIncidents = async () => (await api<{ items: IncidentJson[] }>('/api/incidents?status=new,assigned,escalated,pending')).items;

  beforeAll(async () => {
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
        interval: 1s
        timeout: 500ms
        retryInterval: 200ms
        failureThreshold: 3
        successThreshold: 2
        expect: { status: [200], contains: ["Survei Kepuasan"], form: [nama, nilai] }
`,
    });
    auth = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    await site.stop();
    await testDb?.drop();
  });

  it('sees the healthy site as up, with no incident', async () => {
    await waitFor('the check to be up', async () => {
      const { items } = await api<{ items: Array<{ checks: Array<{ state: string }> }> }>('/api/services');
      return items[0]?.checks[0]?.state === 'up' ? true : undefined;
    });
    expect(await openIncidents()).toEqual([]);
  });

  it('opens exactly one incident when the site refuses connections, dated from the first failed probe', async () => {
    await site.stop();
    stoppedAt = Date.now();
    const [incident] = await waitFor('an incident', async () => {
      const open = await openIncidents();
      return open.length > 0 ? open : undefined;
    });
    const latencyMs = Date.now() - stoppedAt;
    // interval + (failureThreshold − 1) × retryInterval + timeout = 1000 + 400 + 500 ms, plus jitter
    console.info(`[${kind.name}] incident visible ${latencyMs} ms after the site stopped (physical minimum up to 1900 ms)`);
    expect(incident).toMatchObject({
      check: 'skm-form',
      status: 'new',
      priority: 'P2',
      category: 'network',
      subcategory: 'connection',
      failureKind: 'connect',
      serviceRestoredAt: null,
      evidence: { errorCode: 'ECONNREFUSED' },
    });
    expect(incident!.ref).toMatch(/^INC-\d{4}-\d{5}$/);

    const from = new Date(stoppedAt - 5000).toISOString();
    const { items: results } = await api<{ items: Array<{ status: string; startedAt: string }> }>(`/api/checks/skm-form/results?from=${from}`);
    // Newest first: the streak reads oldest first.
    const failures = results.filter((r) => r.status === 'down').reverse();
    // the streak that opened it: detectedAt is its first failure; the third one confirmed it
    expect(incident!.detectedAt).toBe(failures[0]!.startedAt);
    expect(incident!.evidence.checkedAt).toBe(failures[2]!.startedAt);

    // probing goes on while it is down, and still there is one incident
    await waitFor('more failed probes', async () => {
      const { items } = await api<{ items: Array<{ status: string }> }>(`/api/checks/skm-form/results?from=${from}`);
      return items.filter((r) => r.status === 'down').length >= 5 ? true : undefined;
    });
    expect(await openIncidents()).toHaveLength(1);
  });

  it('shows the incident on the Indonesian queue page', async () => {
    const res = await fetch(`${sigap.url}/`, { headers: { cookie: auth.cookie } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Insiden terbuka');
    expect(html).toMatch(/INC-\d{4}-\d{5}/);
    expect(html).toContain('koneksi gagal');
  });

  it('records serviceRestoredAt when the site comes back, and leaves the incident open for a person', async () => {
    await site.start();
    const restored = await waitFor('restoration', async () => {
      const [open] = await openIncidents();
      return open?.serviceRestoredAt ? open : undefined;
    });
    expect(restored.status).toBe('new');
    expect(Date.parse(restored.serviceRestoredAt!)).toBeGreaterThan(Date.parse(restored.detectedAt));
    const detail = await api<{ events: Array<{ type: string }> }>(`/api/incidents/${restored.ref}`);
    expect(detail.events.map((e) => e.type)).toEqual(['opened', 'restored']);
  });
});
