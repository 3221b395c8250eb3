// The detector driven by sequences of probe results, on real SQLite and PostgreSQL.
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import { createIncidentServices } from '../../../detector/incidents/incident-services.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { FailureKind, ProbeResult, ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const YAML = `
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
      - { key: pengaduan-form, type: http, url: "http://pengaduan.test/" }
`;
const config: SigapConfig = parseConfig(YAML, 'test.yaml', {});
const T0 = Date.parse('2026-11-27T01:00:00.000Z'); // Friday 08:00 WIB
const at = (seconds: number) => new Date(T0 + seconds * 1000);

function result(checkKey: string, status: ProbeStatus, seconds: number, failureKind: FailureKind | null = status === 'up' ? null : 'connect'): ProbeResult {
  return {
    checkKey,
    startedAt: at(seconds),
    durationMs: 3,
    status,
    failureKind,
    timings: { resolve: 0.1, connect: 1 },
    evidence: status === 'up' ? { statusCode: 200 } : { url: `http://${checkKey}/`, errorCode: 'ECONNREFUSED', errorMessage: 'connect ECONNREFUSED 127.0.0.1:1' },
  };
}

function makeDetector(db: Database, now: () => Date) {
  const incidents = createIncidentServices({ db, checks: fixedCheckLookup(config.services), policy: config.policy, calendar: config.calendar, clock: now });
  const detector = new Detector({
    db,
    incidents: incidents.probes,
    flapping: config.policy.flapping,
    checks: fixedCheckLookup(config.services),
    instance: 'test',
    logger: pino({ level: 'silent' }),
  });
  return { detector, incidents };
}

