// Confirmation by k of n probe locations, as pure functions of the stored streaks, one
// result and its time. Each location (SIGAP_INSTANCE) keeps its own failure/success streak; the
// check's own row then holds what the locations agree on:
//
// - n is not configured: it is the locations that reported recently — a judging result (not
//   `unknown`) within 2 intervals + timeout of the result being handled. A location silent longer
//   (stale, or whose probing host is offline) counts neither for nor against, and starts its
//   streak over when it reports again.
// - A location's failure is confirmed by its own failureThreshold. The check fails when the live
//   locations with a confirmed failure are at least min(k, live locations) — for failures that
//   would open a P1 or P2 incident. A failure that would be P3–P5 fails the check from its first
//   location: the issue scopes confirmation to P1/P2, and a low-priority incident opened by one
//   site's view costs little.
// - The check is restored (by a success) as soon as that no longer holds: fewer than min(k, live)
//   locations still fail — the mirror of opening, so one site's local problem neither opens nor
//   holds open an incident.
// - It is detected at the earliest first failed probe among the failing locations; restored at
//   the first success of the location whose recovery broke the quorum.
import type { FailureKind, ProbeStatus } from '../../probes/probe-types.js';
import type { CheckRecord, CheckStatePatch } from './check-types.js';
import { priorityOf, type Impact } from '../incidents/priority.js';
import { advanceStreak, isUpDownChange, type StreakOutcome, type Thresholds } from './streaks.js';
import { classifyFailure } from '../incidents/taxonomy.js';

/** One check's streak as seen from one probe location. */
export interface LocationState {
  instance: string;
  state: ProbeStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  streakStartedAt: Date | null;
  /** The last result that judged the service (`unknown` does not). */
  lastResultAt: Date;
  /** The failing layer of its current failure, null while it passes. */
  failureKind: FailureKind | null;
}

export interface QuorumPolicy extends Thresholds {
  /** k: locations that must confirm a P1/P2 failure. */
  confirmLocations: number;
  intervalMs: number;
  timeoutMs: number;
  impact: Impact;
}

/** What a result means for the check, whichever way it was judged. */
export interface Judgement {
  next: CheckStatePatch;
  outcome: StreakOutcome;
  /** When the confirmed change began: detectedAt of a failure, serviceRestoredAt of a recovery. */
  since: Date;
  /** The first result that confirms this failure (not a later one that keeps it confirmed). */
  firstConfirmation: boolean;
  /** Probe again at retryInterval: a change has begun here and is not confirmed yet. */
  awaitingConfirmation: boolean;
}

type CheckStreak = Pick<CheckRecord, 'state' | 'consecutiveFailures' | 'consecutiveSuccesses' | 'streakStartedAt' | 'lastStateChangeAt' | 'recentChanges'>;
interface Result {
  status: ProbeStatus;
  startedAt: Date;
  failureKind: FailureKind | null;
}

const isFailing = (state: ProbeStatus) => state === 'down' || state === 'degraded';

/** A location silent this long no longer counts: two missed intervals and a probe's timeout. */
export function staleAfterMs(policy: Pick<QuorumPolicy, 'intervalMs' | 'timeoutMs'>): number {
  return 2 * policy.intervalMs + policy.timeoutMs;
}

export function isLive(location: LocationState, at: Date, policy: Pick<QuorumPolicy, 'intervalMs' | 'timeoutMs'>): boolean {
  return at.getTime() - location.lastResultAt.getTime() <= staleAfterMs(policy);
}

/** Whether a failure of this kind would open a P1 or P2 incident: the ones k locations confirm. */
export function needsQuorum(impact: Impact, kind: FailureKind | null): boolean {
  if (!kind) return true;
  const priority = priorityOf(impact, classifyFailure(kind).urgency);
  return priority === 'P1' || priority === 'P2';
}

/** Whether the live locations' confirmed failures, at `at`, make the check fail (rule above). */
export function quorumFails(locations: readonly LocationState[], at: Date, policy: QuorumPolicy): boolean {
  const live = locations.filter((l) => isLive(l, at, policy));
  const failing = live.filter((l) => isFailing(l.state));
  if (failing.length === 0) return false;
  if (failing.some((l) => !needsQuorum(policy.impact, l.failureKind))) return true;
  return failing.length >= Math.min(policy.confirmLocations, live.length);
}

/**
 * One result from `instance` advances that location's streak (Gatus's thresholds, per location).
 * Answers null for an `unknown` from a location never seen: there is nothing to record.
 */
