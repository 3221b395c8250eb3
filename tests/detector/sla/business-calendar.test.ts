import { describe, expect, it } from 'vitest';
import {
  addBusinessTime,
  addWorkingDays,
  businessTimeBetween,
  isBusinessTime,
  parseBusinessHours,
  yearsWithoutHolidays,
  type BusinessCalendar,
} from '../../../detector/sla/business-calendar.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

function calendar(timezone: string, spec: Record<string, string>, holidays: string[] = []): BusinessCalendar {
  const { weekly, problems } = parseBusinessHours(spec);
  expect(problems).toEqual([]);
  return { timezone, weekly, holidays: new Set(holidays) };
}

// DPMPTSP Kabupaten Ogan Komering Ilir: WIB (UTC+7), Friday half an hour longer.
const dpmptsp = calendar('Asia/Jakarta', { 'mon-thu': '07:30-16:00', fri: '07:30-16:30' }, ['2026-12-25']);
const withLunch = calendar('Asia/Jakarta', { 'mon-fri': '08:00-12:00, 13:00-16:00' });
const amsterdam = calendar('Europe/Amsterdam', { 'mon-fri': '09:00-17:00' });
const amsterdamAllWeek = calendar('Europe/Amsterdam', { 'mon-sun': '00:00-24:00' });
const amsterdamNightShift = calendar('Europe/Amsterdam', { sun: '02:00-03:00' });

const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const utc = (iso: string) => new Date(`${iso.replace(' ', 'T')}:00Z`);

describe('parseBusinessHours', () => {
  it('reads the office hours into a Sunday-first week of minute ranges', () => {
    const { weekly, problems } = parseBusinessHours({ 'mon-thu': '07:30-16:00', fri: '07:30-16:30' });
    expect(problems).toEqual([]);
    const office = { startMinute: 450, endMinute: 960 };
    expect(weekly).toEqual([[], [office], [office], [office], [office], [{ startMinute: 450, endMinute: 990 }], []]);
  });

  it.each([
    ['a list of days', { 'mon,wed,fri': '08:00-12:00' }, [1, 3, 5]],
    ['a weekend range, since day ranges run Monday to Sunday', { 'sat-sun': '09:00-12:00' }, [0, 6]],
    ['upper case and spaces', { ' MON - TUE ': ' 09:00 - 12:00 ' }, [1, 2]],
    ['a range ending at 24:00', { sun: '00:00-24:00' }, [0]],
  ])('accepts %s', (_name, spec, openDays) => {
    const { weekly, problems } = parseBusinessHours(spec);
    expect(problems).toEqual([]);
    expect(weekly.flatMap((ranges, day) => (ranges.length > 0 ? [day] : []))).toEqual(openDays);
  });

  it('sorts several ranges of one day, such as a lunch break given afternoon first', () => {
    const { weekly } = parseBusinessHours({ mon: '13:00-16:00, 07:30-12:00' });
    expect(weekly[1]).toEqual([
      { startMinute: 450, endMinute: 720 },
      { startMinute: 780, endMinute: 960 },
    ]);
  });

  it.each([
    ['a range wrapping past Sunday', { 'fri-mon': '08:00-12:00' }, 'fri-mon', /runs past Sunday/],
    ['an unknown day name', { funday: '08:00-12:00' }, 'funday', /unknown day name 'funday'/],
    ['a three-part day range', { 'mon-wed-fri': '08:00-12:00' }, 'mon-wed-fri', /not a day or a day range/],
    ['an hour past 24', { mon: '08:00-25:00' }, 'mon', /'25:00' is not a valid time/],
    ['minutes past 59', { mon: '08:60-12:00' }, 'mon', /'08:60' is not a valid time/],
    ['24:00 as a start', { mon: '24:00-24:00' }, 'mon', /'24:00' is not a valid time/],
    ['a value that is not a time range', { mon: '8am-4pm' }, 'mon', /'8am-4pm' is not a time range/],
    ['an empty value', { mon: '' }, 'mon', /is not a time range/],
    ['an end before its start', { mon: '16:00-07:30' }, 'mon', /end is not after the start/],
    ['an end equal to its start', { mon: '08:00-08:00' }, 'mon', /end is not after the start/],
    ['overlapping ranges', { mon: '08:00-12:00, 11:00-13:00' }, 'mon', /08:00-12:00 and 11:00-13:00 overlap/],
    ['a day repeated within one key', { 'mon-wed,tue': '08:00-12:00' }, 'mon-wed,tue', /tue is given twice/],
    ['a day given in two keys', { 'mon-thu': '07:30-16:00', wed: '08:00-12:00' }, 'wed', /wed is given twice \(already in 'mon-thu'\)/],
  ])('reports %s with its key', (_name, spec, key, message) => {
    const { problems } = parseBusinessHours(spec);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe(key);
    expect(problems[0]!.message).toMatch(message);
  });

  it('reports every problem at once instead of stopping at the first', () => {
    const { problems } = parseBusinessHours({
      'fri-mon': '08:00-12:00',
      tue: '09:00-08:00, 10:00-99:00',
      xyz: 'soon',
    });
    expect(problems.map((p) => p.key)).toEqual(['fri-mon', 'tue', 'tue', 'xyz', 'xyz']);
  });
});

