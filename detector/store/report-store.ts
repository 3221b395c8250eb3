// The reads behind the incident report: incidents by detection time and known errors by creation
// time, mapped to the fields a report needs.
import type { Knex } from 'knex';
import type { IncidentSource } from '../incidents/incident-types.js';
import type { IncidentStatus } from '../incidents/lifecycle.js';
import type { Priority } from '../incidents/priority.js';
import { toBool, toDate } from './row-mapping.js';
import type { ReportIncident } from '../reporting/report-types.js';
import type { ReportStore } from './store-types.js';

type Row = Record<string, unknown>;

export function toReportIncident(r: Row): ReportIncident {
  return {
    ref: r.ref as string,
    service: r.service_key as string,
    check: (r.check_key as string | null) ?? null,
    priority: r.priority as Priority,
    category: r.category as string,
    source: r.source as IncidentSource,
    status: r.status as IncidentStatus,
    failureKind: (r.failure_kind as ReportIncident['failureKind']) ?? null,
    detectedAt: toDate(r.detected_at as number)!,
    acknowledgedAt: toDate(r.acknowledged_at as number | null),
    serviceRestoredAt: toDate(r.service_restored_at as number | null),
    resolvedAt: toDate(r.resolved_at as number | null),
    closedAt: toDate(r.closed_at as number | null),
    responseBreached: toBool(r.response_breached),
    resolutionBreached: toBool(r.resolution_breached),
    reopenCount: Number(r.reopen_count),
    responseDueAt: toDate(r.response_due_at as number)!,
    resolveDueAt: toDate(r.resolve_due_at as number)!,
    pausedMs: Number(r.paused_ms ?? 0),
    reportedVia: (r.reported_via as ReportIncident['reportedVia']) ?? null,
  };
}

export class KnexReportStore implements ReportStore {
  constructor(private readonly db: Knex) {}

  async incidentsDetectedBetween(from: Date, to: Date): Promise<ReportIncident[]> {
    const rows = (await reportIncidentQuery(this.db)
      .where('i.detected_at', '>=', from.getTime())
      .where('i.detected_at', '<', to.getTime())
      .orderBy([{ column: 'i.detected_at' }, { column: 'i.id' }])) as Row[];
    return rows.map(toReportIncident);
  }

  async countKnownErrorsCreated(from: Date, to: Date): Promise<number> {
    const row = (await this.db('known_errors').where('created_at', '>=', from.getTime()).where('created_at', '<', to.getTime()).count('* as n').first()) as
      { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }
}

/** The columns of a ReportIncident, for the report and for /metrics. */
export function reportIncidentQuery(db: Knex) {
  return db('incidents as i')
    .join('services as s', 's.id', 'i.service_id')
    .leftJoin('checks as c', 'c.id', 'i.check_id')
    .select(
      'i.ref',
      's.key as service_key',
      'c.key as check_key',
      'i.priority',
      'i.category',
      'i.source',
      'i.status',
      'i.failure_kind',
      'i.detected_at',
      'i.acknowledged_at',
      'i.service_restored_at',
      'i.resolved_at',
      'i.closed_at',
      'i.response_breached',
      'i.resolution_breached',
      'i.reopen_count',
      'i.response_due_at',
      'i.resolve_due_at',
      'i.paused_ms',
      'i.reported_via',
    );
}
