// A site that fails during a maintenance window: probing goes on and every result is stored, but
// no incident opens; when it still fails after the window ends, the incident opens then.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { until } from '../helpers/wait.js';

// Long enough for five failed probes (at 500 ms, retries at 100 ms) on a machine busy with other suites.
const WINDOW_MS = 10_000;

describe.each(testDatabaseKinds())('a failure during a maintenance window opens no incident, on $name', (kind) => {
  let site: Server;
  const sockets = new Set<Socket>();
  let port = 0;
  let testDb: TestDatabase;
  let sigap: Sigap;
  let auth: { cookie: string; csrfToken: string };
  let windowStart = 0;
  let windowEnd = 0;

  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${sigap.url}${path}`, { headers: { cookie: auth.cookie } })).json()) as T;
  const openIncidents = async () =>
    (await get<{ items: Array<{ check: string; evidence: { checkedAt?: string } }> }>('/api/incidents?status=new,assigned,escalated,pending')).items;
  // The failures in the window. A probe before it may also have failed — the first probe of a
  // process still starting, on a loaded machine, can outlast a 300 ms timeout — and a success
  // after it reset the streak, so it is not one of the failures the window covers.
  const downResults = async () =>
    (await sigap.db.stores.checks.listResults('skm-form', new Date(windowStart), new Date(Date.now() + 1000), 10_000)).filter(
      (r) => r.status === 'down' && r.startedAt.getTime() >= windowStart,
    );

  beforeAll(async () => {
    site = createServer((_req, res) => res.end('Survei Kepuasan'));
    site.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    port = (site.address() as AddressInfo).port;
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
      - { key: skm-form, type: http, url: "http://127.0.0.1:${port}/", interval: 500ms, timeout: 300ms, retryInterval: 100ms, failureThreshold: 3 }
`,
    });
    auth = await logIn(sigap.url!);
  });

  afterAll(async () => {
    await sigap?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (site.listening ? site.close(resolve) : resolve(undefined)));
    await testDb?.drop();
  });

  it('stores the failed probes but opens nothing while the window runs', async () => {
    await until('the check to be up', async () => (await sigap.db.stores.checks.getCheck('skm-form'))?.state === 'up');
    const now = Date.now();
    windowStart = now;
    windowEnd = now + WINDOW_MS;
    const res = await fetch(`${sigap.url}/api/maintenance`, {
      method: 'POST',
      headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Pembaruan server SKM', service: 'skm', startsAt: new Date(now).toISOString(), endsAt: new Date(windowEnd).toISOString() }),
    });
    expect(res.status).toBe(201);

    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => site.close(resolve));
    // Well past the failure threshold, still inside the window.
    await until('five failed probes in the window', async () => (await downResults()).length >= 5);
    expect((await downResults()).every((r) => r.startedAt.getTime() < windowEnd)).toBe(true);
    expect(await openIncidents()).toEqual([]);
    expect(await sigap.db.stores.checks.getCheck('skm-form')).toMatchObject({ state: 'down' });
    expect((await sigap.db.stores.checks.getCheck('skm-form'))!.consecutiveFailures).toBeGreaterThanOrEqual(5);
  });

  it('opens the incident when the site still fails after the window ends', async () => {
    await until('an incident after the window', async () => (await openIncidents()).length > 0, 25_000);
    const [incident] = await openIncidents();
    expect(incident!.check).toBe('skm-form');
    expect(Date.parse(incident!.evidence.checkedAt!)).toBeGreaterThanOrEqual(windowEnd);
    expect(await openIncidents()).toHaveLength(1);
  });
});
