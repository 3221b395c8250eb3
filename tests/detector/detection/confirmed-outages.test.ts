// Confirmed outages, recorded by the real detector on real SQLite and PostgreSQL, and the two
// availability figures they give: a site that fails one probe in three and never has a failure
// confirmed keeps 100 % availability with its probe success below; a confirmed failure counts from
// its first failed probe to the restoration the incident records, survives raw-result pruning, and
// a down → degraded change splits it.
import knexFactory from 'knex';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import { createIncidentServices } from '../../../detector/incidents/incident-services.js';
import { AvailabilityService } from '../../../detector/reporting/availability.js';
import { Housekeeping } from '../../../detector/reporting/housekeeping.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const config = parseConfig(
  `
timezone: Asia/Jakarta
services:
  - key: flaky
    name: Situs yang kadang gagal
    impact: medium
    checks:
      - { key: flaky-web, type: http, url: "http://flaky.test/", interval: 60s, failureThreshold: 2 }
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://skm.test/", interval: 60s, failureThreshold: 3, successThreshold: 2 }
`,
  'test.yaml',
  {},
);
const checks = config.services.flatMap((s) => s.checks);
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-12-01T01:00:00.000Z'); // Tuesday 08:00 WIB
const at = (minute: number) => new Date(T0 + minute * MIN);

