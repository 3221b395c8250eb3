// The incident report over a period: every incident detected in [from, to) with its
// times, and per priority the mean times and SLA met. Which mean is which:
//   mttaMs       detection → acknowledgement (mean time to acknowledge)
//   mttRestoreMs detection → serviceRestoredAt (mean time to restore service)
//   mttResolveMs detection → resolvedAt (mean time to resolve)
// Each is wall-clock time, averaged over the incidents that reached that point (null when none);
// the targets beside them are the policy's, which P3–P5 measure on the business clock.
// Canceled incidents (false alarms, duplicates, tests) are listed but counted nowhere.
import type { PolicyConfig } from '../../config.js';
import { USER_ROLES, type UserRole } from '../accounts/account-types.js';
import type { Priority } from '../incidents/priority.js';
import type { Database } from '../store/store-types.js';
import type { ReportIncident } from './report-types.js';

/** Who reads the reports: every role but vendor, which sees only incidents escalated to it. */
export const REPORT_READERS: readonly UserRole[] = USER_ROLES.filter((role) => role !== 'vendor');

export const REPORT_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const satisfies readonly Priority[];

export interface IncidentReportRow {
  ref: string;
  service: string;
  priority: Priority;
  category: string;
  source: ReportIncident['source'];
  status: ReportIncident['status'];
  detectedAt: string;
  acknowledgedAt: string | null;
  serviceRestoredAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  timeToAcknowledgeMs: number | null;
  timeToRestoreMs: number | null;
  timeToResolveMs: number | null;
  responseBreached: boolean;
  resolutionBreached: boolean;
  reopenCount: number;
}

export interface PriorityFigures {
  count: number;
  /** Mean detection → acknowledgement. */
  mttaMs: number | null;
  /** Mean detection → service restored. */
  mttRestoreMs: number | null;
  /** Mean detection → resolved. */
  mttResolveMs: number | null;
  responseTargetMs: number;
  resolveTargetMs: number;
  /** Resolved or closed incidents with neither target breached. */
  slaMet: number;
  /** slaMet ÷ resolved or closed incidents; null when none is. */
  slaMetRatio: number | null;
  breaches: { response: number; resolution: number };
}

export interface IncidentReport {
  /** The period [from, to), ISO-8601 UTC. */
  from: string;
  to: string;
  /** What each mean measures, for whoever reads the JSON without this file. */
  definitions: { mttaMs: string; mttRestoreMs: string; mttResolveMs: string; reopenRate: string };
  incidents: IncidentReportRow[];
  byPriority: Record<Priority, PriorityFigures>;
  byCategory: Record<string, number>;
  bySource: Record<string, number>;
  /** Canceled incidents in the period (in `incidents`, in no count). */
  canceled: number;
  /** Incidents reopened at least once ÷ incidents resolved at least once; null when none was. */
  reopenRate: number | null;
  /** (check, failure kind) pairs by incidents plus reopenings, most first (at most 10). */
  topRecurring: Array<{ check: string; failureKind: string; count: number }>;
  knownErrorsAdded: number;
}

export interface IncidentReportDeps {
  db: Database;
  policy: PolicyConfig;
  clock: () => Date;
}

const TOP_RECURRING = 10;

const since = (start: Date, end: Date | null) => (end ? end.getTime() - start.getTime() : null);

function mean(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.round(present.reduce((a, b) => a + b, 0) / present.length) : null;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function toRow(i: ReportIncident): IncidentReportRow {
  return {
    ref: i.ref,
    service: i.service,
    priority: i.priority,
    category: i.category,
    source: i.source,
    status: i.status,
    detectedAt: i.detectedAt.toISOString(),
    acknowledgedAt: i.acknowledgedAt?.toISOString() ?? null,
    serviceRestoredAt: i.serviceRestoredAt?.toISOString() ?? null,
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    closedAt: i.closedAt?.toISOString() ?? null,
    timeToAcknowledgeMs: since(i.detectedAt, i.acknowledgedAt),
    timeToRestoreMs: since(i.detectedAt, i.serviceRestoredAt),
    timeToResolveMs: since(i.detectedAt, i.resolvedAt),
    responseBreached: i.responseBreached,
    resolutionBreached: i.resolutionBreached,
    reopenCount: i.reopenCount,
  };
}

export class IncidentReportService {
  constructor(private readonly deps: IncidentReportDeps) {}

  async report(from: Date, to: Date): Promise<IncidentReport> {
    const { reports } = this.deps.db.stores;
    const all = await reports.incidentsDetectedBetween(from, to);
    const counted = all.filter((i) => i.status !== 'canceled');
    const byPriority = Object.fromEntries(
      REPORT_PRIORITIES.map((p) => [
        p,
        this.priorityFigures(
          p,
          counted.filter((i) => i.priority === p),
        ),
      ]),
    ) as Record<Priority, PriorityFigures>;
    const everResolved = counted.filter((i) => i.resolvedAt !== null || i.reopenCount > 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      definitions: {
        mttaMs: 'mean detectedAt → acknowledgedAt',
        mttRestoreMs: 'mean detectedAt → serviceRestoredAt',
        mttResolveMs: 'mean detectedAt → resolvedAt',
        reopenRate: 'incidents reopened at least once ÷ incidents resolved at least once',
      },
      incidents: all.map(toRow),
      byPriority,
      byCategory: countBy(counted, (i) => i.category),
      bySource: countBy(counted, (i) => i.source),
      canceled: all.length - counted.length,
      reopenRate: everResolved.length > 0 ? everResolved.filter((i) => i.reopenCount > 0).length / everResolved.length : null,
      topRecurring: topRecurring(counted),
      knownErrorsAdded: await reports.countKnownErrorsCreated(from, to),
    };
  }

  private priorityFigures(priority: Priority, incidents: readonly ReportIncident[]): PriorityFigures {
    const target = this.deps.policy.targets[priority];
    const finished = incidents.filter((i) => i.status === 'resolved' || i.status === 'closed');
    const slaMet = finished.filter((i) => !i.responseBreached && !i.resolutionBreached).length;
    return {
      count: incidents.length,
      mttaMs: mean(incidents.map((i) => since(i.detectedAt, i.acknowledgedAt))),
      mttRestoreMs: mean(incidents.map((i) => since(i.detectedAt, i.serviceRestoredAt))),
      mttResolveMs: mean(incidents.map((i) => since(i.detectedAt, i.resolvedAt))),
      // A day counted as 24 hours, as before targets kept working days apart (a stopgap for this figure).
      responseTargetMs: target.respond.days * 86_400_000 + target.respond.ms,
      resolveTargetMs: target.resolve.days * 86_400_000 + target.resolve.ms,
      slaMet,
      slaMetRatio: finished.length > 0 ? slaMet / finished.length : null,
      breaches: { response: incidents.filter((i) => i.responseBreached).length, resolution: incidents.filter((i) => i.resolutionBreached).length },
    };
  }
}

function topRecurring(incidents: readonly ReportIncident[]): IncidentReport['topRecurring'] {
  const counts = new Map<string, { check: string; failureKind: string; count: number }>();
  for (const i of incidents) {
    if (i.check === null || i.failureKind === null) continue;
    const key = `${i.check}\u0000${i.failureKind}`;
    const entry = counts.get(key) ?? { check: i.check, failureKind: i.failureKind, count: 0 };
    entry.count += 1 + i.reopenCount;
    counts.set(key, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.check.localeCompare(b.check) || a.failureKind.localeCompare(b.failureKind)).slice(0, TOP_RECURRING);
}
