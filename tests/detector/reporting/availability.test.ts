// Availability computed from constructed probe histories, on real SQLite and PostgreSQL: results go
// in through the check store, confirmed outages through the outage store (as the detector writes
// them; tests/detector/detection/confirmed-outages.test.ts drives the real detector), housekeeping
// rolls them up, and the AvailabilityService's figures are compared with values computed by hand
// in the comments beside them. Availability counts the confirmed outages; probe success every
// failed result. Times are UTC; WIB is UTC+7,
// so the WIB day of 1 December 2026 runs from 2026-11-30T17:00Z to 2026-12-01T17:00Z.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../config.js';
import { AvailabilityService, type AvailabilityOptions } from '../../../detector/reporting/availability.js';
import { Housekeeping } from '../../../detector/reporting/housekeeping.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

// Default business hours: mon-thu 07:30-16:00 WIB (00:30-09:00 UTC), fri 07:30-16:30.
const config = parseConfig(
  `
timezone: Asia/Jakarta
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 10s }
      - { key: skm-api, type: http, url: "http://127.0.0.1:1/api", interval: 5m, timeout: 10s }
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:2/", interval: 60s, timeout: 10s }
`,
  'test.yaml',
  {},
);
const checks = config.services.flatMap((s) => s.checks);
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (text: string) => new Date(text);

/** Results every `stepMs` in [from, to), each with the status `statusAt` gives its start. */
function history(from: string, to: string, stepMs: number, statusAt: (t: Date) => ProbeStatus): Array<[Date, ProbeStatus]> {
  const out: Array<[Date, ProbeStatus]> = [];
  for (let t = at(from).getTime(); t < at(to).getTime(); t += stepMs) out.push([new Date(t), statusAt(new Date(t))]);
  return out;
}
const within = (t: Date, from: string, to: string) => t >= at(from) && t < at(to);

describe('availability in sigap.yaml', () => {
  it('defaults to degraded time counting as up, around the clock', () => {
    expect(config.availability).toEqual({ degraded: 'up', businessHoursOnly: false });
    expect(parseConfig('availability: { degraded: down, businessHoursOnly: true }\n', 'test.yaml', {}).availability).toEqual({ degraded: 'down', businessHoursOnly: true });
  });

  it('refuses anything but up or down, naming the field', () => {
    expect(() => parseConfig('availability: { degraded: slow }\n', 'test.yaml', {})).toThrow(ConfigError);
    try {
      parseConfig('availability: { degraded: slow }\n', 'test.yaml', {});
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toContain('availability.degraded: must be up or down');
    }
  });
});

