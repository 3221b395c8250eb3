// The one writer of incident state. Whoever changes an incident — a person's action, a probe
// outcome, an Alertmanager alert, the SLA clock, auto-close — hands the change to `apply`: a new
// status is checked against the lifecycle table, the row and its events are written in the
// caller's transaction, and each event's notifications are planned in that same transaction, so a
// notification exists exactly when its event does. `open` is the one way an incident is born.
import type { PolicyConfig } from '../../config.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { dueTimes } from '../sla/due-times.js';
import { managementEvent } from '../sla/escalation.js';
import type { Stores } from '../store/store-types.js';
import { SYSTEM_ACTOR, type EventDraft, type IncidentChange, type IncidentEvent, type IncidentEventBody, type IncidentEventData, type OpenedData } from './incident-events.js';
import type { Incident, NewIncident } from './incident-types.js';
import { changedFields } from './incident-actions.js';
import { assertTransition, groupForLevel, OPEN_STATUSES } from './lifecycle.js';
import { clockAfterReopen } from './resolution-clock.js';

/** Runs in the transaction that appended the event (the notification planner). */
export type IncidentEventListener = (stores: Stores, incident: Incident, event: IncidentEvent) => Promise<void>;

/** A new incident's own fields; status, level, group and due times are the writer's. */
export type IncidentOpening = Omit<NewIncident, 'status' | 'escalationLevel' | 'assignedGroup' | 'responseDueAt' | 'resolveDueAt' | 'responseWarnAt' | 'resolveWarnAt'>;

export interface IncidentWriterDeps {
  policy: Pick<PolicyConfig, 'targets' | 'warnAt'>;
  calendar: BusinessCalendar;
  /** Called for every event appended, in its transaction; none: nobody is notified. */
  onEvent?: IncidentEventListener | null;
}

export class IncidentWriter {
  private readonly yearFormat: Intl.DateTimeFormat;

  constructor(private readonly deps: IncidentWriterDeps) {
    this.yearFormat = new Intl.DateTimeFormat('en', { timeZone: deps.calendar.timezone, year: 'numeric' });
  }

  /**
   * Log a new incident: the next reference of the year in the office time zone, status `new` at
   * level 0 with due times from the policy, and its `opened` event. A P1 brings in the head of
   * division from the start (SOP-Insiden-002, hierarchical escalation).
   */
  async open(stores: Stores, fields: IncidentOpening, opened: { actor: string; now: Date; data: OpenedData }): Promise<Incident> {
    const { policy, calendar } = this.deps;
    const { actor, now } = opened;
    const due = dueTimes({ startedAt: fields.detectedAt, priority: fields.priority, targets: policy.targets, calendar, warnAt: policy.warnAt });
    const ref = await stores.incidents.nextRef(Number(this.yearFormat.format(now)));
    const incident = await stores.incidents.insert(ref, { ...fields, status: 'new', escalationLevel: 0, assignedGroup: groupForLevel(0), ...due }, now);
    await this.append(stores, incident, { type: 'opened', fromStatus: null, toStatus: 'new', note: null, data: opened.data }, actor, now);
    if (incident.priority !== 'P1') return incident;
    return this.apply(stores, incident, { patch: { managementEscalated: true }, events: [managementEvent(incident.status, 'priority_P1')] }, SYSTEM_ACTOR, now);
  }

  /**
   * Write a change and its events; a new status must be one the lifecycle table allows. Leaving
   * `resolved` for an open state (a person's reopen or a probe's) is where the time spent resolved
   * leaves the resolution clock: here, so that no caller can reopen without it.
   */
  async apply(stores: Stores, incident: Incident, change: IncidentChange, actor: string, now: Date): Promise<Incident> {
    const to = change.patch.status;
    if (to !== undefined && to !== incident.status) assertTransition(incident.status, to);
    if (incident.status === 'resolved' && to !== undefined && OPEN_STATUSES.includes(to)) change = await this.reopenClock(stores, incident, change, now);
    const updated = Object.keys(change.patch).length > 0 ? await stores.incidents.update(incident.id, change.patch, now) : incident;
    for (const draft of change.events) await this.append(stores, updated, draft, actor, now);
    return updated;
  }

  /** An event that changes no field (a known error recorded, a suggestion that helped). */
  record(stores: Stores, incident: Incident, draft: EventDraft, actor: string, now: Date): Promise<Incident> {
    return this.apply(stores, incident, { patch: {}, events: [draft] }, actor, now);
  }

  /** Probes or Alertmanager see the service healthy again; a person still resolves the incident. */
  restore(stores: Stores, incident: Incident, restoredAt: Date, data: IncidentEventData['restored'], actor: string, now: Date): Promise<Incident> {
    const event = stateless(incident, { type: 'restored', data });
    return this.apply(stores, incident, { patch: { serviceRestoredAt: restoredAt }, events: [event] }, actor, now);
  }

  /** A restored incident fails again: it is live again. */
  failAgain(stores: Stores, incident: Incident, data: IncidentEventData['failed_again'], actor: string, now: Date): Promise<Incident> {
    const event = stateless(incident, { type: 'failed_again', data });
    return this.apply(stores, incident, { patch: { serviceRestoredAt: null }, events: [event] }, actor, now);
  }

  /**
   * The spell resolved is recorded as a pause (kind `resolved`) and added to `pausedMs`; the
   * resolution due and warning times move by it (response due stays). The events that record
   * field changes show the new due time.
   */
  private async reopenClock(stores: Stores, incident: Incident, change: IncidentChange, now: Date): Promise<IncidentChange> {
    const locked = await stores.incidents.lockByRef(incident.ref);
    if (!locked?.resolvedAt) return change;
    const { policy, calendar } = this.deps;
    const clock = clockAfterReopen(locked, { now, targets: policy.targets, calendar, warnAt: policy.warnAt });
    await stores.incidents.recordPause(incident.id, { startedAt: locked.resolvedAt, endedAt: now, reason: 'resolved', kind: 'resolved' });
    const moved = changedFields(locked, clock);
    const events = change.events.map((e) => ('changes' in e.data && e.data.changes ? ({ ...e, data: { ...e.data, changes: { ...e.data.changes, ...moved } } } as EventDraft) : e));
    return { patch: { ...change.patch, ...clock }, events };
  }

  private async append(stores: Stores, incident: Incident, draft: EventDraft, actor: string, now: Date): Promise<void> {
    const event = await stores.incidents.appendEvent(incident.id, { ...draft, at: now, actor });
    await this.deps.onEvent?.(stores, incident, event);
  }
}

/** An event that leaves the incident in its state. */
export function stateless(incident: Pick<Incident, 'status'>, body: IncidentEventBody, note: string | null = null): EventDraft {
  return { ...body, fromStatus: incident.status, toStatus: incident.status, note };
}
