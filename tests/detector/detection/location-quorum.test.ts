// Confirmation by k of n probe locations: each location keeps its own streak, and a P1/P2
// incident opens only when k of the locations reporting recently see the failure confirmed.
// Pure rules by table first, then the detector on real SQLite and PostgreSQL with results from
// Jakarta, Palembang and Kayuagung.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import { createIncidentServices } from '../../../detector/incidents/incident-services.js';
import { quorumFails, type LocationState, type QuorumPolicy } from '../../../detector/detection/location-quorum.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { FailureKind, ProbeResult, ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase, type TestDatabaseKind } from '../../helpers/test-databases.js';

// Every check: interval 60 s, timeout 10 s, so a location silent for more than 130 s is stale.
const config: SigapConfig = parseConfig(
  `
services:
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://pengaduan.test/", interval: 60s, timeout: 10s, retryInterval: 10s, failureThreshold: 3, successThreshold: 2, confirm: { locations: 2 } }
  - key: arsip
    name: Arsip
    impact: low
    checks:
      - { key: arsip-form, type: http, url: "http://arsip.test/", interval: 60s, timeout: 10s, retryInterval: 10s, failureThreshold: 3, successThreshold: 2, confirm: { locations: 2 } }
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://skm.test/", interval: 60s, timeout: 10s, retryInterval: 10s, failureThreshold: 3, successThreshold: 2 }
`,
  'test.yaml',
  {},
);
const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const silent = pino({ level: 'silent' });
const LOCATIONS = ['jakarta', 'palembang', 'kayuagung'] as const;
type Location = (typeof LOCATIONS)[number];

function result(checkKey: string, status: ProbeStatus, seconds: number, failureKind: FailureKind = 'connect'): ProbeResult {
  return {
    checkKey,
    startedAt: at(seconds),
    durationMs: 3,
    status,
    failureKind: status === 'up' || status === 'unknown' ? null : failureKind,
    timings: { connect: 1 },
    evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
  };
}

describe('the quorum rule', () => {
  const policy: QuorumPolicy = { confirmLocations: 2, intervalMs: 60_000, timeoutMs: 10_000, failureThreshold: 3, successThreshold: 2, impact: 'high' };
  const loc = (instance: string, state: ProbeStatus, lastSeconds: number, failureKind: FailureKind | null = state === 'down' ? 'connect' : null): LocationState => ({
    instance,
    state,
    consecutiveFailures: state === 'down' ? 3 : 0,
    consecutiveSuccesses: state === 'up' ? 1 : 0,
    streakStartedAt: at(lastSeconds - 20),
    lastResultAt: at(lastSeconds),
    failureKind,
  });
  const cases: Array<[string, LocationState[], QuorumPolicy, boolean]> = [
    ['one of two live locations fails a P1: no', [loc('a', 'down', 290), loc('b', 'up', 290)], policy, false],
    ['both of two fail a P1: yes', [loc('a', 'down', 290), loc('b', 'down', 280)], policy, true],
    ['the other location is stale: the one live location decides', [loc('a', 'down', 300), loc('b', 'up', 100)], policy, true],
    ['a stale failing location does not count: no', [loc('a', 'down', 300), loc('b', 'down', 100), loc('c', 'up', 300)], policy, false],
    ['two of three fail: yes', [loc('a', 'down', 290), loc('b', 'up', 290), loc('c', 'down', 290)], policy, true],
    ['a slow site on a high-impact service would be P3: one location is enough', [loc('a', 'degraded', 290, 'slow'), loc('b', 'up', 290)], policy, true],
    ['a low-impact service (P3 at most): one location is enough', [loc('a', 'down', 290), loc('b', 'up', 290)], { ...policy, impact: 'low' }, true],
    ['k = 1: one location is enough', [loc('a', 'down', 290), loc('b', 'up', 290)], { ...policy, confirmLocations: 1 }, true],
    ['nobody fails: no', [loc('a', 'up', 290), loc('b', 'up', 290)], policy, false],
  ];
  // Judged at 300 s: a location last heard at 100 s is stale (more than 2 × 60 s + 10 s ago).
  it.each(cases)('%s', (_name, locations, p, expected) => {
    expect(quorumFails(locations, at(300), p)).toBe(expected);
  });
});

interface Harness {
  testDb: TestDatabase;
  db: Database;
  clock: { now: Date };
  at: Record<Location, Detector>;
}

function detectorFor(db: Database, instance: string, clock: { now: Date }): Detector {
  const checks = fixedCheckLookup(config.services);
  const incidents = createIncidentServices({ db, checks, policy: config.policy, calendar: config.calendar, clock: () => clock.now });
  return new Detector({ db, incidents: incidents.probes, flapping: config.policy.flapping, checks, instance, logger: silent });
}

