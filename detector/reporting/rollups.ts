// Hourly and daily summaries of probe results, as pure functions (DESIGN §7: raw results are kept
// for `retention.raw`, rollups for years). Time is weighted, not counted: each result stands for
// the time from its start to the next result's start, but never more than two intervals — a
// longer gap (Sigap stopped, the worker died) is simply not observed.
//
// `observedMs` is the time covered by up, degraded or down results: unknown time (the probing
// host was offline) and maintenance time are excluded and reported separately, so
// probe success = 1 − downMs / observedMs. `downMs` is probe-level down time: it includes
// unconfirmed failures (those a retry cleared). Availability, the SLA figure, counts the
// confirmed outages the detector records (`check_outages`) over the same observed time.
import type { ProbeStatus } from '../../probes/probe-types.js';
import { overlapMs, type Interval } from '../detection/maintenance.js';
import { wallClock, wallClockToInstant } from '../sla/business-calendar.js';

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What a rollup needs of one stored result. */
export interface RollupSample {
  startedAt: Date;
  durationMs: number;
  status: ProbeStatus;
}

/** One row of `check_rollups_hourly` or `check_rollups_daily`. */
export interface RollupBucket {
  bucketStart: Date;
  probes: number;
  ok: number;
  degraded: number;
  down: number;
  unknown: number;
  downMs: number;
  degradedMs: number;
  unknownMs: number;
  /**
   * Covered time inside a maintenance window (DESIGN §4: "the time is excluded from
   * availability"), whatever the results said: it is in none of observedMs, downMs, degradedMs or
   * unknownMs. Probe counts still count every result.
   */
  maintenanceMs: number;
  observedMs: number;
  latencySumMs: number;
  /** Nearest-rank p95 of the durations; for a day, the highest of its hours' p95 (see rollUpDays). */
  latencyP95Ms: number | null;
}

/** How far a check's rollups are final, and the newest result id they have seen. */
export interface RollupProgress {
  /** The first hour whose rollup is not final yet. */
  rolledUpTo: Date;
  /** Results with a higher id were written after the last run: maybe late, into final hours. */
  lastResultId: number;
}

export function floorToHour(t: number): number {
  return Math.floor(t / HOUR_MS) * HOUR_MS;
}

function emptyBucket(start: number): RollupBucket {
  return {
    bucketStart: new Date(start),
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
  };
}

/** Nearest-rank percentile: the smallest value with at least p of the values at or below it. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const COUNT_FIELD = { up: 'ok', degraded: 'degraded', down: 'down', unknown: 'unknown' } as const satisfies Record<ProbeStatus, keyof RollupBucket>;

function addCoverage(bucket: RollupBucket, status: ProbeStatus, ms: number): void {
  if (status === 'unknown') {
    bucket.unknownMs += ms;
    return;
  }
  bucket.observedMs += ms;
  if (status === 'down') bucket.downMs += ms;
  if (status === 'degraded') bucket.degradedMs += ms;
}

/**
 * The UTC hours of [from, to) for one check. `samples` are its results with `startedAt` in
 * [from, to), plus the last one before `from` (its coverage reaches into the first hour). `to` may
 * be "now": coverage stops there, so the current hour comes out partial and is recomputed later.
 * Only hours with a probe or some covered time are returned, oldest first.
 */
