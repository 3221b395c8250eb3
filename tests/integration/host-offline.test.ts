// The false-alarm guard end to end: when the probing host loses its own connectivity, failures
// are recorded as unknown and open nothing; when only the watched sites fail — even both at
// once — they are real outages. Real servers on 127.0.0.1 stand in for the sites and the link.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { until } from '../helpers/wait.js';

/** A server that can be switched off (connections refused) and on again on the same port. */
class Switchable {
  private server: Server | null = null;
  port = 0;
  constructor(private readonly make: () => Server) {}
  async on(): Promise<void> {
    const server = this.make();
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
  async off(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => ((server as { closeAllConnections?: () => void }).closeAllConnections?.(), server.close(() => resolve())));
  }
}

const page = () => createHttpServer({ keepAlive: false } as object, (_req, res) => res.end('<h1>ok</h1>')) as unknown as Server;
describe.each(testDatabaseKinds())('the probing host loses connectivity, on $name', (kind) => {
  const link = new Switchable(() => createTcpServer((socket) => socket.end()));
  const skm = new Switchable(page);
  const pengaduan = new Switchable(page);
  let testDb: TestDatabase;
  let sigap: Sigap;

  const open = async () => (await sigap.db.stores.incidents.list({ openOnly: true }, 10, null)).items;
  const results = async (key: string) => sigap.db.stores.checks.listResults(key, new Date(Date.now() - 60_000), new Date(Date.now() + 1000), 1000);

  beforeAll(async () => {
    await Promise.all([link.on(), skm.on(), pengaduan.on()]);
    testDb = await kind.create();
    const check = (key: string, port: number) =>
      `      - { key: ${key}, type: http, url: "http://127.0.0.1:${port}/", interval: 300ms, timeout: 200ms, retryInterval: 100ms, failureThreshold: 3 }`;
    sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: `
connectivity: { type: tcp, target: "127.0.0.1:${link.port}", interval: 200ms, timeout: 200ms }
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
${check('skm-form', skm.port)}
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
${check('pengaduan-form', pengaduan.port)}
`,
    });
    await until('both checks up', async () => (await sigap.db.stores.checks.listChecks()).every((c) => c.state === 'up'));
  });

  afterAll(async () => {
    await sigap?.stop();
    await Promise.all([link.off(), skm.off(), pengaduan.off()]);
    await testDb?.drop();
  });

  it('records failures as unknown and opens no incident while the host is offline', async () => {
    await Promise.all([link.off(), skm.off(), pengaduan.off()]);
    await until('five unknown results per check', async () =>
      (await Promise.all(['skm-form', 'pengaduan-form'].map(results))).every((rs) => rs.filter((r) => r.status === 'unknown').length >= 5),
    );
    expect(await open()).toEqual([]);
    const [unknown] = (await results('skm-form')).filter((r) => r.status === 'unknown');
    expect(unknown!.evidence?.reason).toMatch(/probing host is offline/);
    await Promise.all([link.on(), skm.on(), pengaduan.on()]);
    await until('both checks probed up again', async () => (await results('skm-form')).at(-1)?.status === 'up' && (await results('pengaduan-form')).at(-1)?.status === 'up');
    expect(await open()).toEqual([]);
  });

  it('opens an incident for each site when both fail together while the host is online', async () => {
    await Promise.all([skm.off(), pengaduan.off()]);
    await until('two incidents', async () => (await open()).length === 2);
    expect((await open()).map((i) => [i.check, i.priority, i.failureKind]).sort()).toEqual([
      ['pengaduan-form', 'P1', 'connect'],
      ['skm-form', 'P2', 'connect'],
    ]);
  });
});
