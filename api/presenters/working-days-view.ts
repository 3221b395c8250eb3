// The office calendar on /sop: the upcoming holidays with their names, and the working-day rule
// with worked examples computed by the same functions that set due times (never typed by hand).
import { parseBusinessHours, wallClock, wallClockToInstant, type BusinessCalendar } from '../../detector/sla/business-calendar.js';
import { addClockTime } from '../../detector/sla/due-times.js';

const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const HOUR = 3_600_000;

type Translate = (key: string, vars?: Record<string, unknown>) => string;

export interface HolidayLine {
  date: string;
  weekday: string;
  name: string;
}

/** Holidays from today on (office time zone), in date order, each with its weekday and name. */
export function upcomingHolidays(calendar: BusinessCalendar, now: Date, t: Translate): HolidayLine[] {
  const today = new Date(wallClock(now.getTime(), calendar.timezone)).toISOString().slice(0, 10);
  return [...calendar.holidays]
    .filter((date) => date >= today)
    .sort()
    .map((date) => ({ date, weekday: t(`sop.day.${DAY_KEYS[new Date(`${date}T00:00:00Z`).getUTCDay()]}`), name: calendar.holidayNames?.get(date) || t('calendar.unnamed') }));
}

/**
 * Worked examples of the working-day rule on the office's own week: Friday 15:00 + 2d, a start on
 * the eve of a holiday, and a lunch break (07:30-12:00, 13:00-16:00). The dates are one sample
 * week (Monday 2026-11-23) without the office's holidays, so only the rule shows.
 */
export function workingDayExamples(calendar: BusinessCalendar, t: Translate): string[] {
  const { timezone, weekly } = calendar;
  const plain: BusinessCalendar = { timezone, weekly, holidays: new Set() };
  const at = (date: string, time: string) => new Date(wallClockToInstant(Date.parse(`${date}T${time}:00Z`), timezone));
  const say = (d: Date) => {
    const wall = new Date(wallClock(d.getTime(), timezone));
    return `${t(`sop.day.${DAY_KEYS[wall.getUTCDay()]}`)} ${wall.toISOString().slice(11, 16)}`;
  };
  const friday = at('2026-11-27', '15:00');
  const eve = at('2026-11-26', '10:00');
  const withHoliday: BusinessCalendar = { ...plain, holidays: new Set(['2026-11-27']) };
  const lunch: BusinessCalendar = { timezone, weekly: parseBusinessHours({ 'mon-fri': '07:30-12:00, 13:00-16:00' }).weekly, holidays: new Set() };
  const morning = at('2026-11-23', '11:00');
  const noon = at('2026-11-23', '12:30');
  return [
    t('calendar.example.friday', { start: say(friday), due: say(addClockTime(friday, { days: 2, ms: 0 }, 'business', plain)) }),
    t('calendar.example.eve', { start: say(eve), holiday: t('sop.day.fri'), due: say(addClockTime(eve, { days: 1, ms: 0 }, 'business', withHoliday)) }),
    t('calendar.example.lunchHours', { start: say(morning), due: say(addClockTime(morning, { days: 0, ms: 2 * HOUR }, 'business', lunch)) }),
    t('calendar.example.lunchDay', { start: say(noon), due: say(addClockTime(noon, { days: 1, ms: 0 }, 'business', lunch)) }),
  ];
}