async function harness(kind: TestDatabaseKind): Promise<Harness> {
  const testDb = await kind.create();
  const db = openDatabase(testDb.url);
  await db.migrate();
  await db.stores.checks.syncConfig(config.services, at(0));
  const clock = { now: at(0) };
  const detectors = Object.fromEntries(LOCATIONS.map((l) => [l, detectorFor(db, l, clock)])) as Record<Location, Detector>;
  return { testDb, db, clock, at: detectors };
}

/** Feed [location, seconds, status] steps in order, one result each, moving the clock along. */
async function feed(h: Harness, checkKey: string, steps: Array<[Location, number, ProbeStatus]>) {
  const verdicts = [];
  for (const [location, seconds, status] of steps) {
    h.clock.now = at(seconds);
    verdicts.push(await h.at[location].handleResult(result(checkKey, status, seconds)));
  }
  return verdicts;
}

async function incidentsOf(db: Database, checkKey: string) {
  const { items } = await db.stores.incidents.list({}, 100, null);
  return Promise.all(
    items
      .filter((i) => i.check === checkKey)
      .map(async (i) => ({
        priority: i.priority,
        detectedAt: i.detectedAt,
        serviceRestoredAt: i.serviceRestoredAt,
        events: (await db.stores.incidents.listEvents(i.id)).map((e) => e.type).filter((t) => t !== 'escalate_management'),
      })),
  );
}

