// Incident rows (snake_case) ↔ the domain's incidents, events and pauses (camelCase, Dates): the
// seam where the incident store's rows are mapped, in one place.
import type { IncidentEvent } from '../incidents/incident-events.js';
import type { Incident, IncidentClockState, IncidentPause, IncidentSource, IncidentWrite, NewIncident } from '../incidents/incident-types.js';
import type { IncidentStatus } from '../incidents/lifecycle.js';
import type { Impact, Priority } from '../incidents/priority.js';
import type { Urgency } from '../incidents/taxonomy.js';
import { parseJson, toBool, toDate, toMs } from './row-mapping.js';

export type Row = Record<string, unknown>;

export function toIncident(r: Row): Incident {
  return {
    id: r.id as number,
    ref: r.ref as string,
    title: r.title as string,
    description: r.description as string,
    service: r.service_key as string,
    check: (r.check_key as string | null) ?? null,
    source: r.source as IncidentSource,
    category: r.category as string,
    subcategory: r.subcategory as string,
    failureKind: (r.failure_kind as Incident['failureKind']) ?? null,
    impact: r.impact as Impact,
    urgency: r.urgency as Urgency,
    priority: r.priority as Priority,
    status: r.status as IncidentStatus,
    escalationLevel: r.escalation_level as number,
    assignedGroup: r.assigned_group as string,
    assignee: (r.assignee as string | null) ?? null,
    reporter: r.reporter_name ? { name: r.reporter_name as string, contact: (r.reporter_contact as string | null) ?? null } : null,
    reportedVia: (r.reported_via as Incident['reportedVia']) ?? null,
    informReporter: r.inform_reporter === null || r.inform_reporter === undefined ? false : toBool(r.inform_reporter),
    reporterInformedAt: toDate((r.reporter_informed_at as number | null | undefined) ?? null),
    flapping: toBool(r.flapping),
    detectedAt: toDate(r.detected_at as number)!,
    acknowledgedAt: toDate(r.acknowledged_at as number | null),
    responseDueAt: toDate(r.response_due_at as number)!,
    resolveDueAt: toDate(r.resolve_due_at as number)!,
    serviceRestoredAt: toDate(r.service_restored_at as number | null),
    resolvedAt: toDate(r.resolved_at as number | null),
    closedAt: toDate(r.closed_at as number | null),
    responseBreached: toBool(r.response_breached),
    resolutionBreached: toBool(r.resolution_breached),
    managementEscalated: toBool(r.manager_notified),
    resolutionCode: (r.resolution_code as string | null) ?? null,
    resolutionNotes: (r.resolution_notes as string | null) ?? null,
    closureCode: (r.closure_code as string | null) ?? null,
    reopenCount: r.reopen_count as number,
    relatedRef: (r.related_ref as string | null) ?? null,
    evidence: parseJson(r.evidence_json as string | null),
  };
}

export function toPause(r: Row): IncidentPause {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    startedAt: toDate(r.started_at as number)!,
    endedAt: toDate(r.ended_at as number | null),
    reason: r.reason as string,
    kind: (r.kind as IncidentPause['kind'] | undefined) ?? 'pending',
  };
}

const PATCH_COLUMNS: Record<keyof IncidentWrite, string> = {
  statusBeforePending: 'status_before_pending',
  pausedMs: 'paused_ms',
  closureNotes: 'closure_notes',
  evidence: 'evidence_json',
  status: 'status',
  escalationLevel: 'escalation_level',
  assignedGroup: 'assigned_group',
  assignee: 'assignee',
  flapping: 'flapping',
  acknowledgedAt: 'acknowledged_at',
  serviceRestoredAt: 'service_restored_at',
  resolvedAt: 'resolved_at',
  closedAt: 'closed_at',
  resolutionCode: 'resolution_code',
  resolutionNotes: 'resolution_notes',
  closureCode: 'closure_code',
  reopenCount: 'reopen_count',
  impact: 'impact',
  urgency: 'urgency',
  priority: 'priority',
  responseDueAt: 'response_due_at',
  resolveDueAt: 'resolve_due_at',
  responseBreached: 'response_breached',
  resolutionBreached: 'resolution_breached',
  managementEscalated: 'manager_notified',
  informReporter: 'inform_reporter',
  reporterInformedAt: 'reporter_informed_at',
  responseWarnAt: 'response_warn_at',
  resolveWarnAt: 'resolve_warn_at',
  responseWarned: 'response_warned',
  resolutionWarned: 'resolution_warned',
  remindedAt: 'reminded_at',
  reminderCount: 'reminder_count',
};

/** The columns a patch writes, with `updated_at`. */
export function patchRow(patch: IncidentWrite, now: Date): Row {
  const row: Row = { updated_at: now.getTime() };
  for (const [field, value] of Object.entries(patch) as Array<[keyof IncidentWrite, unknown]>) {
    if (field === 'evidence') row[PATCH_COLUMNS[field]] = value ? JSON.stringify(value) : null;
    else row[PATCH_COLUMNS[field]] = value instanceof Date ? toMs(value) : value;
  }
  return row;
}

/** The row of a new incident. */
export function insertRow(ref: string, n: NewIncident, now: Date): Row {
  return {
    ref,
    title: n.title,
    description: n.description,
    service_id: n.serviceId,
    check_id: n.checkId,
    source: n.source,
    category: n.category,
    subcategory: n.subcategory,
    failure_kind: n.failureKind,
    impact: n.impact,
    urgency: n.urgency,
    priority: n.priority,
    status: n.status,
    escalation_level: n.escalationLevel,
    assigned_group: n.assignedGroup,
    reporter_name: n.reporter?.name ?? null,
    reporter_contact: n.reporter?.contact ?? null,
    reported_via: n.reportedVia ?? null,
    inform_reporter: n.reporter ? (n.informReporter ?? Boolean(n.reporter.contact)) : null,
    detected_at: n.detectedAt.getTime(),
    response_due_at: n.responseDueAt.getTime(),
    resolve_due_at: n.resolveDueAt.getTime(),
    response_warn_at: n.responseWarnAt.getTime(),
    resolve_warn_at: n.resolveWarnAt.getTime(),
    evidence_json: n.evidence ? JSON.stringify(n.evidence) : null,
    related_incident_id: n.relatedIncidentId ?? null,
    fingerprint: n.fingerprint ?? null,
    created_at: now.getTime(),
    updated_at: now.getTime(),
  };
}

/** An incident read under its lock, with the clock state only the lifecycle uses. */
export function toLockedIncident(row: Row): Incident & IncidentClockState {
  return {
    ...toIncident(row),
    statusBeforePending: (row.status_before_pending as IncidentStatus | null) ?? null,
    pausedMs: Number(row.paused_ms),
    responseWarnAt: toDate(row.response_warn_at as number | null),
    resolveWarnAt: toDate(row.resolve_warn_at as number | null),
    responseWarned: toBool(row.response_warned),
    resolutionWarned: toBool(row.resolution_warned),
    remindedAt: toDate(row.reminded_at as number | null),
    reminderCount: Number(row.reminder_count ?? 0),
  };
}

/** Each row's type and data were written together from the event vocabulary. */
export function toEvent(r: Row): IncidentEvent {
  return {
    id: Number(r.id),
    at: toDate(r.at as number)!,
    actor: r.actor as string,
    type: r.type,
    fromStatus: (r.from_status as IncidentStatus | null) ?? null,
    toStatus: (r.to_status as IncidentStatus | null) ?? null,
    note: (r.note as string | null) ?? null,
    data: parseJson(r.data_json as string | null),
  } as IncidentEvent;
}
