import type { Knex } from 'knex';
import type { CheckLease, LeaseStore, WorkerIdentity } from './store-types.js';

interface LeaseRow {
  check_key: string;
  owner: string;
  expires_at: number | string;
}

/**
 * Rows per statement: SQLite caps bound parameters per statement (4 per lease row), and keys are
 * sorted so that two PostgreSQL workers claiming overlapping batches lock rows in the same order.
 */
const CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export class KnexLeaseStore implements LeaseStore {
  constructor(private readonly db: Knex) {}

  async heartbeat(worker: WorkerIdentity, now: Date, expiresAt: Date): Promise<void> {
    const at = now.getTime();
    // A worker whose heartbeat expired is dead (or was cut off for longer than a lease): forget it.
    await this.db('workers').where('expires_at', '<', at).del();
    await this.db('workers')
      .insert({ owner: worker.owner, instance: worker.instance, pid: worker.pid, started_at: at, last_seen_at: at, expires_at: expiresAt.getTime() })
      .onConflict('owner')
      .merge(['last_seen_at', 'expires_at']);
  }

  async countLiveWorkers(instance: string, now: Date): Promise<number> {
    const row = await this.db('workers').where({ instance }).andWhere('expires_at', '>=', now.getTime()).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async listLeases(instance: string): Promise<CheckLease[]> {
    const rows: LeaseRow[] = await this.db('check_leases').where({ instance }).select('check_key', 'owner', 'expires_at');
    return rows.map((r) => ({ checkKey: r.check_key, owner: r.owner, expiresAt: new Date(Number(r.expires_at)) }));
  }

  async claim(instance: string, owner: string, checkKeys: readonly string[], now: Date, expiresAt: Date): Promise<void> {
    const until = expiresAt.getTime();
    for (const batch of chunks([...new Set(checkKeys)].sort())) {
      // One atomic statement per batch on both databases: a row is taken only if it is free,
      // expired or already ours; a lease another worker holds is left alone.
      await this.db('check_leases')
        .insert(batch.map((check_key) => ({ check_key, instance, owner, expires_at: until })))
        .onConflict(['check_key', 'instance'])
        .merge(['owner', 'expires_at'])
        .where('check_leases.expires_at', '<', now.getTime())
        .orWhere('check_leases.owner', owner);
    }
  }

  async release(instance: string, owner: string, checkKeys?: readonly string[]): Promise<void> {
    if (checkKeys === undefined) {
      await this.db('check_leases').where({ instance, owner }).del();
      return;
    }
    for (const batch of chunks([...checkKeys].sort())) await this.db('check_leases').where({ instance, owner }).whereIn('check_key', batch).del();
  }

  async leave(worker: WorkerIdentity): Promise<void> {
    await this.release(worker.instance, worker.owner);
    await this.db('workers').where({ owner: worker.owner }).del();
  }
}
