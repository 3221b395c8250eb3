// What the notification outbox and the monthly report's copies share: rows delivered with retries,
// each claimed by one process at a time (`locked_by`, `locked_until`), then marked sent or failed.
// Both tables have these columns; the stores call these with their table's name.
import type { Knex } from 'knex';

export interface DeliveryFailure {
  attempts: number;
  error: string;
  nextAttemptAt: Date;
  /** A refusal for good (the relay's 5xx): the row is `failed`, never retried. */
  permanent: boolean;
}

/** Pending, due and not claimed by a live process: `alias` names the table in a query that joins others. */
export function whereDue<Q extends Knex.QueryBuilder>(query: Q, now: Date, alias = ''): Q {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  return query
    .where(col('status'), 'pending')
    .where(col('next_attempt_at'), '<=', now.getTime())
    .where((w) => w.whereNull(col('locked_until')).orWhere(col('locked_until'), '<', now.getTime()))
    .orderBy(col('next_attempt_at'), 'asc')
    .orderBy(col('id'), 'asc') as Q;
}

/** One conditional update decides: of two processes claiming one row, exactly one changes it. */
export async function claimDelivery(db: Knex, table: string, id: number, owner: string, now: Date, lockedUntil: Date): Promise<boolean> {
  const changed = await db(table)
    .where({ id, status: 'pending' })
    .where((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now.getTime()))
    .update({ locked_by: owner, locked_until: lockedUntil.getTime() });
  return Number(changed) === 1;
}

export async function markDeliverySent(db: Knex, table: string, id: number, owner: string, attempts: number, now: Date): Promise<void> {
  await db(table).where({ id, locked_by: owner }).update({ status: 'sent', attempts, sent_at: now.getTime(), last_error: null, locked_by: null, locked_until: null });
}

export async function markDeliveryFailed(db: Knex, table: string, id: number, owner: string, failure: DeliveryFailure): Promise<void> {
  await db(table)
    .where({ id, locked_by: owner })
    .update({
      status: failure.permanent ? 'failed' : 'pending',
      attempts: failure.attempts,
      last_error: failure.error.slice(0, 1000),
      next_attempt_at: failure.nextAttemptAt.getTime(),
      locked_by: null,
      locked_until: null,
    });
}
