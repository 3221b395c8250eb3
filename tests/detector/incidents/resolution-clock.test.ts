import { describe, expect, it } from 'vitest';
import type { LockedIncident } from '../../../detector/incidents/incident-types.js';
import type { Priority } from '../../../detector/incidents/priority.js';
import { clockAfterPause, clockAfterReopen, clockForPriority, pausedOnClock } from '../../../detector/incidents/resolution-clock.js';
import { parseBusinessHours, type BusinessCalendar } from '../../../detector/sla/business-calendar.js';
import { DEFAULT_SLA_TARGETS, dueTimes } from '../../../detector/sla/due-times.js';
import { slaChange } from '../../../detector/sla/escalation.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

// Office hours with a lunch break (Friday's is longer, for the Friday prayer) and one holiday.
const calendar: BusinessCalendar = {
  timezone: 'Asia/Jakarta',
  weekly: parseBusinessHours({ 'mon-thu': '07:30-12:00,13:00-16:00', fri: '07:30-11:30,13:00-16:30' }).weekly,
  holidays: new Set(['2026-12-25']),
};
const targets = DEFAULT_SLA_TARGETS;
const warnAt = 0.75;
// P2 runs on the 24x7 clock, P3 on the business clock (DEFAULT_SLA_TARGETS).
const clockOf = (p: Priority) => targets[p].clock;

function incident(priority: Priority, overrides: Partial<LockedIncident> = {}): LockedIncident {
  const detectedAt = overrides.detectedAt ?? wib('2026-11-27 10:00');
  return {
    ...({} as LockedIncident),
    status: 'assigned',
    priority,
    detectedAt,
    ...dueTimes({ startedAt: detectedAt, priority, targets, calendar, warnAt }),
    pausedMs: 0,
    responseBreached: false,
    resolutionBreached: false,
    responseWarned: false,
    resolutionWarned: false,
    resolvedAt: null,
    escalationLevel: 1,
    ...overrides,
  };
}

const due = (i: Pick<LockedIncident, 'detectedAt' | 'priority'>, pausedMs: number) =>
  dueTimes({ startedAt: i.detectedAt, priority: i.priority, targets, calendar, pausedMs, warnAt });

describe('the resolution clock leaves out time spent pending and resolved', () => {
  it('the clocks of the table are the ones the cases assume', () => {
    expect([clockOf('P2'), clockOf('P3')]).toEqual(['24x7', 'business']);
  });

  it.each([
    // [case, priority, spell from, spell to, time the spell takes off the clock]
    ['pending over the weekend, business clock: Friday’s last half hour and Monday’s first hour', 'pending', 'P3', '2026-11-27 16:00', '2026-11-30 08:30', 90 * MIN],
    ['pending over the weekend, 24x7 clock: every minute', 'pending', 'P2', '2026-11-27 16:00', '2026-11-30 08:30', 64 * HOUR + 30 * MIN],
    ['resolved → reopened the same afternoon, 24x7 clock', 'resolved', 'P2', '2026-11-27 12:00', '2026-11-27 15:00', 3 * HOUR],
    ['resolved → reopened over lunch, business clock: only the office minutes either side', 'resolved', 'P3', '2026-11-30 11:45', '2026-11-30 13:15', 30 * MIN],
    ['resolved Friday afternoon, reopened Saturday after hours, business clock: Friday until closing', 'resolved', 'P3', '2026-11-27 15:30', '2026-11-28 10:00', 60 * MIN],
    ['resolved before a holiday, reopened after it, business clock: the holiday does not count', 'resolved', 'P3', '2026-12-24 15:00', '2026-12-28 08:00', 90 * MIN],
    ['resolved in the evening, reopened before opening, business clock: nothing counts', 'resolved', 'P3', '2026-11-30 17:00', '2026-12-01 07:00', 0],
  ] as const)('%s', (_name, kind, priority, from, to, expected) => {
    const before = incident(priority, { pausedMs: 15 * MIN, status: kind === 'pending' ? 'pending' : 'resolved', resolvedAt: kind === 'resolved' ? wib(from) : null });
    const ctx = { now: wib(to), targets, calendar, warnAt };
    const after = kind === 'pending' ? clockAfterPause(before, wib(from), ctx) : clockAfterReopen(before, ctx);
    expect(after.pausedMs).toBe(15 * MIN + expected);
    // The resolution target moves by exactly the spell; the response target never does (not in the patch).
    expect(after.resolveDueAt).toEqual(due(before, 15 * MIN + expected).resolveDueAt);
    expect(after.resolveWarnAt).toEqual(due(before, 15 * MIN + expected).resolveWarnAt);
    expect(after).not.toHaveProperty('responseDueAt');
  });

  it('a late reopen does not breach at once: the target is where it was when the incident was resolved', () => {
    // P2 detected Friday 10:00, due 18:00; resolved an hour in, reopened at 20:00, after the old due time.
    const resolved = incident('P2', { status: 'resolved', resolvedAt: wib('2026-11-27 11:00'), resolutionWarned: true });
    const now = wib('2026-11-27 20:00');
    expect(slaChange({ ...resolved, status: 'assigned' }, now)?.events.map((e) => e.type)).toContain('breached');
    const clock = clockAfterReopen(resolved, { now, targets, calendar, warnAt });
    expect(clock.pausedMs).toBe(9 * HOUR);
    // Seven hours of the target were left when it was resolved; they are left now.
    expect(clock.resolveDueAt).toEqual(wib('2026-11-28 03:00'));
    // The warning, now due at 01:00, goes out again; nothing is due at 20:00.
    expect(clock.resolutionWarned).toBe(false);
    expect(slaChange({ ...resolved, status: 'assigned', ...clock }, now)).toBeNull();
  });

  it('a breach before the resolution is history: it stays, and no warning is sent again', () => {
    const resolved = incident('P2', { status: 'resolved', resolvedAt: wib('2026-11-27 19:00'), resolutionBreached: true, resolutionWarned: true });
    const clock = clockAfterReopen(resolved, { now: wib('2026-11-27 21:00'), targets, calendar, warnAt });
    expect(clock.pausedMs).toBe(2 * HOUR);
    expect(clock).not.toHaveProperty('resolutionWarned');
  });

  it('a row resolved before resolvedAt was kept moves nothing', () => {
    const resolved = incident('P3', { status: 'resolved', resolvedAt: null, pausedMs: 10 * MIN });
    expect(clockAfterReopen(resolved, { now: wib('2026-11-30 10:00'), targets, calendar, warnAt }).pausedMs).toBe(10 * MIN);
  });
});

