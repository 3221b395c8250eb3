// An independent oracle for the office calendar: addBusinessTime, businessTimeBetween and the
// working-day rule (addWorkingDays, and a target of days + office time) checked against a
// brute-force reference over random calendars — random weekly hours with breaks, random holidays
// and ranges of them — in Asia/Jakarta and in two zones with DST. The reference knows nothing of
// the implementation: it walks the minutes of a window and asks Intl for each one's local date,
// weekday and time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addBusinessTime, addWorkingDays, businessTimeBetween, type BusinessCalendar, type TimeRange } from '../../../detector/sla/business-calendar.js';
import { addClockTime } from '../../../detector/sla/due-times.js';

const MINUTE = 60_000;
const WINDOW_DAYS = 12;
const WINDOW_MINUTES = WINDOW_DAYS * 1440;
const SEED = 20261203;
const RUNS = 150;

// Windows of each zone: around the 2026 DST changes for the zones that have them (New York springs
// forward on 8 March, Berlin on 29 March; Berlin falls back on 25 October, New York on 1 November).
const WINDOWS: Record<string, readonly string[]> = {
  'Asia/Jakarta': ['2026-11-20'],
  'Europe/Berlin': ['2026-03-25', '2026-10-20'],
  'America/New_York': ['2026-03-04', '2026-10-27'],
};

interface Minute {
  date: string;
  weekday: number;
  minuteOfDay: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const tables = new Map<string, { start: number; minutes: Minute[] }>();

/** Every minute of the window with its local date, weekday and time of day, as Intl reads them. */
function minutesOf(zone: string, window: string): { start: number; minutes: Minute[] } {
  const key = `${zone} ${window}`;
  const known = tables.get(key);
  if (known) return known;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
  });
  // Start at 00:00 UTC of the window's first date, a little before or after local midnight.
  const start = Date.parse(`${window}T00:00:00Z`);
  const minutes: Minute[] = [];
  for (let i = 0; i < WINDOW_MINUTES; i++) {
    const parts = Object.fromEntries(format.formatToParts(new Date(start + i * MINUTE)).map((p) => [p.type, p.value]));
    minutes.push({ date: `${parts.year}-${parts.month}-${parts.day}`, weekday: WEEKDAYS.indexOf(parts.weekday!), minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute) });
  }
  const table = { start, minutes };
  tables.set(key, table);
  return table;
}

/** The reference: which minutes of the window are office time, and time measured by walking them. */
function reference(cal: BusinessCalendar, window: string) {
  const { start, minutes } = minutesOf(cal.timezone, window);
  const open = minutes.map((m) => !cal.holidays.has(m.date) && (cal.weekly[m.weekday] ?? []).some((r) => r.startMinute <= m.minuteOfDay && m.minuteOfDay < r.endMinute));
  const at = (i: number) => start + i * MINUTE;
  const firstOpen = (from: number) => {
    for (let i = from; i < open.length; i++) if (open[i]) return i;
    return null;
  };
  return {
    at,
    /** Office minutes from index `from` to the end of the window. */
    openAfter: (from: number) => open.slice(from).filter(Boolean).length,
    add(from: number, count: number): number | null {
      if (count === 0) {
        const i = firstOpen(from);
        return i === null ? null : at(i);
      }
      let seen = 0;
      for (let i = from; i < open.length; i++) if (open[i] && ++seen === count) return at(i + 1);
      return null;
    },
    between: (from: number, to: number) => open.slice(from, Math.max(from, to)).filter(Boolean).length * MINUTE,
    /** Dates after the start's (first office minute's) date that have office minutes, in order. */
    workingDatesAfter(from: number): string[] {
      const i0 = firstOpen(from);
      if (i0 === null) return [];
      const dates: string[] = [];
      for (let i = i0; i < open.length; i++) {
        const date = minutes[i]!.date;
        if (open[i] && date !== minutes[i0]!.date && dates[dates.length - 1] !== date) dates.push(date);
      }
      return dates;
    },
    workingDays(from: number, days: number): number | null {
      if (days === 0) return at(from);
      const i0 = firstOpen(from);
      if (i0 === null) return null;
      const startDate = minutes[i0]!.date;
      let position = 0;
      for (let i = 0; i < i0; i++) if (open[i] && minutes[i]!.date === startDate) position++;
      const target = this.workingDatesAfter(from)[days - 1];
      // The last date may run past the window's end: only dates wholly inside it are answers.
      if (target === undefined || minutes[open.length - 1]!.date === target) return null;
      const targetMinutes = minutes.flatMap((m, i) => (open[i] && m.date === target ? [i] : []));
      return position < targetMinutes.length ? at(targetMinutes[position]!) : at(targetMinutes[targetMinutes.length - 1]! + 1);
    },
  };
}