describe.each(testDatabaseKinds())('confirmed outages through the detector on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let now = at(0);
  let detector: Detector;
  const availability = () =>
    new AvailabilityService({ db, checks: () => checks, timezone: 'Asia/Jakarta', calendar: config.calendar, options: config.availability, clock: () => now });

  const makeDetector = () => {
    const lookup = fixedCheckLookup(config.services);
    const incidents = createIncidentServices({ db, checks: lookup, policy: config.policy, calendar: config.calendar, clock: () => now });
    return new Detector({ db, incidents: incidents.probes, flapping: config.policy.flapping, checks: lookup, instance: 'test', logger: pino({ level: 'silent' }) });
  };

  async function feed(checkKey: string, minute: number, status: ProbeStatus) {
    now = at(minute);
    await detector.handleResult({ checkKey, startedAt: at(minute), durationMs: 5, status, failureKind: status === 'up' ? null : 'connect', timings: {}, evidence: {} });
  }
  const incidentsOf = async (check: string) => (await db.stores.incidents.list({}, 100, null)).items.filter((i) => i.check === check);
  const outagesOf = async (key: string, to = now) => {
    const id = (await db.stores.checks.getCheck(key))!.id;
    return (await db.stores.outages.list([id], at(-60), to)).map((o) => [o.kind, o.startedAt.getTime(), o.endedAt?.getTime() ?? null]);
  };

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at(-60));
    detector = makeDetector();

    // Three hours, one probe a minute. flaky-web fails every third probe: a single failure, never
    // two in a row, so never confirmed (failureThreshold 2).
    // skm-form: up, then down from minute 60 (confirmed at 62, the third), degraded from minute 64
    // (still failing: the outage goes on as degraded), up from 66; restored at 67 (the second
    // success), dated from the first success, 66 — and up again to the end.
    for (let minute = 0; minute < 180; minute++) {
      await feed('flaky-web', minute, minute % 3 === 2 ? 'down' : 'up');
      await feed('skm-form', minute, minute >= 60 && minute < 64 ? 'down' : minute >= 64 && minute < 66 ? 'degraded' : 'up');
    }
    now = at(180);
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('records no outage and no incident for a site that fails one probe in three: availability 100 %, probe success below', async () => {
    expect(await outagesOf('flaky-web')).toEqual([]);
    expect(await incidentsOf('flaky-web')).toEqual([]);
    const figures = (await availability().forServices(at(0), at(180))).get('flaky')!;
    // 60 failed probes, each standing for its minute until the next one
    expect(figures).toMatchObject({ observedMs: 180 * MIN, downMs: 0, ratio: 1, probeDownMs: 60 * MIN });
    expect(figures.probeSuccess).toBeCloseTo(2 / 3, 10);
  });

  it('records a confirmed failure from its first failed probe to the restoration the incident records, split where it turned degraded', async () => {
    expect(await outagesOf('skm-form')).toEqual([
      ['down', at(60).getTime(), at(64).getTime()],
      ['degraded', at(64).getTime(), at(66).getTime()],
    ]);
    const [incident] = await incidentsOf('skm-form');
    expect(incident!.detectedAt).toEqual(at(60));
    expect(incident!.serviceRestoredAt).toEqual(at(66));
    const figures = (await availability().forChecks(at(0), at(180))).get('skm-form')!;
    expect(figures).toMatchObject({ observedMs: 180 * MIN, downMs: 4 * MIN, degradedMs: 2 * MIN, probeDownMs: 4 * MIN, probeDegradedMs: 2 * MIN });
    // degraded time is available by default
    expect(figures.ratio).toBe(176 / 180);
    const strict = new AvailabilityService({
      db,
      checks: () => checks,
      timezone: 'Asia/Jakarta',
      calendar: config.calendar,
      options: { ...config.availability, degraded: 'down' },
      clock: () => now,
    });
    expect((await strict.forChecks(at(0), at(180))).get('skm-form')!.ratio).toBe(174 / 180);
  });

  it('keeps an outage open while the failure lasts, and counts it to now', async () => {
    for (let minute = 180; minute < 190; minute++) await feed('skm-form', minute, 'down');
    now = at(190);
    expect((await outagesOf('skm-form')).at(-1)).toEqual(['down', at(180).getTime(), null]);
    expect((await availability().downIntervals(at(170), at(200), 'skm')).map((i) => [i.kind, i.from, i.to])).toEqual([['down', at(180), at(190)]]);
    for (let minute = 190; minute < 192; minute++) await feed('skm-form', minute, 'up');
    expect((await outagesOf('skm-form')).at(-1)).toEqual(['down', at(180).getTime(), at(190).getTime()]);
  });

  it('keeps confirmed outages, and the figures, after raw results are pruned', async () => {
    const before = await availability().forServices(at(0), at(180));
    const intervals = await availability().downIntervals(at(0), at(180));
    now = at(8 * 60);
    await new Housekeeping({
      db,
      checks,
      timezone: 'Asia/Jakarta',
      retention: { rawMs: HOUR, hourlyMs: config.retention.hourlyMs },
      clock: () => now,
      logger: pino({ level: 'silent' }),
    }).runOnce();
    const id = (await db.stores.checks.getCheck('skm-form'))!.id;
    expect(await db.stores.rollups.listSamples(id, at(0), at(180))).toEqual([]);
    expect(await availability().downIntervals(at(0), at(180))).toEqual(intervals);
    expect(intervals.map((i) => i.check)).toEqual(['skm-form', 'skm-form']);
    // The rolled-up hours hold probe-level time; the outages give the same confirmed time as before.
    expect(await availability().forServices(at(0), at(180))).toEqual(before);
  });

  // Last: it takes the table away and migrates again, as a database from before it would be.
  it('starts, on migrating a database from before, the outage of a check failing at that moment', async () => {
    for (let minute = 480; minute < 483; minute++) await feed('skm-form', minute, 'down'); // failing from 480
    const raw = testDb.url.startsWith('sqlite:')
      ? knexFactory({ client: 'better-sqlite3', connection: { filename: testDb.url.slice(7) }, useNullAsDefault: true })
      : knexFactory({ client: 'pg', connection: testDb.url });
    try {
      await raw.schema.dropTable('check_outages');
      await raw('knex_migrations').where('name', '20261203000200_create_check_outages').del();
    } finally {
      await raw.destroy();
    }
    await db.close();
    db = openDatabase(testDb.url);
    expect(await db.migrate()).toEqual(['20261203000200_create_check_outages']);
    detector = makeDetector();
    expect(await outagesOf('skm-form')).toEqual([['down', at(480).getTime(), null]]);
    expect(await outagesOf('flaky-web')).toEqual([]);
    // and the detector ends it at the restoration, as if it had recorded it from the start
    await feed('skm-form', 490, 'up');
    await feed('skm-form', 491, 'up');
    expect(await outagesOf('skm-form')).toEqual([['down', at(480).getTime(), at(490).getTime()]]);
  });
});
