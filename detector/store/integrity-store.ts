// Integrity baselines (`integrity_baselines`, one per check) and the newest integrity evidence kept
// with a check's probe results (`check_results.evidence_json`).
import type { Knex } from 'knex';
import type { ProbeEvidence } from '../../probes/probe-types.js';
import type { LatestIntegrity, NewBaseline, StoredBaseline } from '../integrity/integrity-types.js';
import { parseJson, toDate } from './row-mapping.js';
import type { IntegrityStore } from './store-types.js';

interface BaselineRow {
  check_id: number;
  url: string;
  title: string;
  description: string;
  domains_json: string;
  fingerprint: string;
  accepted_at: number | string;
  accepted_by: string | null;
  accepted_by_user_id: number | null;
}

const toBaseline = (row: BaselineRow): StoredBaseline => ({
  url: row.url,
  title: row.title,
  description: row.description,
  domains: parseJson<string[]>(row.domains_json) ?? [],
  fingerprint: row.fingerprint,
  acceptedAt: toDate(row.accepted_at)!.toISOString(),
  acceptedBy: row.accepted_by,
  acceptedByUserId: row.accepted_by_user_id === null ? null : Number(row.accepted_by_user_id),
});

/** How many of a check's newest results are looked through for the newest one with integrity evidence. */
const LOOK_BACK = 50;

export class KnexIntegrityStore implements IntegrityStore {
  constructor(private readonly db: Knex) {}

  async getBaseline(checkId: number): Promise<StoredBaseline | null> {
    const row = (await this.db('integrity_baselines').where({ check_id: checkId }).first()) as BaselineRow | undefined;
    return row ? toBaseline(row) : null;
  }

  async recordFirstBaseline(checkId: number, baseline: NewBaseline): Promise<boolean> {
    const inserted = (await this.db('integrity_baselines').insert(this.rowOf(checkId, baseline)).onConflict('check_id').ignore().returning('check_id')) as unknown[];
    return inserted.length > 0;
  }

  async saveBaseline(checkId: number, baseline: NewBaseline): Promise<void> {
    const row = this.rowOf(checkId, baseline);
    await this.db('integrity_baselines').insert(row).onConflict('check_id').merge();
  }

  async latestIntegrity(checkId: number, options: { withSnapshot?: boolean } = {}): Promise<LatestIntegrity | null> {
    const rows = (await this.db('check_results')
      .where({ check_id: checkId })
      .whereNotNull('evidence_json')
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(LOOK_BACK)
      .select('started_at', 'status', 'evidence_json')) as Array<{ started_at: number | string; status: string; evidence_json: string }>;
    for (const row of rows) {
      const integrity = parseJson<ProbeEvidence>(row.evidence_json)?.integrity;
      if (!integrity || (options.withSnapshot && !integrity.snapshot)) continue;
      return { startedAt: toDate(row.started_at)!, status: row.status, integrity };
    }
    return null;
  }

  private rowOf(checkId: number, { snapshot, acceptedAt, acceptedBy }: NewBaseline): BaselineRow {
    return {
      check_id: checkId,
      url: snapshot.url,
      title: snapshot.title,
      description: snapshot.description,
      domains_json: JSON.stringify(snapshot.domains),
      fingerprint: snapshot.fingerprint,
      accepted_at: acceptedAt.getTime(),
      accepted_by: acceptedBy?.username ?? null,
      accepted_by_user_id: acceptedBy?.id ?? null,
    };
  }
}
