// Which log-in attempts are refused before the password is even checked: a pure function of what
// the database remembers of recent attempts, so every web process (and both log-ins, the API's and
// the form's) applies one budget.
//
// Per account (the user name as typed, known or not, so that the answer never tells which names
// exist): after SLOW_AFTER failures in WINDOW the account waits a growing delay between attempts;
// after LOCK_AFTER failures it is locked for LOCK_MS after the last one, the right password
// included. A successful log-in starts the count again. Attempts refused here are not counted, so a
// guesser cannot keep a lock going past LOCK_MS without ever being checked.
//
// Per address: an address whose failures in WINDOW name ADDRESS_NAMES different user names or more
// is spraying passwords. Its attempts are refused, except for a user who logged in successfully
// from that same address within TRUSTED_FOR: behind an office's NAT one guesser must not shut out
// the colleagues who always log in from there. Such a user's password is still checked (their own
// account's limits hold), but a wrong one is answered as refused, like every other attempt from the
// address, so that the answers do not tell the guesser which names are in use there.

export const LOGIN_LIMITS = {
  WINDOW_MS: 15 * 60_000,
  SLOW_AFTER: 5,
  /** Wait after the SLOW_AFTER-th failure; doubles with each further one (1, 2, 4, 8, 16 s). */
  SLOW_BASE_MS: 1_000,
  LOCK_AFTER: 10,
  LOCK_MS: 15 * 60_000,
  ADDRESS_NAMES: 10,
  TRUSTED_FOR_MS: 30 * 24 * 3_600_000,
} as const;

/** What the database knows of recent attempts for one user name and one address. */
export interface LoginHistory {
  /** The name's latest failures since its last successful log-in, newest first, at most LOCK_AFTER (see historyWindow). */
  accountFailures: readonly Date[];
  /** The most recent failure per user name from the address in WINDOW, newest first, at most ADDRESS_NAMES. */
  addressNames: ReadonlyArray<{ username: string; lastAt: Date }>;
  /** The user name logged in successfully from this address within TRUSTED_FOR. */
  trustedAddress: boolean;
}

/** How far back the store looks for a LoginHistory at `now`. */
export interface LoginHistoryWindow {
  accountSince: Date;
  accountFailures: number;
  addressSince: Date;
  addressNames: number;
  trustedSince: Date;
}

export function historyWindow(now: Date): LoginHistoryWindow {
  const t = now.getTime();
  return {
    // A lock that started up to LOCK_MS ago counts failures up to WINDOW before it.
    accountSince: new Date(t - LOGIN_LIMITS.WINDOW_MS - LOGIN_LIMITS.LOCK_MS),
    accountFailures: LOGIN_LIMITS.LOCK_AFTER,
    addressSince: new Date(t - LOGIN_LIMITS.WINDOW_MS),
    addressNames: LOGIN_LIMITS.ADDRESS_NAMES,
    trustedSince: new Date(t - LOGIN_LIMITS.TRUSTED_FOR_MS),
  };
}

export type LoginVerdict =
  /** Check the password; a wrong one is an ordinary failure (401). */
  | { kind: 'check' }
  /** The address is refused but the user is known there: check, and answer a wrong password as refused. */
  | { kind: 'check-strictly'; reason: 'address'; until: Date }
  /** Refused without checking. */
  | { kind: 'refuse'; reason: 'slowed' | 'locked' | 'address'; until: Date };

export function slowDownMs(failures: number): number {
  return LOGIN_LIMITS.SLOW_BASE_MS * 2 ** (failures - LOGIN_LIMITS.SLOW_AFTER);
}

/** Until when the name is locked: LOCK_AFTER failures within WINDOW lock it for LOCK_MS after the last. */
export function lockedUntil(history: LoginHistory, now: Date): Date | null {
  const [last] = history.accountFailures;
  const first = history.accountFailures[LOGIN_LIMITS.LOCK_AFTER - 1];
  if (!last || !first || last.getTime() - first.getTime() >= LOGIN_LIMITS.WINDOW_MS) return null;
  const until = new Date(last.getTime() + LOGIN_LIMITS.LOCK_MS);
  return until > now ? until : null;
}

/** The refusal, if any, that the account alone calls for at `now`. */
function accountVerdict(history: LoginHistory, now: Date): LoginVerdict | null {
  const locked = lockedUntil(history, now);
  if (locked) return { kind: 'refuse', reason: 'locked', until: locked };
  const recent = history.accountFailures.filter((at) => at.getTime() > now.getTime() - LOGIN_LIMITS.WINDOW_MS);
  if (recent.length < LOGIN_LIMITS.SLOW_AFTER) return null;
  const until = new Date(recent[0]!.getTime() + slowDownMs(recent.length));
  return until > now ? { kind: 'refuse', reason: 'slowed', until } : null;
}

/** Until when the address is refused, or null: the ADDRESS_NAMES-th newest name leaves WINDOW then. */
function addressBlockedUntil(history: LoginHistory, now: Date): Date | null {
  if (history.addressNames.length < LOGIN_LIMITS.ADDRESS_NAMES) return null;
  const edge = history.addressNames[LOGIN_LIMITS.ADDRESS_NAMES - 1]!.lastAt;
  const until = new Date(edge.getTime() + LOGIN_LIMITS.WINDOW_MS);
  return until > now ? until : null;
}

export function judgeLogin(history: LoginHistory, now: Date): LoginVerdict {
  const account = accountVerdict(history, now);
  if (account) return account;
  const address = addressBlockedUntil(history, now);
  if (!address) return { kind: 'check' };
  return history.trustedAddress ? { kind: 'check-strictly', reason: 'address', until: address } : { kind: 'refuse', reason: 'address', until: address };
}