describe.each(testDatabaseKinds())('detector on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let clock = at(0);
  let detector: Detector;

  /** Feed results one by one (seconds, status) for a check. */
  async function feed(checkKey: string, steps: Array<[number, ProbeStatus, FailureKind?]>, d = detector) {
    const verdicts = [];
    for (const [seconds, status, failureKind] of steps) {
      clock = at(seconds);
      verdicts.push(await d.handleResult(result(checkKey, status, seconds, failureKind ?? (status === 'up' ? null : 'connect'))));
    }
    return verdicts;
  }
  const openIncidents = async (checkKey: string) => (await db.stores.incidents.list({ openOnly: true }, 100, null)).items.filter((i) => i.check === checkKey);

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });
  beforeEach(async () => {
    await db.stores.checks.syncConfig(config.services, at(0));
    detector = makeDetector(db, () => clock).detector;
  });

  it('when the SKM site refuses connections three times, one incident opens with category network/connection', async () => {
    const verdicts = await feed('skm-form', [
      [0, 'up'],
      [60, 'down'],
      [70, 'down'],
      [80, 'down'],
      [90, 'down'],
    ]);
    expect(verdicts.map((v) => v.outcome)).toEqual(['none', 'failure_unconfirmed', 'failure_unconfirmed', 'failure_confirmed', 'failure_confirmed']);
    expect(verdicts.map((v) => v.awaitingConfirmation)).toEqual([false, true, true, false, false]);
    const open = await openIncidents('skm-form');
    expect(open).toHaveLength(1);
    const incident = open[0]!;
    expect(incident).toMatchObject({
      ref: 'INC-2026-00001',
      service: 'skm',
      check: 'skm-form',
      source: 'probe',
      status: 'new',
      failureKind: 'connect',
      category: 'network',
      subcategory: 'connection',
      impact: 'medium',
      urgency: 'high',
      priority: 'P2',
      escalationLevel: 0,
      assignedGroup: 'service_desk',
      detectedAt: at(60),
      serviceRestoredAt: null,
      evidence: { errorCode: 'ECONNREFUSED', failureKind: 'connect', timings: { connect: 1 } },
    });
    // P2 runs on a 24x7 clock: 30 minutes to respond, 8 hours to resolve, from detection.
    expect(incident.responseDueAt).toEqual(at(60 + 30 * 60));
    expect(incident.resolveDueAt).toEqual(at(60 + 8 * 3600));
    const detail = await makeDetector(db, () => clock).incidents.queries.get(
      { id: 1, username: 'a', displayName: 'a', role: 'admin', language: 'id', active: true, email: null },
      incident.ref,
    );
    expect(detail.events.map((e) => [e.type, e.actor, e.toStatus])).toEqual([['opened', 'sigap', 'new']]);
  });

  it('two failures and a success open nothing', async () => {
    await feed('pengaduan-form', [
      [0, 'down'],
      [10, 'down'],
      [20, 'up'],
      [80, 'down'],
      [90, 'down'],
      [100, 'up'],
    ]);
    expect(await openIncidents('pengaduan-form')).toEqual([]);
  });

  it('when probes see the site healthy twice, the incident records serviceRestoredAt and stays open for a person', async () => {
    await feed('skm-form', [
      [200, 'up'],
      [210, 'up'],
    ]);
    const [incident] = await openIncidents('skm-form');
    expect(incident).toMatchObject({ status: 'new', serviceRestoredAt: at(200) });
    const events = await db.stores.incidents.listEvents(incident!.id);
    expect(events.map((e) => e.type)).toEqual(['opened', 'restored']);
  });

  it('a confirmed failure after restoration makes the same incident live again, never a second one', async () => {
    await feed('skm-form', [
      [300, 'down'],
      [310, 'down'],
      [320, 'down'],
    ]);
    const open = await openIncidents('skm-form');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ ref: 'INC-2026-00001', serviceRestoredAt: null });
    expect((await db.stores.incidents.listEvents(open[0]!.id)).map((e) => e.type)).toEqual(['opened', 'restored', 'failed_again']);
  });

  it('streaks survive a restart: a new detector continues where the old one stopped', async () => {
    await feed('pengaduan-form', [
      [400, 'up'],
      [460, 'down'],
      [470, 'down'],
    ]);
    const restarted = makeDetector(db, () => clock).detector;
    await feed('pengaduan-form', [[480, 'down']], restarted);
    const [incident] = await openIncidents('pengaduan-form');
    // high impact × full outage = P1, detected at the first failure before the restart
    expect(incident).toMatchObject({ priority: 'P1', detectedAt: at(460), ref: 'INC-2026-00002' });
  });

  it('a slow site opens a low-urgency performance incident', async () => {
    // Closed, so the next failure is a new incident (within reopenWindow of a resolution it would reopen that one).
    await db.transaction(async (s) => {
      const open = await s.incidents.findOpenForCheck((await s.checks.getCheck('pengaduan-form'))!.id);
      await s.incidents.update(open!.id, { status: 'closed', resolvedAt: at(500), closedAt: at(500) }, at(500));
    });
    await feed('pengaduan-form', [
      [600, 'up'],
      [660, 'degraded', 'slow'],
      [670, 'degraded', 'slow'],
      [680, 'degraded', 'slow'],
    ]);
    const [incident] = await openIncidents('pengaduan-form');
    expect(incident).toMatchObject({ category: 'performance', subcategory: 'slow-response', urgency: 'low', priority: 'P3', ref: 'INC-2026-00003', relatedRef: 'INC-2026-00002' });
  });

  it('every probe result is stored, failing ones with their evidence', async () => {
    const results = await db.stores.checks.listResults('skm-form', at(0), at(1000), 100);
    expect(results.map((r) => r.status)).toEqual(['up', 'down', 'down', 'down', 'down', 'up', 'up', 'down', 'down', 'down']);
    expect(results[1]!.evidence).toMatchObject({ errorCode: 'ECONNREFUSED' });
    expect(results[0]!.evidence).toBeNull();
  });

  it('two detectors racing on the same outage still open exactly one incident', async () => {
    // On PostgreSQL the second detector has its own connection pool, as a second process would.
    // better-sqlite3 is synchronous, so two connections in one process would block each other's
    // thread; SQLite's case is many concurrent results through one process's database.
    const second = kind.name === 'postgres' ? openDatabase(testDb.url) : db;
    try {
      const a = makeDetector(db, () => clock).detector;
      const b = makeDetector(second, () => clock).detector;
      const key = 'skm-form';
      await db.transaction(async (s) => {
        const open = await s.incidents.findOpenForCheck((await s.checks.getCheck(key))!.id);
        await s.incidents.update(open!.id, { status: 'resolved', resolvedAt: at(700) }, at(700));
      });
      await feed(key, [[710, 'up']]);
      const steps = [720, 730, 740, 750, 760, 770];
      await Promise.all([Promise.all(steps.map((s) => a.handleResult(result(key, 'down', s)))), Promise.all(steps.map((s) => b.handleResult(result(key, 'down', s + 1))))]);
      expect(await openIncidents(key)).toHaveLength(1);
    } finally {
      if (second !== db) await second.close();
    }
  });
});
