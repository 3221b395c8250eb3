// When the monthly report goes out: on the first working day of each month at 08:00 office time,
// the report of the month before. A working day is a day with business hours that is not a
// holiday, on the office's calendar. Pure functions of the calendar and the time asked about.
import { wallClock, wallClockToInstant, type BusinessCalendar } from '../sla/business-calendar.js';

const DAY_MS = 86_400_000;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** 08:00 office time, in minutes after local midnight. */
export const REPORT_SEND_MINUTE = 8 * 60;

/** The first working day (YYYY-MM-DD) of `month` (YYYY-MM); its first day when the month has none at all. */
export function firstWorkingDay(month: string, calendar: Pick<BusinessCalendar, 'weekly' | 'holidays'>): string {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month like 2026-11: ${month}`);
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  for (let day = start; new Date(day).getUTCMonth() === new Date(start).getUTCMonth(); day += DAY_MS) {
    const date = new Date(day);
    const iso = date.toISOString().slice(0, 10);
    if ((calendar.weekly[date.getUTCDay()] ?? []).length > 0 && !calendar.holidays.has(iso)) return iso;
  }
  // A month without one working day (a calendar with none configured) still gets its report.
  return new Date(start).toISOString().slice(0, 10);
}

/** The instant the report of the month before `month` is due: its first working day at 08:00 office time. */
export function reportSendAt(month: string, calendar: BusinessCalendar, sendMinute = REPORT_SEND_MINUTE): Date {
  const day = Date.parse(`${firstWorkingDay(month, calendar)}T00:00:00Z`);
  return new Date(wallClockToInstant(day + sendMinute * 60_000, calendar.timezone));
}

/** The month (YYYY-MM) whose report is due at `now`: last month's once this month's send time has come, else null. */
export function dueReportMonth(now: Date, calendar: BusinessCalendar, sendMinute = REPORT_SEND_MINUTE): string | null {
  const local = new Date(wallClock(now.getTime(), calendar.timezone));
  const thisMonth = local.toISOString().slice(0, 7);
  if (now.getTime() < reportSendAt(thisMonth, calendar, sendMinute).getTime()) return null;
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}
