import { describe, expect, it } from 'vitest';
import type { CheckRecord } from '../../../detector/detection/check-types.js';
import { advanceStreak, type StreakOutcome } from '../../../detector/detection/streaks.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';

const T0 = Date.parse('2026-11-27T01:00:00Z');
const thresholds = { failureThreshold: 3, successThreshold: 2 };
type State = Pick<CheckRecord, 'state' | 'consecutiveFailures' | 'consecutiveSuccesses' | 'streakStartedAt' | 'lastStateChangeAt'> & Partial<Pick<CheckRecord, 'recentChanges'>>;
const fresh: State = { state: 'unknown', consecutiveFailures: 0, consecutiveSuccesses: 0, streakStartedAt: null, lastStateChangeAt: null };

/** Feed a sequence of statuses, one a minute; answer each outcome and the final state. */
function run(statuses: ProbeStatus[], start: State = fresh) {
  let state = start;
  const outcomes: StreakOutcome[] = [];
  statuses.forEach((status, minute) => {
    const { next, outcome } = advanceStreak(state, { status, startedAt: new Date(T0 + minute * 60_000) }, thresholds);
    state = { ...state, ...next }; // as the detector merges it
    outcomes.push(outcome);
  });
  return { state, outcomes };
}

const minute = (n: number) => new Date(T0 + n * 60_000);

describe('advanceStreak', () => {
  it.each([
    { name: 'a first success marks a never-probed check up', seq: ['up'], state: 'up', last: 'none' },
    { name: 'two failures are not yet an outage', seq: ['up', 'down', 'down'], state: 'up', last: 'failure_unconfirmed' },
    { name: 'the third consecutive failure confirms it', seq: ['up', 'down', 'down', 'down'], state: 'down', last: 'failure_confirmed' },
    { name: 'one success resets the failure count', seq: ['down', 'down', 'up', 'down', 'down'], state: 'up', last: 'failure_unconfirmed' },
    { name: 'a slow streak is confirmed as degraded', seq: ['degraded', 'degraded', 'degraded'], state: 'degraded', last: 'failure_confirmed' },
    { name: 'slow and down mix into one failing streak', seq: ['degraded', 'down', 'down'], state: 'down', last: 'failure_confirmed' },
    { name: 'one success after an outage is not yet a recovery', seq: ['down', 'down', 'down', 'up'], state: 'down', last: 'none' },
    { name: 'two successes after an outage confirm recovery', seq: ['down', 'down', 'down', 'up', 'up'], state: 'up', last: 'recovery_confirmed' },
    { name: 'unknown results neither count nor reset', seq: ['down', 'unknown', 'down', 'unknown', 'down'], state: 'down', last: 'failure_confirmed' },
  ] as const)('$name', ({ seq, state, last }) => {
    const out = run([...seq]);
    expect(out.state.state).toBe(state);
    expect(out.outcomes.at(-1)).toBe(last);
  });

  it('dates a confirmed failure from the first failed probe of the streak', () => {
    const { state } = run(['up', 'up', 'down', 'down', 'down', 'down']);
    expect(state.streakStartedAt).toEqual(minute(2));
    expect(state.consecutiveFailures).toBe(4);
  });

  it('dates a recovery from the first success of the streak that confirmed it', () => {
    const { state } = run(['down', 'down', 'down', 'up', 'down', 'up', 'up']);
    expect(state.streakStartedAt).toEqual(minute(5));
    expect(state.state).toBe('up');
  });

  it('keeps counting across a restart from the stored state', () => {
    const before = run(['up', 'down', 'down']).state;
    const after = run(['down'], before);
    expect(after.outcomes).toEqual(['failure_confirmed']);
    expect(after.state.streakStartedAt).toEqual(minute(1));
  });

  it('records when the state last changed', () => {
    const { state } = run(['up', 'up', 'down', 'down', 'down']);
    expect(state.lastStateChangeAt).toEqual(minute(4));
  });

  it.each([
    { name: 'a first success from unknown is no change', seq: ['up', 'up'], changes: undefined },
    { name: 'a first outage from unknown is no change', seq: ['down', 'down', 'down'], changes: undefined },
    { name: 'an unconfirmed failure is no change', seq: ['up', 'down', 'down', 'up'], changes: undefined },
    { name: 'up → down is dated from the first failed probe', seq: ['up', 'down', 'down', 'down'], changes: [1] },
    { name: 'down → up is dated from the first success of the recovery', seq: ['up', 'down', 'down', 'down', 'up', 'up'], changes: [1, 4] },
    { name: 'down ↔ degraded is no change', seq: ['up', 'degraded', 'degraded', 'degraded', 'down', 'down'], changes: [1] },
  ] as const)('flapping counts confirmed up ↔ down/degraded changes: $name', ({ seq, changes }) => {
    expect(run([...seq]).state.recentChanges).toEqual(changes?.map(minute));
  });

  it('appends a change to the changes loaded with the check', () => {
    const start: State = { state: 'up', consecutiveFailures: 2, consecutiveSuccesses: 0, streakStartedAt: minute(0), lastStateChangeAt: null, recentChanges: [minute(-5)] };
    const { next } = advanceStreak(start, { status: 'down', startedAt: minute(2) }, thresholds);
    expect(next.recentChanges).toEqual([minute(-5), minute(0)]);
  });
});
