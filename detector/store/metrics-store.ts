// The reads behind /metrics, run at every scrape: each one query that answers aggregates (or one
// row per check), never one row per probe result. The incident durations are the exception: they
// are measured on each incident's own clock (office time for business priorities), which SQL
// cannot do, so `measuredIncidents` answers one narrow row per incident.
import type { Knex } from 'knex';
import type { PhaseTimings, ProbeEvidence, ProbeStatus } from '../../probes/probe-types.js';
import type { IntegrityCounts } from '../integrity/integrity-types.js';
import type { Priority } from '../incidents/priority.js';
import { parseJson, toDate } from './row-mapping.js';
import type { IncidentTotals, LatestResult, ReportIncident } from '../reporting/report-types.js';
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

  async incidentTotals(openStatuses: readonly string[]): Promise<IncidentTotals> {
    const grouped = (await this.db('incidents as i')
      .join('services as s', 's.id', 'i.service_id')
      .groupBy('s.key', 'i.category', 'i.priority')
      .select('s.key as service', 'i.category', 'i.priority')
      .count({ opened: '*' })
      .select(
        this.db.raw('sum(case when i.status in (' + openStatuses.map(() => '?').join(', ') + ') then 1 else 0 end) as open', [...openStatuses]),
        this.db.raw('sum(case when i.response_breached = ? then 1 else 0 end) as response_breaches', [true]),
        this.db.raw('sum(case when i.resolution_breached = ? then 1 else 0 end) as resolution_breaches', [true]),
      )) as Array<Record<string, unknown>>;
    return grouped.map((r) => ({
      service: r.service as string,
      category: r.category as string,
      priority: r.priority as Priority,
      opened: num(r.opened),
      open: num(r.open),
      responseBreaches: num(r.response_breaches),
      resolutionBreaches: num(r.resolution_breaches),
    }));
  }

  async measuredIncidents(): Promise<ReportIncident[]> {
    const rows = (await reportIncidentQuery(this.db).whereNot('i.status', 'canceled').orderBy('i.id')) as Array<Record<string, unknown>>;
    return rows.map(toReportIncident);
  }
}