describe('addBusinessTime', () => {
  it.each([
    ['a start inside hours counts from the start', dpmptsp, wib('2026-11-23 09:00'), 2 * HOUR, wib('2026-11-23 11:00')],
    ['a Friday 16:20 start carries 1h50 over the weekend to Monday', dpmptsp, wib('2026-11-27 16:20'), 2 * HOUR, wib('2026-11-30 09:20')],
    ['a Saturday start counts from Monday opening', dpmptsp, wib('2026-11-28 10:00'), 2 * HOUR, wib('2026-11-30 09:30')],
    ['an early-morning start counts from opening', dpmptsp, wib('2026-11-24 05:00'), 30 * MIN, wib('2026-11-24 08:00')],
    ['a duration ending exactly at closing is due at closing', dpmptsp, wib('2026-11-26 15:00'), HOUR, wib('2026-11-26 16:00')],
    ['Friday counts until 16:30', dpmptsp, wib('2026-11-27 16:00'), 30 * MIN, wib('2026-11-27 16:30')],
    ['the 2026-12-25 holiday (a Friday) is skipped', dpmptsp, wib('2026-12-24 15:00'), 2 * HOUR, wib('2026-12-28 08:30')],
    ['a start on the holiday counts from the next working day', dpmptsp, wib('2026-12-25 09:00'), HOUR, wib('2026-12-28 08:30')],
    ['24 business hours span three working days', dpmptsp, wib('2026-11-23 07:30'), 24 * HOUR, wib('2026-11-25 14:30')],
    ['120 office hours span about three weeks (not 5d, which is five working days)', dpmptsp, wib('2026-11-23 07:30'), 120 * HOUR, wib('2026-12-10 16:00')],
    ['a lunch break is skipped', withLunch, wib('2026-11-23 11:30'), HOUR, wib('2026-11-23 13:30')],
    ['a start during lunch counts from the afternoon opening', withLunch, wib('2026-11-23 12:15'), 30 * MIN, wib('2026-11-23 13:30')],
  ])('%s', (_name, cal, start, duration, due) => {
    expect(addBusinessTime(start, duration, cal).toISOString()).toBe(due.toISOString());
  });

  it.each([
    ['inside hours returns the start itself', wib('2026-11-23 10:17'), wib('2026-11-23 10:17')],
    ['before opening returns the opening', wib('2026-11-23 06:00'), wib('2026-11-23 07:30')],
    ['at closing returns the next opening, as closing is not business time', wib('2026-11-26 16:00'), wib('2026-11-27 07:30')],
    ['on a Saturday returns Monday opening', wib('2026-11-28 12:00'), wib('2026-11-30 07:30')],
  ])('a zero duration %s', (_name, start, expected) => {
    expect(addBusinessTime(start, 0, dpmptsp).toISOString()).toBe(expected.toISOString());
  });

  it.each([
    ['after the spring change lands on CEST (UTC+2)', utc('2026-03-27 15:00'), utc('2026-03-30 08:00')],
    ['after the autumn change lands on CET (UTC+1)', utc('2026-10-23 14:00'), utc('2026-10-26 09:00')],
  ])('in Amsterdam, Friday 16:00 + 2h across the weekend %s at Monday 10:00 local', (_name, start, due) => {
    expect(addBusinessTime(start, 2 * HOUR, amsterdam).toISOString()).toBe(due.toISOString());
  });

  it('lands on the same instant businessTimeBetween measures back', () => {
    for (const [start, duration] of [
      [wib('2026-11-27 16:20'), 2 * HOUR],
      [wib('2026-12-24 09:00'), 40 * HOUR],
      [wib('2026-11-23 12:00'), 7 * 24 * HOUR],
    ] as const) {
      expect(businessTimeBetween(start, addBusinessTime(start, duration, dpmptsp), dpmptsp)).toBe(duration);
    }
  });

  it('refuses a calendar without any business hours', () => {
    const closed: BusinessCalendar = { timezone: 'Asia/Jakarta', weekly: [[], [], [], [], [], [], []], holidays: new Set() };
    expect(() => addBusinessTime(wib('2026-11-23 09:00'), HOUR, closed)).toThrow(/no business hours/);
  });

  it('gives up after about ten years when every open day is a holiday', () => {
    const sundays = new Set<string>();
    for (let t = Date.UTC(2026, 10, 29); t < Date.UTC(2040, 0, 1); t += 7 * 24 * HOUR) {
      sundays.add(new Date(t).toISOString().slice(0, 10));
    }
    const cal: BusinessCalendar = { ...calendar('Asia/Jakarta', { sun: '08:00-12:00' }), holidays: sundays };
    expect(() => addBusinessTime(wib('2026-11-23 09:00'), HOUR, cal)).toThrow(/within 3700 days/);
  });

  it('refuses a negative duration', () => {
    expect(() => addBusinessTime(wib('2026-11-23 09:00'), -1, dpmptsp)).toThrow(/non-negative/);
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['Friday 15:00 + 2 is Tuesday 15:00', dpmptsp, wib('2026-11-27 15:00'), 2, wib('2026-12-01 15:00')],
    ['Monday 10:00 + 5 is the next Monday 10:00', dpmptsp, wib('2026-11-23 10:00'), 5, wib('2026-11-30 10:00')],
    ['a start on the eve of the 2026-12-25 holiday skips it: Thursday 10:00 + 1 is Monday 10:00', dpmptsp, wib('2026-12-24 10:00'), 1, wib('2026-12-28 10:00')],
    ['a start on the holiday counts from the next opening: Friday 25 December + 1 is Tuesday 07:30', dpmptsp, wib('2026-12-25 10:00'), 1, wib('2026-12-29 07:30')],
    ['a Saturday start counts from Monday opening', dpmptsp, wib('2026-11-28 10:00'), 1, wib('2026-12-01 07:30')],
    ['an evening start counts from the next opening', dpmptsp, wib('2026-11-24 19:00'), 1, wib('2026-11-26 07:30')],
    ["Friday 16:15 is past Monday's length of office time: Monday's close", dpmptsp, wib('2026-11-27 16:15'), 1, wib('2026-11-30 16:00')],
    ['a morning position stays in the morning across a lunch break', withLunch, wib('2026-11-23 11:00'), 1, wib('2026-11-24 11:00')],
    ['a start during lunch counts from the afternoon opening', withLunch, wib('2026-11-23 12:30'), 1, wib('2026-11-24 13:00')],
    ['zero days is the start itself', dpmptsp, wib('2026-11-28 10:00'), 0, wib('2026-11-28 10:00')],
  ])('%s', (_name, cal, start, days, due) => {
    expect(addWorkingDays(start, days, cal).toISOString()).toBe(due.toISOString());
  });

  it('keeps the position in office time across an Amsterdam DST change (Friday 10:00 CET + 1 is Monday 10:00 CEST)', () => {
    expect(addWorkingDays(utc('2026-03-27 09:00'), 1, amsterdam).toISOString()).toBe(utc('2026-03-30 08:00').toISOString());
  });

  it('refuses a fractional or negative number of days', () => {
    expect(() => addWorkingDays(wib('2026-11-23 09:00'), 1.5, dpmptsp)).toThrow(/whole number/);
    expect(() => addWorkingDays(wib('2026-11-23 09:00'), -1, dpmptsp)).toThrow(/whole number/);
  });
});

