// Hourly and daily rollups as pure functions, by tables of hand-computed cases.
import { describe, expect, it } from 'vitest';
import { nearestRank, rollUpDays, rollUpHours, zonedDayStart, zonedDaysCovering, type RollupBucket, type RollupSample } from '../../../detector/reporting/rollups.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';

const MIN = 60_000;
const iso = (text: string) => new Date(text);
const sample = (at: string, status: ProbeStatus, durationMs: number): RollupSample => ({ startedAt: iso(`2026-11-27T${at}Z`), status, durationMs });

function bucket(start: string, fields: Partial<RollupBucket>): RollupBucket {
  return {
    bucketStart: iso(start),
    probes: 0,
    ok: 0,
    degraded: 0,
    down: 0,
    unknown: 0,
    downMs: 0,
    degradedMs: 0,
    unknownMs: 0,
    maintenanceMs: 0,
    observedMs: 0,
    latencySumMs: 0,
    latencyP95Ms: null,
    ...fields,
  };
}

describe('rollUpHours (interval 60s: one result covers at most 2 minutes)', () => {
  const cases: Array<{ name: string; samples: RollupSample[]; to?: string; expected: RollupBucket[] }> = [
    {
      name: 'a result spanning an hour boundary is split between the two hours; it is counted in the hour it started',
      samples: [sample('01:59:30', 'up', 40), sample('02:00:30', 'down', 900), sample('02:01:30', 'up', 60)],
      expected: [
        // 01:59:30 → 02:00:30: 30 s in each hour
        bucket('2026-11-27T01:00:00Z', { probes: 1, ok: 1, observedMs: 30_000, latencySumMs: 40, latencyP95Ms: 40 }),
        // 30 s up + 60 s down + 120 s up (the last result, capped at 2 intervals)
        bucket('2026-11-27T02:00:00Z', { probes: 2, ok: 1, down: 1, downMs: 60_000, observedMs: 210_000, latencySumMs: 960, latencyP95Ms: 900 }),
      ],
    },
    {
      name: 'a gap longer than 2 × interval is not observed',
      samples: [sample('01:00:00', 'up', 10), sample('01:10:00', 'down', 20)],
      expected: [bucket('2026-11-27T01:00:00Z', { probes: 2, ok: 1, down: 1, downMs: 2 * MIN, observedMs: 4 * MIN, latencySumMs: 30, latencyP95Ms: 20 })],
    },
    {
      name: 'the last result before `from` covers the start of the first hour but is not counted in it',
      samples: [sample('00:59:00', 'degraded', 3500), sample('01:00:30', 'up', 50)],
      expected: [bucket('2026-11-27T01:00:00Z', { probes: 1, ok: 1, degradedMs: 30_000, observedMs: 150_000, latencySumMs: 50, latencyP95Ms: 50 })],
    },
    {
      name: 'unknown time (the probing host offline) is reported apart and not observed',
      samples: [sample('01:00:00', 'unknown', 3000), sample('01:01:00', 'up', 10)],
      expected: [bucket('2026-11-27T01:00:00Z', { probes: 2, ok: 1, unknown: 1, unknownMs: MIN, observedMs: 2 * MIN, latencySumMs: 3010, latencyP95Ms: 3000 })],
    },
    {
      name: 'the current hour is partial: coverage stops at `to` (now)',
      samples: [sample('01:00:00', 'up', 5), sample('01:01:00', 'degraded', 4000)],
      to: '2026-11-27T01:01:30Z',
      expected: [bucket('2026-11-27T01:00:00Z', { probes: 2, ok: 1, degraded: 1, degradedMs: 30_000, observedMs: 90_000, latencySumMs: 4005, latencyP95Ms: 4000 })],
    },
    {
      name: 'a result at exactly the hour belongs to that hour; an hour with nothing gives no row',
      samples: [sample('02:00:00', 'up', 7), sample('03:30:00', 'up', 9)],
      expected: [
        bucket('2026-11-27T02:00:00Z', { probes: 1, ok: 1, observedMs: 2 * MIN, latencySumMs: 7, latencyP95Ms: 7 }),
        bucket('2026-11-27T03:00:00Z', { probes: 1, ok: 1, observedMs: 2 * MIN, latencySumMs: 9, latencyP95Ms: 9 }),
      ],
    },
    {
      name: 'results given out of order are ordered first',
      samples: [sample('01:01:00', 'up', 2), sample('01:00:00', 'down', 1)],
      expected: [bucket('2026-11-27T01:00:00Z', { probes: 2, ok: 1, down: 1, downMs: MIN, observedMs: 3 * MIN, latencySumMs: 3, latencyP95Ms: 2 })],
    },
  ];

  it.each(cases)('$name', ({ samples, to, expected }) => {
    const rows = rollUpHours(samples, { intervalMs: MIN, from: iso('2026-11-27T01:00:00Z'), to: iso(to ?? '2026-11-27T04:00:00Z') });
    expect(rows).toEqual(expected);
  });

  it('a steady check observed every minute covers its whole hour', () => {
    const samples = Array.from({ length: 60 }, (_, i) => ({ startedAt: new Date(Date.parse('2026-11-27T01:00:00Z') + i * MIN), status: 'up' as const, durationMs: 100 }));
    const [row] = rollUpHours(samples, { intervalMs: MIN, from: iso('2026-11-27T01:00:00Z'), to: iso('2026-11-27T02:00:00Z') });
    expect(row).toEqual(bucket('2026-11-27T01:00:00Z', { probes: 60, ok: 60, observedMs: 3_600_000, latencySumMs: 6000, latencyP95Ms: 100 }));
  });

  it('refuses a `from` that does not start an hour (a partial row would replace a whole one)', () => {
    expect(() => rollUpHours([], { intervalMs: MIN, from: iso('2026-11-27T01:30:00Z'), to: iso('2026-11-27T02:00:00Z') })).toThrow(RangeError);
  });
});