export function advanceLocation(prev: LocationState | undefined, instance: string, result: Result, policy: QuorumPolicy): { next: LocationState | null; outcome: StreakOutcome } {
  if (result.status === 'unknown') return { next: prev ?? null, outcome: 'none' };
  const fresh = !prev || !isLive(prev, result.startedAt, policy);
  const base: LocationState = fresh
    ? { instance, state: 'unknown', consecutiveFailures: 0, consecutiveSuccesses: 0, streakStartedAt: null, lastResultAt: result.startedAt, failureKind: null }
    : prev;
  const { next, outcome } = advanceStreak({ ...base, lastStateChangeAt: null }, result, policy);
  const failureKind = isFailing(result.status) ? result.failureKind : isFailing(next.state) ? base.failureKind : null;
  const { state, consecutiveFailures, consecutiveSuccesses, streakStartedAt } = next;
  return { next: { instance, state, consecutiveFailures, consecutiveSuccesses, streakStartedAt, lastResultAt: result.startedAt, failureKind }, outcome };
}

/**
 * The check's state after one result from a location whose streak has already been advanced
 * (`location`), given every location's streak (that one's included).
 */
export function judgeByQuorum(
  prev: CheckStreak,
  locations: readonly LocationState[],
  location: { next: LocationState | null; outcome: StreakOutcome },
  result: Result,
  policy: QuorumPolicy,
): Judgement {
  const at = result.startedAt;
  const wasFailing = isFailing(prev.state);
  const keep = (outcome: StreakOutcome, awaitingConfirmation: boolean): Judgement => ({
    next: {
      state: prev.state,
      consecutiveFailures: prev.consecutiveFailures,
      consecutiveSuccesses: prev.consecutiveSuccesses,
      streakStartedAt: prev.streakStartedAt,
      lastResultAt: at,
      lastStateChangeAt: prev.lastStateChangeAt,
    },
    outcome,
    since: at,
    firstConfirmation: false,
    awaitingConfirmation,
  });
  const change = (
    state: ProbeStatus,
    fields: Pick<CheckStatePatch, 'consecutiveFailures' | 'consecutiveSuccesses' | 'streakStartedAt'>,
    outcome: StreakOutcome,
    since: Date,
  ): Judgement => ({
    next: {
      ...fields,
      state,
      lastResultAt: at,
      lastStateChangeAt: state === prev.state ? prev.lastStateChangeAt : at,
      ...(isUpDownChange(prev.state, state) ? { recentChanges: [...(prev.recentChanges ?? []), since] } : {}),
    },
    outcome,
    since,
    firstConfirmation: outcome === 'failure_confirmed' && !wasFailing,
    awaitingConfirmation: false,
  });

  if (result.status === 'unknown') return keep('none', false);

  if (isFailing(result.status)) {
    const confirmedHere = location.outcome === 'failure_confirmed';
    if (!confirmedHere || !(wasFailing || quorumFails(locations, at, policy))) return keep('failure_unconfirmed', true);
    const failingSince = locations.filter((l) => isLive(l, at, policy) && isFailing(l.state) && l.streakStartedAt).map((l) => l.streakStartedAt!.getTime());
    const since = wasFailing && prev.streakStartedAt ? prev.streakStartedAt : new Date(Math.min(...failingSince, at.getTime()));
    const consecutiveFailures = (wasFailing ? prev.consecutiveFailures : 0) + 1;
    return change(result.status, { consecutiveFailures, consecutiveSuccesses: 0, streakStartedAt: since }, 'failure_confirmed', since);
  }

  // A success.
  const recoveringHere = location.next !== null && isFailing(location.next.state) && location.next.consecutiveSuccesses > 0;
  if (wasFailing && quorumFails(locations, at, policy)) return keep('none', recoveringHere);
  if (wasFailing) {
    const since = location.outcome === 'recovery_confirmed' && location.next?.streakStartedAt ? location.next.streakStartedAt : at;
    return change('up', { consecutiveFailures: 0, consecutiveSuccesses: 1, streakStartedAt: since }, 'recovery_confirmed', since);
  }
  const streakStartedAt = prev.state === 'up' && prev.streakStartedAt ? prev.streakStartedAt : at;
  return { ...change('up', { consecutiveFailures: 0, consecutiveSuccesses: prev.consecutiveSuccesses + 1, streakStartedAt }, 'none', at), awaitingConfirmation: recoveringHere };
}
