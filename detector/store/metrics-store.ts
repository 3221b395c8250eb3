// The reads behind /metrics, run at every scrape: each one query that answers aggregates (or one
// row per check), never one row per probe result. The incident figures are kept by the reporting
// side from the incidents themselves (durations are measured on each incident's own clock, which
// SQL cannot do): every incident once, in pages by id, then at each scrape only the incidents
// written since the last one, off the updated_at index.
import type { Knex } from 'knex';
import type { PhaseTimings, ProbeEvidence, ProbeStatus } from '../../probes/probe-types.js';
import type { IntegrityCounts } from '../integrity/integrity-types.js';
import { parseJson, toDate } from './row-mapping.js';
import type { ChangedIncident, LatestResult } from '../reporting/report-types.js';
import { reportIncidentQuery, toReportIncident } from './report-store.js';
import type { MetricsStore } from './store-types.js';

const num = (value: unknown): number => Number(value ?? 0);

export class KnexMetricsStore implements MetricsStore {
  constructor(private readonly db: Knex) {}

  async latestResults(): Promise<LatestResult[]> {
    // Per active check, its newest result: the correlated max() walks the (check_id, started_at) index.
    const rows = (await this.db('checks as c')
      .join('services as s', 's.id', 'c.service_id')
      .join('check_results as r', 'r.check_id', 'c.id')
      .where('c.active', true)
      .whereRaw('r.started_at = (select max(r2.started_at) from check_results r2 where r2.check_id = c.id)')
      .orderBy([{ column: 'c.key' }, { column: 'r.id', order: 'desc' }])
      .select(
        'c.key as check_key',
        'c.type as check_type',
        's.key as service_key',
        'r.started_at',
        'r.duration_ms',
        'r.status',
        'r.http_status',
        'r.timings_json',
        'r.tls_expires_at',
      )) as Array<Record<string, unknown>>;
    const latest = new Map<string, LatestResult>();
    for (const r of rows) {
      const checkKey = r.check_key as string;
      // Two results of one check in the same millisecond: the one written last wins.
      if (latest.has(checkKey)) continue;
      latest.set(checkKey, {
        checkKey,
        serviceKey: r.service_key as string,
        checkType: r.check_type as string,
        startedAt: toDate(r.started_at as number)!,
        durationMs: num(r.duration_ms),
        status: r.status as ProbeStatus,
        httpStatus: r.http_status === null || r.http_status === undefined ? null : num(r.http_status),
        timings: parseJson<PhaseTimings>(r.timings_json as string | null) ?? {},
        tlsExpiresAt: toDate(r.tls_expires_at as number | null),
      });
    }
    return [...latest.values()];
  }

  async integrityFindings(): Promise<IntegrityCounts[]> {
    // Per active integrity check, its newest result (if any): the correlated max() walks the (check_id, started_at) index.
    const rows = (await this.db('checks as c')
      .join('services as s', 's.id', 'c.service_id')
      .leftJoin('check_results as r', (j) => {
        j.on('r.check_id', 'c.id').andOn(this.db.raw('r.started_at = (select max(r2.started_at) from check_results r2 where r2.check_id = c.id)'));
      })
      .where('c.active', true)
      .where('c.type', 'integrity')
      .orderBy([{ column: 'c.key' }, { column: 'r.id', order: 'desc' }])
      .select('c.key as check_key', 's.key as service_key', 'r.evidence_json')) as Array<{ check_key: string; service_key: string; evidence_json: string | null }>;
    const latest = new Map<string, IntegrityCounts>();
    for (const row of rows) {
      // Two results in the same millisecond: the one written last wins.
      if (latest.has(row.check_key)) continue;
      const counts = parseJson<ProbeEvidence>(row.evidence_json)?.integrity?.counts ?? {};
      latest.set(row.check_key, { checkKey: row.check_key, serviceKey: row.service_key, counts });
    }
    return [...latest.values()];
  }

  async serviceKeys(): Promise<string[]> {
    const rows = (await this.db('services').where({ active: true }).orderBy('key').select('key')) as Array<{ key: string }>;
    return rows.map((r) => r.key);
  }

  async incidentsAfter(afterId: number, limit: number): Promise<ChangedIncident[]> {
    const rows = (await changedIncidentQuery(this.db).where('i.id', '>', afterId).orderBy('i.id').limit(limit)) as Array<Record<string, unknown>>;
    return rows.map(toChangedIncident);
  }

  async incidentsChangedSince(since: Date): Promise<ChangedIncident[]> {
    // Off the updated_at index: the few incidents written since the last scrape.
    const rows = (await changedIncidentQuery(this.db).where('i.updated_at', '>=', since.getTime()).orderBy('i.id')) as Array<Record<string, unknown>>;
    return rows.map(toChangedIncident);
  }
}

function changedIncidentQuery(db: Knex) {
  return reportIncidentQuery(db).select('i.id', 'i.updated_at');
}

function toChangedIncident(r: Record<string, unknown>): ChangedIncident {
  return { ...toReportIncident(r), id: Number(r.id), updatedAt: toDate(r.updated_at as number)! };
}
