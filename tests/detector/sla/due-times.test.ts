import { describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessCalendar } from '../../../detector/sla/business-calendar.js';
import { clockTimeBetween, DEFAULT_SLA_TARGETS, dueTimes, type SlaTargets } from '../../../detector/sla/due-times.js';
import type { Priority } from '../../../detector/incidents/priority.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

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
      P1: { respondMs: 15 * MIN, resolveMs: 4 * HOUR, clock: '24x7' },
      P2: { respondMs: 30 * MIN, resolveMs: 8 * HOUR, clock: '24x7' },
      P3: { respondMs: 2 * HOUR, resolveMs: 24 * HOUR, clock: 'business' },
      P4: { respondMs: 8 * HOUR, resolveMs: 5 * DAY, clock: 'business' },
      P5: { respondMs: 2 * DAY, resolveMs: 10 * DAY, clock: 'business' },
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
    ['a P4 logged Monday opening gets 8 business hours and 120 business hours', 'P4', '2026-11-23 07:30', '2026-11-23 15:30', '2026-12-10 16:00'],
    ['a P5 logged Monday opening gets 48 and 240 business hours', 'P5', '2026-11-23 07:30', '2026-11-30 12:30', '2026-12-31 16:00'],
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
    const targets: SlaTargets = { ...DEFAULT_SLA_TARGETS, P3: { respondMs: HOUR, resolveMs: 2 * HOUR, clock: '24x7' } };
    expect(due('P3', wib('2026-11-27 16:20'), 0, targets)).toEqual({
      responseDueAt: wib('2026-11-27 17:20').toISOString(),
      resolveDueAt: wib('2026-11-27 18:20').toISOString(),
    });
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