describe('nearestRank', () => {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => n - i); // descending, to show it sorts
  it.each([
    { name: 'no values have none', values: [], p95: null },
    { name: 'one value is that value', values: [5], p95: 5 },
    { name: '20 values is the 19th (ceil 0.95 × 20)', values: upTo(20), p95: 19 },
    { name: '21 values is the 20th (ceil 0.95 × 21)', values: upTo(21), p95: 20 },
    { name: '100 values is the 95th', values: upTo(100), p95: 95 },
  ])('p95 of $name', ({ values, p95 }) => {
    expect(nearestRank(values, 0.95)).toBe(p95);
  });
});

describe('days in the office time zone', () => {
  it.each([
    { at: '2026-11-27T16:59:59.999Z', timezone: 'Asia/Jakarta', start: '2026-11-26T17:00:00.000Z' }, // 23:59 WIB on the 27th
    { at: '2026-11-27T17:00:00.000Z', timezone: 'Asia/Jakarta', start: '2026-11-27T17:00:00.000Z' }, // 00:00 WIB on the 28th
    { at: '2026-11-27T12:00:00.000Z', timezone: 'UTC', start: '2026-11-27T00:00:00.000Z' },
    { at: '2026-11-27T18:29:59.000Z', timezone: 'Asia/Kolkata', start: '2026-11-26T18:30:00.000Z' }, // UTC+5:30
    { at: '2026-03-29T12:00:00.000Z', timezone: 'Europe/Berlin', start: '2026-03-28T23:00:00.000Z' }, // a 23-hour day
    { at: '2026-09-06T12:00:00.000Z', timezone: 'America/Santiago', start: '2026-09-06T04:00:00.000Z' }, // midnight skipped: the day starts 01:00
  ])('$at in $timezone is in the day from $start', ({ at, timezone, start }) => {
    expect(zonedDayStart(iso(at), timezone).toISOString()).toBe(start);
  });

  it('a window across WIB midnight touches two whole WIB days', () => {
    const days = zonedDaysCovering(iso('2026-11-27T16:00:00Z'), iso('2026-11-27T18:00:00Z'), 'Asia/Jakarta');
    expect(days).toEqual({ from: iso('2026-11-26T17:00:00Z'), to: iso('2026-11-28T17:00:00Z') });
    const oneDay = zonedDaysCovering(iso('2026-11-27T01:00:00Z'), iso('2026-11-27T17:00:00Z'), 'Asia/Jakarta');
    expect(oneDay).toEqual({ from: iso('2026-11-26T17:00:00Z'), to: iso('2026-11-27T17:00:00Z') });
  });

  it("a WIB day sums its hours from 17:00 UTC the day before; its p95 is the slowest hour's p95", () => {
    const hours = [
      bucket('2026-11-26T17:00:00Z', { probes: 60, ok: 60, observedMs: 3_600_000, latencySumMs: 6000, latencyP95Ms: 100 }), // 00:00 WIB 27th
      bucket('2026-11-27T16:00:00Z', { probes: 60, ok: 58, down: 2, downMs: 120_000, observedMs: 3_600_000, latencySumMs: 9000, latencyP95Ms: 700 }), // 23:00 WIB 27th
      bucket('2026-11-27T17:00:00Z', { probes: 30, ok: 29, unknown: 1, unknownMs: 60_000, observedMs: 1_740_000, latencySumMs: 3000, latencyP95Ms: null }), // 00:00 WIB 28th
    ];
    expect(rollUpDays(hours, 'Asia/Jakarta')).toEqual([
      bucket('2026-11-26T17:00:00Z', { probes: 120, ok: 118, down: 2, downMs: 120_000, observedMs: 7_200_000, latencySumMs: 15_000, latencyP95Ms: 700 }),
      bucket('2026-11-27T17:00:00Z', { probes: 30, ok: 29, unknown: 1, unknownMs: 60_000, observedMs: 1_740_000, latencySumMs: 3000, latencyP95Ms: null }),
    ]);
  });
});
