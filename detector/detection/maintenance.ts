// Maintenance windows as pure functions (DESIGN §4: during a window probes keep running, incident
// creation is suppressed and the time is excluded from availability). A window is one-off (two
// instants) or weekly (weekdays, a local start time and a duration, in the configured time zone),
// and covers one check, every check of one service, or everything.
import { wallClock, wallClockToInstant } from '../sla/business-calendar.js';

export const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

export type MaintenanceSchedule =
  | { recurrence: 'none'; startsAt: Date; endsAt: Date }
  | {
      recurrence: 'weekly';
      /** Local weekdays on which the window starts; it may run past midnight into the next day. */
      weekdays: WeekdayName[];
      /** Local wall-clock start, HH:MM. */
      localStart: string;
      durationMinutes: number;
    };

/** What a window covers: null service and check means every check. */
export interface MaintenanceScope {
  serviceKey: string | null;
  checkKey: string | null;
}

export interface MaintenanceWindow extends MaintenanceScope {
  id: number;
  title: string;
  schedule: MaintenanceSchedule;
  createdBy: string;
  createdAt: Date;
}

/** The check a question is about. */
export interface MaintenanceTarget {
  checkKey: string;
  serviceKey: string;
}

/** Epoch-millisecond interval [start, end). */
export interface Interval {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export function windowApplies(window: MaintenanceScope, target: MaintenanceTarget): boolean {
  return (window.checkKey === null || window.checkKey === target.checkKey) && (window.serviceKey === null || window.serviceKey === target.serviceKey);
}

/** Minutes after local midnight of an HH:MM clock time (undefined if it is not one). */
export function parseLocalClock(text: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * The occurrences of a schedule that overlap [from, to), whole (not clipped), oldest first. A
 * weekly occurrence starts at its local wall-clock time (a time lost to a DST jump moves forward)
 * and lasts its duration in real time.
 */
export function occurrences(schedule: MaintenanceSchedule, from: number, to: number, timezone: string): Interval[] {
  if (!(to > from)) return [];
  if (schedule.recurrence === 'none') {
    const start = schedule.startsAt.getTime();
    const end = schedule.endsAt.getTime();
    return start < to && end > from ? [{ start, end }] : [];
  }
  const startMinute = parseLocalClock(schedule.localStart);
  if (startMinute === undefined) return [];
  const durationMs = schedule.durationMinutes * MINUTE_MS;
  const weekdays = new Set(schedule.weekdays.map((name) => WEEKDAY_NAMES.indexOf(name)));
  const out: Interval[] = [];
  // An occurrence that began up to one duration (and a day of slack) earlier can still reach `from`.
  const firstDay = Math.floor(wallClock(from - durationMs, timezone) / DAY_MS) - 1;
  const lastDay = Math.floor(wallClock(to, timezone) / DAY_MS);
  for (let day = firstDay; day <= lastDay; day++) {
    if (!weekdays.has(new Date(day * DAY_MS).getUTCDay())) continue;
    const start = wallClockToInstant(day * DAY_MS + startMinute * MINUTE_MS, timezone);
    const end = start + durationMs;
    if (start < to && end > from) out.push({ start, end });
  }
  return out;
}

/**
 * The time within [from, to) that the windows covering `target` take, clipped, merged and sorted:
 * what rollups count as maintenance instead of observed time.
 */
export function maintenanceIntervals(windows: readonly MaintenanceWindow[], target: MaintenanceTarget, from: Date, to: Date, timezone: string): Interval[] {
  const a = from.getTime();
  const b = to.getTime();
  const all = windows
    .filter((w) => windowApplies(w, target))
    .flatMap((w) => occurrences(w.schedule, a, b, timezone))
    .map((i) => ({ start: Math.max(i.start, a), end: Math.min(i.end, b) }))
    .sort((x, y) => x.start - y.start);
  const merged: Interval[] = [];
  for (const interval of all) {
    const last = merged[merged.length - 1];
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

/** Whether the window is running at `at`. */
export function windowActiveAt(window: MaintenanceWindow, at: Date, timezone: string): boolean {
  return occurrences(window.schedule, at.getTime(), at.getTime() + 1, timezone).length > 0;
}

/** Whether a check is in maintenance at `at`: some window covering it is running. */
export function isInMaintenance(windows: readonly MaintenanceWindow[], target: MaintenanceTarget, at: Date, timezone: string): boolean {
  return windows.some((w) => windowApplies(w, target) && windowActiveAt(w, at, timezone));
}

/** Milliseconds of [start, end) inside the sorted, disjoint `intervals`. */
export function overlapMs(intervals: readonly Interval[], start: number, end: number): number {
  let total = 0;
  for (const i of intervals) {
    if (i.start >= end) break;
    total += Math.max(0, Math.min(i.end, end) - Math.max(i.start, start));
  }
  return total;
}
