import { describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessCalendar } from '../../../detector/sla/business-calendar.js';
import {
  actionsAllowed,
  actionsFor,
  assertMayActOn,
  assertRoleMayAct,
  changedFields,
  changesFor,
  INCIDENT_ACTIONS,
  transitionFor,
  type IncidentAction,
} from '../../../detector/incidents/incident-actions.js';
import type { LockedIncident } from '../../../detector/incidents/incident-types.js';
import { INCIDENT_STATES, LIFECYCLE, type IncidentStatus } from '../../../detector/incidents/lifecycle.js';
import { DEFAULT_SLA_TARGETS, dueTimes } from '../../../detector/sla/due-times.js';
import { clockAfterPause } from '../../../detector/incidents/resolution-clock.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

const calendar: BusinessCalendar = {
  timezone: 'Asia/Jakarta',
  weekly: parseBusinessHours({ 'mon-thu': '07:30-12:00,13:00-16:00', fri: '07:30-11:30,13:00-16:30' }).weekly,
  holidays: new Set(['2026-12-25']),
};

function incident(overrides: Partial<LockedIncident> = {}): LockedIncident {
  const detectedAt = wib('2026-11-27 10:00');
  return {
    id: 1,
    ref: 'INC-2026-00001',
    title: 't',
    description: 'd',
    service: 'skm',
    check: null,
    source: 'manual',
    category: 'availability',
    subcategory: 'outage',
    failureKind: null,
    impact: 'medium',
    urgency: 'medium',
    priority: 'P3',
    status: 'new',
    escalationLevel: 0,
    assignedGroup: 'service_desk',
    assignee: null,
    reporter: null,
    reportedVia: null,
    informReporter: false,
    reporterInformedAt: null,
    flapping: false,
    detectedAt,
    acknowledgedAt: null,
    ...dueTimes({ startedAt: detectedAt, priority: 'P3', targets: DEFAULT_SLA_TARGETS, calendar }),
    serviceRestoredAt: null,
    resolvedAt: null,
    closedAt: null,
    responseBreached: false,
    resolutionBreached: false,
    managementEscalated: false,
    resolutionCode: null,
    resolutionNotes: null,
    closureCode: null,
    reopenCount: 0,
    relatedRef: null,
    evidence: null,
    statusBeforePending: null,
    pausedMs: 0,
    responseWarned: false,
    resolutionWarned: false,
    remindedAt: null,
    reminderCount: 0,
    ...overrides,
  };
}

// Every action from every state: the state it reaches, or null when it answers 409.
const EXPECTED: Record<IncidentStatus, Record<IncidentAction, IncidentStatus | null>> = {
  new: {
    acknowledge: 'assigned',
    assign: 'assigned',
    note: 'new',
    reprioritize: 'new',
    escalate: 'escalated',
    escalate_management: 'new',
    pending: null,
    resume: null,
    resolve: null,
    close: null,
    reopen: null,
    cancel: 'canceled',
  },
  assigned: {
    acknowledge: null,
    assign: 'assigned',
    note: 'assigned',
    reprioritize: 'assigned',
    escalate: 'escalated',
    escalate_management: 'assigned',
    pending: 'pending',
    resume: null,
    resolve: 'resolved',
    close: null,
    reopen: null,
    cancel: 'canceled',
  },
  escalated: {
    acknowledge: 'assigned',
    assign: 'escalated',
    note: 'escalated',
    reprioritize: 'escalated',
    escalate: 'escalated',
    escalate_management: 'escalated',
    pending: 'pending',
    resume: null,
    resolve: 'resolved',
    close: null,
    reopen: null,
    cancel: null,
  },
  pending: {
    acknowledge: null,
    assign: 'pending',
    note: 'pending',
    reprioritize: 'pending',
    escalate: 'escalated',
    escalate_management: 'pending',
    pending: null,
    resume: 'escalated',
    resolve: 'resolved',
    close: null,
    reopen: null,
    cancel: null,
  },
  resolved: {
    acknowledge: null,
    assign: null,
    note: 'resolved',
    reprioritize: null,
    escalate: null,
    escalate_management: null,
    pending: null,
    resume: null,
    resolve: null,
    close: 'closed',
    reopen: 'assigned',
    cancel: null,
  },
  closed: {
    acknowledge: null,
    assign: null,
    note: 'closed',
    reprioritize: null,
    escalate: null,
    escalate_management: null,
    pending: null,
    resume: null,
    resolve: null,
    close: null,
    reopen: null,
    cancel: null,
  },
  canceled: {
    acknowledge: null,
    assign: null,
    note: 'canceled',
    reprioritize: null,
    escalate: null,
    escalate_management: null,
    pending: null,
    resume: null,
    resolve: null,
    close: null,
    reopen: null,
    cancel: null,
  },
};