export function rollUpHours(
  samples: readonly RollupSample[],
  options: {
    intervalMs: number;
    from: Date;
    to: Date;
    /** Sorted, disjoint maintenance time within [from, to) (see maintenanceIntervals). */
    maintenance?: readonly Interval[];
  },
): RollupBucket[] {
  const from = options.from.getTime();
  const to = options.to.getTime();
  // A partial first hour would overwrite a complete row with a fragment of it.
  if (from % HOUR_MS !== 0) throw new RangeError(`rollUpHours: from must start an hour, got ${options.from.toISOString()}`);
  const cap = 2 * options.intervalMs;
  const sorted = [...samples].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  const buckets = new Map<number, RollupBucket>();
  const durations = new Map<number, number[]>();
  const bucketAt = (hour: number) => {
    let bucket = buckets.get(hour);
    if (!bucket) buckets.set(hour, (bucket = emptyBucket(hour)));
    return bucket;
  };

  sorted.forEach((sample, i) => {
    const start = sample.startedAt.getTime();
    if (start >= to) return;
    if (start >= from) {
      const hour = floorToHour(start);
      const bucket = bucketAt(hour);
      bucket.probes += 1;
      bucket[COUNT_FIELD[sample.status]] += 1;
      bucket.latencySumMs += sample.durationMs;
      const list = durations.get(hour);
      if (list) list.push(sample.durationMs);
      else durations.set(hour, [sample.durationMs]);
    }
    const next = sorted[i + 1]?.startedAt.getTime() ?? Infinity;
    const end = Math.min(next, start + cap, to);
    // Split the covered span [max(start, from), end) at every hour boundary it crosses.
    for (let t = Math.max(start, from); t < end;) {
      const hourEnd = floorToHour(t) + HOUR_MS;
      const stop = Math.min(end, hourEnd);
      const bucket = bucketAt(floorToHour(t));
      const maintenanceMs = overlapMs(options.maintenance ?? [], t, stop);
      bucket.maintenanceMs += maintenanceMs;
      addCoverage(bucket, sample.status, stop - t - maintenanceMs);
      t = stop;
    }
  });

  for (const [hour, values] of durations) bucketAt(hour).latencyP95Ms = nearestRank(values, 0.95);
  return [...buckets.values()].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
}

/**
 * Days in `timezone` built by summing their hourly rows; pass every hour of each day wanted.
 * A day's p95 is the highest of its hours' p95s — an upper bound of the true daily p95 (the
 * slowest hour sets it), chosen because it depends on hourly rows alone: a day can be recomputed
 * after its raw results are pruned and always gives the same answer. Hours are UTC hours, each
 * counted in the day it starts in; for whole-hour offsets such as WIB (UTC+7) that is exact.
 */
export function rollUpDays(hours: readonly RollupBucket[], timezone: string): RollupBucket[] {
  const days = new Map<number, RollupBucket>();
  for (const hour of hours) {
    const start = zonedDayStart(hour.bucketStart, timezone).getTime();
    let day = days.get(start);
    if (!day) days.set(start, (day = emptyBucket(start)));
    for (const field of ['probes', 'ok', 'degraded', 'down', 'unknown', 'downMs', 'degradedMs', 'unknownMs', 'maintenanceMs', 'observedMs', 'latencySumMs'] as const) {
      day[field] += hour[field];
    }
    if (hour.latencyP95Ms !== null) day.latencyP95Ms = Math.max(day.latencyP95Ms ?? 0, hour.latencyP95Ms);
  }
  return [...days.values()].sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
}

// --- days in a time zone ---

/** The first instant of a local day (days since 1970-01-01); a midnight lost to DST moves forward. */
function localDayStart(day: number, timezone: string): number {
  return wallClockToInstant(day * DAY_MS, timezone);
}

/** When the local day holding `at` began, in `timezone` (Asia/Jakarta: 17:00 UTC the day before). */
export function zonedDayStart(at: Date, timezone: string): Date {
  return new Date(localDayStart(Math.floor(wallClock(at.getTime(), timezone) / DAY_MS), timezone));
}

/** The whole local days that [from, to) touches, as one range [first day's start, last day's end). */
export function zonedDaysCovering(from: Date, to: Date, timezone: string): { from: Date; to: Date } {
  const lastDay = Math.floor(wallClock(Math.max(from.getTime(), to.getTime() - 1), timezone) / DAY_MS);
  return { from: zonedDayStart(from, timezone), to: new Date(localDayStart(lastDay + 1, timezone)) };
}
