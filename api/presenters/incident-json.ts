// Incidents as the JSON API answers them (DESIGN §6: camelCase, ISO-8601 UTC).
import type { Incident, Suggestion } from '../../detector/incidents/incident-types.js';
import type { IncidentEvent } from '../../detector/incidents/incident-events.js';
import type { ClosureStatus, IncidentDetail } from '../../detector/incidents/incident-queries.js';
import type { User } from '../../detector/accounts/account-types.js';
import { notificationJson } from './notification-json.js';
import { redactEvidence } from './secrets.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `viewer`: who reads it (the evidence's URLs are redacted for a non-admin, see secrets.ts). */
export function incidentJson(i: Incident, viewer: Pick<User, 'role'>) {
  return {
    ref: i.ref,
    title: i.title,
    description: i.description,
    service: i.service,
    check: i.check,
    source: i.source,
    category: i.category,
    subcategory: i.subcategory,
    failureKind: i.failureKind,
    impact: i.impact,
    urgency: i.urgency,
    priority: i.priority,
    status: i.status,
    escalationLevel: i.escalationLevel,
    assignedGroup: i.assignedGroup,
    assignee: i.assignee,
    reporter: i.reporter,
    reportedVia: i.reportedVia,
    informReporter: i.informReporter,
    reporterInformedAt: iso(i.reporterInformedAt),
    flapping: i.flapping,
    detectedAt: iso(i.detectedAt),
    acknowledgedAt: iso(i.acknowledgedAt),
    responseDueAt: iso(i.responseDueAt),
    resolveDueAt: iso(i.resolveDueAt),
    serviceRestoredAt: iso(i.serviceRestoredAt),
    resolvedAt: iso(i.resolvedAt),
    closedAt: iso(i.closedAt),
    responseBreached: i.responseBreached,
    resolutionBreached: i.resolutionBreached,
    managementEscalated: i.managementEscalated,
    resolutionCode: i.resolutionCode,
    resolutionNotes: i.resolutionNotes,
    closureCode: i.closureCode,
    reopenCount: i.reopenCount,
    relatedRef: i.relatedRef,
    evidence: i.evidence ? redactEvidence(i.evidence, viewer) : null,
  };
}

export function eventJson(e: IncidentEvent) {
  return { at: iso(e.at), actor: e.actor, type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, note: e.note, data: e.data };
}

export function closureJson(c: ClosureStatus) {
  return { ...c, autoCloseAt: iso(c.autoCloseAt) };
}

export function incidentDetailJson(d: IncidentDetail, viewer: Pick<User, 'role'>) {
  return {
    ...incidentJson(d.incident, viewer),
    events: d.events.map(eventJson),
    suggestions: d.suggestions.map((s: Suggestion) => s),
    closure: d.closure ? closureJson(d.closure) : null,
    notifications: d.notifications.map(notificationJson),
    // Resolving now needs confirmStillFailing: true (null: it does not).
    stillFailing: d.stillFailing,
  };
}
