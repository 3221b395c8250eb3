// The office's calendar: weekly business hours and holidays in the office time zone, and time
// measured on it — adding office time to an instant, office time between two instants, working
// days after an instant, the start of an office day. Pure functions; SLA due times and reports
// count with them. The weekly hours are read by business-hours.ts.
import type { TimeRange } from './business-hours.js';

export { parseBusinessHours, type BusinessHoursProblem, type TimeRange } from './business-hours.js';

export interface BusinessCalendar {
  timezone: string;
  weekly: ReadonlyArray<ReadonlyArray<TimeRange>>;
  /** Local dates `YYYY-MM-DD` with no business hours. */
  holidays: ReadonlySet<string>;
  /** What each holiday is (`Natal`, `Cuti bersama Idulfitri`); a date may have none. */
  holidayNames?: ReadonlyMap<string, string>;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const MAX_DAYS = 3700;

export function addBusinessTime(start: Date, durationMs: number, cal: BusinessCalendar): Date {
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new Error(`business duration must be a finite, non-negative number of ms, got ${durationMs}`);
  }
  if (!cal.weekly.some((ranges) => ranges.length > 0)) {
    throw new Error('the business calendar has no business hours on any day');
  }
  const t = start.getTime();
  let remaining = durationMs;
  const firstDay = localDay(t, cal.timezone);
  for (let day = firstDay; day < firstDay + MAX_DAYS; day++) {
    for (const [open, close] of businessIntervals(day, cal)) {
      if (close <= t) continue;
      const from = Math.max(open, t);
      if (remaining <= close - from) return new Date(from + remaining);
      remaining -= close - from;
    }
  }
  throw new Error(`no business time found within ${MAX_DAYS} days of ${start.toISOString()}`);
}

/**
 * N working days after an instant: the same office-time position N working days later. The start
 * counts from the next opening when it is outside office hours; its position is the office time
 * already gone that day. A working day is a date with office hours (not a holiday). On a target day
 * with fewer office hours than the position, the answer is that day's close. A position that
 * falls on a break (a start at the afternoon opening) lands on the opening after it, as the
 * start itself did.
 */
export function addWorkingDays(start: Date, days: number, cal: BusinessCalendar): Date {
  if (!Number.isInteger(days) || days < 0) throw new Error(`working days must be a non-negative whole number, got ${days}`);
  if (days === 0) return start;
  const from = addBusinessTime(start, 0, cal).getTime();
  const firstDay = localDay(from, cal.timezone);
  const position = businessIntervals(firstDay, cal).reduce((sum, [open, close]) => sum + Math.max(0, Math.min(close, from) - open), 0);
  let counted = 0;
  for (let day = firstDay + 1; day <= firstDay + MAX_DAYS; day++) {
    const intervals = businessIntervals(day, cal);
    if (intervals.length === 0 || ++counted < days) continue;
    let before = 0;
    for (const [open, close] of intervals) {
      if (position < before + (close - open)) return new Date(open + position - before);
      before += close - open;
    }
    return new Date(intervals[intervals.length - 1]![1]);
  }
  throw new Error(`no ${days} working days found within ${MAX_DAYS} days of ${start.toISOString()}`);
}

export function businessTimeBetween(from: Date, to: Date, cal: BusinessCalendar): number {
  const a = from.getTime();
  const b = to.getTime();
  if (!(b > a)) return 0;
  let total = 0;
  const lastDay = localDay(b, cal.timezone);
  for (let day = localDay(a, cal.timezone); day <= lastDay; day++) {
    for (const [open, close] of businessIntervals(day, cal)) {
      total += Math.max(0, Math.min(close, b) - Math.max(open, a));
    }
  }
  return total;
}

export function isBusinessTime(at: Date, cal: BusinessCalendar): boolean {
  const t = at.getTime();
  return businessIntervals(localDay(t, cal.timezone), cal).some(([open, close]) => open <= t && t < close);
}

/**
 * UTC instants [open, close) of one local day, given as days since 1970-01-01 in local dates:
 * exactly the instants whose local wall-clock time falls on that day inside one of its ranges. Around
 * a DST change a range may lose the hour the clocks skip or gain the hour they repeat.
 */
function businessIntervals(day: number, cal: BusinessCalendar): ReadonlyArray<readonly [number, number]> {
  // A calendar is never changed once built: each of its days is worked out once (bounded: cleared when full).
  let days = intervalsByCalendar.get(cal);
  if (!days) intervalsByCalendar.set(cal, (days = new Map()));
  let intervals = days.get(day);
  if (!intervals) {
    if (days.size >= DAYS_KEPT) days.clear();
    days.set(day, (intervals = dayIntervals(day, cal)));
  }
  return intervals;
}

const DAYS_KEPT = 20_000;
const intervalsByCalendar = new WeakMap<BusinessCalendar, Map<number, ReadonlyArray<readonly [number, number]>>>();

