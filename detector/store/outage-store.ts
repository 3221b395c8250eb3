import type { Knex } from 'knex';
import type { Outage, OutageKind } from '../detection/check-types.js';
import { toDate } from './row-mapping.js';
import type { OutageStore } from './store-types.js';

interface OutageRow {
  check_id: number;
  kind: string;
  started_at: number | string;
  ended_at: number | string | null;
}

const toOutage = (row: OutageRow): Outage => ({
  checkId: row.check_id,
  kind: row.kind === 'degraded' ? 'degraded' : 'down',
  startedAt: toDate(row.started_at)!,
  endedAt: toDate(row.ended_at),
});

export class KnexOutageStore implements OutageStore {
  constructor(private readonly db: Knex) {}

  async open(checkId: number, kind: OutageKind, startedAt: Date): Promise<void> {
    await this.db('check_outages').insert({ check_id: checkId, kind, started_at: startedAt.getTime(), ended_at: null });
  }

  async close(checkId: number, endedAt: Date): Promise<void> {
    await this.db('check_outages').where({ check_id: checkId }).whereNull('ended_at').update({ ended_at: endedAt.getTime() });
  }

  async list(checkIds: readonly number[], from: Date, to: Date): Promise<Outage[]> {
    if (checkIds.length === 0) return [];
    const rows: OutageRow[] = await this.db('check_outages')
      .whereIn('check_id', [...checkIds])
      .andWhere('started_at', '<', to.getTime())
      .andWhere((q) => q.whereNull('ended_at').orWhere('ended_at', '>', from.getTime()))
      .orderBy([{ column: 'check_id' }, { column: 'started_at' }, { column: 'id' }])
      .select('check_id', 'kind', 'started_at', 'ended_at');
    return rows.map(toOutage);
  }
}