describe('reprioritizing measures the pauses again on the new priority’s clock', () => {
  const weekendPending = { startedAt: wib('2026-11-27 16:00'), endedAt: wib('2026-11-30 08:30') };
  const resolvedOverLunch = { startedAt: wib('2026-11-30 11:45'), endedAt: wib('2026-11-30 13:15') };
  const stillPending = { startedAt: wib('2026-11-30 14:00'), endedAt: null };
  const now = wib('2026-11-30 15:00');

  it.each([
    // [case, from, to, spells, paused on the new clock]
    ['business → 24x7 without pauses', 'P3', 'P2', [], 0],
    ['24x7 → business without pauses', 'P2', 'P3', [], 0],
    ['business → 24x7: the weekend pause counts every minute', 'P3', 'P2', [weekendPending], 64 * HOUR + 30 * MIN],
    ['24x7 → business: the weekend pause counts only office hours', 'P2', 'P3', [weekendPending], 90 * MIN],
    ['24x7 → business: a pending and a resolved spell, both measured again', 'P2', 'P3', [weekendPending, resolvedOverLunch], 120 * MIN],
    ['business → 24x7: a pending and a resolved spell, both measured again', 'P3', 'P2', [weekendPending, resolvedOverLunch], 66 * HOUR],
    ['a pause still running counts when it ends, on the clock of that time', 'P3', 'P2', [weekendPending, stillPending], 64 * HOUR + 30 * MIN],
    ['the same clock: the same pauses', 'P3', 'P3', [weekendPending, resolvedOverLunch], 120 * MIN],
  ] as const)('%s', (_name, from, to, spells, expected) => {
    const before = incident(from, { pausedMs: pausedOnClock(spells, clockOf(from), calendar) });
    const after = clockForPriority(before, to, spells, { now, targets, calendar, warnAt });
    expect(after.pausedMs).toBe(expected);
    // Both due times from detection on the new priority's clock.
    expect(after).toMatchObject(due({ detectedAt: before.detectedAt, priority: to }, expected));
  });

  it('a warning not yet due on the new targets goes out again; a breach stays', () => {
    const before = incident('P2', { responseBreached: true, responseWarned: true, resolutionWarned: true });
    // P2 → P3 on Friday 10:30: the business targets are later; the resolution warning is not due yet.
    const after = clockForPriority(before, 'P3', [], { now: wib('2026-11-27 10:30'), targets, calendar, warnAt });
    expect(after).not.toHaveProperty('responseWarned');
    expect(after.resolutionWarned).toBe(false);
  });
});
