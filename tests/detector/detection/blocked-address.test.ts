// A probe the address policy refused, end to end through the detector: the real http probe is
// redirected from a (stand-in) public site into loopback, and three such results open a
// security/blocked-address incident. Only loopback servers; real SQLite and PostgreSQL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import { createIncidentServices } from '../../../detector/incidents/incident-services.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { classifyAddress } from '../../../probes/address-policy.js';
import { probeHttp } from '../../../probes/http.js';
import type { HttpTarget, LookupFunction, ProbeResult } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const config = parseConfig(
  `services:\n  - key: skm\n    name: Survei Kepuasan Masyarakat (SKM)\n    impact: medium\n    checks:\n      - { key: skm-form, type: http, url: "http://skm.dpmptsp.test/" }\n`,
  'test.yaml',
  {},
);
const T0 = Date.parse('2026-11-27T01:00:00.000Z');

/** The probe's result for a site on 127.0.0.2 (declared public) that redirects to 127.0.0.1. */
async function blockedResult(): Promise<ProbeResult> {
  const internal = http.createServer((_request, response) => response.end('secret'));
  const site = http.createServer((_request, response) => response.writeHead(302, { location: `http://127.0.0.1:${(internal.address() as AddressInfo).port}/` }).end());
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.2', resolve));
  const lookup: LookupFunction = (_hostname, options, callback) => (options.all ? callback(null, [{ address: '127.0.0.2', family: 4 }]) : callback(null, '127.0.0.2', 4));
  const target = config.services[0]!.checks[0]!.target as HttpTarget;
  try {
    return await probeHttp(
      { ...target, url: `http://skm.dpmptsp.test:${(site.address() as AddressInfo).port}/` },
      { now: () => new Date(T0), lookup, classifyAddress: (address) => (address === '127.0.0.2' ? 'public' : classifyAddress(address)) },
    );
  } finally {
    await Promise.all([internal, site].map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

describe.each(testDatabaseKinds())('a blocked probe on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, new Date(T0));
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('opens an incident with category security / subcategory blocked-address and the reason as evidence', async () => {
    const probed = await blockedResult();
    expect(probed).toMatchObject({ status: 'down', failureKind: 'blocked' });
    let clock = new Date(T0);
    const checks = fixedCheckLookup(config.services);
    const incidents = createIncidentServices({ db, checks, policy: config.policy, calendar: config.calendar, clock: () => clock });
    const detector = new Detector({ db, incidents: incidents.probes, flapping: config.policy.flapping, checks, instance: 'test', logger: pino({ level: 'silent' }) });
    for (const seconds of [0, 10, 20]) {
      clock = new Date(T0 + seconds * 1000);
      await detector.handleResult({ ...probed, checkKey: 'skm-form', startedAt: clock });
    }

    const open = (await db.stores.incidents.list({ openOnly: true }, 100, null)).items;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      check: 'skm-form',
      failureKind: 'blocked',
      category: 'security',
      subcategory: 'blocked-address',
      urgency: 'high',
      evidence: {
        failureKind: 'blocked',
        resolvedAddress: '127.0.0.1',
        reason: expect.stringContaining('a redirect may not lead from a public address to a private or loopback one'),
      },
    });
  });
});
