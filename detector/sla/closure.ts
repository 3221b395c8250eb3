// SOP-Insiden-003 as pure rules: when a resolved incident may close (a probe incident only after
// its check has been healthy for `verifyFor`), when it closes by itself (`autoCloseAfter`, never
// P1), and the checklist the incident page shows before closure.
import type { PolicyConfig } from '../../config.js';
import type { CheckRecord } from '../detection/check-types.js';
import { changedFields } from '../incidents/incident-actions.js';
import type { IncidentChange } from '../incidents/incident-events.js';
import type { Incident, IncidentWrite, LockedIncident, Verification } from '../incidents/incident-types.js';

export interface VerificationInput {
  incident: Pick<Incident, 'source' | 'check'>;
  /** The check's live state, or null when it no longer exists. */
  check: Pick<CheckRecord, 'active' | 'state' | 'consecutiveFailures' | 'streakStartedAt' | 'lastResultAt'> | null;
  /** A result older than this means probing has stopped: "healthy" cannot be claimed. */
  staleAfterMs: number;
  verifyForMs: number;
  now: Date;
}

export function verifyRestoration({ incident, check, staleAfterMs, verifyForMs, now }: VerificationInput): Verification {
  const base = { requiredMs: verifyForMs, healthyForMs: null, remainingMs: 0 };
  if (incident.source !== 'probe' || !incident.check) return { ...base, state: 'not_required', reason: 'manual_or_alert' };
  if (!check || !check.active) return { ...base, state: 'waived', reason: 'check_no_longer_probed' };
  const waiting = (reason: Verification['reason'], healthyForMs: number) => ({
    state: 'waiting' as const,
    reason,
    healthyForMs,
    requiredMs: verifyForMs,
    remainingMs: Math.max(0, verifyForMs - healthyForMs),
  });
  // A success streak since streakStartedAt, with no failure after it, is "healthy continuously".
  const healthy = check.state === 'up' && check.consecutiveFailures === 0 && check.streakStartedAt !== null;
  const healthyForMs = healthy ? Math.max(0, now.getTime() - check.streakStartedAt!.getTime()) : 0;
  if (!healthy) return waiting('not_healthy', 0);
  if (!check.lastResultAt || now.getTime() - check.lastResultAt.getTime() > staleAfterMs) return waiting('no_recent_results', healthyForMs);
  if (healthyForMs < verifyForMs) return waiting('healthy_too_briefly', healthyForMs);
  return { state: 'verified', reason: 'healthy', healthyForMs, requiredMs: verifyForMs, remainingMs: 0 };
}

/** What a person confirms when resolving while the probes still see the failure (recorded in the `resolve` event). */
export interface StillFailing {
  check: string;
  state: 'down' | 'degraded';
  /** When the check's current failing streak began. */
  since: string | null;
}

/**
 * Whether the probes still see a probe incident's failure: not restored, and its check (still
 * probed) down or degraded now. Resolving then needs a confirmation — the incident will most
 * likely reopen with the next failed probe.
 */
export function stillFailing(
  incident: Pick<Incident, 'source' | 'check' | 'serviceRestoredAt'>,
  check: Pick<CheckRecord, 'active' | 'state' | 'streakStartedAt'> | null,
): StillFailing | null {
  if (incident.source !== 'probe' || !incident.check || incident.serviceRestoredAt || !check?.active) return null;
  if (check.state !== 'down' && check.state !== 'degraded') return null;
  return { check: incident.check, state: check.state, since: check.streakStartedAt?.toISOString() ?? null };
}

/** Whether a verification lets the incident close. */
export const allowsClosure = (v: Verification) => v.state !== 'waiting';

/** When a resolved incident closes by itself, or null when it never will (P1, not resolved). */
export function autoCloseAt(incident: Pick<Incident, 'status' | 'priority' | 'resolvedAt'>, policy: Pick<PolicyConfig, 'autoCloseAfterMs'>): Date | null {
  if (incident.status !== 'resolved' || incident.priority === 'P1' || !incident.resolvedAt) return null;
  return new Date(incident.resolvedAt.getTime() + policy.autoCloseAfterMs);
}

/** Resolved long enough and verified: close as `auto_closed` with Sigap's event. Null when not yet (or never). */
export function autoCloseChange(incident: LockedIncident, verification: Verification, policy: Pick<PolicyConfig, 'autoCloseAfterMs'>, now: Date): IncidentChange | null {
  const at = autoCloseAt(incident, policy);
  if (!at || now.getTime() < at.getTime() || !allowsClosure(verification)) return null;
  const days = Math.round((policy.autoCloseAfterMs / 86_400_000) * 10) / 10;
  const closureNotes = `Ditutup otomatis: ${days} hari setelah diselesaikan tanpa dibuka kembali.`;
  const patch: IncidentWrite = { status: 'closed', closedAt: now, closureCode: 'auto_closed', closureNotes };
  return {
    patch,
    events: [
      {
        type: 'close',
        fromStatus: incident.status,
        toStatus: 'closed',
        note: closureNotes,
        data: { automatic: true, verification, changes: changedFields(incident, patch) },
      },
    ],
  };
}

export interface ChecklistItem {
  item: 'resolution_documented' | 'service_verified' | 'reporter_informed';
  /** null: does not apply to this incident (no reporter to inform). */
  done: boolean | null;
}

/** What SOP-Insiden-003 asks before closure, as the incident page shows it. */
export function closureChecklist(
  incident: Pick<Incident, 'status' | 'resolutionCode' | 'resolutionNotes' | 'reporter' | 'reporterInformedAt' | 'closureCode'>,
  verification: Verification,
): ChecklistItem[] {
  const finished = incident.status === 'closed';
  return [
    { item: 'resolution_documented', done: Boolean(incident.resolutionCode && incident.resolutionNotes) },
    { item: 'service_verified', done: finished || verification.state !== 'waiting' },
    { item: 'reporter_informed', done: incident.reporter ? reporterInformed(incident) : null },
  ];
}

/**
 * The reporter was told for real: a message to them was delivered (the `reporter_informed` event
 * set `reporterInformedAt`), or the desk closed it recording that the reporter confirmed. Closing
 * alone, or closing as `unconfirmed` (not reached), does not tick it.
 */
export function reporterInformed(incident: Pick<Incident, 'status' | 'reporterInformedAt' | 'closureCode'>): boolean {
  return incident.reporterInformedAt !== null || (incident.status === 'closed' && incident.closureCode === 'confirmed');
}

/** Three recurrences of the same check and failure kind in 30 days suggest a known error (problem management). */
export const RECURRENCE_HINT = { count: 3, windowMs: 30 * 86_400_000 } as const;
