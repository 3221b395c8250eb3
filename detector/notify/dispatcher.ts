// Delivers the outbox: woken by every commit that wrote outbox rows (this process's at once, other
// processes' through the database's LISTEN/NOTIFY on PostgreSQL), at each failed row's next
// attempt, and every `pollMs` besides in case a wake was lost. It claims the rows that are due
// (one conditional update each, so of several processes exactly one takes a row), hands each to
// its channel, and records the outcome. A failure is retried with exponential backoff (capped)
// until it succeeds; a row whose channel no longer exists fails for good and waits for a person's
// "retry". At least once: a process that dies mid-delivery leaves its claim to expire, and another
// delivers the row again with the same Idempotency-Key.
import type { Logger } from 'pino';
import { OutageLog, Periodic } from '../periodic.js';
import type { Database, OutboxWatch, Stores } from '../store/store-types.js';
import { DeliveryError, type Channel, type OutboxRow } from './notification-types.js';

export interface DispatcherDeps {
  db: Database;
  /** Configured channels by key, and the e-mail transport for people reached by role (`role:*`). */
  channels: ReadonlyMap<string, Channel>;
  people: Channel | null;
  retry: { initialMs: number; maxMs: number };
  /** This process, as recorded on the rows it claims. */
  owner: string;
  clock: () => Date;
  logger: Logger;
  /** How often it looks for due rows without being woken (default every second): the safety net of lost wakes, and retries. */
  pollMs?: number;
  /** Rows taken per round (default 20). */
  batchSize?: number;
  /** Deliveries at once (default 4). */
  concurrency?: number;
  /** How long a claim lasts before another process may take the row (default 2 minutes). */
  claimMs?: number;
  /**
   * A message to a reporter (`audience: 'reporter'`) was delivered: runs in the transaction that
   * marks the row sent, so the incident's timeline says so exactly when the row is sent.
   */
  onReporterDelivered?: (stores: Stores, row: OutboxRow, at: Date) => Promise<void>;
}

export interface DispatchReport {
  sent: number;
  failed: number;
}

