// What the SOPs say this person does next with this incident, as a pure rule: one step (a sentence
// on the incident page), the one action offered as its primary button, and the SOP step it comes
// from. It only chooses among the actions the person may take now (`actionsAllowed`, the same rule
// the API enforces), so the page never offers as "next" what the server would refuse.
import type { User } from '../accounts/account-types.js';
import type { IncidentAction } from './incident-actions.js';
import { VENDOR_LEVEL } from './incident-visibility.js';
import type { Incident } from './incident-types.js';
import { groupForLevel } from './lifecycle.js';

/**
 * The steps of the three SOPs in the order the `/sop` page numbers them (api/presenters/sop-view.ts;
 * tests/api/incident-guide-page.test.ts checks the two agree).
 */
export const SOP_STEPS = {
  'SOP-Insiden-001': ['identify', 'log', 'categorize', 'prioritize', 'respond', 'warn', 'diagnose', 'pending', 'resolve', 'escalate'],
  'SOP-Insiden-002': ['functional', 'warn', 'breach', 'vendor', 'management', 'reminders', 'notify'],
  'SOP-Insiden-003': ['resolved', 'verify', 'close', 'autoClose', 'reopen', 'flapping', 'cancel'],
} as const;

export type SopId = keyof typeof SOP_STEPS;
export interface SopStep {
  sop: SopId;
  step: string;
  /** 1-based, as the `/sop` page numbers it. */
  number: number;
}

function sopStep<S extends SopId>(sop: S, step: (typeof SOP_STEPS)[S][number]): SopStep {
  return { sop, step, number: (SOP_STEPS[sop] as readonly string[]).indexOf(step) + 1 };
}

export const GUIDE_STEPS = [
  'acknowledge',
  'take_escalated',
  'escalate_breach',
  'resolve',
  'owned_by_other',
  'wait_level',
  'wait_vendor',
  'resume',
  'wait_pending',
  'close',
  'wait_verification',
  'wait_close',
  'closed',
  'canceled',
  'read_only',
] as const;
export type GuideStep = (typeof GUIDE_STEPS)[number];

export interface NextStepInput {
  user: Pick<User, 'role' | 'username'>;
  incident: Pick<Incident, 'status' | 'escalationLevel' | 'assignee'>;
  /** `actionsAllowed(user, incident)`: what the server accepts from this person now. */
  allowed: readonly IncidentAction[];
  /** Sigap warned that the resolution target is near, or it was missed (SOP-Insiden-002). */
  breachNear: boolean;
  /** A resolved incident may be closed now (its restoration verified, or nothing to verify). */
  closable: boolean;
}

export interface NextStep {
  step: GuideStep;
  /** The primary button; null when this person has nothing to do but wait or read. */
  action: IncidentAction | null;
  sop: SopStep | null;
}

const step = (s: GuideStep, action: IncidentAction | null, sop: SopStep | null): NextStep => ({ step: s, action, sop });

export function nextStep({ user, incident, allowed, breachNear, closable }: NextStepInput): NextStep {
  const may = (action: IncidentAction) => allowed.includes(action);
  const orNote = (s: GuideStep, sop: SopStep) => step(s, may('note') ? 'note' : null, sop);
  const { status, escalationLevel } = incident;
  if (status === 'closed') return step('closed', null, null);
  if (status === 'canceled') return step('canceled', null, null);
  if (allowed.length === 0) return step('read_only', null, null);
  const withVendor = escalationLevel >= VENDOR_LEVEL && user.role !== 'vendor' && user.role !== 'admin';

  if (status === 'resolved') {
    if (!may('close')) return step('wait_close', null, sopStep('SOP-Insiden-003', 'close'));
    return closable ? step('close', 'close', sopStep('SOP-Insiden-003', 'close')) : step('wait_verification', null, sopStep('SOP-Insiden-003', 'verify'));
  }
  if (withVendor) return orNote('wait_vendor', sopStep('SOP-Insiden-002', 'vendor'));
  if (status === 'pending') return may('resume') ? step('resume', 'resume', sopStep('SOP-Insiden-001', 'pending')) : orNote('wait_pending', sopStep('SOP-Insiden-001', 'pending'));
  if (status === 'new') {
    if (may('acknowledge')) return step('acknowledge', 'acknowledge', sopStep('SOP-Insiden-001', 'respond'));
    return orNote('read_only', sopStep('SOP-Insiden-001', 'respond'));
  }
  if (breachNear && may('escalate')) return step('escalate_breach', 'escalate', sopStep('SOP-Insiden-002', 'functional'));
  if (status === 'escalated') {
    // The vendor fixes what is escalated to it; a level inside the office first takes it from its group's queue.
    if (user.role === 'vendor' && may('resolve')) return step('resolve', 'resolve', sopStep('SOP-Insiden-001', 'resolve'));
    const mine = user.role === 'admin' || groupForLevel(escalationLevel) === user.role;
    if (mine && may('acknowledge')) return step('take_escalated', 'acknowledge', sopStep('SOP-Insiden-002', 'functional'));
    return orNote('wait_level', sopStep('SOP-Insiden-002', 'functional'));
  }
  // assigned: the owner diagnoses and resolves; anyone else adds what they know.
  if (incident.assignee !== null && incident.assignee !== user.username) return orNote('owned_by_other', sopStep('SOP-Insiden-001', 'diagnose'));
  if (may('resolve')) return step('resolve', 'resolve', sopStep('SOP-Insiden-001', 'resolve'));
  return orNote('read_only', sopStep('SOP-Insiden-001', 'diagnose'));
}