describe('transitionFor', () => {
  const cases = INCIDENT_STATES.flatMap((from) => INCIDENT_ACTIONS.map((action) => [from, action, EXPECTED[from][action]] as const));
  it.each(cases)('from %s, %s reaches %s', (from, action, to) => {
    const subject = { status: from, statusBeforePending: from === 'pending' ? ('escalated' as const) : null };
    if (to === null) {
      expect(() => transitionFor(action, subject)).toThrow(expect.objectContaining({ code: 'invalid_transition' }));
    } else {
      expect(transitionFor(action, subject)).toBe(to);
    }
  });

  it('reaches every transition of the lifecycle table through some action, and no other', () => {
    const reached = new Set(
      INCIDENT_STATES.flatMap((from) =>
        (['assigned', 'escalated'] as const).flatMap((before) =>
          INCIDENT_ACTIONS.flatMap((action) => {
            try {
              const to = transitionFor(action, { status: from, statusBeforePending: before });
              return to === from && ['note', 'assign', 'reprioritize', 'escalate_management'].includes(action) ? [] : [`${from}→${to}`];
            } catch {
              return [];
            }
          }),
        ),
      ),
    );
    const table = INCIDENT_STATES.flatMap((from) => LIFECYCLE[from].next.map((to) => `${from}→${to}`));
    expect([...reached].sort()).toEqual([...table].sort());
  });

  it('names the allowed transitions when refusing', () => {
    expect(() => transitionFor('resolve', { status: 'new', statusBeforePending: null })).toThrow(/allowed: assigned, escalated, canceled/);
    expect(() => transitionFor('reopen', { status: 'pending', statusBeforePending: 'assigned' })).toThrow(/allowed transitions: assigned, escalated, resolved/);
  });

  it('lists the actions that apply in a state', () => {
    expect(actionsFor('resolved')).toEqual(['note', 'close', 'reopen']);
    expect(actionsFor('closed')).toEqual(['note']);
  });
});

describe('who may act', () => {
  it.each([
    ['service_desk', 'cancel', 0, null],
    ['support', 'escalate', 1, null],
    ['admin', 'close', 0, null],
    ['manager', 'note', 0, 'forbidden'],
    ['vendor', 'note', 1, 'not_found'],
    ['vendor', 'resolve', 2, null],
    ['vendor', 'acknowledge', 2, null],
    ['vendor', 'cancel', 2, 'forbidden'],
    ['vendor', 'escalate', 2, 'forbidden'],
    // Once with the vendor, its work is the vendor's; the office keeps steering.
    ['service_desk', 'acknowledge', 2, 'forbidden'],
    ['service_desk', 'resolve', 2, 'forbidden'],
    ['service_desk', 'pending', 2, 'forbidden'],
    ['support', 'resume', 2, 'forbidden'],
    ['service_desk', 'note', 2, null],
    ['service_desk', 'close', 2, null],
    ['service_desk', 'reprioritize', 2, null],
    ['service_desk', 'acknowledge', 1, null],
    ['support', 'resolve', 1, null],
    ['admin', 'resolve', 2, null],
  ] as const)('a %s taking %s at level %i → %s', (role, action, level, code) => {
    const act = () => assertMayActOn({ role }, action, { ref: 'INC-2026-00001', escalationLevel: level });
    if (code === null) expect(act).not.toThrow();
    else expect(act).toThrow(expect.objectContaining({ code }));
  });

  it('offers on a page exactly what it accepts: the desk after handing an incident to the vendor', () => {
    const withVendor = { ref: 'INC-2026-00001', status: 'escalated', escalationLevel: 2 } as const;
    expect(actionsAllowed({ role: 'service_desk' }, withVendor)).toEqual(['assign', 'note', 'reprioritize', 'escalate_management']);
    expect(actionsAllowed({ role: 'vendor' }, withVendor)).toEqual(['acknowledge', 'note', 'pending', 'resolve']);
    for (const action of INCIDENT_ACTIONS) {
      const offered = actionsAllowed({ role: 'service_desk' }, withVendor).includes(action);
      if (!offered && actionsFor('escalated').includes(action) && action !== 'escalate') {
        expect(() => assertMayActOn({ role: 'service_desk' }, action, withVendor), action).toThrow(/with the vendor/);
      }
    }
  });

  it('refuses a manager before anything is loaded', () => {
    expect(() => assertRoleMayAct({ role: 'manager' })).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });
});