describe.each(testDatabaseKinds())('time-weighted availability on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let now = at('2027-01-01T18:10:00Z');
  const ids: Record<string, number> = {};
  const service = (options: Partial<AvailabilityOptions> = {}) =>
    new AvailabilityService({
      db,
      checks: () => checks,
      timezone: 'Asia/Jakarta',
      calendar: config.calendar,
      options: { degraded: 'up', businessHoursOnly: false, ...options },
      clock: () => now,
    });

  async function insert(key: string, results: Array<[Date, ProbeStatus]>) {
    for (let i = 0; i < results.length; i += 200) {
      await db.stores.checks.insertResults(
        results.slice(i, i + 200).map(([startedAt, status]) => ({
          checkId: ids[key]!,
          instance: 'test',
          result: { checkKey: key, startedAt, durationMs: 100, status, failureKind: status === 'up' ? null : 'connect', timings: {}, evidence: {} },
        })),
      );
    }
  }

  /** A confirmed outage, as the detector records it. */
  async function outage(key: string, kind: 'down' | 'degraded', from: string, to: string) {
    await db.stores.outages.open(ids[key]!, kind, at(from));
    await db.stores.outages.close(ids[key]!, at(to));
  }

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at('2026-11-01T00:00:00Z'));
    for (const check of await db.stores.checks.listChecks()) ids[check.key] = check.id;
    const skm = (await db.stores.checks.listServices()).find((s) => s.key === 'skm')!;

    // 1 December (WIB), skm-form every minute: down 01:00-02:00, degraded 03:00-03:30, unknown
    // 05:00-05:10, and down again 10:00-12:00 inside a maintenance window of that check only.
    await insert(
      'skm-form',
      history('2026-11-30T17:00:00Z', '2026-12-01T17:00:00Z', MIN, (t) => {
        if (within(t, '2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z')) return 'down';
        if (within(t, '2026-12-01T03:00:00Z', '2026-12-01T03:30:00Z')) return 'degraded';
        if (within(t, '2026-12-01T05:00:00Z', '2026-12-01T05:10:00Z')) return 'unknown';
        if (within(t, '2026-12-01T10:00:00Z', '2026-12-01T12:00:00Z')) return 'down';
        return 'up';
      }),
    );
    // The detector confirmed each of those failures (threshold 1): the same spans as outages.
    await outage('skm-form', 'down', '2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z');
    await outage('skm-form', 'degraded', '2026-12-01T03:00:00Z', '2026-12-01T03:30:00Z');
    await outage('skm-form', 'down', '2026-12-01T10:00:00Z', '2026-12-01T12:00:00Z');
    // skm-api every 5 minutes, up all day but for one failed probe at 06:00 that a retry cleared:
    // 5 minutes of probe-level down time, no outage.
    await insert(
      'skm-api',
      history('2026-11-30T17:00:00Z', '2026-12-01T17:00:00Z', 5 * MIN, (t) => (t.getTime() === at('2026-12-01T06:00:00Z').getTime() ? 'down' : 'up')),
    );
    await db.stores.maintenance.insert(
      {
        title: 'Migrasi',
        serviceId: skm.id,
        checkId: ids['skm-form']!,
        schedule: { recurrence: 'none', startsAt: at('2026-12-01T10:00:00Z'), endsAt: at('2026-12-01T12:00:00Z') },
        createdBy: 'admin',
      },
      at('2026-11-01T00:00:00Z'),
    );
    // New Year in WIB: pengaduan-form every minute 15:00-18:59 UTC on 31 December, down from
    // 23:00 WIB on 31 December to 01:00 WIB on 1 January (16:00-18:00 UTC), with a maintenance
    // window 17:30-17:45 UTC. Housekeeping (raw retention 30 days) has pruned 1 December's results.
    await insert(
      'pengaduan-form',
      history('2026-12-31T15:00:00Z', '2026-12-31T19:00:00Z', MIN, (t) => (within(t, '2026-12-31T16:00:00Z', '2026-12-31T18:00:00Z') ? 'down' : 'up')),
    );
    await outage('pengaduan-form', 'down', '2026-12-31T16:00:00Z', '2026-12-31T18:00:00Z');

    const pengaduan = (await db.stores.checks.listServices()).find((s) => s.key === 'pengaduan')!;
    await db.stores.maintenance.insert(
      {
        title: 'Restart',
        serviceId: pengaduan.id,
        checkId: null,
        schedule: { recurrence: 'none', startsAt: at('2026-12-31T17:30:00Z'), endsAt: at('2026-12-31T17:45:00Z') },
        createdBy: 'admin',
      },
      at('2026-11-01T00:00:00Z'),
    );
    // Housekeeping at 18:10 UTC on 31 December: hours before 18:00 are final, 18:00 is partial.
    now = at('2026-12-31T18:10:00Z');
    await new Housekeeping({ db, checks, timezone: 'Asia/Jakarta', retention: config.retention, clock: () => now, logger: pino({ level: 'silent' }) }).runOnce();
    now = at('2026-12-31T19:30:00Z');
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const dayOne = { from: at('2026-11-30T17:00:00Z'), to: at('2026-12-01T17:00:00Z') };

  it('keeps up, down, degraded, maintenance and unknown apart over a WIB day', async () => {
    const figures = (await service().forChecks(dayOne.from, dayOne.to)).get('skm-form')!;
    // observed = 24 h − 2 h maintenance − 10 min unknown = 21 h 50 min; up = observed − 1 h − 30 min
    expect(figures).toEqual({
      observedMs: 21 * HOUR + 50 * MIN,
      upMs: 20 * HOUR + 20 * MIN,
      downMs: HOUR,
      degradedMs: 30 * MIN,
      maintenanceMs: 2 * HOUR,
      unknownMs: 10 * MIN,
      // a slow site is available: (up + degraded) ÷ observed
      ratio: (20 * HOUR + 50 * MIN) / (21 * HOUR + 50 * MIN),
      // every failure was confirmed: the probes saw the same
      probeDownMs: HOUR,
      probeDegradedMs: 30 * MIN,
      probeSuccess: (20 * HOUR + 50 * MIN) / (21 * HOUR + 50 * MIN),
    });
  });

  it('counts a failed probe that was never confirmed in probe success only', async () => {
    const figures = (await service().forChecks(dayOne.from, dayOne.to)).get('skm-api')!;
    expect(figures).toEqual({
      observedMs: 24 * HOUR,
      upMs: 24 * HOUR,
      downMs: 0,
      degradedMs: 0,
      maintenanceMs: 0,
      unknownMs: 0,
      ratio: 1,
      probeDownMs: 5 * MIN,
      probeDegradedMs: 0,
      probeSuccess: (24 * HOUR - 5 * MIN) / (24 * HOUR),
    });
  });

  it('counts degraded time as down when configured so', async () => {
    const figures = (await service({ degraded: 'down' }).forChecks(dayOne.from, dayOne.to)).get('skm-form')!;
    // confirmed degraded time is then down time, for availability and probe success alike
    expect(figures.ratio).toBe((20 * HOUR + 20 * MIN) / (21 * HOUR + 50 * MIN));
    expect(figures.probeSuccess).toBe((20 * HOUR + 20 * MIN) / (21 * HOUR + 50 * MIN));
  });

  it('sums a service over its checks', async () => {
    const figures = (await service().forServices(dayOne.from, dayOne.to)).get('skm')!;
    // skm-api adds 24 h of up time and no maintenance (the window covers skm-form only)
    expect(figures).toMatchObject({
      observedMs: 45 * HOUR + 50 * MIN,
      downMs: HOUR,
      degradedMs: 30 * MIN,
      maintenanceMs: 2 * HOUR,
      unknownMs: 10 * MIN,
      probeDownMs: HOUR + 5 * MIN,
    });
    expect(figures.ratio).toBe((44 * HOUR + 50 * MIN) / (45 * HOUR + 50 * MIN));
    expect(figures.probeSuccess).toBe((44 * HOUR + 45 * MIN) / (45 * HOUR + 50 * MIN));
  });

  it('with businessHoursOnly counts only office time, the hour 00:00-01:00 UTC (07:00-08:00 WIB) by half', async () => {
    const figures = (await service({ businessHoursOnly: true }).forChecks(dayOne.from, dayOne.to)).get('skm-form')!;
    // business time 00:30-09:00 UTC = 8 h 30 min, minus 10 min unknown; maintenance (10:00-12:00) lies outside
    expect(figures).toEqual({
      observedMs: 8 * HOUR + 20 * MIN,
      upMs: 6 * HOUR + 50 * MIN,
      downMs: HOUR,
      degradedMs: 30 * MIN,
      maintenanceMs: 0,
      unknownMs: 10 * MIN,
      ratio: (7 * HOUR + 20 * MIN) / (8 * HOUR + 20 * MIN),
      probeDownMs: HOUR,
      probeDegradedMs: 30 * MIN,
      probeSuccess: (7 * HOUR + 20 * MIN) / (8 * HOUR + 20 * MIN),
    });
  });

  it('splits an outage across a month and year boundary in WIB into its two days', async () => {
    const days = await service().daily(at('2026-12-30T17:00:00Z'), at('2027-01-01T17:00:00Z'), 'pengaduan');
    expect(days.map((d) => ({ day: d.day, service: d.service, observedMs: d.figures.observedMs, downMs: d.figures.downMs, ratio: d.figures.ratio }))).toEqual([
      // 31 Dec WIB: 15:00-17:00 UTC observed, 16:00-17:00 down
      { day: '2026-12-31', service: 'pengaduan', observedMs: 2 * HOUR, downMs: HOUR, ratio: 0.5 },
      // 1 Jan WIB: 17:00 UTC until the last result (18:59) covers two intervals, to 19:01, less
      // the 15 minutes of maintenance, all of them down time
      { day: '2027-01-01', service: 'pengaduan', observedMs: HOUR + 46 * MIN, downMs: 45 * MIN, ratio: (HOUR + MIN) / (HOUR + 46 * MIN) },
    ]);
  });

  it('answers one row per service per day, zero when nothing was probed', async () => {
    const days = await service().daily(at('2026-11-29T17:00:00Z'), at('2026-12-01T17:00:00Z'));
    expect(days.map((d) => [d.day, d.service, d.figures.observedMs, d.figures.ratio])).toEqual([
      ['2026-11-30', 'pengaduan', 0, null],
      ['2026-11-30', 'skm', 0, null],
      ['2026-12-01', 'pengaduan', 0, null],
      ['2026-12-01', 'skm', 45 * HOUR + 50 * MIN, (44 * HOUR + 50 * MIN) / (45 * HOUR + 50 * MIN)],
    ]);
  });

  it('counts the hour not rolled up yet from raw results, not from the stale partial row', async () => {
    const [row] = await db.stores.rollups.listHourly(ids['pengaduan-form']!, at('2026-12-31T18:00:00Z'), at('2026-12-31T19:00:00Z'));
    expect(row!.observedMs).toBe(10 * MIN); // rolled up at 18:10
    const figures = (await service().forChecks(at('2026-12-31T18:00:00Z'), at('2026-12-31T20:00:00Z'))).get('pengaduan-form')!;
    // up 18:00 → 19:01, and nothing counted after "now" (19:30)
    expect(figures).toMatchObject({ observedMs: HOUR + MIN, upMs: HOUR + MIN, downMs: 0, ratio: 1 });
    // a window starting mid-hour in raw data is exact
    expect((await service().forChecks(at('2026-12-31T18:20:00Z'), at('2026-12-31T19:30:00Z'))).get('pengaduan-form')!.observedMs).toBe(41 * MIN);
    // and mid-hour in rolled-up data takes that hour in proportion (16:00-17:00 was down throughout)
    expect((await service().forChecks(at('2026-12-31T16:30:00Z'), at('2026-12-31T17:00:00Z'))).get('pengaduan-form')).toMatchObject({
      observedMs: 30 * MIN,
      downMs: 30 * MIN,
      ratio: 0,
    });
  });

  it('lists the confirmed outages, maintenance cut out, so an auditor can recompute', async () => {
    const intervals = await service().downIntervals(at('2026-12-30T17:00:00Z'), at('2027-01-01T17:00:00Z'));
    expect(intervals.map((i) => ({ ...i, from: i.from.toISOString(), to: i.to.toISOString() }))).toEqual([
      { service: 'pengaduan', check: 'pengaduan-form', from: '2026-12-31T16:00:00.000Z', to: '2026-12-31T17:30:00.000Z', kind: 'down' },
      { service: 'pengaduan', check: 'pengaduan-form', from: '2026-12-31T17:45:00.000Z', to: '2026-12-31T18:00:00.000Z', kind: 'down' },
    ]);
    // Outages are recorded apart from the raw results: past retention.raw (1 December's results
    // are pruned) they are still there, and agree with the figures.
    expect(await db.stores.rollups.listSamples(ids['skm-form']!, dayOne.from, dayOne.to)).toEqual([]);
    expect((await service().downIntervals(dayOne.from, dayOne.to, 'skm')).map((i) => [i.check, i.kind, i.from.toISOString(), i.to.toISOString()])).toEqual([
      ['skm-form', 'down', '2026-12-01T01:00:00.000Z', '2026-12-01T02:00:00.000Z'],
      ['skm-form', 'degraded', '2026-12-01T03:00:00.000Z', '2026-12-01T03:30:00.000Z'],
    ]);
    expect((await service().forServices(dayOne.from, dayOne.to)).get('skm')!.downMs).toBe(HOUR);
  });

  // Last: it prunes the hourly rows the tests above read.
  it('gives the same figures from daily rows once retention has pruned the hourly ones', async () => {
    const before = await service().forServices(dayOne.from, dayOne.to);
    await new Housekeeping({
      db,
      checks,
      timezone: 'Asia/Jakarta',
      retention: { rawMs: config.retention.rawMs, hourlyMs: 24 * HOUR },
      clock: () => now,
      logger: pino({ level: 'silent' }),
    }).runOnce();
    expect(await db.stores.rollups.listHourly(ids['skm-form']!, dayOne.from, dayOne.to)).toEqual([]);
    expect(await service().forServices(dayOne.from, dayOne.to)).toEqual(before);
    // the New Year hours were not pruned: still split by hour across the two WIB days
    expect((await service().daily(at('2026-12-30T17:00:00Z'), at('2027-01-01T17:00:00Z'), 'pengaduan')).map((d) => d.figures.downMs)).toEqual([HOUR, 45 * MIN]);
  });
});
