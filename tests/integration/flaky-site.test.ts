// A flaky site that fails every other request never reaches failureThreshold failures in a row:
// no incident opens, however long it flaps. Real server on 127.0.0.1, real probes, both databases.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sigap } from '../../main.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

describe.each(testDatabaseKinds())('a flaky site, on $name', (kind) => {
  let site: Server;
  let requests = 0;
  let testDb: TestDatabase;
  let sigap: Sigap;

  beforeAll(async () => {
    site = createServer((_req, res) => {
      requests++;
      res.statusCode = requests % 2 === 0 ? 500 : 200;
      res.end(res.statusCode === 200 ? 'Survei Kepuasan' : 'Fatal error');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    testDb = await kind.create();
    sigap = await startTestSigap({
      databaseUrl: testDb.url,
      yaml: `
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:${(site.address() as AddressInfo).port}/", interval: 300ms, timeout: 150ms, retryInterval: 100ms, failureThreshold: 3 }
`,
    });
  });

  afterAll(async () => {
    await sigap?.stop();
    await new Promise((resolve) => site.close(resolve));
    await testDb?.drop();
  });

  it('opens nothing while failures never come failureThreshold times in a row', async () => {
    const results = () => sigap.db.stores.checks.listResults('skm-form', new Date(0), new Date(Date.now() + 1000), 10_000);
    const deadline = Date.now() + 15_000;
    while ((await results()).filter((r) => r.status === 'down').length < 10) {
      if (Date.now() > deadline) throw new Error('the site was not probed often enough');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const statuses = (await results()).map((r) => r.status);
    expect(statuses.join(',')).not.toContain('down,down,down');
    expect((await sigap.db.stores.incidents.list({}, 10, null)).items).toEqual([]);
  });
});
