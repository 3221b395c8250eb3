import { describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessCalendar } from '../../../detector/sla/business-calendar.js';
import { dueReportMonth, firstWorkingDay, reportSendAt } from '../../../detector/reporting/report-schedule.js';

function calendar(spec: Record<string, string>, holidays: string[] = [], timezone = 'Asia/Jakarta'): BusinessCalendar {
  const { weekly, problems } = parseBusinessHours(spec);
  expect(problems).toEqual([]);
  return { timezone, weekly, holidays: new Set(holidays) };
}

// The office: WIB, Monday to Friday, New Year's Day a holiday; 1 August 2026 is a Saturday,
// 1 January 2027 a Friday, 1 November 2026 a Sunday followed by a holiday Monday (made up for the case).
const office = calendar({ 'mon-thu': '07:30-16:00', fri: '07:30-16:30' }, ['2027-01-01', '2026-11-02']);
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

describe('the first working day of a month', () => {
  it.each([
    { month: '2026-12', expected: '2026-12-01', why: 'a Tuesday is a working day' },
    { month: '2026-08', expected: '2026-08-03', why: 'a month starting on Saturday: the Monday after' },
    { month: '2027-01', expected: '2027-01-04', why: '1 January a holiday (a Friday), then the weekend' },
    { month: '2026-11', expected: '2026-11-03', why: 'a Sunday, then a holiday Monday' },
    { month: '2027-05', expected: '2027-05-03', why: 'a month starting on Saturday' },
  ])('$month → $expected ($why)', ({ month, expected }) => {
    expect(firstWorkingDay(month, office)).toBe(expected);
  });

  it('counts a Saturday as working when the office opens on Saturdays', () => {
    expect(firstWorkingDay('2026-08', calendar({ 'mon-sat': '08:00-12:00' }))).toBe('2026-08-01');
  });

  it('is the month’s first day when the calendar has no working day in it', () => {
    const everyDayOff = calendar({ mon: '08:00-12:00' }, ['2026-08-03', '2026-08-10', '2026-08-17', '2026-08-24', '2026-08-31']);
    expect(firstWorkingDay('2026-08', everyDayOff)).toBe('2026-08-01');
  });

  it('is at 08:00 office time', () => {
    expect(reportSendAt('2026-08', office).toISOString()).toBe('2026-08-03T01:00:00.000Z');
    const amsterdam = calendar({ 'mon-fri': '09:00-17:00' }, [], 'Europe/Amsterdam');
    expect(reportSendAt('2026-07', amsterdam).toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(reportSendAt('2026-12', amsterdam).toISOString()).toBe('2026-12-01T07:00:00.000Z');
  });
});

describe('which month’s report is due', () => {
  it.each([
    { now: '2026-12-01 07:59', due: null, why: 'one minute before 08:00 on the first working day' },
    { now: '2026-12-01 08:00', due: '2026-11', why: '08:00 exactly' },
    { now: '2026-12-01 15:00', due: '2026-11', why: 'later that day' },
    { now: '2026-12-20 10:00', due: '2026-11', why: 'later in the month (the claim keeps it to once)' },
    { now: '2026-11-30 23:59', due: '2026-10', why: 'the last minute of a month still means the month before it' },
    { now: '2026-08-01 09:00', due: null, why: 'a Saturday the 1st: not yet' },
    { now: '2026-08-02 09:00', due: null, why: 'the Sunday after: not yet' },
    { now: '2026-08-03 07:59', due: null, why: 'Monday 07:59' },
    { now: '2026-08-03 08:00', due: '2026-07', why: 'Monday 08:00' },
    { now: '2027-01-01 09:00', due: null, why: '1 January a holiday' },
    { now: '2027-01-04 07:59', due: null, why: 'the first working day of January, before 08:00' },
    { now: '2027-01-04 08:00', due: '2026-12', why: 'December’s report in the new year' },
    { now: '2026-11-02 09:00', due: null, why: 'a holiday Monday after a Sunday the 1st' },
    { now: '2026-11-03 08:00', due: '2026-10', why: 'the Tuesday after' },
  ])('at $now WIB: $due ($why)', ({ now, due }) => {
    expect(dueReportMonth(wib(now), office)).toBe(due);
  });

  it('reads the month in the office time zone, not UTC', () => {
    // 2026-12-01 07:30 WIB is still 30 November in UTC.
    expect(dueReportMonth(new Date('2026-12-01T00:30:00Z'), office)).toBe(null);
    expect(dueReportMonth(new Date('2026-12-01T01:00:00Z'), office)).toBe('2026-11');
  });
});
