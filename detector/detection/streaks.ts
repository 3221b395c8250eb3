// Failure and success streaks (Gatus's failure-threshold / success-threshold): a pure function
// from the check's stored state and one probe result to the next state and what it means.
import type { ProbeStatus } from '../../probes/probe-types.js';
import type { CheckRecord, CheckStatePatch } from './check-types.js';

export type StreakOutcome =
  /** The failure is confirmed (failureThreshold reached, or still failing after that). */
  | 'failure_confirmed'
  /** A failure that is not confirmed yet: probe again at retryInterval. */
  | 'failure_unconfirmed'
  /** The check was down and has now passed successThreshold times in a row. */
  | 'recovery_confirmed'
  | 'none';

export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

type StreakState = Pick<CheckRecord, 'state' | 'consecutiveFailures' | 'consecutiveSuccesses' | 'streakStartedAt' | 'lastStateChangeAt'> &
  Partial<Pick<CheckRecord, 'recentChanges'>>;

const isFailing = (status: ProbeStatus) => status === 'down' || status === 'degraded';

/** The changes flapping counts: up ↔ down/degraded (not from `unknown`, not down ↔ degraded). */
export function isUpDownChange(from: ProbeStatus, to: ProbeStatus): boolean {
  return (from === 'up' && isFailing(to)) || (isFailing(from) && to === 'up');
}

export function advanceStreak(prev: StreakState, result: { status: ProbeStatus; startedAt: Date }, t: Thresholds): { next: CheckStatePatch; outcome: StreakOutcome } {
  const at = result.startedAt;
  const withState = (state: ProbeStatus, fields: Omit<CheckStatePatch, 'state' | 'lastResultAt' | 'lastStateChangeAt' | 'recentChanges'>): CheckStatePatch => ({
    ...fields,
    state,
    lastResultAt: at,
    lastStateChangeAt: state === prev.state ? prev.lastStateChangeAt : at,
    // Dated, like the incident's detection and restoration, from the streak that made the change.
    ...(isUpDownChange(prev.state, state) ? { recentChanges: [...(prev.recentChanges ?? []), fields.streakStartedAt ?? at] } : {}),
  });

  if (result.status === 'unknown') {
    // The probing host could not judge: the streaks neither grow nor reset.
    const { state, consecutiveFailures, consecutiveSuccesses, streakStartedAt } = prev;
    return { next: withState(state, { consecutiveFailures, consecutiveSuccesses, streakStartedAt }), outcome: 'none' };
  }

  if (isFailing(result.status)) {
    const consecutiveFailures = prev.consecutiveFailures + 1;
    const streakStartedAt = prev.consecutiveFailures === 0 || !prev.streakStartedAt ? at : prev.streakStartedAt;
    const confirmed = consecutiveFailures >= t.failureThreshold;
    // Until confirmed, the check keeps the state it had; `unknown` (never probed) becomes `up`
    // only on a success.
    const state = confirmed ? result.status : prev.state;
    return {
      next: withState(state, { consecutiveFailures, consecutiveSuccesses: 0, streakStartedAt }),
      outcome: confirmed ? 'failure_confirmed' : 'failure_unconfirmed',
    };
  }

  const consecutiveSuccesses = prev.consecutiveSuccesses + 1;
  const streakStartedAt = prev.consecutiveSuccesses === 0 || !prev.streakStartedAt ? at : prev.streakStartedAt;
  const wasFailing = isFailing(prev.state);
  const recovered = wasFailing && consecutiveSuccesses >= t.successThreshold;
  const state = !wasFailing || recovered ? 'up' : prev.state;
  return {
    next: withState(state, { consecutiveFailures: 0, consecutiveSuccesses, streakStartedAt }),
    outcome: recovered ? 'recovery_confirmed' : 'none',
  };
}