describe('yearsWithoutHolidays', () => {
  it.each([
    ['none when both years have one', ['2026-12-25', '2027-01-01'], utc('2026-12-03 03:00'), []],
    ['the next year when only this one has holidays', ['2026-12-25'], utc('2026-12-03 03:00'), [2027]],
    ['both when there are none', [], utc('2026-12-03 03:00'), [2026, 2027]],
    ['this and next year in the office time zone: 31 December 20:00 UTC is already 2027 in WIB', ['2026-12-25', '2027-01-01'], utc('2026-12-31 20:00'), [2028]],
  ])('names %s', (_name, holidays, now, expected) => {
    expect(yearsWithoutHolidays({ ...dpmptsp, holidays: new Set(holidays) }, now)).toEqual(expected);
  });
});

describe('businessTimeBetween', () => {
  it.each([
    ['within one working day', dpmptsp, wib('2026-11-23 08:00'), wib('2026-11-23 10:00'), 2 * HOUR],
    ['across a weekend counts Friday evening and Monday morning only', dpmptsp, wib('2026-11-27 16:00'), wib('2026-11-30 08:30'), 90 * MIN],
    ['across the 2026-12-25 holiday', dpmptsp, wib('2026-12-24 15:00'), wib('2026-12-28 08:30'), 2 * HOUR],
    ['over a whole week is 4 × 8h30 + 9h', dpmptsp, wib('2026-11-23 00:00'), wib('2026-11-30 00:00'), 43 * HOUR],
    ['within a weekend is zero', dpmptsp, wib('2026-11-28 08:00'), wib('2026-11-29 20:00'), 0],
    ['over a lunch break leaves the break out', withLunch, wib('2026-11-23 11:00'), wib('2026-11-23 14:00'), 2 * HOUR],
    ['with the end before the start is zero', dpmptsp, wib('2026-11-23 10:00'), wib('2026-11-23 09:00'), 0],
    ['with the end equal to the start is zero', dpmptsp, wib('2026-11-23 10:00'), wib('2026-11-23 10:00'), 0],
    ['over the Amsterdam spring-forward Sunday is 23 hours', amsterdamAllWeek, utc('2026-03-28 23:00'), utc('2026-03-29 22:00'), 23 * HOUR],
    ['over the Amsterdam fall-back Sunday is 25 hours', amsterdamAllWeek, utc('2026-10-24 22:00'), utc('2026-10-25 23:00'), 25 * HOUR],
    ['of a 02:00-03:00 shift skipped by the spring change is zero', amsterdamNightShift, utc('2026-03-28 12:00'), utc('2026-03-30 12:00'), 0],
    ['of a 02:00-03:00 shift repeated by the autumn change is two hours', amsterdamNightShift, utc('2026-10-24 12:00'), utc('2026-10-26 12:00'), 2 * HOUR],
  ])('%s', (_name, cal, from, to, expected) => {
    expect(businessTimeBetween(from, to, cal)).toBe(expected);
  });
});