const dayRanges: fc.Arbitrary<TimeRange[]> = fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 }).map((marks) => {
  const sorted = [...marks].sort((a, b) => a - b);
  const ranges: TimeRange[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) ranges.push({ startMinute: sorted[i]! * 15, endMinute: sorted[i + 1]! * 15 });
  return ranges;
});

const calendars = fc
  .record({
    zoneWindow: fc.constantFrom(...Object.entries(WINDOWS).flatMap(([zone, windows]) => windows.map((w) => [zone, w] as const))),
    weekly: fc.array(fc.oneof(fc.constant<TimeRange[]>([]), dayRanges, dayRanges), { minLength: 7, maxLength: 7 }),
    holidayRanges: fc.array(fc.record({ from: fc.integer({ min: 0, max: WINDOW_DAYS }), length: fc.integer({ min: 1, max: 3 }) }), { maxLength: 4 }),
  })
  .filter(({ weekly }) => weekly.filter((d) => d.length > 0).length >= 2)
  .map(({ zoneWindow: [timezone, window], weekly, holidayRanges }) => {
    const holidays = new Set<string>();
    for (const { from, length } of holidayRanges) {
      for (let d = from; d < from + length; d++) holidays.add(new Date(Date.parse(`${window}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10));
    }
    return { window, cal: { timezone, weekly, holidays } satisfies BusinessCalendar };
  });

/** A start minute in the window's second to fourth day: the reference must see the whole of the start's local day. */
const startIndex = fc.integer({ min: 1440, max: 4 * 1440 - 1 });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

describe('the business calendar against a minute-by-minute reference', () => {
  it('addBusinessTime lands where walking that many office minutes ends', () => {
    fc.assert(
      fc.property(calendars, startIndex, fraction, ({ window, cal }, s, f) => {
        const ref = reference(cal, window);
        const count = Math.floor(f * ref.openAfter(s) * 0.9);
        const expected = ref.add(s, count);
        fc.pre(expected !== null);
        expect(iso(addBusinessTime(new Date(ref.at(s)), count * MINUTE, cal).getTime())).toBe(iso(expected));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('businessTimeBetween counts the office minutes between two instants', () => {
    fc.assert(
      fc.property(calendars, startIndex, fc.integer({ min: -600, max: 8 * 1440 }), ({ window, cal }, s, span) => {
        const ref = reference(cal, window);
        expect(businessTimeBetween(new Date(ref.at(s)), new Date(ref.at(s + span)), cal)).toBe(ref.between(s, s + span));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('N working days keep the office-time position of the start (or the shorter day’s close), then office time is added', () => {
    fc.assert(
      fc.property(calendars, startIndex, fc.integer({ min: 0, max: 4 }), fraction, ({ window, cal }, s, wanted, f) => {
        const ref = reference(cal, window);
        const available = ref.workingDatesAfter(s).length - 1;
        fc.pre(available >= 1);
        const days = Math.min(wanted, available);
        const expected = ref.workingDays(s, days);
        fc.pre(expected !== null);
        const start = new Date(ref.at(s));
        expect(iso(addWorkingDays(start, days, cal).getTime())).toBe(iso(expected));
        // A target of days and office time: the days first, then the minutes from there.
        const landed = Math.round((expected! - ref.at(0)) / MINUTE);
        const extra = Math.floor(f * ref.openAfter(landed) * 0.9);
        const total = extra === 0 && days > 0 ? expected : ref.add(landed, extra);
        fc.pre(total !== null);
        expect(iso(addClockTime(start, { days, ms: extra * MINUTE }, 'business', cal).getTime())).toBe(iso(total));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
