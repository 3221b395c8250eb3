// The incident record as the rest of Sigap sees it: camelCase, Dates, booleans. The store maps rows
// onto these at its seam; rows never leave detector/store.
import type { FailureKind, PhaseTimings, ProbeEvidence } from '../../probes/probe-types.js';
import type { IncidentStatus } from './lifecycle.js';
import type { Impact, Priority } from './priority.js';
import type { Urgency } from './taxonomy.js';
import type { ReportedVia } from './reporter.js';

export type IncidentSource = 'probe' | 'manual' | 'alertmanager';

export interface IncidentEvidence extends ProbeEvidence {
  checkedAt?: string;
  durationMs?: number;
  timings?: PhaseTimings;
  failureKind?: FailureKind;
  /** Alertmanager incidents: the alert as last received. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generatorURL?: string;
}

export interface Incident {
  id: number;
  ref: string;
  title: string;
  description: string;
  service: string;
  check: string | null;
  source: IncidentSource;
  category: string;
  subcategory: string;
  failureKind: FailureKind | null;
  impact: Impact;
  urgency: Urgency;
  priority: Priority;
  status: IncidentStatus;
  escalationLevel: number;
  assignedGroup: string;
  assignee: string | null;
  reporter: { name: string; contact: string | null } | null;
  /** How a manual incident's report came in; null for probe and Alertmanager incidents. */
  reportedVia: ReportedVia | null;
  /** Whether the reporter is told on resolution/closure (the desk may switch it off); false without a reporter. */
  informReporter: boolean;
  /** When a message to the reporter was last delivered; null: not (yet). */
  reporterInformedAt: Date | null;
  flapping: boolean;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  responseDueAt: Date;
  resolveDueAt: Date;
  serviceRestoredAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  responseBreached: boolean;
  resolutionBreached: boolean;
  /** The head of division has been brought in (P1, a breach, or on request: SOP-Insiden-002). */
  managementEscalated: boolean;
  resolutionCode: string | null;
  resolutionNotes: string | null;
  closureCode: string | null;
  reopenCount: number;
  relatedRef: string | null;
  evidence: IncidentEvidence | null;
}

export interface NewIncident {
  title: string;
  description: string;
  serviceId: number;
  checkId: number | null;
  source: IncidentSource;
  category: string;
  subcategory: string;
  failureKind: FailureKind | null;
  impact: Impact;
  urgency: Urgency;
  priority: Priority;
  status: IncidentStatus;
  escalationLevel: number;
  assignedGroup: string;
  reporter: { name: string; contact: string | null } | null;
  reportedVia?: ReportedVia | null;
  informReporter?: boolean | null;
  detectedAt: Date;
  responseDueAt: Date;
  resolveDueAt: Date;
  responseWarnAt: Date;
  resolveWarnAt: Date;
  evidence: IncidentEvidence | null;
  /** The earlier incident of the same check this one recurs (shown as `relatedRef`). */
  relatedIncidentId?: number | null;
  /** Alertmanager's alert fingerprint: at most one open incident per fingerprint. */
  fingerprint?: string | null;
}

/** The columns a lifecycle change may write. */
export type IncidentPatch = Partial<
  Pick<
    Incident,
    | 'status'
    | 'escalationLevel'
    | 'assignedGroup'
    | 'assignee'
    | 'flapping'
    | 'acknowledgedAt'
    | 'serviceRestoredAt'
    | 'resolvedAt'
    | 'closedAt'
    | 'resolutionCode'
    | 'resolutionNotes'
    | 'closureCode'
    | 'reopenCount'
    | 'impact'
    | 'urgency'
    | 'priority'
    | 'responseDueAt'
    | 'resolveDueAt'
    | 'responseBreached'
    | 'resolutionBreached'
    | 'managementEscalated'
    | 'informReporter'
    | 'reporterInformedAt'
  >
>;

export interface KnownError {
  id: number;
  title: string;
  /** Service and check keys; null when the known error is not tied to one. */
  service: string | null;
  check: string | null;
  failureKind: FailureKind | null;
  category: string;
  subcategory: string;
  symptoms: string;
  cause: string;
  workaround: string;
  resolution: string;
  /** The incident it was recorded from. */
  sourceRef: string | null;
  createdBy: string;
  createdAt: Date;
}

export type NewKnownError = Omit<KnownError, 'id' | 'service' | 'check' | 'sourceRef' | 'createdAt'> & {
  serviceId: number | null;
  checkId: number | null;
  sourceIncidentId: number | null;
};

export interface KnownErrorFilter {
  /** Words in the title, symptoms, cause, workaround or resolution. */
  q?: string;
  category?: string;
}

export interface Suggestion {
  kind: 'known_error' | 'past_incident';
  /** Why it was suggested: same check and failure kind, or same category. */
  match: 'same_check_and_failure' | 'same_category';
  title: string;
  ref: string | null;
  knownErrorId: number | null;
  resolution: string | null;
}

export interface IncidentFilter {
  status?: IncidentStatus[];
  /** Only incidents still needing work (new, assigned, escalated, pending). */
  openOnly?: boolean;
  priority?: Priority[];
  service?: string;
  category?: string;
  /** A substring of the ref, title, description or an event's note (A–Z in any case). */
  q?: string;
  /** A vendor sees only incidents escalated to level 2. */
  minEscalationLevel?: number;
  /** The owner's user name. */
  assignee?: string;
  /** true: a response or resolution target was missed; false: neither was. */
  breached?: boolean;
  /** The support group whose queue holds the incident (service_desk, support, vendor). */
  assignedGroup?: string;
  /** How the report came in (manual incidents). */
  reportedVia?: ReportedVia;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What only the lifecycle reads and writes: the resolution clock's pause bookkeeping. */
export interface IncidentClockState {
  /** The state `resume` returns to; null unless pending. */
  statusBeforePending: IncidentStatus | null;
  /**
   * Time the resolution clock did not count so far — pending, and spells resolved before a reopen —
   * measured on the clock of the current priority.
   */
  pausedMs: number;
  /** When each target's warning is due (null for rows older than warnings), and whether it went out. */
  responseWarnAt: Date | null;
  resolveWarnAt: Date | null;
  responseWarned: boolean;
  resolutionWarned: boolean;
  /** Reminders while unacknowledged: when the last went out, and how many did. */
  remindedAt: Date | null;
  reminderCount: number;
}

export type IncidentWrite = IncidentPatch & Partial<IncidentClockState> & { closureNotes?: string | null; evidence?: IncidentEvidence | null };

/** A spell the resolution clock did not count: `pending` (a person paused it) or `resolved` (ended by a reopen). */
export type PauseKind = 'pending' | 'resolved';

export interface IncidentPause {
  id: number;
  incidentId: number;
  startedAt: Date;
  endedAt: Date | null;
  reason: string;
  kind: PauseKind;
}

/** An incident with its clock state, as read under its row lock. */
export type LockedIncident = Incident & IncidentClockState;

export type VerificationState =
  /** Not a probe incident: a person confirms with the reporter instead. */
  | 'not_required'
  | 'verified'
  /** The check is not healthy yet, or not for long enough, or has no recent results. */
  | 'waiting'
  /** The check is no longer probed (removed or disabled): nothing can verify, so nothing blocks. */
  | 'waived';

export interface Verification {
  state: VerificationState;
  reason: 'manual_or_alert' | 'healthy' | 'healthy_too_briefly' | 'not_healthy' | 'no_recent_results' | 'check_no_longer_probed';
  /** How long the check has been healthy without a failure in between; null when not probed. */
  healthyForMs: number | null;
  requiredMs: number;
  remainingMs: number;
}