describe('isBusinessTime', () => {
  it.each([
    ['at opening', wib('2026-11-23 07:30'), true],
    ['just before opening', wib('2026-11-23 07:29'), false],
    ['at Thursday closing', wib('2026-11-26 16:00'), false],
    ['on Friday at 16:15, inside the longer Friday', wib('2026-11-27 16:15'), true],
    ['on a Saturday', wib('2026-11-28 10:00'), false],
    ['on the 2026-12-25 holiday', wib('2026-12-25 10:00'), false],
    ['at 07:30 WIB, which is 00:30 UTC on the same date', utc('2026-11-23 00:30'), true],
    ['at 23:30 UTC Sunday, which is 06:30 WIB Monday', utc('2026-11-22 23:30'), false],
  ])('%s', (_name, at, expected) => {
    expect(isBusinessTime(at, dpmptsp)).toBe(expected);
  });

  it('follows lunch breaks and Amsterdam summer time', () => {
    expect(isBusinessTime(wib('2026-11-23 12:30'), withLunch)).toBe(false);
    expect(isBusinessTime(utc('2026-03-30 07:30'), amsterdam)).toBe(true); // 09:30 CEST
    expect(isBusinessTime(utc('2026-03-27 07:30'), amsterdam)).toBe(false); // 08:30 CET
  });
});