describe.each(testDatabaseKinds())('k of n location confirmation on $name', (kind) => {
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

  it('with 2 of 2, a failure seen only from Jakarta (a local network problem there) opens nothing', async () => {
    const h = await fresh();
    const verdicts = await feed(h, 'pengaduan-form', [
      ['palembang', 0, 'up'],
      ['jakarta', 5, 'down'],
      ['jakarta', 15, 'down'],
      ['jakarta', 25, 'down'],
      ['palembang', 60, 'up'],
      ['jakarta', 35, 'down'],
      ['palembang', 120, 'up'],
      ['jakarta', 125, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([]);
    // Jakarta's own failure is confirmed, the check's is not: it stays up, Jakarta keeps retrying.
    expect(verdicts[3]).toEqual({ outcome: 'failure_unconfirmed', awaitingConfirmation: true });
    expect(await h.db.stores.checks.getCheck('pengaduan-form')).toMatchObject({ state: 'up', consecutiveFailures: 0 });
    const check = (await h.db.stores.checks.getCheck('pengaduan-form'))!;
    expect((await h.db.stores.checks.listLocationStates(check.id)).map((l) => [l.instance, l.state, l.consecutiveFailures, l.streakStartedAt])).toEqual([
      ['jakarta', 'down', 5, at(5)],
      ['palembang', 'up', 0, at(0)],
    ]);
  });

  it('with 2 of 2, a failure seen from both opens one P1 incident dated from the earliest first failure', async () => {
    const h = await fresh();
    const verdicts = await feed(h, 'pengaduan-form', [
      ['palembang', 0, 'up'],
      ['jakarta', 3, 'down'],
      ['jakarta', 13, 'down'],
      ['palembang', 14, 'down'],
      ['jakarta', 23, 'down'],
      ['palembang', 24, 'down'],
      ['palembang', 34, 'down'],
      ['jakarta', 33, 'down'],
      ['palembang', 44, 'down'],
    ]);
    expect(verdicts.map((v) => v.outcome)).toEqual([
      'none',
      'failure_unconfirmed',
      'failure_unconfirmed',
      'failure_unconfirmed',
      'failure_unconfirmed',
      'failure_unconfirmed',
      'failure_confirmed',
      'failure_confirmed',
      'failure_confirmed',
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([{ priority: 'P1', detectedAt: at(3), serviceRestoredAt: null, events: ['opened'] }]);
    expect(await h.db.stores.checks.getCheck('pengaduan-form')).toMatchObject({ state: 'down', streakStartedAt: at(3), lastStateChangeAt: at(34) });
  });

  it('with the default of one location, results from every location advance the check one shared streak, exactly as before', async () => {
    const h = await fresh();
    const verdicts = await feed(h, 'skm-form', [
      ['jakarta', 0, 'down'],
      ['palembang', 5, 'down'],
      ['jakarta', 10, 'down'],
      ['palembang', 15, 'up'],
      ['jakarta', 20, 'up'],
    ]);
    expect(verdicts.map((v) => v.outcome)).toEqual(['failure_unconfirmed', 'failure_unconfirmed', 'failure_confirmed', 'none', 'recovery_confirmed']);
    expect(await incidentsOf(h.db, 'skm-form')).toEqual([{ priority: 'P2', detectedAt: at(0), serviceRestoredAt: at(15), events: ['opened', 'restored'] }]);
    // No per-location streaks are kept for it: nothing changes for single-location setups.
    const check = (await h.db.stores.checks.getCheck('skm-form'))!;
    expect(await h.db.stores.checks.listLocationStates(check.id)).toEqual([]);
  });

  it('a check that can only be P3 (impact low) opens from one location even with confirm 2: confirmation is for P1/P2 only', async () => {
    const h = await fresh();
    await feed(h, 'arsip-form', [
      ['palembang', 0, 'up'],
      ['jakarta', 5, 'down'],
      ['jakarta', 15, 'down'],
      ['palembang', 20, 'up'],
      ['jakarta', 25, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'arsip-form')).toEqual([{ priority: 'P3', detectedAt: at(5), serviceRestoredAt: null, events: ['opened'] }]);
  });

  it('a stale location neither blocks nor confirms', async () => {
    const h = await fresh();
    // Palembang confirms a failure, then falls silent (its host lost power).
    await feed(h, 'pengaduan-form', [
      ['kayuagung', 0, 'up'],
      ['palembang', 0, 'down'],
      ['palembang', 10, 'down'],
      ['palembang', 20, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([]);
    // 200 s later its failure is stale: it does not join Jakarta's to make two.
    await feed(h, 'pengaduan-form', [
      ['kayuagung', 200, 'up'],
      ['jakarta', 200, 'down'],
      ['jakarta', 210, 'down'],
      ['kayuagung', 215, 'up'],
      ['jakarta', 220, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([]);
    // Kayuagung falls silent as well: Jakarta is the only live location, and it alone decides.
    await feed(h, 'pengaduan-form', [
      ['jakarta', 300, 'down'],
      ['jakarta', 360, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([{ priority: 'P1', detectedAt: at(200), serviceRestoredAt: null, events: ['opened'] }]);
  });

  it('is restored when fewer than k locations still fail, and fails again only when k do again', async () => {
    const h = await fresh();
    await feed(h, 'pengaduan-form', [
      ['jakarta', 0, 'down'],
      ['palembang', 1, 'down'],
      ['jakarta', 10, 'down'],
      ['palembang', 11, 'down'],
      ['jakarta', 20, 'down'],
      ['palembang', 21, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([{ priority: 'P1', detectedAt: at(0), serviceRestoredAt: null, events: ['opened'] }]);

    const recovery = await feed(h, 'pengaduan-form', [
      ['jakarta', 30, 'up'],
      ['palembang', 31, 'down'],
      ['jakarta', 40, 'up'],
    ]);
    expect(recovery.map((v) => v.outcome)).toEqual(['none', 'failure_confirmed', 'recovery_confirmed']);
    // Restored at Jakarta's first success: Palembang alone still failing is its own problem now.
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([{ priority: 'P1', detectedAt: at(0), serviceRestoredAt: at(30), events: ['opened', 'restored'] }]);
    expect((await feed(h, 'pengaduan-form', [['palembang', 41, 'down']]))[0]!.outcome).toBe('failure_unconfirmed');

    await feed(h, 'pengaduan-form', [
      ['jakarta', 50, 'down'],
      ['jakarta', 60, 'down'],
      ['jakarta', 70, 'down'],
    ]);
    expect(await incidentsOf(h.db, 'pengaduan-form')).toEqual([{ priority: 'P1', detectedAt: at(0), serviceRestoredAt: null, events: ['opened', 'restored', 'failed_again'] }]);
  });

  it('two locations committing their confirming batches at the same time open one incident', async () => {
    const h = await fresh();
    // On PostgreSQL the second location has its own pool, as its own process would; SQLite
    // serializes writers anyway (better-sqlite3 blocks the thread while it waits for the lock).
    const second = kind.name === 'postgres' ? openDatabase(h.testDb.url) : h.db;
    try {
      const palembang = detectorFor(second, 'palembang', h.clock);
      // Rounds an hour apart, so that the restorations between them are not flapping.
      for (let round = 0; round < 5; round++) {
        const t = round * 3600;
        // Both locations are live, so neither batch alone confirms: whichever commits second opens.
        await feed(h, 'pengaduan-form', [
          ['jakarta', t - 5, 'up'],
          ['palembang', t - 4, 'up'],
        ]);
        const batch = (offset: number) => [0, 10, 20].map((s) => result('pengaduan-form', 'down', t + offset + s));
        await Promise.all([h.at.jakarta.handleBatch(batch(0)), palembang.handleBatch(batch(1))]);
        await feed(h, 'pengaduan-form', [
          ['jakarta', t + 30, 'up'],
          ['palembang', t + 31, 'up'],
          ['jakarta', t + 40, 'up'],
          ['palembang', t + 41, 'up'],
        ]);
      }
      const incidents = await incidentsOf(h.db, 'pengaduan-form');
      // One incident: opened once, then restored and failing again each round (never a second one).
      expect(incidents).toHaveLength(1);
      expect(incidents[0]!.detectedAt).toEqual(at(0));
      expect(incidents[0]!.events.filter((e) => e === 'opened')).toHaveLength(1);
      expect(incidents[0]!.events.filter((e) => e === 'restored')).toHaveLength(5);
    } finally {
      if (second !== h.db) await second.close();
    }
  });
});
