// The one way an incident is born, whatever its source (probe, manual, Alertmanager): the next
// reference of the year in the office time zone, status `new` at level 0 with due times from the
// policy, and its `opened` event — all in the caller's transaction. A P1 brings in the head of
// division from the start (SOP-Insiden-002, hierarchical escalation).
import type { PolicyConfig } from '../../config.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import type { Incident, NewIncident } from '../domain-types.js';
import { managementEvent, SYSTEM_ACTOR } from '../sla/escalation.js';
import { groupForLevel } from './lifecycle.js';
import { dueTimes } from '../sla/due-times.js';
import type { Stores } from '../store/store-types.js';

export type IncidentOpening = Omit<NewIncident, 'status' | 'escalationLevel' | 'assignedGroup' | 'responseDueAt' | 'resolveDueAt' | 'responseWarnAt' | 'resolveWarnAt'>;

export class IncidentOpener {
  private readonly yearFormat: Intl.DateTimeFormat;

  constructor(
    private readonly policy: PolicyConfig,
    private readonly calendar: BusinessCalendar,
  ) {
    this.yearFormat = new Intl.DateTimeFormat('en', { timeZone: calendar.timezone, year: 'numeric' });
  }

  async open(stores: Stores, fields: IncidentOpening, event: { actor: string; now: Date; data: Record<string, unknown> }): Promise<Incident> {
    const { policy, calendar } = this;
    const due = dueTimes({ startedAt: fields.detectedAt, priority: fields.priority, targets: policy.targets, calendar, warnAt: policy.warnAt });
    const ref = await stores.incidents.nextRef(Number(this.yearFormat.format(event.now)));
    const incident = await stores.incidents.insert(ref, { ...fields, status: 'new', escalationLevel: 0, assignedGroup: groupForLevel(0), ...due }, event.now);
    await stores.incidents.appendEvent(incident.id, { at: event.now, actor: event.actor, type: 'opened', fromStatus: null, toStatus: 'new', note: null, data: event.data });
    if (incident.priority !== 'P1') return incident;
    await stores.incidents.appendEvent(incident.id, { at: event.now, actor: SYSTEM_ACTOR, ...managementEvent(incident.status, 'priority_P1') });
    return stores.incidents.update(incident.id, { managementEscalated: true }, event.now);
  }
}
