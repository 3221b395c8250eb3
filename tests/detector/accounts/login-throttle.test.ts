// The log-in throttle as a table of cases: a pure function of the recent attempts and the time.
import { describe, expect, it } from 'vitest';
import { judgeLogin, LOGIN_LIMITS, type LoginHistory } from '../../../detector/accounts/login-throttle.js';

const NOW = new Date('2026-12-04T01:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const S = 1_000;
const M = 60_000;
/** `n` failures, the newest `newest` ago and the others `gap` apart before it. */
const failures = (n: number, newest: number, gap = S) => Array.from({ length: n }, (_, i) => ago(newest + i * gap));
const names = (n: number, newest = M) => Array.from({ length: n }, (_, i) => ({ username: `u${i}`, lastAt: ago(newest + i * S) }));
const history = (h: Partial<LoginHistory>): LoginHistory => ({ accountFailures: [], addressNames: [], trustedAddress: false, ...h });

describe('judgeLogin', () => {
  it.each([
    ['no failures', history({}), { kind: 'check' }],
    ['4 failures just now', history({ accountFailures: failures(4, 0) }), { kind: 'check' }],
    ['5 failures, the last just now: wait 1 s', history({ accountFailures: failures(5, 0) }), { kind: 'refuse', reason: 'slowed', until: new Date(NOW.getTime() + S) }],
    ['5 failures, the last 1 s ago: the wait is over', history({ accountFailures: failures(5, S) }), { kind: 'check' }],
    ['8 failures, the last 3 s ago: wait 8 s after it', history({ accountFailures: failures(8, 3 * S) }), { kind: 'refuse', reason: 'slowed', until: ago(3 * S - 8 * S) }],
    ['5 failures of which 1 in the last 15 minutes', history({ accountFailures: [ago(M), ...failures(4, 20 * M)] }), { kind: 'check' }],
    ['10 failures within 15 minutes, the last 14 minutes ago: locked', history({ accountFailures: failures(10, 14 * M, M) }), { kind: 'refuse', reason: 'locked', until: ago(-M) }],
    ['10 failures within 15 minutes, the last 15 minutes ago: free again', history({ accountFailures: failures(10, 15 * M, S) }), { kind: 'check' }],
    [
      '10 failures spread over more than 15 minutes: slowed, not locked',
      history({ accountFailures: failures(10, 0, 2 * M) }),
      { kind: 'refuse', reason: 'slowed', until: new Date(NOW.getTime() + 8 * S) },
    ],
    ['9 names failed from the address', history({ addressNames: names(9) }), { kind: 'check' }],
    ['10 names failed from the address: refused', history({ addressNames: names(10) }), { kind: 'refuse', reason: 'address', until: new Date(NOW.getTime() - M - 9 * S + 15 * M) }],
    [
      '10 names failed from the address, a user who logs in from it: checked strictly',
      history({ addressNames: names(10), trustedAddress: true }),
      { kind: 'check-strictly', reason: 'address', until: new Date(NOW.getTime() - M - 9 * S + 15 * M) },
    ],
    [
      'a locked name from a refused address: the lock speaks',
      history({ addressNames: names(10), trustedAddress: true, accountFailures: failures(10, 0) }),
      { kind: 'refuse', reason: 'locked', until: new Date(NOW.getTime() + 15 * M) },
    ],
  ])('%s', (_what, h, verdict) => {
    expect(judgeLogin(h, NOW)).toEqual(verdict);
  });

  it('slows, then locks: the limits an operator is told about', () => {
    expect(LOGIN_LIMITS).toMatchObject({ SLOW_AFTER: 5, LOCK_AFTER: 10, WINDOW_MS: 15 * M, LOCK_MS: 15 * M, ADDRESS_NAMES: 10 });
  });
});
