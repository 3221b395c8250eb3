// The wake of the notification dispatcher: a commit that wrote outbox rows says so, after it
// committed. In this process through a list of listeners the Database calls after COMMIT; between
// processes on PostgreSQL through NOTIFY, which the server delivers only when (and if) the
// transaction commits, and one LISTEN connection per watcher, opened again after a drop.
import pg from 'pg';
import type { Knex } from 'knex';
import type { OutboxWatch, OutboxWatchEvents } from './store-types.js';

/** The PostgreSQL channel every Sigap process listens on (per database: NOTIFY never crosses databases). */
export const OUTBOX_CHANNEL = 'sigap_outbox';

/** The first wait before listening again after a drop, doubled per failed try up to the cap. */
const RELISTEN_MS = { first: 250, max: 30_000 };

/** What a notification store calls once it has written outbox rows (or made one due again). */
export type OutboxWritten = () => Promise<void>;

/** This process's watchers of one database: called after a commit, each on its own. */
export class OutboxWakers {
  private readonly wakers = new Set<() => void>();

  add(wake: () => void): () => void {
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  wakeAll(): void {
    for (const wake of this.wakers) {
      try {
        wake();
      } catch {
        // a watcher's fault is its own; the commit it follows stands
      }
    }
  }
}

/**
 * The `written` of the stores one transaction is handed: on PostgreSQL a NOTIFY in that
 * transaction (once), and a note that `afterCommit` must wake this process's watchers.
 */
export function transactionSignal(trx: Knex, postgres: boolean): { written: OutboxWritten; wrote: () => boolean } {
  let wrote = false;
  return {
    written: async () => {
      if (wrote) return;
      if (postgres) await trx.raw('select pg_notify(?, ?)', [OUTBOX_CHANNEL, '']);
      wrote = true;
    },
    wrote: () => wrote,
  };
}

/** The `written` of stores outside a transaction: each statement has committed when it answers. */
export function autocommitSignal(knex: Knex, postgres: boolean, wakers: OutboxWakers): OutboxWritten {
  return async () => {
    wakers.wakeAll();
    if (postgres) await knex.raw('select pg_notify(?, ?)', [OUTBOX_CHANNEL, '']);
  };
}

/**
 * One connection of its own that LISTENs for other processes' commits; after an error or an end
 * it is opened again after RELISTEN_MS, doubled per failed try. Each time it is (re)opened it
 * wakes once, for what was committed while nobody listened.
 */
export function listenForOutbox(connectionString: string, wake: () => void, events: OutboxWatchEvents): OutboxWatch {
  let closed = false;
  let current: pg.Client | null = null;
  let failures = 0;
  let timer: NodeJS.Timeout | null = null;

  const drop = (client: pg.Client, dropped: { done: boolean }, err: unknown) => {
    if (dropped.done) return;
    dropped.done = true;
    if (current === client) current = null;
    client.end().catch(() => undefined);
    if (closed) return;
    const retryInMs = Math.min(RELISTEN_MS.max, RELISTEN_MS.first * 2 ** Math.min(failures, 16));
    failures += 1;
    events.lost?.(err, retryInMs);
    timer = setTimeout(() => void connect(), retryInMs);
    timer.unref();
  };

  const connect = async () => {
    timer = null;
    if (closed) return;
    const client = new pg.Client({ connectionString, keepAlive: true });
    const dropped = { done: false };
    client.on('notification', (message) => {
      if (message.channel === OUTBOX_CHANNEL) wake();
    });
    client.on('error', (err) => drop(client, dropped, err));
    client.on('end', () => drop(client, dropped, new Error('the listening connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      drop(client, dropped, err);
      return;
    }
    if (closed || dropped.done) {
      if (!dropped.done) {
        dropped.done = true;
        await client.end().catch(() => undefined);
      }
      return;
    }
    current = client;
    failures = 0;
    events.listening?.();
    wake();
  };

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const client = current;
      current = null;
      await client?.end().catch(() => undefined);
    },
  };
}