function dayIntervals(day: number, cal: BusinessCalendar): Array<[number, number]> {
  if (cal.holidays.has(dayKey(day))) return [];
  const ranges = cal.weekly[new Date(day * DAY_MS).getUTCDay()] ?? [];
  if (ranges.length === 0) return [];
  const pieces: Array<[number, number]> = [];
  for (const [from, to, offset] of offsetSegments(day, cal.timezone)) {
    for (const range of ranges) {
      const open = Math.max(from, day * DAY_MS + range.startMinute * MINUTE_MS - offset);
      const close = Math.min(to, day * DAY_MS + range.endMinute * MINUTE_MS - offset);
      if (close > open) pieces.push([open, close]);
    }
  }
  pieces.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const piece of pieces) {
    const last = merged[merged.length - 1];
    if (last && piece[0] <= last[1]) last[1] = Math.max(last[1], piece[1]);
    else merged.push([piece[0], piece[1]]);
  }
  return merged;
}

// No zone is more than 14 hours from UTC: every instant of a local day lies in this window.
const MAX_OFFSET_MS = 14 * 3_600_000;

/**
 * The window of instants around a local day cut where the zone's offset changes, each piece with
 * its offset. Assumes at most one change within the window's 52 hours, true of every zone's rules.
 */
function offsetSegments(day: number, timezone: string): Array<[number, number, number]> {
  const from = day * DAY_MS - MAX_OFFSET_MS;
  const to = (day + 1) * DAY_MS + MAX_OFFSET_MS;
  const first = offsetAt(from, timezone);
  const last = offsetAt(to, timezone);
  if (first === last) return [[from, to, first]];
  // The first instant with the new offset, found to the millisecond.
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, timezone) === first) lo = mid;
    else hi = mid;
  }
  return [
    [from, hi, first],
    [hi, to, last],
  ];
}

function dayKey(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

// Building a DateTimeFormat costs far more than using one; the cache holds no state that
// changes results, so it keeps these functions pure.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

// The zone's offset per quarter hour of UTC time, looked up once: formatToParts costs microseconds
// and a report over a month measures thousands of incidents day by day. A quarter hour whose
// start and end differ (it holds a change of offset) is left to the formatter each time; no zone
// changes its offset twice within a quarter hour. Bounded: cleared when full.
const QUARTER_MS = 15 * 60_000;
const OFFSETS_KEPT = 200_000;
const offsets = new Map<string, Map<number, number>>();

/** The local wall-clock time of an instant, expressed as if it were UTC milliseconds. */
export function wallClock(t: number, timezone: string): number {
  const quarter = Math.floor(t / QUARTER_MS);
  let zone = offsets.get(timezone);
  if (!zone) offsets.set(timezone, (zone = new Map()));
  let offset = zone.get(quarter);
  if (offset === undefined) {
    const start = quarter * QUARTER_MS;
    const end = start + QUARTER_MS - 1;
    const first = formattedWallClock(start, timezone) - start;
    offset = first === formattedWallClock(end, timezone) - end ? first : NaN;
    if (zone.size >= OFFSETS_KEPT) zone.clear();
    zone.set(quarter, offset);
  }
  return Number.isNaN(offset) ? formattedWallClock(t, timezone) : t + offset;
}

function formattedWallClock(t: number, timezone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(t))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  return Date.UTC(year, month - 1, day, hour, minute, second) + (t - Math.floor(t / 1000) * 1000);
}

function localDay(t: number, timezone: string): number {
  return Math.floor(wallClock(t, timezone) / DAY_MS);
}

function offsetAt(t: number, timezone: string): number {
  return wallClock(t, timezone) - t;
}

/**
 * The instant showing a given wall-clock time. Offsets 12 hours either side bracket any
 * transition; an ambiguous time (autumn overlap) takes the earlier instant, and a time in a
 * spring-forward gap moves forward by the gap, as Temporal's 'compatible' disambiguation does.
 */
export function wallClockToInstant(wall: number, timezone: string): number {
  const before = offsetAt(wall - DAY_MS / 2, timezone);
  const after = offsetAt(wall + DAY_MS / 2, timezone);
  const candidates = [wall - before, wall - after].filter((t) => wallClock(t, timezone) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before;
}

/** Midnight at the start of a `YYYY-MM-DD` day in the time zone (reports and exports count office days). */
export function officeDayStart(day: string, timezone: string): Date {
  return new Date(wallClockToInstant(Date.parse(`${day}T00:00:00Z`), timezone));
}

/** Of the year of `now` and the next (office time zone), those without a single holiday. */
export function yearsWithoutHolidays(cal: BusinessCalendar, now: Date): number[] {
  const year = new Date(wallClock(now.getTime(), cal.timezone)).getUTCFullYear();
  const years = new Set([...cal.holidays].map((date) => Number(date.slice(0, 4))));
  return [year, year + 1].filter((y) => !years.has(y));
}
