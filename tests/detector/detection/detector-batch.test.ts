// Batched result writes on real SQLite and PostgreSQL: a batch in one transaction means exactly
// what the same results mean one by one; the batcher stores every result in few transactions and
// loses nothing to a database outage.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import { StorageUnavailableError } from '../../../detector/errors.js';
import { createIncidentServices } from '../../../detector/incidents/incident-services.js';
import { ResultBatcher } from '../../../detector/detection/result-batcher.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { FailureKind, ProbeResult, ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase, type TestDatabaseKind } from '../../helpers/test-databases.js';

const config: SigapConfig = parseConfig(
  `
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://skm.test/", failureThreshold: 3, successThreshold: 2 }
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://pengaduan.test/", failureThreshold: 3, successThreshold: 2 }
`,
  'test.yaml',
  {},
);
const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const silent = pino({ level: 'silent' });

function result(checkKey: string, status: ProbeStatus, seconds: number, failureKind?: FailureKind): ProbeResult {
  return {
    checkKey,
    startedAt: at(seconds),
    durationMs: 3,
    status,
    failureKind: status === 'up' || status === 'unknown' ? null : (failureKind ?? 'connect'),
    timings: { connect: 1 },
    evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
  };
}

/** Two checks interleaved: confirmation, restoration, failing again, a slow site, an unknown. */
const SCENARIO: ProbeResult[] = [
  ...[
    [0, 'up'],
    [10, 'down'],
    [20, 'down'],
    [30, 'down'],
    [40, 'down'],
    [50, 'up'],
    [60, 'up'],
    [70, 'down'],
    [80, 'down'],
    [90, 'down'],
    [100, 'up'],
  ].map(([s, status]) => result('skm-form', status as ProbeStatus, s as number)),
  ...[
    [5, 'down'],
    [15, 'down'],
    [25, 'up'],
    [35, 'degraded'],
    [45, 'degraded'],
    [55, 'degraded'],
    [65, 'unknown'],
    [75, 'up'],
    [85, 'up'],
  ].map(([s, status]) => result('pengaduan-form', status as ProbeStatus, s as number, status === 'degraded' ? 'slow' : 'connect')),
].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());

interface Harness {
  testDb: TestDatabase;
  db: Database;
  detector: Detector;
  /** Transactions begun through this database. */
  transactions: () => number;
}

async function harness(kind: TestDatabaseKind): Promise<Harness> {
  const testDb = await kind.create();
  const raw = openDatabase(testDb.url);
  await raw.migrate();
  await raw.stores.checks.syncConfig(config.services, at(0));
  let transactions = 0;
  const db: Database = { ...raw, transaction: (work) => (transactions++, raw.transaction(work)), close: () => raw.close() };
  const incidents = createIncidentServices({ db, checks: fixedCheckLookup(config.services), policy: config.policy, calendar: config.calendar, clock: () => at(1000) });
  const detector = new Detector({ db, incidents: incidents.probes, flapping: config.policy.flapping, checks: fixedCheckLookup(config.services), instance: 'test', logger: silent });
  return { testDb, db, detector, transactions: () => transactions };
}

/** Everything the results left behind, without database ids. */
async function snapshot(db: Database) {
  const checks = (await db.stores.checks.listChecks()).map(({ id: _id, ...c }) => c);
  const { items } = await db.stores.incidents.list({}, 100, null);
  const incidents = await Promise.all(items.map(async ({ id, ...i }) => ({ ...i, events: (await db.stores.incidents.listEvents(id)).map((e) => e.type) })));
  const results = await Promise.all(
    ['pengaduan-form', 'skm-form'].map(async (key) => (await db.stores.checks.listResults(key, at(0), at(10_000), 5000)).map(({ id: _id, ...r }) => r)),
  );
  return { checks, incidents, results };
}