/** The wait before attempt n + 1 after n failures: initial × 2^(n-1), at most max. */
export function backoffMs(failures: number, retry: { initialMs: number; maxMs: number }): number {
  return Math.min(retry.maxMs, retry.initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

export class NotificationDispatcher {
  private readonly periodic = new Periodic(() => this.round());
  private readonly outage: OutageLog;
  private watch: OutboxWatch | null = null;
  /** A wake at the earliest next attempt of a row this process failed to deliver. */
  private retryTimer: { at: number; timer: NodeJS.Timeout } | null = null;
  private listenerLost = false;

  constructor(private readonly deps: DispatcherDeps) {
    this.outage = new OutageLog(deps.logger, { failed: 'cannot read the notification outbox; retrying every round', recovered: 'notification outbox reachable again' });
  }

  /** Deliver from now on: when woken by a commit, at each retry's time, and every `pollMs`. */
  start(): void {
    if (this.watch) return;
    const { logger } = this.deps;
    this.periodic.start(this.deps.pollMs ?? 1_000);
    this.watch = this.deps.db.watchOutbox(() => this.periodic.soon(), {
      listening: () => {
        if (this.listenerLost) logger.info('listening for committed notifications again');
        this.listenerLost = false;
      },
      lost: (err, retryInMs) => {
        const fields = { err: err instanceof Error ? err.message : String(err), retryInMs };
        if (this.listenerLost) logger.debug(fields, 'still not listening for committed notifications');
        else logger.warn(fields, 'stopped listening for committed notifications; polling meanwhile, listening again soon');
        this.listenerLost = true;
      },
    });
    // Rows left from before the start go now, not at the first poll.
    this.periodic.soon();
  }

  /** Stop taking rows and wait for the deliveries in progress. */
  async stop(): Promise<void> {
    await this.watch?.close();
    this.watch = null;
    if (this.retryTimer) clearTimeout(this.retryTimer.timer);
    this.retryTimer = null;
    await this.periodic.stop();
    for (const channel of new Set([...this.deps.channels.values(), ...(this.deps.people ? [this.deps.people] : [])])) await channel.close?.();
  }

  /** One round (the timer's, or a test's); a round still running is joined, not doubled. */
  tick(): Promise<DispatchReport> {
    return this.periodic.tick();
  }

  private async round(): Promise<DispatchReport> {
    const report: DispatchReport = { sent: 0, failed: 0 };
    const { db, logger } = this.deps;
    let due: OutboxRow[];
    try {
      due = await db.stores.notifications.listDue(this.deps.clock(), this.deps.batchSize ?? 20);
      this.outage.ok();
    } catch (err) {
      this.outage.failed({ err });
      return report;
    }
    const queue = [...due];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const outcome = await this.deliver(row).catch((err: unknown) => {
          logger.error({ err, outbox: row!.id }, 'could not record a notification delivery; it will be tried again');
          return null;
        });
        if (outcome === 'sent') report.sent += 1;
        if (outcome === 'failed') report.failed += 1;
      }
    };
    await Promise.all(Array.from({ length: this.deps.concurrency ?? 4 }, worker));
    // A full batch may have left more behind: the next round follows at once, not at the poll.
    if (this.watch && due.length >= (this.deps.batchSize ?? 20)) this.periodic.soon();
    return report;
  }

  /** Wake at `at` (a failed row's next attempt), or at an earlier retry already waited for. */
  private wakeAt(at: Date): void {
    if (!this.watch) return;
    const delay = Math.min(2 ** 31 - 1, Math.max(0, at.getTime() - this.deps.clock().getTime()));
    const due = Date.now() + delay;
    if (this.retryTimer && this.retryTimer.at <= due) return;
    if (this.retryTimer) clearTimeout(this.retryTimer.timer);
    const timer = setTimeout(() => {
      this.retryTimer = null;
      this.periodic.soon();
    }, delay);
    timer.unref();
    this.retryTimer = { at: due, timer };
  }

  private async deliver(row: OutboxRow): Promise<'sent' | 'failed' | 'taken'> {
    const { db, owner, clock, logger } = this.deps;
    const store = db.stores.notifications;
    const now = clock();
    if (!(await store.claim(row.id, owner, now, new Date(now.getTime() + (this.deps.claimMs ?? 120_000))))) return 'taken';
    const attempts = row.attempts + 1;
    const channel = this.deps.channels.get(row.channelKey) ?? (row.channelKey.startsWith('role:') ? this.deps.people : null);
    try {
      if (!channel) throw new DeliveryError(`channel "${row.channelKey}" is not configured any more`, true);
      await channel.send({ id: row.id, channelKey: row.channelKey, recipient: row.recipient, idempotencyKey: row.idempotencyKey, attempt: attempts, payload: row.payload });
    } catch (err) {
      const permanent = err instanceof DeliveryError && err.permanent;
      const message = err instanceof Error ? err.message : String(err);
      const nextAttemptAt = new Date(clock().getTime() + backoffMs(attempts, this.deps.retry));
      await store.markFailed(row.id, owner, { attempts, error: message, nextAttemptAt, permanent });
      if (!permanent) this.wakeAt(nextAttemptAt);
      logger.warn({ outbox: row.id, incident: row.incidentRef, channel: row.channelKey, attempts, error: message, permanent }, 'notification not delivered');
      return 'failed';
    }
    const hook = row.payload.audience === 'reporter' ? this.deps.onReporterDelivered : undefined;
    if (hook) {
      const sentAt = clock();
      await db.transaction(async (stores) => {
        await stores.notifications.markSent(row.id, owner, attempts, sentAt);
        await hook(stores, row, sentAt);
      });
    } else await store.markSent(row.id, owner, attempts, clock());
    logger.info({ outbox: row.id, incident: row.incidentRef, event: row.event, channel: row.channelKey, attempts }, 'notification delivered');
    return 'sent';
  }
}
