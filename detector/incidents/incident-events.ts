// Every event an incident's history can hold, with the data each carries: the one vocabulary the
// writer appends, the store reads back, the notification planner routes, and the pages and
// messages present. An event type that is not declared here does not compile.
import type { FailureKind, ProbeStatus } from '../../probes/probe-types.js';
import type { Incident, IncidentWrite, Verification } from './incident-types.js';
import type { IncidentStatus } from './lifecycle.js';
import type { Priority } from './priority.js';

/** What an event records of the fields a change wrote: `{field: {from, to}}`, times as ISO-8601. */
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/** The SLA targets of an incident (SOP-Insiden-002). */
export type SlaTargetName = 'response' | 'resolution';

/** Why the head of division was brought in. */
export type ManagementReason = 'priority_P1' | 'response_breach' | 'resolution_breach' | 'request';

/** How the incident came to be, by source. */
export type OpenedData =
  | { source: 'probe'; check: string; failureKind: FailureKind | null; priority: Priority; detectedAt: string; relatedRef?: string }
  | { source: 'manual'; reporter: Incident['reporter']; priority: Priority; reportedVia?: Incident['reportedVia']; reportedAt?: string }
  | {
      source: 'alertmanager';
      fingerprint: string;
      alertname: string | null;
      severity: string | null;
      priority: Priority;
      detectedAt: string;
      /** An unknown `service` label, kept so a person can move the incident where it belongs. */
      requestedService?: string;
    };

/** A person's lifecycle action (the action's name is the event type). */
export interface ActionData {
  changes: FieldChanges;
}

/** The data of each event type. */
export interface IncidentEventData {
  opened: OpenedData;
  // A person's actions (DESIGN §6); escalate and close are also Sigap's own (`automatic`).
  acknowledge: ActionData;
  assign: ActionData;
  note: ActionData;
  reprioritize: ActionData;
  escalate: ActionData & { automatic?: true; reason?: `${SlaTargetName}_breach` };
  escalate_management: { reason: ManagementReason; changes?: FieldChanges };
  pending: ActionData;
  resume: ActionData;
  /** `stillFailing`: resolved although the probes still saw the failure, as the person confirmed. */
  resolve: ActionData & { stillFailing?: { check: string; state: 'down' | 'degraded'; since: string | null } };
  close: ActionData & { verification: Verification; automatic?: true };
  reopen: ActionData;
  cancel: ActionData;
  // Sigap's own, from the probes and Alertmanager.
  reopened: {
    failureKind: FailureKind | null;
    checkedAt: string;
    detectedAt: string;
    reopenCount: number;
    resolvedAt: string | null;
    resolutionCode: string | null;
    resolutionNotes: string | null;
    serviceRestoredAt: string | null;
  };
  restored: { check: string; serviceRestoredAt: string } | { source: 'alertmanager'; fingerprint: string; serviceRestoredAt: string };
  failed_again: { failureKind: FailureKind | null; checkedAt: string } | { source: 'alertmanager'; fingerprint: string; startsAt: string; serviceRestoredAt: string };
  flapping: { changes: string[]; windowMs: number };
  stable: { check: string; state: ProbeStatus; lastChangeAt: string | null; windowMs: number };
  alert_refreshed: { source: 'alertmanager'; changed: string[]; labels: Record<string, string>; annotations: Record<string, string> };
  // Sigap's own, from the SLA clock.
  warning: { target: SlaTargetName; warnAt: string; dueAt: string; leftMs: number };
  breached: { target: SlaTargetName; dueAt: string; lateMs: number };
  reminder: { count: number; unacknowledgedForMs: number };
  // Problem management beside the lifecycle.
  known_error_recorded: { knownErrorId: number; title: string };
  suggestion_helped: { kind: 'known_error' | 'past_incident'; match: 'same_check_and_failure' | 'same_category'; knownErrorId: number | null; ref: string | null; title: string };
  // The reporter in the loop (SOP-Insiden-003).
  /**
   * A message to the reporter was delivered: on which channel, for which notification event, and
   * what kind of contact it went to — never the contact itself (it is in the incident, for those who may read it).
   */
  reporter_informed: { channel: string; notification: 'resolved' | 'closed'; outboxId: number; contactKind: 'email' | 'phone' | 'other' };
  /** The desk switched telling the reporter on or off. */
  inform_reporter_changed: ActionData & { informReporter: boolean };
  // An integrity check's page reviewed (detector/integrity/).
  /** A person accepted what the integrity check sees now as its baseline: the fingerprints before (null: none) and after. */
  baseline_accepted: { check: string; fingerprint: string; previousFingerprint: string | null };
}

export type IncidentEventType = keyof IncidentEventData;

/** An event's type with the data that type carries. */
export type IncidentEventBody = { [T in IncidentEventType]: { type: T; data: IncidentEventData[T] } }[IncidentEventType];

/** An event as a rule or service proposes it; the writer adds when and by whom. */
export type EventDraft = IncidentEventBody & { fromStatus: IncidentStatus | null; toStatus: IncidentStatus | null; note: string | null };

/** What a change writes: the fields, and the events that record it (oldest first). */
export interface IncidentChange {
  patch: IncidentWrite;
  events: EventDraft[];
}

export type NewIncidentEvent = EventDraft & { at: Date; actor: string };

export type IncidentEvent = NewIncidentEvent & { id: number };

/** The actor of everything Sigap does by itself (probe incidents, breaches, auto-close). */
export const SYSTEM_ACTOR = 'sigap';
