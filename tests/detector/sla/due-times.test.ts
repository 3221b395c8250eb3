import { describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessCalendar } from '../../../detector/sla/business-calendar.js';
import { clockTimeBetween, DEFAULT_SLA_TARGETS, dueTimes, type SlaTargets } from '../../../detector/sla/due-times.js';
import type { Priority } from '../../../detector/incidents/priority.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const span = (days: number, ms = 0) => ({ days, ms });

const dpmptsp: BusinessCalendar = {
  timezone: 'Asia/Jakarta',
  weekly: parseBusinessHours({ 'mon-thu': '07:30-16:00', fri: '07:30-16:30' }).weekly,
  holidays: new Set(['2026-12-25']),
};

const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

function due(priority: Priority, startedAt: Date, pausedMs?: number, targets: SlaTargets = DEFAULT_SLA_TARGETS) {
  const { responseDueAt, resolveDueAt } = dueTimes({ startedAt, priority, targets, calendar: dpmptsp, pausedMs });
  return { responseDueAt: responseDueAt.toISOString(), resolveDueAt: resolveDueAt.toISOString() };
}

describe('DEFAULT_SLA_TARGETS', () => {
  it('holds the policy defaults of the design', () => {
    expect(DEFAULT_SLA_TARGETS).toEqual({
      P1: { respond: span(0, 15 * MIN), resolve: span(0, 4 * HOUR), clock: '24x7' },
      P2: { respond: span(0, 30 * MIN), resolve: span(0, 8 * HOUR), clock: '24x7' },
      P3: { respond: span(0, 2 * HOUR), resolve: span(0, 24 * HOUR), clock: 'business' },
      P4: { respond: span(0, 8 * HOUR), resolve: span(5), clock: 'business' },
      P5: { respond: span(2), resolve: span(10), clock: 'business' },
    });
    expect(Object.isFrozen(DEFAULT_SLA_TARGETS)).toBe(true);
  });
});

