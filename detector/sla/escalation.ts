// SOP-Insiden-002 as pure rules over an incident's stored times: which warnings and breaches are
// due, and what a breach does (functional escalation from level 0 to 1, the head of division
// brought in). The same rules run from the SLA sweep and before every person's action, so
// whoever reaches an incident first after its due time acts on it, once: the flags it sets are
// read under the incident's row lock.
import { changedFields } from '../incidents/incident-actions.js';
import type { EventDraft, IncidentChange, ManagementReason, SlaTargetName } from '../incidents/incident-events.js';
import type { IncidentWrite, LockedIncident } from '../incidents/incident-types.js';
import { groupForLevel, LIFECYCLE, type IncidentStatus } from '../incidents/lifecycle.js';
import type { Priority } from '../incidents/priority.js';

interface TargetRule {
  name: SlaTargetName;
  clock: 'responseClock' | 'resolutionClock';
  dueAt: (i: LockedIncident) => Date;
  warnAt: (i: LockedIncident) => Date | null;
  breached: 'responseBreached' | 'resolutionBreached';
  warned: 'responseWarned' | 'resolutionWarned';
}

const TARGETS: readonly TargetRule[] = [
  { name: 'response', clock: 'responseClock', dueAt: (i) => i.responseDueAt, warnAt: (i) => i.responseWarnAt, breached: 'responseBreached', warned: 'responseWarned' },
  { name: 'resolution', clock: 'resolutionClock', dueAt: (i) => i.resolveDueAt, warnAt: (i) => i.resolveWarnAt, breached: 'resolutionBreached', warned: 'resolutionWarned' },
];

/** The level a breach moves a level-0 incident to (system support). */
export const BREACH_ESCALATION_LEVEL = 1;

/** The event that records the head of division brought in (SOP-Insiden-002, hierarchical escalation). */
export function managementEvent(status: IncidentStatus, reason: ManagementReason, note: string | null = null): EventDraft {
  return { type: 'escalate_management', fromStatus: status, toStatus: status, note, data: { reason } };
}

const iso = (d: Date) => d.toISOString();

/**
 * What the clock has made due on this incident at `now`, or null when nothing is. Only a target
 * whose clock runs in the incident's state (DESIGN §4 "States") can warn or breach; a target past
 * due is breached without a warning first (the warning would come after the fact).
 */
export function slaChange(incident: LockedIncident, now: Date): IncidentChange | null {
  const patch: IncidentWrite = {};
  const events: EventDraft[] = [];
  const breached: SlaTargetName[] = [];
  const status = incident.status;
  for (const target of TARGETS) {
    if (LIFECYCLE[status][target.clock] !== 'runs') continue;
    const dueAt = target.dueAt(incident);
    const warnAt = target.warnAt(incident);
    if (!incident[target.breached] && now.getTime() >= dueAt.getTime()) {
      patch[target.breached] = true;
      patch[target.warned] = true;
      breached.push(target.name);
      events.push({
        type: 'breached',
        fromStatus: status,
        toStatus: status,
        note: null,
        data: { target: target.name, dueAt: iso(dueAt), lateMs: now.getTime() - dueAt.getTime() },
      });
    } else if (!incident[target.warned] && !incident[target.breached] && warnAt && now.getTime() >= warnAt.getTime()) {
      patch[target.warned] = true;
      events.push({
        type: 'warning',
        fromStatus: status,
        toStatus: status,
        note: null,
        data: { target: target.name, warnAt: iso(warnAt), dueAt: iso(dueAt), leftMs: dueAt.getTime() - now.getTime() },
      });
    }
  }
  if (events.length === 0) return null;
  if (breached.length === 0) return { patch, events };

  let after = status;
  if (incident.escalationLevel === 0) {
    // A breach at the service desk hands the incident to system support, unowned until someone
    // there acknowledges it — as a person's escalation does.
    after = 'escalated';
    const escalation: IncidentWrite = { status: after, escalationLevel: BREACH_ESCALATION_LEVEL, assignedGroup: groupForLevel(BREACH_ESCALATION_LEVEL), assignee: null };
    Object.assign(patch, escalation);
    events.push({
      type: 'escalate',
      fromStatus: status,
      toStatus: after,
      note: null,
      data: { automatic: true, reason: `${breached[0]!}_breach`, changes: changedFields(incident, escalation) },
    });
  }
  patch.managementEscalated = true;
  for (const target of breached) events.push(managementEvent(after, `${target}_breach`));
  return { patch, events };
}

/**
 * A reminder while nobody has acknowledged an open incident (DESIGN §3 `notifications.reminders`):
 * every interval of its priority since it was detected or last reminded. Acknowledging stops them.
 */
export function reminderChange(incident: LockedIncident, intervals: Partial<Record<Priority, number>>, now: Date): IncidentChange | null {
  const every = intervals[incident.priority];
  if (!every || !LIFECYCLE[incident.status].open || incident.acknowledgedAt) return null;
  const since = incident.remindedAt ?? incident.detectedAt;
  if (now.getTime() - since.getTime() < every) return null;
  const count = incident.reminderCount + 1;
  return {
    patch: { remindedAt: now, reminderCount: count },
    events: [
      { type: 'reminder', fromStatus: incident.status, toStatus: incident.status, note: null, data: { count, unacknowledgedForMs: now.getTime() - incident.detectedAt.getTime() } },
    ],
  };
}
