// The incident lifecycle as data (DESIGN §4 "States"): which state may follow which, and which
// SLA clock runs in each. The IncidentWriter checks every status change against it; the action
// and SLA rules read from it which actions apply and which clock runs; nothing else decides.
import { InvalidTransitionError } from '../errors.js';

export const INCIDENT_STATES = ['new', 'assigned', 'escalated', 'pending', 'resolved', 'closed', 'canceled'] as const;
export type IncidentStatus = (typeof INCIDENT_STATES)[number];

type ClockState = 'runs' | 'stopped' | 'paused';

interface StateRule {
  /** Still needs work: counts as the check's one open incident. */
  open: boolean;
  terminal: boolean;
  responseClock: ClockState;
  resolutionClock: ClockState;
  next: readonly IncidentStatus[];
}

export const LIFECYCLE: Readonly<Record<IncidentStatus, StateRule>> = {
  new: { open: true, terminal: false, responseClock: 'runs', resolutionClock: 'runs', next: ['assigned', 'escalated', 'canceled'] },
  assigned: { open: true, terminal: false, responseClock: 'stopped', resolutionClock: 'runs', next: ['escalated', 'pending', 'resolved', 'canceled'] },
  escalated: { open: true, terminal: false, responseClock: 'stopped', resolutionClock: 'runs', next: ['escalated', 'assigned', 'pending', 'resolved'] },
  pending: { open: true, terminal: false, responseClock: 'stopped', resolutionClock: 'paused', next: ['assigned', 'escalated', 'resolved'] },
  resolved: { open: false, terminal: false, responseClock: 'stopped', resolutionClock: 'stopped', next: ['assigned', 'closed'] },
  closed: { open: false, terminal: true, responseClock: 'stopped', resolutionClock: 'stopped', next: [] },
  canceled: { open: false, terminal: true, responseClock: 'stopped', resolutionClock: 'stopped', next: [] },
};

export const OPEN_STATUSES: readonly IncidentStatus[] = INCIDENT_STATES.filter((s) => LIFECYCLE[s].open);

export function allowedTransitions(from: IncidentStatus): readonly IncidentStatus[] {
  return LIFECYCLE[from].next;
}

export function assertTransition(from: IncidentStatus, to: IncidentStatus): void {
  if (!LIFECYCLE[from].next.includes(to)) throw new InvalidTransitionError(from, to, LIFECYCLE[from].next);
}

/** Functional escalation levels (SOP-Insiden-002) and the group that owns each. */
export const SUPPORT_LEVELS = [
  { level: 0, group: 'service_desk' },
  { level: 1, group: 'support' },
  { level: 2, group: 'vendor' },
] as const;

export function groupForLevel(level: number): string {
  return SUPPORT_LEVELS.find((l) => l.level === level)?.group ?? 'service_desk';
}