describe('dueTimes', () => {
  it.each([
    ['a P1 logged Saturday 02:00 WIB runs on wall-clock time', 'P1', '2026-11-28 02:00', '2026-11-28 02:15', '2026-11-28 06:00'],
    ['a P2 logged Thursday 22:00 WIB runs through the night', 'P2', '2026-11-26 22:00', '2026-11-26 22:30', '2026-11-27 06:00'],
    ['a P1 on the 2026-12-25 holiday ignores the holiday', 'P1', '2026-12-25 10:00', '2026-12-25 10:15', '2026-12-25 14:00'],
    ['a P3 logged Friday 16:20 WIB gets its 2h response due Monday 09:20 WIB', 'P3', '2026-11-27 16:20', '2026-11-30 09:20', '2026-12-02 14:20'],
    ['a P3 logged Saturday starts counting at Monday 07:30', 'P3', '2026-11-28 11:00', '2026-11-30 09:30', '2026-12-02 14:30'],
    ['a P3 logged Thursday before the 2026-12-25 holiday skips it', 'P3', '2026-12-24 15:00', '2026-12-28 08:30', '2026-12-30 13:30'],
    ['a P4 logged Monday opening gets 8 office hours and five working days: the next Monday opening', 'P4', '2026-11-23 07:30', '2026-11-23 15:30', '2026-11-30 07:30'],
    ['a P4 logged Monday 10:00 is due the next Monday 10:00', 'P4', '2026-11-23 10:00', '2026-11-24 09:30', '2026-11-30 10:00'],
    ['a P5 logged Monday opening gets two and ten working days', 'P5', '2026-11-23 07:30', '2026-11-25 07:30', '2026-12-07 07:30'],
    ['a P4 logged Monday 10:00 the week of the 2026-12-25 holiday is due a working day later', 'P4', '2026-12-21 10:00', '2026-12-22 09:30', '2026-12-29 10:00'],
  ] as const)('%s', (_name, priority, startedAt, responseDueAt, resolveDueAt) => {
    expect(due(priority, wib(startedAt))).toEqual({
      responseDueAt: wib(responseDueAt).toISOString(),
      resolveDueAt: wib(resolveDueAt).toISOString(),
    });
  });

  it.each([
    ['a P1 pause of 90 minutes moves resolution by 90 minutes', 'P1', '2026-11-28 02:00', 90 * MIN, '2026-11-28 02:15', '2026-11-28 07:30'],
    ['a P3 pause of 2 business hours moves resolution across the evening', 'P3', '2026-11-23 08:00', 2 * HOUR, '2026-11-23 10:00', '2026-11-26 08:30'],
  ] as const)('%s, never the response', (_name, priority, startedAt, pausedMs, responseDueAt, resolveDueAt) => {
    expect(due(priority, wib(startedAt), pausedMs)).toEqual({
      responseDueAt: wib(responseDueAt).toISOString(),
      resolveDueAt: wib(resolveDueAt).toISOString(),
    });
  });

  it('uses the targets it is given instead of the defaults', () => {
    const targets: SlaTargets = { ...DEFAULT_SLA_TARGETS, P3: { respond: span(0, HOUR), resolve: span(0, 2 * HOUR), clock: '24x7' } };
    expect(due('P3', wib('2026-11-27 16:20'), 0, targets)).toEqual({
      responseDueAt: wib('2026-11-27 17:20').toISOString(),
      resolveDueAt: wib('2026-11-27 18:20').toISOString(),
    });
  });

  it('counts 1d4h on a business clock as one working day, then four office hours', () => {
    const targets: SlaTargets = { ...DEFAULT_SLA_TARGETS, P4: { respond: span(0, HOUR), resolve: span(1, 4 * HOUR), clock: 'business' } };
    expect(due('P4', wib('2026-11-23 10:00'), 0, targets).resolveDueAt).toBe(wib('2026-11-24 14:00').toISOString());
    // Tuesday 14:00 + 1 day is Wednesday 14:00; 4 more office hours run past Wednesday's 16:00 close into Thursday.
    expect(due('P4', wib('2026-11-24 14:00'), 0, targets).resolveDueAt).toBe(wib('2026-11-26 09:30').toISOString());
  });

  it('counts a day on a 24x7 clock as 24 hours, weekends and holidays included', () => {
    const targets: SlaTargets = { ...DEFAULT_SLA_TARGETS, P2: { respond: span(0, HOUR), resolve: span(2, 3 * HOUR), clock: '24x7' } };
    expect(due('P2', wib('2026-12-24 10:00'), 0, targets).resolveDueAt).toBe(wib('2026-12-26 13:00').toISOString());
  });

  it("lands on the target day's close when that day has fewer office hours than the start's position", () => {
    // Friday 16:15 is 8h45 into Friday; Monday has only 8h30 of office time.
    const targets: SlaTargets = { ...DEFAULT_SLA_TARGETS, P4: { respond: span(0, HOUR), resolve: span(1), clock: 'business' } };
    expect(due('P4', wib('2026-11-27 16:15'), 0, targets).resolveDueAt).toBe(wib('2026-11-30 16:00').toISOString());
  });

  it('meets the response of a P3 logged Friday 17:00 and acknowledged Monday 08:00 (2h of office time, due 09:30)', () => {
    const { responseDueAt } = dueTimes({ startedAt: wib('2026-11-27 17:00'), priority: 'P3', targets: DEFAULT_SLA_TARGETS, calendar: dpmptsp });
    expect(responseDueAt.toISOString()).toBe(wib('2026-11-30 09:30').toISOString());
    expect(wib('2026-11-30 08:00').getTime()).toBeLessThan(responseDueAt.getTime());
  });

  it('warns at warnAt of the office time up to a working-day target, and moves both by a pause after the target', () => {
    const plain = dueTimes({ startedAt: wib('2026-11-23 10:00'), priority: 'P4', targets: DEFAULT_SLA_TARGETS, calendar: dpmptsp, warnAt: 0.75 });
    // Monday 10:00 → next Monday 10:00 is 43 office hours; 75 % of it is 32h15, reached Friday 08:15.
    expect(clockTimeBetween(wib('2026-11-23 10:00'), plain.resolveDueAt, 'business', dpmptsp)).toBe(43 * HOUR);
    expect(plain.resolveWarnAt.toISOString()).toBe(wib('2026-11-27 08:15').toISOString());
    // 75 % of the 8 office hours to Tuesday 09:30 is 6 hours: Monday's close.
    expect(plain.responseWarnAt.toISOString()).toBe(wib('2026-11-23 16:00').toISOString());
    const paused = dueTimes({ startedAt: wib('2026-11-23 10:00'), priority: 'P4', targets: DEFAULT_SLA_TARGETS, calendar: dpmptsp, warnAt: 0.75, pausedMs: 7 * HOUR });
    expect(paused.resolveDueAt.toISOString()).toBe(wib('2026-12-01 08:30').toISOString());
    expect(paused.resolveWarnAt.toISOString()).toBe(wib('2026-11-27 15:15').toISOString());
    expect(paused.responseDueAt).toEqual(plain.responseDueAt);
  });

  it('refuses a negative pause', () => {
    expect(() => due('P1', wib('2026-11-28 02:00'), -1)).toThrow(/non-negative/);
  });
});

describe('clockTimeBetween', () => {
  it.each([
    ['a 24x7 clock counts the whole weekend', '24x7', '2026-11-27 16:00', '2026-11-30 08:30', 64 * HOUR + 30 * MIN],
    ['a business clock counts only office hours of the weekend', 'business', '2026-11-27 16:00', '2026-11-30 08:30', 90 * MIN],
    ['a 24x7 clock running backwards counts nothing', '24x7', '2026-11-30 08:30', '2026-11-27 16:00', 0],
  ] as const)('%s', (_name, clock, from, to, expected) => {
    expect(clockTimeBetween(wib(from), wib(to), clock, dpmptsp)).toBe(expected);
  });
});
