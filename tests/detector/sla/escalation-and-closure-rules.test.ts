// The pure rules behind SOP-Insiden-002 and -003: which warnings and breaches are due in which
// state, what a breach changes, when a probe incident counts as verified, when auto-close applies.
import { dataOf } from '../../helpers/events.js';
import { describe, expect, it } from 'vitest';
import { autoCloseChange, closureChecklist, stillFailing, verifyRestoration, type VerificationInput } from '../../../detector/sla/closure.js';
import { closureCodesFor } from '../../../detector/incidents/incident-actions.js';
import { slaChange } from '../../../detector/sla/escalation.js';
import type { LockedIncident } from '../../../detector/incidents/incident-types.js';

const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const MIN = 60_000;
const at = (minutes: number) => new Date(T0 + minutes * MIN);

// A P2 logged at T0: response due at 30 min (warning 22.5), resolution at 480 (warning 360).
function incident(overrides: Partial<LockedIncident> = {}): LockedIncident {
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
    urgency: 'high',
    priority: 'P2',
    status: 'new',
    escalationLevel: 0,
    assignedGroup: 'service_desk',
    assignee: null,
    reporter: { name: 'Bu Sri', contact: null },
    reportedVia: 'phone',
    informReporter: false,
    reporterInformedAt: null,
    flapping: false,
    detectedAt: at(0),
    acknowledgedAt: null,
    responseDueAt: at(30),
    resolveDueAt: at(480),
    responseWarnAt: at(22.5),
    resolveWarnAt: at(360),
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

describe('slaChange', () => {
  it('answers nothing before the first warning', () => {
    expect(slaChange(incident(), at(22))).toBeNull();
  });

  it('warns once per target: a warning already sent is not sent again', () => {
    expect(slaChange(incident(), at(23))).toMatchObject({ patch: { responseWarned: true }, events: [{ type: 'warning', data: { target: 'response', leftMs: 7 * MIN } }] });
    expect(slaChange(incident({ responseWarned: true }), at(29))).toBeNull();
  });

  it('runs the response target only while the incident is new', () => {
    for (const status of ['assigned', 'escalated', 'pending', 'resolved'] as const) {
      const change = slaChange(incident({ status, escalationLevel: 1, acknowledgedAt: at(1) }), at(31));
      expect(change?.events.some((e) => dataOf(e).target === 'response') ?? false, status).toBe(false);
    }
  });

  it('runs no target while pending, resolved, closed or canceled', () => {
    for (const status of ['pending', 'resolved', 'closed', 'canceled'] as const) expect(slaChange(incident({ status, acknowledgedAt: at(1) }), at(10_000)), status).toBeNull();
  });

  it('a breach sets both flags of its target, escalates a level-0 incident to support and brings in the head of division', () => {
    const change = slaChange(incident({ status: 'assigned', assignee: 'desk1', acknowledgedAt: at(1), resolutionWarned: true }), at(481))!;
    expect(change.patch).toEqual({
      resolutionBreached: true,
      resolutionWarned: true,
      status: 'escalated',
      escalationLevel: 1,
      assignedGroup: 'support',
      assignee: null,
      managementEscalated: true,
    });
    expect(change.events.map((e) => [e.type, e.fromStatus, e.toStatus])).toEqual([
      ['breached', 'assigned', 'assigned'],
      ['escalate', 'assigned', 'escalated'],
      ['escalate_management', 'escalated', 'escalated'],
    ]);
    expect(change.events[0]!.data).toEqual({ target: 'resolution', dueAt: at(480).toISOString(), lateMs: MIN });
  });

  it('an incident already above level 0 keeps its level on a breach; the head of division is still brought in', () => {
    const change = slaChange(incident({ status: 'escalated', escalationLevel: 2, assignedGroup: 'vendor', acknowledgedAt: at(1) }), at(480))!;
    expect(change.patch).toEqual({ resolutionBreached: true, resolutionWarned: true, managementEscalated: true });
    expect(change.events.map((e) => e.type)).toEqual(['breached', 'escalate_management']);
  });

  it('both targets past due at once (Sigap was stopped): two breaches, no warnings, one escalation, the head of division for each', () => {
    const change = slaChange(incident(), at(600))!;
    expect(change.events.map((e) => `${e.type}:${dataOf(e).target ?? dataOf(e).reason}`)).toEqual([
      'breached:response',
      'breached:resolution',
      'escalate:response_breach',
      'escalate_management:response_breach',
      'escalate_management:resolution_breach',
    ]);
  });

  it('an incident whose stored warning time is missing (logged before warnings existed) still breaches', () => {
    expect(slaChange(incident({ responseWarnAt: null }), at(25))).toBeNull();
    expect(slaChange(incident({ responseWarnAt: null }), at(30))?.events[0]).toMatchObject({ type: 'breached' });
  });
});

describe('verifyRestoration', () => {
  const probeIncident = { source: 'probe' as const, check: 'skm-form' };
  const healthyCheck = { active: true, state: 'up' as const, consecutiveFailures: 0, streakStartedAt: at(0), lastResultAt: at(20) };
  const verify = (overrides: Partial<VerificationInput>) =>
    verifyRestoration({ incident: probeIncident, check: healthyCheck, staleAfterMs: 2 * MIN + 10_000, verifyForMs: 15 * MIN, now: at(20), ...overrides });

  it('needs no probe verification for manual and Alertmanager incidents', () => {
    expect(verify({ incident: { source: 'manual', check: null } })).toMatchObject({ state: 'not_required' });
    expect(verify({ incident: { source: 'alertmanager', check: null } })).toMatchObject({ state: 'not_required' });
  });

  it('verifies a check healthy for verifyFor and probed recently', () => {
    expect(verify({})).toEqual({ state: 'verified', reason: 'healthy', healthyForMs: 20 * MIN, requiredMs: 15 * MIN, remainingMs: 0 });
  });

  it('says how long remains while the check has been healthy too briefly', () => {
    expect(verify({ check: { ...healthyCheck, streakStartedAt: at(12) } })).toEqual({
      state: 'waiting',
      reason: 'healthy_too_briefly',
      healthyForMs: 8 * MIN,
      requiredMs: 15 * MIN,
      remainingMs: 7 * MIN,
    });
  });

  it('is not healthy while the check is down, degraded, or has a failure not yet confirmed', () => {
    expect(verify({ check: { ...healthyCheck, state: 'down' } })).toMatchObject({ state: 'waiting', reason: 'not_healthy', remainingMs: 15 * MIN });
    expect(verify({ check: { ...healthyCheck, state: 'degraded' } })).toMatchObject({ state: 'waiting', reason: 'not_healthy' });
    expect(verify({ check: { ...healthyCheck, consecutiveFailures: 1 } })).toMatchObject({ state: 'waiting', reason: 'not_healthy' });
  });

  it('claims nothing when probe results stopped coming', () => {
    expect(verify({ now: at(23) })).toMatchObject({ state: 'waiting', reason: 'no_recent_results' });
  });

  it('waives verification when the check is no longer probed', () => {
    expect(verify({ check: null })).toMatchObject({ state: 'waived', reason: 'check_no_longer_probed' });
    expect(verify({ check: { ...healthyCheck, active: false } })).toMatchObject({ state: 'waived' });
  });
});

describe('auto-close and the checklist', () => {
  const policy = { autoCloseAfterMs: 3 * 24 * 60 * MIN };
  const resolved = incident({ status: 'resolved', acknowledgedAt: at(1), resolvedAt: at(10), resolutionCode: 'fixed', resolutionNotes: 'n' });
  const verified = verify();
  function verify() {
    return verifyRestoration({ incident: { source: 'manual', check: null }, check: null, staleAfterMs: 0, verifyForMs: 0, now: at(0) });
  }

  it('closes a resolved, verified incident autoCloseAfter after its resolution, as auto_closed', () => {
    expect(autoCloseChange(resolved, verified, policy, at(10 + 3 * 24 * 60 - 1))).toBeNull();
    const change = autoCloseChange(resolved, verified, policy, at(10 + 3 * 24 * 60))!;
    expect(change.patch).toMatchObject({ status: 'closed', closureCode: 'auto_closed', closedAt: at(10 + 3 * 24 * 60) });
    expect(change.events).toEqual([expect.objectContaining({ type: 'close', fromStatus: 'resolved', toStatus: 'closed', data: expect.objectContaining({ automatic: true }) })]);
  });

  it('never closes a P1, nor an incident that is not resolved, nor one still waiting for verification', () => {
    const late = at(100_000);
    expect(autoCloseChange({ ...resolved, priority: 'P1' }, verified, policy, late)).toBeNull();
    expect(autoCloseChange({ ...resolved, status: 'assigned' }, verified, policy, late)).toBeNull();
    expect(autoCloseChange(resolved, { ...verified, state: 'waiting' }, policy, late)).toBeNull();
  });

  it('lists what closure needs: resolution documented, service verified, reporter informed (when there is one)', () => {
    expect(closureChecklist(resolved, verified)).toEqual([
      { item: 'resolution_documented', done: true },
      { item: 'service_verified', done: true },
      { item: 'reporter_informed', done: false },
    ]);
    expect(closureChecklist({ ...resolved, reporter: null, resolutionNotes: null }, { ...verified, state: 'waiting' }).map((c) => c.done)).toEqual([false, false, null]);
    // Ticked for real: a delivered message to the reporter, or a closure recording that they confirmed; closing alone is not enough.
    expect(closureChecklist({ ...resolved, status: 'closed', closureCode: 'unconfirmed' }, verified).at(-1)).toEqual({ item: 'reporter_informed', done: false });
    expect(closureChecklist({ ...resolved, status: 'closed', closureCode: 'confirmed' }, verified).at(-1)).toEqual({ item: 'reporter_informed', done: true });
    expect(closureChecklist({ ...resolved, reporterInformedAt: at(10) }, verified).at(-1)).toEqual({ item: 'reporter_informed', done: true });
  });
});

describe('resolving while the probes still see the failure, and closing without a reporter', () => {
  const probeIncident = { source: 'probe' as const, check: 'skm-home', serviceRestoredAt: null };
  const check = (state: 'up' | 'down' | 'degraded' | 'unknown', active = true) => ({ state, active, streakStartedAt: at(3) });

  it.each([
    ['a probe incident whose check is down', probeIncident, check('down'), { check: 'skm-home', state: 'down', since: at(3).toISOString() }],
    ['a probe incident whose check is degraded', probeIncident, check('degraded'), { check: 'skm-home', state: 'degraded', since: at(3).toISOString() }],
    ['a probe incident whose check is up again', probeIncident, check('up'), null],
    ['a probe incident already restored (the check flaps down now)', { ...probeIncident, serviceRestoredAt: at(5) }, check('down'), null],
    ['a probe incident whose check is no longer probed', probeIncident, check('down', false), null],
    ['a probe incident whose check is gone', probeIncident, null, null],
    ['a check not judged yet', probeIncident, check('unknown'), null],
    ['a manual incident', { source: 'manual' as const, check: null, serviceRestoredAt: null }, null, null],
  ] as const)('%s: %o', (_name, incident, live, expected) => {
    expect(stillFailing(incident, live)).toEqual(expected);
  });

  it.each([
    ['no reporter, verified by the probes', null, 'verified', ['monitoring_verified']],
    ['no reporter, still waiting', null, 'waiting', ['confirmed', 'unconfirmed']],
    ['no reporter, check no longer probed', null, 'waived', ['confirmed', 'unconfirmed']],
    ['no reporter, no probe (Alertmanager)', null, 'not_required', ['confirmed', 'unconfirmed']],
    ['a reporter, verified by the probes', { name: 'Bu Sari', contact: null }, 'verified', ['confirmed', 'unconfirmed']],
  ] as const)('closure codes with %s', (_name, reporter, state, expected) => {
    expect(closureCodesFor({ reporter }, { state })).toEqual(expected);
  });
});
