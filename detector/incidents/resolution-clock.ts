// The resolution clock's pause arithmetic as pure rules. Time the resolution target does not
// count — a spell `pending`, and a spell `resolved` that a reopen ended — is kept two ways:
// `pausedMs`, the sum measured on the clock of the incident's current priority (what `dueTimes`
// adds), and the spells themselves in `incident_pauses` (start, end, kind). The intervals are the
// record and the sum is derived from them: a reprioritize between a 24x7 and a business priority
// measures the same intervals again on the new clock, which a second stored sum per clock could
// not do once the office calendar changes, and which events could only approximate (a pending
// spell may end with any action).
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { clockTimeBetween, dueTimes, type DueTimes, type SlaTargets } from '../sla/due-times.js';
import type { IncidentPause, IncidentWrite, LockedIncident } from './incident-types.js';
import type { Priority } from './priority.js';

export interface ClockContext {
  now: Date;
  targets: SlaTargets;
  calendar: BusinessCalendar;
  warnAt: number;
}

interface ClockFields {
  pausedMs: number;
  resolveDueAt: Date;
  resolveWarnAt: Date;
  resolutionWarned?: boolean;
}

/**
 * A warning not yet due on a target that moved goes out again; a breach is history and stays (it
 * was reported and escalated). Moving a due time later therefore never breaches at once, and a
 * due time moved earlier into the past breaches on the next sweep.
 */
export function warnedAfterMove(
  incident: Pick<LockedIncident, 'responseBreached' | 'resolutionBreached'>,
  due: Partial<Pick<DueTimes, 'responseWarnAt' | 'resolveWarnAt'>>,
  now: Date,
): Pick<IncidentWrite, 'responseWarned' | 'resolutionWarned'> {
  const flags: Pick<IncidentWrite, 'responseWarned' | 'resolutionWarned'> = {};
  if (due.responseWarnAt && !incident.responseBreached && due.responseWarnAt > now) flags.responseWarned = false;
  if (due.resolveWarnAt && !incident.resolutionBreached && due.resolveWarnAt > now) flags.resolutionWarned = false;
  return flags;
}

/** The resolution due (and warning) times for `pausedMs`; the response target never pauses. */
function resolutionAt(incident: Pick<LockedIncident, 'detectedAt' | 'priority'>, pausedMs: number, ctx: ClockContext): ClockFields {
  const { resolveDueAt, resolveWarnAt } = dueTimes({
    startedAt: incident.detectedAt,
    priority: incident.priority,
    targets: ctx.targets,
    calendar: ctx.calendar,
    pausedMs,
    warnAt: ctx.warnAt,
  });
  return { pausedMs, resolveDueAt, resolveWarnAt };
}

/**
 * Leaving `pending`: the pause counts on the priority's clock (a business clock only counts office
 * hours), and the resolution due time moves by exactly the accumulated pauses.
 */
export function clockAfterPause(
  incident: Pick<LockedIncident, 'detectedAt' | 'priority' | 'pausedMs'>,
  pauseStartedAt: Date,
  ctx: ClockContext,
): ClockFields & Pick<IncidentWrite, 'statusBeforePending'> {
  const pausedMs = incident.pausedMs + clockTimeBetween(pauseStartedAt, ctx.now, ctx.targets[incident.priority].clock, ctx.calendar);
  return { ...resolutionAt(incident, pausedMs, ctx), statusBeforePending: null };
}

/**
 * Leaving `resolved` for an open state — a person's `reopen` and a probe's alike: the time spent
 * resolved, measured on the incident's clock, leaves the resolution clock as a pause does, so a
 * late reopen finds the resolution target where it was when the incident was resolved (a warning
 * not yet due there goes out again; see `warnedAfterMove`).
 */
export function clockAfterReopen(incident: Pick<LockedIncident, 'detectedAt' | 'priority' | 'pausedMs' | 'resolvedAt' | 'resolutionBreached'>, ctx: ClockContext): ClockFields {
  const resolvedFor = incident.resolvedAt ? clockTimeBetween(incident.resolvedAt, ctx.now, ctx.targets[incident.priority].clock, ctx.calendar) : 0;
  const clock = resolutionAt(incident, incident.pausedMs + resolvedFor, ctx);
  return { ...clock, ...warnedAfterMove({ responseBreached: true, resolutionBreached: incident.resolutionBreached }, { resolveWarnAt: clock.resolveWarnAt }, ctx.now) };
}

/** The spells that are over, measured on one clock (a spell still running counts when it ends). */
export function pausedOnClock(pauses: readonly Pick<IncidentPause, 'startedAt' | 'endedAt'>[], clock: SlaTargets[Priority]['clock'], calendar: BusinessCalendar): number {
  return pauses.reduce((sum, p) => sum + (p.endedAt ? clockTimeBetween(p.startedAt, p.endedAt, clock, calendar) : 0), 0);
}

/**
 * A new priority: both due times from detection on the new priority's clock, the pauses measured
 * again on that clock; warnings not yet due on the new targets go out again.
 */
export function clockForPriority(
  incident: Pick<LockedIncident, 'detectedAt' | 'responseBreached' | 'resolutionBreached'>,
  priority: Priority,
  pauses: readonly Pick<IncidentPause, 'startedAt' | 'endedAt'>[],
  ctx: ClockContext,
): DueTimes & Pick<IncidentWrite, 'pausedMs' | 'responseWarned' | 'resolutionWarned'> {
  const pausedMs = pausedOnClock(pauses, ctx.targets[priority].clock, ctx.calendar);
  const due = dueTimes({ startedAt: incident.detectedAt, priority, targets: ctx.targets, calendar: ctx.calendar, pausedMs, warnAt: ctx.warnAt });
  return { ...due, pausedMs, ...warnedAfterMove(incident, due, ctx.now) };
}