describe('changesFor', () => {
  const ctx = { now: wib('2026-11-27 10:05'), actor: { username: 'desk1' }, targets: DEFAULT_SLA_TARGETS, warnAt: 0.75, calendar };

  it('acknowledging makes the caller the owner and stops the response clock', () => {
    expect(changesFor({ action: 'acknowledge' }, incident(), ctx).patch).toEqual({ status: 'assigned', acknowledgedAt: ctx.now, assignee: 'desk1' });
  });

  it('escalating from new also stops the response clock, and hands the incident to the level’s group', () => {
    expect(changesFor({ action: 'escalate', note: 'n' }, incident({ assignee: 'desk1' }), ctx).patch).toEqual({
      status: 'escalated',
      acknowledgedAt: ctx.now,
      escalationLevel: 1,
      assignedGroup: 'support',
      assignee: null,
    });
  });

  it.each([
    ['no level', undefined, 1, 2],
    ['level 2', 2, 0, 2],
    ['level 1', 1, 1, 'level'],
    ['no level', undefined, 2, 'level'],
  ] as const)('escalating with %s from level %i → %s', (_name, level, current, outcome) => {
    const run = () => changesFor({ action: 'escalate', level, note: 'n' }, incident({ status: 'escalated', escalationLevel: current }), ctx);
    if (outcome === 'level') expect(run).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: 'level' })] }));
    else expect(run().patch).toMatchObject({ escalationLevel: outcome, assignedGroup: 'vendor' });
  });

  it('reprioritizing recomputes both due times from detection, the pauses measured again on the new clock', () => {
    // Two hours pending on a P3 (business clock) counted 2 office hours; on P2's 24x7 clock too.
    const paused = incident({ status: 'assigned', pausedMs: 2 * HOUR });
    const pauses = [{ startedAt: wib('2026-11-27 08:00'), endedAt: wib('2026-11-27 10:00') }];
    const { patch } = changesFor({ action: 'reprioritize', urgency: 'high', reason: 'the governor asked' }, paused, { ...ctx, pauses });
    expect(patch).toEqual({
      pausedMs: 2 * HOUR,
      impact: 'medium',
      urgency: 'high',
      priority: 'P2',
      responseDueAt: wib('2026-11-27 10:30'),
      // P2 is 8 hours on the 24x7 clock, plus the 2 hours already paused
      resolveDueAt: wib('2026-11-27 20:00'),
      // warnings at three quarters of each target, the pauses added to the resolution's
      responseWarnAt: new Date(wib('2026-11-27 10:22').getTime() + 30_000),
      resolveWarnAt: wib('2026-11-27 18:00'),
      // neither warning has gone out on the new targets yet
      responseWarned: false,
      resolutionWarned: false,
    });
  });

  it('reopening counts the reopen and forgets the resolution that did not hold', () => {
    const resolved = incident({ status: 'resolved', acknowledgedAt: ctx.now, resolvedAt: ctx.now, resolutionCode: 'fixed', resolutionNotes: 'x', reopenCount: 1 });
    expect(changesFor({ action: 'reopen', reason: 'again' }, resolved, ctx).patch).toEqual({
      status: 'assigned',
      reopenCount: 2,
      resolvedAt: null,
      resolutionCode: null,
      resolutionNotes: null,
    });
  });

  it('records what changed, timestamps as ISO-8601', () => {
    expect(changedFields(incident(), { status: 'assigned', assignee: 'desk1', acknowledgedAt: ctx.now, impact: 'medium' })).toEqual({
      assignee: { from: null, to: 'desk1' },
      acknowledgedAt: { from: null, to: ctx.now.toISOString() },
    });
  });
});

describe('clockAfterPause', () => {
  it.each([
    ['a P3 pending over the weekend counts only Friday’s last half hour and Monday’s first hour', 'P3', '2026-11-27 16:00', '2026-11-30 08:30', 90 * MIN],
    ['a P3 pending over lunch counts only the office minutes either side', 'P3', '2026-11-30 11:45', '2026-11-30 13:15', 30 * MIN],
    ['a P3 pending across the 2026-12-25 holiday skips it', 'P3', '2026-12-24 15:00', '2026-12-28 08:00', 90 * MIN],
    ['a P1 pending over the weekend counts every minute', 'P1', '2026-11-27 16:00', '2026-11-30 08:30', 64 * HOUR + 30 * MIN],
  ] as const)('%s', (_name, priority, from, to, expected) => {
    const before = incident({ priority, pausedMs: 15 * MIN });
    const after = clockAfterPause(before, wib(from), { now: wib(to), targets: DEFAULT_SLA_TARGETS, warnAt: 0.75, calendar });
    expect(after.pausedMs).toBe(15 * MIN + expected);
    expect(after.statusBeforePending).toBeNull();
    const { resolveDueAt } = dueTimes({ startedAt: before.detectedAt, priority, targets: DEFAULT_SLA_TARGETS, calendar, pausedMs: 15 * MIN + expected });
    expect(after.resolveDueAt).toEqual(resolveDueAt);
  });
});
