// Every log-in attempt passes here: the database's memory of recent attempts decides whether the
// password is checked at all (login-throttle.ts), each outcome is remembered, logged (pino: user
// name, address, outcome; never the password) and written to the audit trail.
import type { Logger } from 'pino';
import type { AuditRecorder } from '../audit/audit-types.js';
import { TooManyRequestsError } from '../errors.js';
import type { AccountStore } from '../store/store-types.js';
import { historyWindow, judgeLogin, LOGIN_LIMITS, lockedUntil, type LoginVerdict } from './login-throttle.js';

export interface LoginClient {
  ip: string | null;
  userAgent: string | null;
}

type Refusal = Extract<LoginVerdict, { kind: 'refuse' | 'check-strictly' }>;

function waitText(seconds: number): string {
  if (seconds === 1) return '1 second';
  if (seconds < 120) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

const REFUSAL_TEXT: Record<Refusal['reason'], string> = {
  slowed: 'too many failed log-ins for this user name',
  locked: 'too many failed log-ins for this user name: it is locked',
  address: 'too many failed log-ins from your address',
};

export class LoginGate {
  constructor(
    private readonly accounts: AccountStore,
    private readonly clock: () => Date,
    private readonly audit: AuditRecorder | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  /** What the recent attempts call for before the password is checked. */
  async judge(username: string, client: LoginClient): Promise<LoginVerdict> {
    const now = this.clock();
    return judgeLogin(await this.accounts.loginHistory(username, client.ip, historyWindow(now)), now);
  }

  /**
   * The error a refused attempt answers. An attempt refused unchecked is logged here, neither
   * counted nor audited: refusals cost a guesser nothing, so they must not fill an audit trail that
   * is never pruned (the failures and the lockout that led to them are in it). A wrong password
   * refused after the check (`checked`) was logged and audited by failed().
   */
  async refused(username: string, client: LoginClient, verdict: Refusal, checked = false): Promise<TooManyRequestsError> {
    const seconds = Math.max(1, Math.ceil((verdict.until.getTime() - this.clock().getTime()) / 1000));
    if (!checked) {
      this.logger?.warn({ username, ip: client.ip, outcome: 'refused', reason: verdict.reason, retryAfterSeconds: seconds }, 'log-in refused');
    }
    return new TooManyRequestsError(`${REFUSAL_TEXT[verdict.reason]}; try again in ${waitText(seconds)}`, seconds);
  }

  /** A wrong password (or an unknown or inactive user): counted against the name and the address. */
  async failed(username: string, userId: number | null, client: LoginClient): Promise<void> {
    const now = this.clock();
    await this.accounts.recordLoginAttempt({ username, ip: client.ip, succeeded: false }, now);
    this.logger?.info({ username, ip: client.ip, outcome: 'failed' }, 'log-in failed');
    await this.audit?.record({ action: 'login.failed', actor: { userId, username }, ip: client.ip, target: username });
    // This failure locked the name: the lock's own log line and audit entry.
    const history = await this.accounts.loginHistory(username, null, historyWindow(now));
    if (lockedUntil(history, now)) {
      this.logger?.warn({ username, ip: client.ip, outcome: 'locked', lockedForSeconds: LOGIN_LIMITS.LOCK_MS / 1000 }, 'log-in locked');
      await this.audit?.record({
        action: 'login.locked',
        actor: { userId, username },
        ip: client.ip,
        target: username,
        detail: { failures: history.accountFailures.length, lockedForSeconds: LOGIN_LIMITS.LOCK_MS / 1000 },
      });
    }
  }

  /** A successful log-in: the name's failures no longer count, the address becomes known for it. */
  async succeeded(username: string, userId: number, client: LoginClient): Promise<void> {
    const now = this.clock();
    await this.accounts.recordLoginAttempt({ username, ip: client.ip, succeeded: true }, now);
    await this.accounts.pruneLoginAttempts(new Date(now.getTime() - LOGIN_LIMITS.TRUSTED_FOR_MS));
    this.logger?.info({ username, ip: client.ip, outcome: 'succeeded' }, 'log-in succeeded');
    await this.audit?.record({ action: 'login.succeeded', actor: { userId, username }, ip: client.ip, target: username });
  }
}
