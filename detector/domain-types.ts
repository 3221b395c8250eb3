// Domain records as the rest of Sigap sees them: camelCase, Dates, booleans. The store maps
// database rows onto these at its seam; rows never leave detector/store.
import type { FailureKind, PhaseTimings, ProbeEvidence, ProbeStatus } from '../probes/probe-types.js';
import type { IncidentStatus } from './incidents/lifecycle.js';
import type { Impact } from './incidents/priority.js';
import type { Priority } from './sla/due-times.js';
import type { Urgency } from './incidents/taxonomy.js';

export type IncidentSource = 'probe' | 'manual' | 'alertmanager';
export type UserRole = 'service_desk' | 'support' | 'vendor' | 'manager' | 'admin';
export const USER_ROLES: readonly UserRole[] = ['service_desk', 'support', 'vendor', 'manager', 'admin'];

/** Where Alertmanager alerts for an unknown service go (never dropped); created on demand, never deactivated by the config. */
export const CATCH_ALL_SERVICE = { key: 'other', name: 'Lainnya (Alertmanager)', impact: 'medium' } as const;

export interface ServiceRecord {
  id: number;
  key: string;
  name: string;
  impact: Impact;
}

/** A check with its live state: the streaks that decide when an incident opens or recovers. */
export interface CheckRecord {
  id: number;
  key: string;
  serviceId: number;
  serviceKey: string;
  type: string;
  target: string;
  state: ProbeStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the current run of failures, or of successes, began. */
  streakStartedAt: Date | null;
  lastResultAt: Date | null;
  lastStateChangeAt: Date | null;
  /** Confirmed up ↔ down/degraded changes still inside the flapping window, oldest first. */
  recentChanges: Date[];
  createdAt: Date;
  /** `file`: from sigap.yaml, read-only in the dashboard; `dashboard`: added by an admin. */
  source: 'file' | 'dashboard';
  active: boolean;
}

/** A check an admin defined in the dashboard, as stored: the definition is re-validated on load. */
export interface DashboardCheck {
  key: string;
  serviceKey: string;
  definition: unknown;
  active: boolean;
  updatedBy: string | null;
}

export interface CheckStatePatch {
  state: ProbeStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  streakStartedAt: Date | null;
  lastResultAt: Date;
  lastStateChangeAt: Date | null;
  /**
   * Set on a confirmed up ↔ down/degraded change: the loaded list with this change appended, so
   * later results of the same batch see it. The incident service stores the list (pruned).
   */
  recentChanges?: Date[];
}

export interface StoredResult {
  id: number;
  checkKey: string;
  startedAt: Date;
  durationMs: number;
  status: ProbeStatus;
  failureKind: FailureKind | null;
  httpStatus: number | null;
  errorCode: string | null;
  timings: PhaseTimings;
  evidence: ProbeEvidence | null;
  instance: string;
}

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
  >
>;

export interface IncidentEvent {
  id: number;
  at: Date;
  actor: string;
  type: string;
  fromStatus: IncidentStatus | null;
  toStatus: IncidentStatus | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

export type NewIncidentEvent = Omit<IncidentEvent, 'id'>;

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
  q?: string;
  /** A vendor sees only incidents escalated to level 2. */
  minEscalationLevel?: number;
  /** The owner's user name. */
  assignee?: string;
  /** true: a response or resolution target was missed; false: neither was. */
  breached?: boolean;
  /** The support group whose queue holds the incident (service_desk, support, vendor). */
  assignedGroup?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  language: 'id' | 'en';
  active: boolean;
  /** Where notifications to the user's role go (DESIGN §3 routes with `roles`); null: none. */
  email: string | null;
}

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
}

export interface ApiToken {
  id: number;
  name: string;
  userId: number;
  createdAt: Date;
}

/** A user as an administrator sees it. */
export interface UserAccount extends User {
  lastLoginAt: Date | null;
}

/** An API token as an administrator sees it: whose it is and when it was last used, never its secret. */
export interface ApiTokenListing extends ApiToken {
  username: string;
  lastUsedAt: Date | null;
}
