import { describe, expect, it } from 'vitest';
import type { UserRole } from '../../../detector/accounts/account-types.js';
import { actionsAllowed } from '../../../detector/incidents/incident-actions.js';
import type { IncidentStatus } from '../../../detector/incidents/lifecycle.js';
import { nextStep, SOP_STEPS, type GuideStep } from '../../../detector/incidents/next-step.js';

interface Case {
  status: IncidentStatus;
  level?: number;
  assignee?: string | null;
  breachNear?: boolean;
  closable?: boolean;
}

/** The next step of `role` (user name `me`) on an incident in `c`, allowed actions from the API's own rule. */
function next(role: UserRole, c: Case) {
  const incident = { ref: 'INC-2026-00001', status: c.status, escalationLevel: c.level ?? 0, assignee: c.assignee ?? null };
  const user = { role, username: 'me' };
  const allowed = actionsAllowed(user, incident);
  const result = nextStep({ user, incident, allowed, breachNear: c.breachNear ?? false, closable: c.closable ?? true });
  return { ...result, allowed };
}

// state × role → the step, the primary button, the SOP step it cites.
const TABLE: ReadonlyArray<readonly [string, Case, UserRole, GuideStep, string | null, string | null]> = [
  ['new', { status: 'new' }, 'service_desk', 'acknowledge', 'acknowledge', 'SOP-Insiden-001 respond'],
  ['new', { status: 'new' }, 'support', 'acknowledge', 'acknowledge', 'SOP-Insiden-001 respond'],
  ['new', { status: 'new' }, 'admin', 'acknowledge', 'acknowledge', 'SOP-Insiden-001 respond'],
  ['new', { status: 'new' }, 'manager', 'read_only', null, null],
  ['new, a breach near', { status: 'new', breachNear: true }, 'service_desk', 'acknowledge', 'acknowledge', 'SOP-Insiden-001 respond'],
  ['assigned to me', { status: 'assigned', assignee: 'me' }, 'service_desk', 'resolve', 'resolve', 'SOP-Insiden-001 resolve'],
  ['assigned to me, a breach near', { status: 'assigned', assignee: 'me', breachNear: true }, 'service_desk', 'escalate_breach', 'escalate', 'SOP-Insiden-002 functional'],
  ['assigned to someone else', { status: 'assigned', assignee: 'desk2' }, 'service_desk', 'owned_by_other', 'note', 'SOP-Insiden-001 diagnose'],
  ['assigned to me', { status: 'assigned', assignee: 'me' }, 'manager', 'read_only', null, null],
  ['escalated to L1', { status: 'escalated', level: 1 }, 'support', 'take_escalated', 'acknowledge', 'SOP-Insiden-002 functional'],
  ['escalated to L1', { status: 'escalated', level: 1 }, 'service_desk', 'wait_level', 'note', 'SOP-Insiden-002 functional'],
  ['escalated to L1, a breach near', { status: 'escalated', level: 1, breachNear: true }, 'support', 'escalate_breach', 'escalate', 'SOP-Insiden-002 functional'],
  ['escalated to L1', { status: 'escalated', level: 1 }, 'vendor', 'read_only', null, null],
  ['escalated to the vendor', { status: 'escalated', level: 2 }, 'vendor', 'resolve', 'resolve', 'SOP-Insiden-001 resolve'],
  ['escalated to the vendor', { status: 'escalated', level: 2 }, 'service_desk', 'wait_vendor', 'note', 'SOP-Insiden-002 vendor'],
  ['escalated to the vendor', { status: 'escalated', level: 2 }, 'support', 'wait_vendor', 'note', 'SOP-Insiden-002 vendor'],
  ['escalated to the vendor', { status: 'escalated', level: 2 }, 'admin', 'take_escalated', 'acknowledge', 'SOP-Insiden-002 functional'],
  ['taken by the vendor', { status: 'assigned', level: 2, assignee: 'me' }, 'vendor', 'resolve', 'resolve', 'SOP-Insiden-001 resolve'],
  ['taken by the vendor', { status: 'assigned', level: 2, assignee: 'pt-vendor' }, 'service_desk', 'wait_vendor', 'note', 'SOP-Insiden-002 vendor'],
  ['pending', { status: 'pending', assignee: 'me' }, 'service_desk', 'resume', 'resume', 'SOP-Insiden-001 pending'],
  ['pending at the vendor', { status: 'pending', level: 2 }, 'vendor', 'resume', 'resume', 'SOP-Insiden-001 pending'],
  ['pending at the vendor', { status: 'pending', level: 2 }, 'service_desk', 'wait_vendor', 'note', 'SOP-Insiden-002 vendor'],
  ['resolved, verified', { status: 'resolved' }, 'service_desk', 'close', 'close', 'SOP-Insiden-003 close'],
  ['resolved, not verified yet', { status: 'resolved', closable: false }, 'service_desk', 'wait_verification', null, 'SOP-Insiden-003 verify'],
  ['resolved by the vendor', { status: 'resolved', level: 2 }, 'service_desk', 'close', 'close', 'SOP-Insiden-003 close'],
  ['resolved by the vendor', { status: 'resolved', level: 2 }, 'vendor', 'wait_close', null, 'SOP-Insiden-003 close'],
  ['resolved', { status: 'resolved' }, 'manager', 'read_only', null, null],
  ['closed', { status: 'closed' }, 'service_desk', 'closed', null, null],
  ['closed', { status: 'closed' }, 'admin', 'closed', null, null],
  ['canceled', { status: 'canceled' }, 'service_desk', 'canceled', null, null],
];

describe('the next step of the SOP for an incident and a person', () => {
  it.each(TABLE)('%s (%j), as %s → %s with the button %s (%s)', (_name, c, role, step, action, sop) => {
    const result = next(role, c);
    expect(result.step).toBe(step);
    expect(result.action).toBe(action);
    expect(result.sop ? `${result.sop.sop} ${result.sop.step}` : null).toBe(sop);
  });

  it('offers as its button only an action the server accepts from that person', () => {
    for (const [, c, role] of TABLE) {
      const { action, allowed } = next(role, c);
      if (action) expect(allowed).toContain(action);
    }
  });

  it('numbers each SOP step as the /sop page lists it', () => {
    expect(next('service_desk', { status: 'new' }).sop).toEqual({ sop: 'SOP-Insiden-001', step: 'respond', number: SOP_STEPS['SOP-Insiden-001'].indexOf('respond') + 1 });
    expect(next('service_desk', { status: 'new' }).sop?.number).toBe(5);
    expect(next('service_desk', { status: 'resolved' }).sop?.number).toBe(3);
  });
});
