// Services and checks as the rest of Sigap sees them: camelCase, Dates. The store maps rows onto
// these at its seam; rows never leave detector/store.
import type { FailureKind, PhaseTimings, ProbeEvidence, ProbeStatus } from '../../probes/probe-types.js';
import type { Impact } from '../incidents/priority.js';

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
   * The confirmed up ↔ down/degraded changes inside the flapping window. A streak rule sets it on a
   * change (the list with the change appended); the detector writes it when it changed.
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

export type OutageKind = 'down' | 'degraded';

/**
 * A confirmed outage of a check: from the first failed probe of the failure that was confirmed to
 * the restoration the detector recorded (null while it lasts). A change between down and degraded
 * without recovery ends one and starts the next at that result.
 */
export interface Outage {
  checkId: number;
  kind: OutageKind;
  startedAt: Date;
  endedAt: Date | null;
}
