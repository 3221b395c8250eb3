// The rollup store on real SQLite and (with TEST_DATABASE_URL) real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import type { RollupBucket } from '../../../detector/reporting/rollups.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeResult, ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const YAML = `
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:1/" }
      - { key: skm-home, type: http, url: "http://127.0.0.1:2/" }
`;
const services = parseConfig(YAML, 'test.yaml', {}).services;
const iso = (text: string) => new Date(text);

function result(at: string, status: ProbeStatus = 'up', durationMs = 12): ProbeResult {
  return { checkKey: 'skm-form', startedAt: iso(at), durationMs, status, failureKind: status === 'down' ? 'connect' : null, timings: {}, evidence: {} };
}

function bucket(start: string, fields: Partial<RollupBucket> = {}): RollupBucket {
  return {
    bucketStart: iso(start),
    probes: 60,
    ok: 58,
    degraded: 1,
    down: 1,
    unknown: 0,
    downMs: 60_000,
    degradedMs: 60_000,
    unknownMs: 0,
    maintenanceMs: 0,
    observedMs: 3_600_000,
    latencySumMs: 12_345_678_901, // past 2³¹: bigint columns must round-trip as numbers
    latencyP95Ms: 250,
    ...fields,
  };
}

describe.each(testDatabaseKinds())('rollup store on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let formId: number;
  let homeId: number;

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(services, iso('2026-11-01T00:00:00Z'));
    const checks = await db.stores.checks.listChecks();
    formId = checks.find((c) => c.key === 'skm-form')!.id;
    homeId = checks.find((c) => c.key === 'skm-home')!.id;
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const insert = (checkId: number, results: ProbeResult[]) => db.stores.checks.insertResults(results.map((r) => ({ checkId, result: r, instance: 'test' })));

  it("reads a check's results in [from, to), oldest first, after the last one before from", async () => {
    await insert(formId, [
      result('2026-11-02T00:58:00Z'),
      result('2026-11-02T00:59:00Z', 'down', 900),
      result('2026-11-02T01:00:00Z'),
      result('2026-11-02T01:30:00Z', 'degraded', 4000),
      result('2026-11-02T02:00:00Z'),
    ]);
    await insert(homeId, [result('2026-11-02T01:10:00Z')]);
    const samples = await db.stores.rollups.listSamples(formId, iso('2026-11-02T01:00:00Z'), iso('2026-11-02T02:00:00Z'));
    expect(samples).toEqual([
      { startedAt: iso('2026-11-02T00:59:00Z'), durationMs: 900, status: 'down' },
      { startedAt: iso('2026-11-02T01:00:00Z'), durationMs: 12, status: 'up' },
      { startedAt: iso('2026-11-02T01:30:00Z'), durationMs: 4000, status: 'degraded' },
    ]);
    expect(await db.stores.rollups.listSamples(formId, iso('2026-11-02T00:00:00Z'), iso('2026-11-02T00:58:00Z'))).toEqual([]);
    expect(await db.stores.rollups.firstResultAt(formId)).toEqual(iso('2026-11-02T00:58:00Z'));
    expect(await db.stores.rollups.firstResultAt(999_999)).toBeNull();
  });

  it('upserts hourly rows: writing a bucket again replaces it, never duplicates it', async () => {
    const rows = [bucket('2026-11-03T01:00:00Z'), bucket('2026-11-03T02:00:00Z', { latencyP95Ms: null, probes: 0, ok: 0, degraded: 0, down: 0 })];
    await db.stores.rollups.upsertHourly(formId, rows);
    await db.stores.rollups.upsertHourly(formId, rows);
    expect(await db.stores.rollups.listHourly(formId, iso('2026-11-03T00:00:00Z'), iso('2026-11-04T00:00:00Z'))).toEqual(rows);
    const recomputed = bucket('2026-11-03T02:00:00Z', { probes: 61, observedMs: 3_000_000 });
    await db.stores.rollups.upsertHourly(formId, [recomputed]);
    expect(await db.stores.rollups.listHourly(formId, iso('2026-11-03T00:00:00Z'), iso('2026-11-04T00:00:00Z'))).toEqual([rows[0], recomputed]);
    // [from, to): the row at `to` is outside; another check's rows are apart
    expect(await db.stores.rollups.listHourly(formId, iso('2026-11-03T01:00:00Z'), iso('2026-11-03T02:00:00Z'))).toEqual([rows[0]]);
    expect(await db.stores.rollups.listHourly(homeId, iso('2026-11-03T00:00:00Z'), iso('2026-11-04T00:00:00Z'))).toEqual([]);
  });

  it('upserts daily rows apart from hourly ones', async () => {
    const day = bucket('2026-11-02T17:00:00Z', { probes: 1440, observedMs: 86_400_000 });
    await db.stores.rollups.upsertDaily(formId, [day]);
    await db.stores.rollups.upsertDaily(formId, [{ ...day, down: 3 }]);
    expect(await db.stores.rollups.listDaily(formId, iso('2026-11-02T00:00:00Z'), iso('2026-11-04T00:00:00Z'))).toEqual([{ ...day, down: 3 }]);
    expect(await db.stores.rollups.listHourly(formId, iso('2026-11-02T17:00:00Z'), iso('2026-11-02T18:00:00Z'))).toEqual([]);
  });

  it('many rows at once (more than one insert statement) are all written', async () => {
    const start = Date.parse('2026-06-01T00:00:00Z');
    const rows = Array.from({ length: 1200 }, (_, i) => bucket(new Date(start + i * 3_600_000).toISOString()));
    await db.stores.rollups.upsertHourly(homeId, rows);
    expect(await db.stores.rollups.listHourly(homeId, new Date(start), iso('2026-08-01T00:00:00Z'))).toHaveLength(1200);
  });

  it('records progress, each part of which only moves forward', async () => {
    expect(await db.stores.rollups.getProgress(formId)).toBeNull();
    const now = iso('2026-11-05T00:00:00Z');
    await db.stores.rollups.recordProgress(formId, { rolledUpTo: iso('2026-11-03T02:00:00Z'), lastResultId: 5 }, now);
    await db.stores.rollups.recordProgress(formId, { rolledUpTo: iso('2026-11-03T05:00:00Z'), lastResultId: 7 }, now);
    // a late writer with an older view of one part or the other
    await db.stores.rollups.recordProgress(formId, { rolledUpTo: iso('2026-11-03T04:00:00Z'), lastResultId: 9 }, now);
    await db.stores.rollups.recordProgress(formId, { rolledUpTo: iso('2026-11-03T06:00:00Z'), lastResultId: 8 }, now);
    expect(await db.stores.rollups.getProgress(formId)).toEqual({ rolledUpTo: iso('2026-11-03T06:00:00Z'), lastResultId: 9 });
    expect(await db.stores.rollups.getProgress(homeId)).toBeNull();
  });

  it('finds results written after a given id, by when they started', async () => {
    const from = iso('2026-11-02T00:00:00Z');
    const to = iso('2026-11-02T03:00:00Z');
    const last = await db.stores.rollups.lastResultId(formId);
    expect(last).toBeGreaterThan(0);
    expect(await db.stores.rollups.earliestResultAfterId(formId, last, from, to)).toBeNull();
    await insert(formId, [result('2026-11-02T02:30:00Z'), result('2026-11-02T01:15:00Z'), result('2026-11-02T05:00:00Z')]);
    expect(await db.stores.rollups.lastResultId(formId)).toBeGreaterThan(last);
    expect(await db.stores.rollups.earliestResultAfterId(formId, last, from, to)).toEqual(iso('2026-11-02T01:15:00Z'));
    expect(await db.stores.rollups.earliestResultAfterId(homeId, await db.stores.rollups.lastResultId(homeId), from, to)).toBeNull();
    expect(await db.stores.rollups.lastResultId(999_999)).toBe(0);
  });

  it("deletes a check's results older than a cutoff in batches, oldest first, and answers how many", async () => {
    const old = Array.from({ length: 7 }, (_, i) => result(`2026-10-01T00:0${i}:00Z`));
    await insert(formId, [...old, result('2026-10-02T00:00:00Z')]);
    await insert(homeId, [result('2026-10-01T00:00:00Z')]);
    const cutoff = iso('2026-10-01T12:00:00Z');
    const batches = [];
    for (let n = -1; n !== 0;) batches.push((n = await db.stores.rollups.deleteResultsBefore(formId, cutoff, 3)));
    expect(batches).toEqual([3, 3, 1, 0]);
    const left = await db.stores.checks.listResults('skm-form', iso('2026-10-01T00:00:00Z'), iso('2026-10-03T00:00:00Z'), 100);
    expect(left.map((r) => r.startedAt)).toEqual([iso('2026-10-02T00:00:00Z')]);
    expect(await db.stores.checks.listResults('skm-home', iso('2026-10-01T00:00:00Z'), iso('2026-10-03T00:00:00Z'), 100)).toHaveLength(1);
  });

  it('deletes hourly rows older than a cutoff in batches, keeping newer ones and daily rows', async () => {
    const rows = ['2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z'].map((t) => bucket(t));
    await db.stores.rollups.upsertHourly(formId, rows);
    await db.stores.rollups.upsertHourly(homeId, rows);
    await db.stores.rollups.upsertDaily(formId, [bucket('2025-12-31T17:00:00Z')]);
    const cutoff = iso('2026-01-01T02:00:00Z');
    expect(await db.stores.rollups.deleteHourlyBefore(cutoff, 3)).toBe(3);
    expect(await db.stores.rollups.deleteHourlyBefore(cutoff, 3)).toBe(1);
    expect(await db.stores.rollups.deleteHourlyBefore(cutoff, 3)).toBe(0);
    for (const id of [formId, homeId]) {
      expect(await db.stores.rollups.listHourly(id, iso('2026-01-01T00:00:00Z'), iso('2026-01-02T00:00:00Z'))).toEqual([rows[2]]);
    }
    expect(await db.stores.rollups.listDaily(formId, iso('2025-12-31T00:00:00Z'), iso('2026-01-02T00:00:00Z'))).toHaveLength(1);
  });
  it('reads many checks in one go as it reads each alone: samples, sums per check and per service and day, rows in ranges, first hours, progress', async () => {
    const store = db.stores.rollups;
    const hours = ['2027-03-01T00:00:00Z', '2027-03-01T01:00:00Z', '2027-03-01T02:00:00Z'];
    await store.upsertHourly(
      formId,
      hours.map((t, i) => bucket(t, { observedMs: 3_000_000 + i, downMs: 10_000 * i, probes: 50 + i })),
    );
    await store.upsertHourly(homeId, [bucket(hours[1]!, { maintenanceMs: 600_000, unknownMs: 5_000 })]);
    await store.upsertDaily(formId, [bucket('2027-02-27T17:00:00Z', { observedMs: 80_000_000 }), bucket('2027-02-28T17:00:00Z')]);
    await store.upsertDaily(homeId, [bucket('2027-02-28T17:00:00Z', { degradedMs: 7_000 })]);
    const span = [iso('2027-03-01T00:00:00Z'), iso('2027-03-01T03:00:00Z')] as const;

    // Sums per check over [from, to): exactly the sums of the rows each check has there.
    const sums = await store.sumRollups('hourly', [formId, homeId], span[0], span[1]);
    for (const id of [formId, homeId]) {
      const rows = await store.listHourly(id, span[0], span[1]);
      const total = (field: 'probes' | 'observedMs' | 'downMs' | 'degradedMs' | 'maintenanceMs' | 'unknownMs') => rows.reduce((n, r) => n + r[field], 0);
      expect(sums.get(id)).toEqual({
        probes: total('probes'),
        observedMs: total('observedMs'),
        downMs: total('downMs'),
        degradedMs: total('degradedMs'),
        maintenanceMs: total('maintenanceMs'),
        unknownMs: total('unknownMs'),
      });
    }
    expect((await store.sumRollups('hourly', [formId], iso('2027-03-01T01:00:00Z'), iso('2027-03-01T02:00:00Z'))).get(formId)!.observedMs).toBe(3_000_001);
    expect(await store.sumRollups('daily', [formId, homeId], iso('2027-04-01T00:00:00Z'), iso('2027-05-01T00:00:00Z'))).toEqual(new Map());

    // Per service and day: both checks are in skm, so one row per day with both checks' figures.
    const perDay = await store.sumRollupsByServiceBucket('daily', [formId, homeId], iso('2027-02-27T17:00:00Z'), iso('2027-03-01T17:00:00Z'));
    const skm = (await db.stores.checks.listServices()).find((s) => s.key === 'skm')!;
    expect(perDay.map((r) => [r.serviceId, r.bucketStart.toISOString(), r.sums.observedMs, r.sums.degradedMs]).sort()).toEqual([
      [skm.id, '2027-02-27T17:00:00.000Z', 80_000_000, 60_000],
      [skm.id, '2027-02-28T17:00:00.000Z', 2 * 3_600_000, 60_000 + 7_000],
    ]);

    // Rows in ranges: each check's own rows there, oldest first.
    const rows = await store.listRollupsIn('hourly', [
      { checkId: formId, from: iso('2027-03-01T01:00:00Z'), to: iso('2027-03-01T03:00:00Z') },
      { checkId: homeId, from: span[0], to: span[1] },
    ]);
    expect(rows.get(formId)).toEqual(await store.listHourly(formId, iso('2027-03-01T01:00:00Z'), iso('2027-03-01T03:00:00Z')));
    expect(rows.get(homeId)).toEqual(await store.listHourly(homeId, span[0], span[1]));

    for (const id of [formId, homeId]) {
      expect((await store.firstHourlyAtOf([formId, homeId])).get(id)).toEqual(await store.firstHourlyAt(id));
    }
    await store.recordProgress(homeId, { rolledUpTo: iso('2027-03-01T02:00:00Z'), lastResultId: 42 }, iso('2027-03-01T02:05:00Z'));
    const progress = await store.progressOf([formId, homeId]);
    for (const id of [formId, homeId]) expect(progress.get(id) ?? null).toEqual(await store.getProgress(id));
  });

  it('gives each check the samples listSamples gives it, the last one before the window first', async () => {
    await db.stores.checks.insertResults(
      ['2027-05-01T09:58:00Z', '2027-05-01T10:00:00Z', '2027-05-01T10:01:00Z', '2027-05-01T11:00:00Z'].map((t) => ({ checkId: formId, instance: 'test', result: result(t) })),
    );
    await db.stores.checks.insertResults([{ checkId: homeId, instance: 'test', result: { ...result('2027-05-01T10:30:00Z', 'down'), checkKey: 'skm-home' } }]);
    const [from, to] = [iso('2027-05-01T10:00:00Z'), iso('2027-05-01T11:00:00Z')];
    const many = await db.stores.rollups.listSamplesOf([formId, homeId], from, to);
    for (const id of [formId, homeId]) expect(many.get(id)).toEqual(await db.stores.rollups.listSamples(id, from, to));
    expect(many.get(formId)!.map((s) => s.startedAt.toISOString())).toEqual(['2027-05-01T09:58:00.000Z', '2027-05-01T10:00:00.000Z', '2027-05-01T10:01:00.000Z']);
  });
});
