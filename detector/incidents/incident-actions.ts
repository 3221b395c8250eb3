// The lifecycle actions of DESIGN §6 as pure rules: which transition each action asks for, who
// may take it, what it changes and the event that records it. IncidentCommands applies the result
// through the IncidentWriter in one transaction.
import type { BusinessCalendar } from '../sla/business-calendar.js';
import type { EventDraft, FieldChanges, IncidentEventData } from './incident-events.js';
import type { Incident, IncidentPause, IncidentWrite, LockedIncident, Verification } from './incident-types.js';
import type { User, UserRole } from '../accounts/account-types.js';
import { ForbiddenError, NotFoundError, SigapError, ValidationError } from '../errors.js';
import { assertTransition, allowedTransitions, groupForLevel, OPEN_STATUSES, SUPPORT_LEVELS, type IncidentStatus } from './lifecycle.js';
import { priorityOf, type Impact } from './priority.js';
import type { SlaTargets } from '../sla/due-times.js';
import { clockForPriority } from './resolution-clock.js';
import type { Urgency } from './taxonomy.js';
import { mayOpen, VENDOR_LEVEL, visibilityOf } from './incident-visibility.js';

export const INCIDENT_ACTIONS = [
  'acknowledge',
  'assign',
  'note',
  'reprioritize',
  'escalate',
  'escalate_management',
  'pending',
  'resume',
  'resolve',
  'close',
  'reopen',
  'cancel',
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export const RESOLUTION_CODES = ['fixed', 'workaround', 'restarted', 'vendor_fixed', 'no_fault_found', 'auto_recovered'] as const;
export const CLOSURE_CODES = ['confirmed', 'auto_closed', 'unconfirmed', 'monitoring_verified'] as const;
/**
 * `auto_closed` is Sigap's own: a person confirms with the reporter, or records that they could not
 * be reached, or — for an incident without a reporter — that the monitoring verified restoration.
 */
export const PERSON_CLOSURE_CODES = ['confirmed', 'unconfirmed', 'monitoring_verified'] as const;
/** The closure codes that speak of a reporter, and the one that speaks of the monitoring. */
export const REPORTER_CLOSURE_CODES = ['confirmed', 'unconfirmed'] as const;

/** `monitoring_verified` only where it is true: no reporter to ask, and the probes verified restoration. */
export function closureCodesFor(incident: Pick<Incident, 'reporter'>, verification: Pick<Verification, 'state'> | null): readonly (typeof PERSON_CLOSURE_CODES)[number][] {
  if (!incident.reporter && verification?.state === 'verified') return ['monitoring_verified'];
  return REPORTER_CLOSURE_CODES;
}

export type ActionInput =
  | { action: 'acknowledge'; note?: string }
  | { action: 'assign'; assignee: string; note?: string }
  | { action: 'note'; note: string }
  | { action: 'reprioritize'; impact?: Impact; urgency?: Urgency; reason: string }
  | { action: 'escalate'; level?: number; note: string }
  | { action: 'escalate_management'; note: string }
  | { action: 'pending'; reason: string }
  | { action: 'resume'; note?: string }
  | { action: 'resolve'; resolutionCode: (typeof RESOLUTION_CODES)[number]; note: string; confirmStillFailing?: boolean }
  | { action: 'close'; closureCode: (typeof CLOSURE_CODES)[number]; note?: string }
  | { action: 'reopen'; reason: string }
  | { action: 'cancel'; reason: string };

interface ActionRule {
  to: (i: Pick<LockedIncident, 'status' | 'statusBeforePending'>) => IncidentStatus;
  /** Works within a state (a note, a new owner, a new priority) instead of asking for a transition. */
  keepsState?: true;
  /** Where the lifecycle table alone is too permissive (reopen is not resume). */
  onlyFrom?: readonly IncidentStatus[];
}

const same = (i: { status: IncidentStatus }) => i.status;

const RULES: Readonly<Record<IncidentAction, ActionRule>> = {
  // From escalated: someone at the new level takes the incident from its group's queue.
  acknowledge: { to: () => 'assigned', onlyFrom: ['new', 'escalated'] },
  assign: { to: (i) => (i.status === 'new' ? 'assigned' : i.status), onlyFrom: OPEN_STATUSES, keepsState: true },
  note: { to: same, keepsState: true },
  reprioritize: { to: same, onlyFrom: OPEN_STATUSES, keepsState: true },
  escalate: { to: () => 'escalated' },
  // Hierarchical escalation brings in the head of division; the functional level stays.
  escalate_management: { to: same, onlyFrom: OPEN_STATUSES, keepsState: true },
  pending: { to: () => 'pending' },
  resume: { to: (i) => i.statusBeforePending ?? 'assigned', onlyFrom: ['pending'] },
  resolve: { to: () => 'resolved' },
  close: { to: () => 'closed' },
  reopen: { to: () => 'assigned', onlyFrom: ['resolved'] },
  cancel: { to: () => 'canceled' },
};

/** An action that does not apply in the incident's state (409, like a refused transition). */
export class ActionNotApplicableError extends SigapError {
  constructor(action: IncidentAction, from: IncidentStatus) {
    const allowed = allowedTransitions(from);
    super(
      'invalid_transition',
      `"${action}" does not apply to an incident in state "${from}"; allowed transitions: ${allowed.join(', ') || 'none (terminal state)'}; actions: ${actionsFor(from).join(', ')}`,
      [{ path: 'status', message: `allowed from ${from}: ${allowed.join(', ') || 'none'}` }],
    );
  }
}

/** The state the action moves the incident to; throws 409 when the lifecycle refuses it. */
export function transitionFor(action: IncidentAction, incident: Pick<LockedIncident, 'status' | 'statusBeforePending'>): IncidentStatus {
  const rule = RULES[action];
  if (rule.onlyFrom && !rule.onlyFrom.includes(incident.status)) throw new ActionNotApplicableError(action, incident.status);
  const to = rule.to(incident);
  // escalated → escalated is a transition of its own (the next level); resolve on resolved is not.
  if (to !== incident.status || !rule.keepsState) assertTransition(incident.status, to);
  return to;
}

/** The actions that apply in a state (resume is listed for pending whatever it returns to). */
export function actionsFor(status: IncidentStatus): IncidentAction[] {
  return INCIDENT_ACTIONS.filter((action) => {
    const rule = RULES[action];
    if (rule.onlyFrom && !rule.onlyFrom.includes(status)) return false;
    const to = rule.to({ status, statusBeforePending: 'assigned' });
    return (to === status && rule.keepsState) || allowedTransitions(status).includes(to);
  });
}

const ACTING_ROLES: readonly UserRole[] = ['service_desk', 'support', 'admin', 'vendor'];
/** A vendor works the incidents escalated to it; steering them (escalate, cancel, close, …) stays with Diskominfo. */
export const VENDOR_ACTIONS: readonly IncidentAction[] = ['acknowledge', 'note', 'pending', 'resume', 'resolve'];

/** Before loading anything: a manager reads only, notes included (DESIGN §5). */
export function assertRoleMayAct(user: Pick<User, 'role'>): void {
  if (!ACTING_ROLES.includes(user.role)) throw new ForbiddenError(`a ${user.role} reads incidents but cannot act on them`);
}

/**
 * What the vendor's work is once an incident is with it (the top level): taking it, pending it,
 * resuming and resolving it. Diskominfo keeps steering (notes, owner, priority, the head of
 * division, closing, reopening, cancelling); an admin may still act for anyone.
 */
export const HANDED_ON_ACTIONS: readonly IncidentAction[] = VENDOR_ACTIONS.filter((a) => a !== 'note');

/** Actions that end an incident's work for good: the pages keep them apart and ask for a confirmation. */
export const DESTRUCTIVE_ACTIONS: readonly IncidentAction[] = ['cancel'];

/**
 * Why this user may not take this action on this incident, whatever its state: a manager reads
 * only (403), a vendor cannot see incidents below its level (404) nor take the actions it does not
 * own (403), and once an incident is with the vendor its work is the vendor's (403). The API's
 * check and the pages' list both ask this, so a page offers exactly what the server accepts.
 */
export function refusalOf(user: Pick<User, 'role'>, action: IncidentAction, incident: Pick<Incident, 'ref' | 'escalationLevel'>): SigapError | null {
  if (!ACTING_ROLES.includes(user.role)) return new ForbiddenError(`a ${user.role} reads incidents but cannot act on them`);
  if (!mayOpen(visibilityOf(user), incident)) return new NotFoundError(`incident ${incident.ref}`);
  if (user.role === 'vendor' && !VENDOR_ACTIONS.includes(action)) return new ForbiddenError(`a vendor may only ${VENDOR_ACTIONS.join(', ')}`);
  if (incident.escalationLevel >= VENDOR_LEVEL && (user.role === 'service_desk' || user.role === 'support') && HANDED_ON_ACTIONS.includes(action)) {
    // Escalating further is not among them: there is no level above the vendor.
    const still = INCIDENT_ACTIONS.filter((a) => !HANDED_ON_ACTIONS.includes(a) && a !== 'escalate');
    return new ForbiddenError(`${incident.ref} is with the vendor (level ${VENDOR_LEVEL}): ${HANDED_ON_ACTIONS.join(', ')} are the vendor's; you may still ${still.join(', ')}`);
  }
  return null;
}

/** The API's check before anything changes: throws `refusalOf`'s error. */
export function assertMayActOn(user: Pick<User, 'role'>, action: IncidentAction, incident: Pick<Incident, 'ref' | 'escalationLevel'>): void {
  const refusal = refusalOf(user, action, incident);
  if (refusal) throw refusal;
}

/**
 * The actions this user may take on this incident now: those its state allows, minus what
 * `refusalOf` refuses, and minus an escalation with no level left above. The pages offer only these.
 */
export function actionsAllowed(user: Pick<User, 'role'>, incident: Pick<Incident, 'ref' | 'status' | 'escalationLevel'>): IncidentAction[] {
  return actionsFor(incident.status).filter((action) => refusalOf(user, action, incident) === null && (action !== 'escalate' || incident.escalationLevel < VENDOR_LEVEL));
}

/** The levels an incident may be escalated to from its current one. */
export function levelsAbove(escalationLevel: number): number[] {
  return SUPPORT_LEVELS.map((l) => l.level).filter((level) => level > escalationLevel);
}

export interface ActionContext {
  now: Date;
  actor: Pick<User, 'username'>;
  targets: SlaTargets;
  warnAt: number;
  calendar: BusinessCalendar;
  /** The incident's pauses (pending and resolved spells): a reprioritize measures them again on the new clock. */
  pauses?: readonly Pick<IncidentPause, 'startedAt' | 'endedAt'>[];
}

export interface ActionChange {
  to: IncidentStatus;
  patch: IncidentWrite;
  note: string | null;
}

// Actions that are a response even when they keep the state (a person takes the incident in hand).
const RESPONDING_ACTIONS: readonly IncidentAction[] = ['acknowledge', 'assign', 'escalate'];

/**
 * What the action writes, the transition already checked. The pause arithmetic of the resolution
 * clock is resolution-clock.ts: leaving pending (`clockAfterPause`, IncidentCommands) and leaving
 * resolved (`clockAfterReopen`, the IncidentWriter, for people and probes alike).
 */
export function changesFor(input: ActionInput, incident: LockedIncident, ctx: ActionContext): ActionChange {
  const to = transitionFor(input.action, incident);
  const { now } = ctx;
  // The response clock stops when a person first takes the incident in hand: moves it on, takes
  // or gives ownership, or escalates it (an incident Sigap escalated on a breach is still unanswered).
  const responds = to !== 'canceled' && (to !== incident.status || RESPONDING_ACTIONS.includes(input.action));
  const acknowledgedAt = incident.acknowledgedAt === null && responds ? now : undefined;
  const moved = to !== incident.status ? { status: to, ...(acknowledgedAt ? { acknowledgedAt } : {}) } : {};
  switch (input.action) {
    case 'acknowledge':
      return { to, patch: { ...moved, assignee: ctx.actor.username }, note: input.note ?? null };
    case 'assign':
      return { to, patch: { ...moved, assignee: input.assignee }, note: input.note ?? null };
    case 'note':
      return { to, patch: {}, note: input.note };
    case 'reprioritize': {
      const impact = input.impact ?? incident.impact;
      const urgency = input.urgency ?? incident.urgency;
      const priority = priorityOf(impact, urgency);
      // From detection on the new priority's clock, the pauses measured again on that clock.
      const patch: IncidentWrite = { impact, urgency, priority, ...clockForPriority(incident, priority, ctx.pauses ?? [], ctx) };
      return { to, patch, note: input.reason };
    }
    case 'escalate': {
      const level = input.level ?? incident.escalationLevel + 1;
      if (level <= incident.escalationLevel || level > VENDOR_LEVEL) {
        throw new ValidationError('the escalation level must go up', [
          { path: 'level', message: `must be above the current level ${incident.escalationLevel} and at most ${VENDOR_LEVEL}` },
        ]);
      }
      // The incident waits in the next level's queue until someone there acknowledges it.
      return { to, patch: { ...moved, escalationLevel: level, assignedGroup: groupForLevel(level), assignee: null }, note: input.note };
    }
    case 'escalate_management':
      return { to, patch: { managementEscalated: true }, note: input.note };
    case 'pending':
      return { to, patch: { ...moved, statusBeforePending: incident.status }, note: input.reason };
    case 'resume':
      return { to, patch: moved, note: input.note ?? null };
    case 'resolve':
      return { to, patch: { ...moved, resolvedAt: now, resolutionCode: input.resolutionCode, resolutionNotes: input.note }, note: input.note };
    case 'close':
      if (!(PERSON_CLOSURE_CODES as readonly string[]).includes(input.closureCode)) {
        throw new ValidationError('auto_closed is recorded by Sigap only', [{ path: 'closureCode', message: `must be one of ${PERSON_CLOSURE_CODES.join(', ')}` }]);
      }
      return { to, patch: { ...moved, closedAt: now, closureCode: input.closureCode, closureNotes: input.note ?? null }, note: input.note ?? null };
    case 'reopen':
      return {
        to,
        patch: { ...moved, reopenCount: incident.reopenCount + 1, resolvedAt: null, resolutionCode: null, resolutionNotes: null },
        note: input.reason,
      };
    case 'cancel':
      return { to, patch: moved, note: input.reason };
  }
}

// Bookkeeping that the event's type and the due times already say.
const HIDDEN_IN_EVENTS = new Set(['status', 'statusBeforePending', 'responseWarnAt', 'resolveWarnAt', 'responseWarned', 'resolutionWarned']);

/** The event's record of what changed: `{field: {from, to}}`, timestamps as ISO-8601. */
export function changedFields(before: LockedIncident, patch: IncidentWrite): FieldChanges {
  const plain = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? null));
  const changes: FieldChanges = {};
  for (const [field, value] of Object.entries(patch)) {
    if (HIDDEN_IN_EVENTS.has(field)) continue;
    const from = plain((before as unknown as Record<string, unknown>)[field]);
    const to = plain(value);
    if (from !== to) changes[field] = { from, to };
  }
  return changes;
}

/**
 * The event a person's action writes: its type is the action's name; it records what changed, the
 * verification a closure relied on, and why the head of division was brought in.
 */
export function actionEvent(
  input: ActionInput,
  from: IncidentStatus,
  change: ActionChange,
  changes: FieldChanges,
  verification: Verification | null,
  stillFailing: IncidentEventData['resolve']['stillFailing'] | null = null,
): EventDraft {
  const moved = { fromStatus: from, toStatus: change.to, note: change.note };
  switch (input.action) {
    case 'resolve':
      return { ...moved, type: 'resolve', data: { changes, ...(stillFailing ? { stillFailing } : {}) } };
    case 'close':
      if (!verification) throw new Error('closing records the verification it relied on');
      return { ...moved, type: 'close', data: { verification, changes } };
    case 'escalate_management':
      return { ...moved, type: 'escalate_management', data: { reason: 'request', changes } };
    default:
      return { ...moved, type: input.action, data: { changes } };
  }
}
