// Integrity baselines and the integrity evidence kept with results, on real SQLite and PostgreSQL:
// a first baseline is recorded once and never overwrites one; a person's baseline replaces it
// with their name; a clean integrity result keeps its small evidence (other clean results none);
// the newest result with a snapshot is found past newer ones without; /metrics reads each active
// integrity check's latest counts, a check without results with none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeResult } from '../../../probes/probe-types.js';
import { finding, integrityEvidence, integrityResult, snapshot } from '../../helpers/integrity-results.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const YAML = `
services:
  - key: perizinan
    name: Perizinan
    impact: high
    checks:
      - { key: site-integrity, type: integrity, url: "https://dpmptsp.example/" }
      - { key: quiet-integrity, type: integrity, url: "https://quiet.example/" }
      - { key: site-http, type: http, url: "https://dpmptsp.example/" }
`;
const T0 = new Date('2026-12-06T01:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe.each(testDatabaseKinds())('the integrity store on $name', (kind) => {
  let database: TestDatabase;
  let db: Database;
  let checkId: number;

  beforeAll(async () => {
    database = await kind.create();
    db = openDatabase(database.url);
    await db.migrate();
    await db.stores.checks.syncConfig(parseConfig(YAML, 'test.yaml', {}).services, T0);
    checkId = (await db.stores.checks.getCheck('site-integrity'))!.id;
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('records a first baseline once, never over an existing one, and a person’s baseline replaces it with their name', async () => {
    const { integrity } = db.stores;
    expect(await integrity.getBaseline(checkId)).toBeNull();
    expect(await integrity.recordFirstBaseline(checkId, { snapshot: snapshot(), acceptedAt: at(0), acceptedBy: null })).toBe(true);
    expect(await integrity.recordFirstBaseline(checkId, { snapshot: snapshot({ title: 'Lain' }), acceptedAt: at(1), acceptedBy: null })).toBe(false);
    expect(await integrity.getBaseline(checkId)).toEqual({ ...snapshot(), acceptedAt: at(0).toISOString(), acceptedBy: null, acceptedByUserId: null });

    const accepted = snapshot({ title: 'DPMPTSP baru', domains: ['lapor.go.id', 'oss.go.id'], fingerprint: 'fedcba9876543210', description: '' });
    await integrity.saveBaseline(checkId, { snapshot: accepted, acceptedAt: at(5), acceptedBy: { id: 7, username: 'rina' } });
    expect(await integrity.getBaseline(checkId)).toEqual({ ...accepted, acceptedAt: at(5).toISOString(), acceptedBy: 'rina', acceptedByUserId: 7 });
    expect(await integrity.recordFirstBaseline(checkId, { snapshot: snapshot(), acceptedAt: at(6), acceptedBy: null })).toBe(false);
    expect((await integrity.getBaseline(checkId))!.acceptedBy).toBe('rina');
  });

  it('keeps the small integrity evidence of a clean integrity result, and none of another clean result', async () => {
    const clean = integrityResult('site-integrity', at(10), integrityEvidence([]));
    const httpUp: ProbeResult = {
      checkKey: 'site-http',
      startedAt: at(10),
      durationMs: 5,
      status: 'up',
      failureKind: null,
      timings: {},
      evidence: { url: 'https://dpmptsp.example/', statusCode: 200 },
    };
    const httpId = (await db.stores.checks.getCheck('site-http'))!.id;
    await db.stores.checks.insertResults([
      { checkId, result: clean, instance: 'test' },
      { checkId: httpId, result: httpUp, instance: 'test' },
    ]);
    const [integrityRow] = await db.stores.checks.listResults('site-integrity', at(10), at(11), 10);
    expect(integrityRow!.evidence).toEqual({ url: 'https://dpmptsp.example/', integrity: clean.evidence.integrity });
    const [httpRow] = await db.stores.checks.listResults('site-http', at(10), at(11), 10);
    expect(httpRow!.evidence).toBeNull();
  });

  it('finds the newest result with a snapshot past newer ones without, and the newest with integrity evidence at all', async () => {
    const seen = snapshot({ fingerprint: '1111222233334444' });
    const found = integrityResult('site-integrity', at(20), integrityEvidence([finding('hidden_link', { domain: 'slot.example', hidden: 'display:none' })], { snapshot: seen }));
    const unreadable: ProbeResult = { ...integrityResult('site-integrity', at(21), integrityEvidence([], { snapshot: null })), status: 'unknown' };
    await db.stores.checks.insertResults([
      { checkId, result: found, instance: 'test' },
      { checkId, result: unreadable, instance: 'test' },
    ]);
    const withSnapshot = await db.stores.integrity.latestIntegrity(checkId, { withSnapshot: true });
    expect(withSnapshot).toEqual({ startedAt: at(20), status: 'degraded', integrity: found.evidence.integrity });
    const any = await db.stores.integrity.latestIntegrity(checkId);
    expect(any).toMatchObject({ startedAt: at(21), status: 'unknown' });
    const quietId = (await db.stores.checks.getCheck('quiet-integrity'))!.id;
    expect(await db.stores.integrity.latestIntegrity(quietId)).toBeNull();
  });

  it('answers every active integrity check with the counts of its latest result (none without results)', async () => {
    const findings = [
      finding('hidden_link', { domain: 'slot.example' }),
      finding('hidden_link', { domain: 'gacor.example' }),
      finding('forbidden_term', { term: 'slot gacor', where: 'text' }),
    ];
    await db.stores.checks.insertResults([{ checkId, result: integrityResult('site-integrity', at(30), integrityEvidence(findings)), instance: 'test' }]);
    expect(await db.stores.metrics.integrityFindings()).toEqual([
      { checkKey: 'quiet-integrity', serviceKey: 'perizinan', counts: {} },
      { checkKey: 'site-integrity', serviceKey: 'perizinan', counts: { hidden_link: 2, forbidden_term: 1 } },
    ]);
  });
});