describe.each(testDatabaseKinds())('batched result writes on $name', (kind) => {
  const harnesses: Harness[] = [];
  const fresh = async () => {
    const h = await harness(kind);
    harnesses.push(h);
    return h;
  };
  afterAll(async () => {
    for (const h of harnesses) {
      await h.db.close();
      await h.testDb.drop();
    }
  });

  it('a batch of results for several checks, in one transaction, leaves what feeding them one by one leaves', async () => {
    const [oneByOne, whole, chunked] = [await fresh(), await fresh(), await fresh()];
    const expected = [];
    for (const r of SCENARIO) expected.push(await oneByOne.detector.handleResult(r));
    const wholeVerdicts = await whole.detector.handleBatch(SCENARIO);
    const chunkVerdicts = [];
    for (let i = 0; i < SCENARIO.length; i += 5) chunkVerdicts.push(...(await chunked.detector.handleBatch(SCENARIO.slice(i, i + 5))));

    expect(whole.transactions()).toBe(1);
    expect(wholeVerdicts).toEqual(expected);
    expect(chunkVerdicts).toEqual(expected);
    const reference = await snapshot(oneByOne.db);
    expect(reference.incidents.map((i) => [i.check, i.priority, i.detectedAt, i.serviceRestoredAt, i.events])).toEqual([
      ['skm-form', 'P2', at(10), null, ['opened', 'restored', 'failed_again']],
      ['pengaduan-form', 'P3', at(35), at(75), ['opened', 'restored']],
    ]);
    expect(await snapshot(whole.db)).toEqual(reference);
    expect(await snapshot(chunked.db)).toEqual(reference);
  });

  it('two workers writing overlapping batches in opposite check order neither deadlock nor duplicate', async () => {
    const h = await fresh();
    // On PostgreSQL the second worker has its own pool, as a second process would.
    const second = kind.name === 'postgres' ? openDatabase(h.testDb.url) : h.db;
    try {
      const incidents = createIncidentServices({ db: second, checks: fixedCheckLookup(config.services), policy: config.policy, calendar: config.calendar, clock: () => at(1000) });
      const other = new Detector({
        db: second,
        incidents: incidents.probes,
        flapping: config.policy.flapping,
        checks: fixedCheckLookup(config.services),
        instance: 'other',
        logger: silent,
      });
      const batches = (offset: number, keys: string[]) => [0, 1, 2, 3].map((round) => keys.map((key) => result(key, 'down', offset + round * 10)));
      await Promise.all([
        Promise.all(batches(0, ['skm-form', 'pengaduan-form']).map((b) => h.detector.handleBatch(b))),
        Promise.all(batches(1, ['pengaduan-form', 'skm-form']).map((b) => other.handleBatch(b))),
      ]);
      const { items } = await h.db.stores.incidents.list({ openOnly: true }, 100, null);
      expect(items.map((i) => i.check).sort()).toEqual(['pengaduan-form', 'skm-form']);
    } finally {
      if (second !== h.db) await second.close();
    }
  });

  it('1,000 results through the batcher are all stored, in few transactions', async () => {
    const h = await fresh();
    const batcher = new ResultBatcher(h.detector, silent, { maxBatch: 500, maxDelayMs: 50, maxBuffered: 100_000 });
    const keys = ['skm-form', 'pengaduan-form'];
    const submitted = Array.from({ length: 1000 }, (_, i) => batcher.submit(result(keys[i % 2]!, i % 7 === 3 ? 'down' : 'up', i)));
    const verdicts = await Promise.all(submitted);
    expect(verdicts).toHaveLength(1000);
    const stored = await Promise.all(keys.map((k) => h.db.stores.checks.listResults(k, at(0), at(2000), 5000)));
    expect(stored.map((s) => s.length)).toEqual([500, 500]);
    expect(batcher.stats()).toMatchObject({ buffered: 0, dropped: 0, flushes: 2 });
    expect(h.transactions()).toBe(2);
    await batcher.stop();
  });

  it('after a database outage, the kept results are written in order and the incident opens dated from the first failure', async () => {
    const h = await fresh();
    // The batcher is the unit under test: the real detector behind a gate that fails like an
    // unreachable database for its first three calls.
    let outage = 3;
    const sink = {
      handleBatch: async (results: readonly ProbeResult[]) => {
        if (outage > 0) {
          outage--;
          throw new StorageUnavailableError('database unavailable: connect ECONNREFUSED 127.0.0.1:5432');
        }
        return h.detector.handleBatch(results);
      },
    };
    const batcher = new ResultBatcher(sink, silent, { maxBatch: 500, maxDelayMs: 5, maxBuffered: 1000, minBackoffMs: 20, maxBackoffMs: 40 });
    const failures = [10, 20, 30, 40].map((s) => result('skm-form', 'down', s));
    for (const r of failures) {
      // the scheduler hears of the outage at once and probes on
      await expect(batcher.submit(r)).rejects.toBeInstanceOf(StorageUnavailableError);
    }
    expect(batcher.stats()).toMatchObject({ buffered: 4, lastFlushError: expect.stringContaining('ECONNREFUSED') });
    await expect.poll(() => batcher.stats().buffered, { timeout: 5000 }).toBe(0);
    expect(await batcher.submit(result('skm-form', 'down', 50))).toMatchObject({ outcome: 'failure_confirmed' });
    expect(batcher.stats()).toMatchObject({ buffered: 0, dropped: 0, lastFlushError: null });

    const stored = await h.db.stores.checks.listResults('skm-form', at(0), at(100), 100);
    expect(stored.map((r) => r.startedAt)).toEqual([10, 20, 30, 40, 50].map(at));
    const { items } = await h.db.stores.incidents.list({ openOnly: true }, 100, null);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ check: 'skm-form', detectedAt: at(10), evidence: { checkedAt: at(30).toISOString() } });
    await batcher.stop();
  });

  it('stop() writes what is still buffered before it resolves', async () => {
    const h = await fresh();
    const batcher = new ResultBatcher(h.detector, silent, { maxBatch: 500, maxDelayMs: 10_000, maxBuffered: 100_000 });
    const pending = [0, 10, 20].map((s) => batcher.submit(result('pengaduan-form', 'up', s)));
    await batcher.stop();
    await expect(Promise.all(pending)).resolves.toHaveLength(3);
    expect(await h.db.stores.checks.listResults('pengaduan-form', at(0), at(100), 100)).toHaveLength(3);
    await expect(batcher.submit(result('pengaduan-form', 'up', 30))).rejects.toThrow(/stopped/);
  });
});
