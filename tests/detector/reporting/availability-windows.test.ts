// Availability over windows of several office days, on real SQLite and PostgreSQL: whole days,
// the hours at either end of them, the hour not rolled up yet and a window starting mid-hour all
// add up to the figures computed by hand in the comments. Outages cross a day boundary, run into a
// maintenance window, and run through a stretch without results (Sigap stopped), where each hour
// counts at most its observed time as outage time. Times are UTC; WIB is UTC+7, so the WIB day of
// 3 December 2026 runs from 2026-12-02T17:00Z to 2026-12-03T17:00Z.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
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
  - key: oss
    name: OSS
    impact: high
    checks:
      - { key: oss-form, type: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 10s }
      - { key: oss-api, type: http, url: "http://127.0.0.1:1/api", interval: 5m, timeout: 10s }
  - key: sicantik
    name: SiCantik
    impact: medium
    checks:
      - { key: sicantik-web, type: http, url: "http://127.0.0.1:2/", interval: 60s, timeout: 10s }
`,
  'test.yaml',
  {},
);
const checks = config.services.flatMap((s) => s.checks);
const MIN = 60_000;
const at = (text: string) => new Date(text);
const within = (t: number, from: string, to: string) => t >= at(from).getTime() && t < at(to).getTime();

describe.each(testDatabaseKinds())('availability over several office days on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let now = at('2026-12-05T03:10:00Z');
  const ids: Record<string, number> = {};
  const service = () =>
    new AvailabilityService({
      db,
      checks: () => checks,
      timezone: 'Asia/Jakarta',
      calendar: config.calendar,
      options: { degraded: 'up', businessHoursOnly: false },
      clock: () => now,
    });

  /** Results every `stepMs` from 2026-12-01T17:00Z to 2026-12-05T04:00Z, but for the gap; `statusAt` gives each one's status. */
  async function insert(key: string, stepMs: number, statusAt: (t: number) => ProbeStatus | null) {
    const rows = [];
    for (let t = at('2026-12-01T17:00:00Z').getTime(); t < at('2026-12-05T04:00:00Z').getTime(); t += stepMs) {
      const status = statusAt(t);
      if (status === null) continue;
      rows.push({
        checkId: ids[key]!,
        instance: 'test',
        result: { checkKey: key, startedAt: new Date(t), durationMs: 100, status, failureKind: status === 'up' ? null : ('connect' as const), timings: {}, evidence: {} },
      });
    }
    for (let i = 0; i < rows.length; i += 200) await db.stores.checks.insertResults(rows.slice(i, i + 200));
  }

  async function outage(key: string, from: string, to: string) {
    await db.stores.outages.open(ids[key]!, 'down', at(from));
    await db.stores.outages.close(ids[key]!, at(to));
  }

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at('2026-11-01T00:00:00Z'));
    for (const check of await db.stores.checks.listChecks()) ids[check.key] = check.id;
    const oss = (await db.stores.checks.listServices()).find((s) => s.key === 'oss')!;

    // oss-form every minute:
    // - down 2026-12-02 16:30-17:20 (across the WIB midnight), confirmed;
    // - down 2026-12-03 10:00-11:10, a maintenance window of this check 10:00-10:45, the outage
    //   confirmed from 10:30 (so 10:45-11:10 counts);
    // - unknown 2026-12-03 20:00-20:10 (the probing host offline);
    // - one failed probe at 2026-12-04 05:07 a retry cleared (no outage);
    // - down 07:50-08:00 on 2026-12-04, then no results 08:00-09:30 (Sigap stopped: the 07:59
    //   result covers two intervals, to 08:01), down again 09:30-09:40; the outage recorded
    //   07:50-09:40 runs through the gap.
    await insert('oss-form', MIN, (t) => {
      if (within(t, '2026-12-04T08:00:00Z', '2026-12-04T09:30:00Z')) return null;
      if (within(t, '2026-12-02T16:30:00Z', '2026-12-02T17:20:00Z')) return 'down';
      if (within(t, '2026-12-03T10:00:00Z', '2026-12-03T11:10:00Z')) return 'down';
      if (within(t, '2026-12-03T20:00:00Z', '2026-12-03T20:10:00Z')) return 'unknown';
      if (t === at('2026-12-04T05:07:00Z').getTime()) return 'down';
      if (within(t, '2026-12-04T07:50:00Z', '2026-12-04T08:00:00Z')) return 'down';
      if (within(t, '2026-12-04T09:30:00Z', '2026-12-04T09:40:00Z')) return 'down';
      return 'up';
    });
    await outage('oss-form', '2026-12-02T16:30:00Z', '2026-12-02T17:20:00Z');
    await outage('oss-form', '2026-12-03T10:30:00Z', '2026-12-03T11:10:00Z');
    await outage('oss-form', '2026-12-04T07:50:00Z', '2026-12-04T09:40:00Z');
    await db.stores.maintenance.insert(
      {
        title: 'Pembaruan',
        serviceId: oss.id,
        checkId: ids['oss-form']!,
        schedule: { recurrence: 'none', startsAt: at('2026-12-03T10:00:00Z'), endsAt: at('2026-12-03T10:45:00Z') },
        createdBy: 'admin',
      },
      at('2026-11-01T00:00:00Z'),
    );
    // oss-api every 5 minutes, up throughout; sicantik-web every minute, up throughout.
    await insert('oss-api', 5 * MIN, () => 'up');
    await insert('sicantik-web', MIN, () => 'up');
    // Housekeeping at 03:10 on 5 December: the hours before 03:00 are final; then the clock moves on.
    await new Housekeeping({ db, checks, timezone: 'Asia/Jakarta', retention: config.retention, clock: () => now, logger: pino({ level: 'silent' }) }).runOnce();
    now = at('2026-12-05T03:50:00Z');
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('adds up whole days, the hours around them and the hour not rolled up yet, from a window starting mid-hour', async () => {
    // 2026-12-01 20:30 → 2026-12-05 03:45 is 79 h 15 min = 4,755 min.
    const figures = await service().forChecks(at('2026-12-01T20:30:00Z'), at('2026-12-05T03:45:00Z'));
    // oss-form: less 45 min maintenance, 10 min unknown and 89 min unobserved (08:01-09:30) = 4,611 min.
    // Probe-level down: 50 (16:30-17:20) + 25 (10:45-11:10) + 1 (05:07) + 11 (07:50-08:01) + 10 (09:30-09:40) = 97 min.
    // Confirmed down, each hour at most its observed time: 30 + 20; 15 + 10; and through the gap
    // 10 (07:xx) + 1 (08:xx, observed 08:00-08:01) + 30 (09:xx: the outage covers 40 min of it,
    // 30 of which were observed) = 116 min.
    expect(figures.get('oss-form')).toEqual({
      observedMs: 4611 * MIN,
      upMs: (4611 - 116) * MIN,
      downMs: 116 * MIN,
      degradedMs: 0,
      maintenanceMs: 45 * MIN,
      unknownMs: 10 * MIN,
      ratio: (4611 - 116) / 4611,
      probeDownMs: 97 * MIN,
      probeDegradedMs: 0,
      probeSuccess: (4611 - 97) / 4611,
    });
    expect(figures.get('oss-api')).toMatchObject({ observedMs: 4755 * MIN, downMs: 0, ratio: 1, probeSuccess: 1 });
    expect(figures.get('sicantik-web')).toMatchObject({ observedMs: 4755 * MIN, downMs: 0, maintenanceMs: 0, ratio: 1 });
  });

  it('sums a service over its checks over the same window', async () => {
    const figures = await service().forServices(at('2026-12-01T20:30:00Z'), at('2026-12-05T03:45:00Z'));
    expect(figures.get('oss')).toMatchObject({ observedMs: (4611 + 4755) * MIN, downMs: 116 * MIN, probeDownMs: 97 * MIN, maintenanceMs: 45 * MIN, unknownMs: 10 * MIN });
    expect(figures.get('oss')!.ratio).toBe((4611 + 4755 - 116) / (4611 + 4755));
    expect(figures.get('sicantik')).toMatchObject({ observedMs: 4755 * MIN, ratio: 1 });
  });

  it('takes a rolled-up hour in proportion when a window starts inside it, and raw results for a past hour at its end', async () => {
    // 2026-12-02 16:40 → 2026-12-03 10:50: 18 h 10 min = 1,090 min; the rollups are final to
    // 2026-12-05 03:00 but the window's last hour (10:00-10:50) is partial, so raw results count it.
    const figures = (await service().forChecks(at('2026-12-02T16:40:00Z'), at('2026-12-03T10:50:00Z'))).get('oss-form')!;
    // less 45 min maintenance = 1,045. Confirmed down (the outages are exact): 16:40-17:20 and
    // 10:45-10:50 = 45 min. Probe-level down: the 16:xx hour's 30 min in proportion, 20/60 of it =
    // 10, then 20 and 5 = 35 min.
    expect(figures).toMatchObject({ observedMs: 1045 * MIN, downMs: 45 * MIN, probeDownMs: 35 * MIN, maintenanceMs: 45 * MIN });
  });

  it('splits the window into WIB days, each with its own outage time', async () => {
    const days = await service().daily(at('2026-12-01T17:00:00Z'), at('2026-12-05T17:00:00Z'), 'oss');
    expect(
      days.map((d) => [d.day, d.figures.observedMs / MIN, d.figures.downMs / MIN, d.figures.probeDownMs / MIN, d.figures.maintenanceMs / MIN, d.figures.unknownMs / MIN]),
    ).toEqual([
      // 2 Dec: both checks all day; down 16:30-17:00
      ['2026-12-02', 2 * 1440, 30, 30, 0, 0],
      // 3 Dec: less 45 min maintenance; down 17:00-17:20 and 10:45-11:10
      ['2026-12-03', 2 * 1440 - 45, 45, 45, 45, 0],
      // 4 Dec: less 10 min unknown and 89 min unobserved; confirmed 10 + 1 + 30, probe-level 1 + 11 + 10
      ['2026-12-04', 2 * 1440 - 99, 41, 22, 0, 10],
      // 5 Dec: 17:00 until now (03:50), 650 min each
      ['2026-12-05', 2 * 650, 0, 0, 0, 0],
    ]);
  });

  it('splits a window starting mid-hour on a WIB day into its days too', async () => {
    const days = await service().daily(at('2026-12-01T20:30:00Z'), at('2026-12-05T03:45:00Z'), 'oss');
    expect(days.map((d) => [d.day, d.figures.observedMs / MIN, d.figures.downMs / MIN, d.figures.probeDownMs / MIN])).toEqual([
      // 2 Dec from 20:30 to 17:00: 1,230 min each
      ['2026-12-02', 2 * 1230, 30, 30],
      ['2026-12-03', 2 * 1440 - 45, 45, 45],
      ['2026-12-04', 2 * 1440 - 99, 41, 22],
      // 5 Dec from 17:00 to 03:45: 645 min each
      ['2026-12-05', 2 * 645, 0, 0],
    ]);
  });

  it('reads the days and the whole window of every service together, as daily and forServices read them apart', async () => {
    const from = at('2026-12-01T20:30:00Z');
    const to = at('2026-12-05T03:45:00Z');
    const together = await service().dailyAndServices(from, to);
    expect(together.daily).toEqual(await service().daily(from, to));
    expect(together.services).toEqual(await service().forServices(from, to));
    expect(together.services.get('oss')).toMatchObject({ observedMs: (4611 + 4755) * MIN, downMs: 116 * MIN });
  });

  it('lists the outages as recorded, maintenance cut out', async () => {
    const intervals = await service().downIntervals(at('2026-12-01T17:00:00Z'), at('2026-12-05T17:00:00Z'), 'oss');
    expect(intervals.map((i) => [i.from.toISOString(), i.to.toISOString()])).toEqual([
      ['2026-12-02T16:30:00.000Z', '2026-12-02T17:20:00.000Z'],
      ['2026-12-03T10:45:00.000Z', '2026-12-03T11:10:00.000Z'],
      ['2026-12-04T07:50:00.000Z', '2026-12-04T09:40:00.000Z'],
    ]);
  });
});
