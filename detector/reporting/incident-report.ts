// The incident report over a period: every incident detected in [from, to) with its times, and
// per priority the mean times and the SLA met — each on the incident's own clock. Which is which:
//   time to acknowledge  detection → acknowledgedAt
//   time to restore      detection → serviceRestoredAt
//   time to resolve      detection → resolvedAt, less `pausedMs` (time the resolution clock stood still)
// measured on the priority's clock: office time (business hours, holidays) for a business
// priority, wall time for 24x7. The wall-clock figures stand beside them (`wall`), pauses included.
// Each incident is met or breached by its OWN stored due times (responseDueAt, resolveDueAt), not
// by a mean against a target; an open incident past its due time counts as breached.
// `measureIncident` and `slaOutcome` are the one computation: the report, its CSV, the monthly
// report and the incident figures of /metrics all read them.
// Canceled incidents (false alarms, duplicates, tests) are listed but counted nowhere.
import type { PolicyConfig } from '../../config.js';
import { USER_ROLES, type UserRole } from '../accounts/account-types.js';
import type { Priority } from '../incidents/priority.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { clockTimeBetween } from '../sla/due-times.js';
import type { Database } from '../store/store-types.js';
import type { ReportIncident } from './report-types.js';

/** Who reads the reports: every role but vendor, which sees only incidents escalated to it. */
export const REPORT_READERS: readonly UserRole[] = USER_ROLES.filter((role) => role !== 'vendor');

export const REPORT_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const satisfies readonly Priority[];

export type SlaClock = '24x7' | 'business';
/** How an incident stands against one of its stored due times. */
export type TargetOutcome = 'met' | 'breached' | 'running';

/** An incident's durations: on its priority's clock, and in wall time beside them. */
export interface IncidentMeasures {
  clock: SlaClock;
  timeToAcknowledgeMs: number | null;
  timeToRestoreMs: number | null;
  timeToResolveMs: number | null;
  wall: { timeToAcknowledgeMs: number | null; timeToRestoreMs: number | null; timeToResolveMs: number | null };
}

export interface SlaOutcome {
  response: TargetOutcome;
  resolution: TargetOutcome;
}

export interface IncidentReportRow extends IncidentMeasures, SlaOutcome {
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
  responseDueAt: string;
  resolveDueAt: string;
  pausedMs: number;
  responseBreached: boolean;
  resolutionBreached: boolean;
  reopenCount: number;
  /** How a manual incident's report came in; null for probe and Alertmanager incidents. */
  reportedVia: ReportIncident['reportedVia'];
}

export interface PriorityFigures {
  count: number;
  /** The clock the means are measured on. */
  clock: SlaClock;
  /** Mean time to acknowledge, on the priority's clock. */
  mttaMs: number | null;
  /** Mean time to restore service, on the priority's clock. */
  mttRestoreMs: number | null;
  /** Mean time to resolve, pauses excluded, on the priority's clock. */
  mttResolveMs: number | null;
  /** The same means in wall-clock time. */
  wall: { mttaMs: number | null; mttRestoreMs: number | null; mttResolveMs: number | null };
  /** Per target, incidents met, breached and still running. */
  response: Record<TargetOutcome, number>;
  resolution: Record<TargetOutcome, number>;
  /** Resolved or closed incidents. */
  finished: number;
  /** Of those, the ones that met both targets. */
  slaMet: number;
  /** slaMet ÷ resolved or closed incidents; null when none is. */
  slaMetRatio: number | null;
  breaches: { response: number; resolution: number };
}

export interface IncidentReport {
  /** The period [from, to), ISO-8601 UTC. */
  from: string;
  to: string;
  /** What each figure measures, for whoever reads the JSON without this file. */
  definitions: Record<'mttaMs' | 'mttRestoreMs' | 'mttResolveMs' | 'wall' | 'met' | 'reopenRate', string>;
  incidents: IncidentReportRow[];
  byPriority: Record<Priority, PriorityFigures>;
  byCategory: Record<string, number>;
  bySource: Record<string, number>;
  /** Manual incidents by how the report came in (phone, whatsapp, …; SP4N-LAPOR! is `lapor`). */
  byReportedVia: Record<string, number>;
  /** Canceled incidents in the period (in `incidents`, in no count). */
  canceled: number;
  /** Incidents reopened at least once ÷ incidents resolved at least once; null when none was. */
  reopenRate: number | null;
  /** (check, failure kind) pairs by incidents plus reopenings, most first (at most 10). */
  topRecurring: Array<{ check: string; failureKind: string; count: number }>;
  knownErrorsAdded: number;
}

/** What measuring needs: the clock of each priority and the office's calendar. */
export interface MeasureContext {
  targets: Readonly<Record<Priority, { clock: SlaClock }>>;
  calendar: BusinessCalendar;
}

export interface IncidentReportDeps {
  db: Database;
  policy: Pick<PolicyConfig, 'targets'>;
  calendar: BusinessCalendar;
  clock: () => Date;
}

type Measured = Pick<ReportIncident, 'priority' | 'detectedAt' | 'acknowledgedAt' | 'serviceRestoredAt' | 'resolvedAt' | 'pausedMs'>;

/** The durations of one incident, on its priority's clock and in wall time. */
export function measureIncident(i: Measured, ctx: MeasureContext): IncidentMeasures {
  const clock = ctx.targets[i.priority].clock;
  const on = (end: Date | null) => (end ? clockTimeBetween(i.detectedAt, end, clock, ctx.calendar) : null);
  const wall = (end: Date | null) => (end ? Math.max(0, end.getTime() - i.detectedAt.getTime()) : null);
  const resolve = on(i.resolvedAt);
  return {
    clock,
    timeToAcknowledgeMs: on(i.acknowledgedAt),
    timeToRestoreMs: on(i.serviceRestoredAt),
    timeToResolveMs: resolve === null ? null : Math.max(0, resolve - i.pausedMs),
    wall: { timeToAcknowledgeMs: wall(i.acknowledgedAt), timeToRestoreMs: wall(i.serviceRestoredAt), timeToResolveMs: wall(i.resolvedAt) },
  };
}

type Judged = Pick<ReportIncident, 'status' | 'acknowledgedAt' | 'resolvedAt' | 'closedAt' | 'responseDueAt' | 'resolveDueAt' | 'resolutionBreached'>;

/**
 * Met or breached by the incident's own stored due times, as of `now`. The response target is
 * answered by the acknowledgement (or, lacking one, the resolution); the resolution target by the
 * resolution. Past due and unanswered is breached; a pending incident's resolution clock stands
 * still (its due time moves on resume), so it stays running unless the enforcer already recorded a breach.
 */
export function slaOutcome(i: Judged, now: Date): SlaOutcome {
  const judge = (done: Date | null, due: Date): TargetOutcome => (done ? (done <= due ? 'met' : 'breached') : now >= due ? 'breached' : 'running');
  const resolution = i.status === 'pending' && !i.resolvedAt ? (i.resolutionBreached ? 'breached' : 'running') : judge(i.resolvedAt, i.resolveDueAt);
  return { response: judge(i.acknowledgedAt ?? i.resolvedAt ?? i.closedAt, i.responseDueAt), resolution };
}

function mean(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.round(present.reduce((a, b) => a + b, 0) / present.length) : null;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function toRow(i: ReportIncident, ctx: MeasureContext, now: Date): IncidentReportRow {
  const outcome = slaOutcome(i, now);
  const m = measureIncident(i, ctx);
  // Field by field rather than spread (thousands of rows a month), in the order the JSON has always had.
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
    responseDueAt: i.responseDueAt.toISOString(),
    resolveDueAt: i.resolveDueAt.toISOString(),
    pausedMs: i.pausedMs,
    clock: m.clock,
    timeToAcknowledgeMs: m.timeToAcknowledgeMs,
    timeToRestoreMs: m.timeToRestoreMs,
    timeToResolveMs: m.timeToResolveMs,
    wall: m.wall,
    response: outcome.response,
    resolution: outcome.resolution,
    responseBreached: outcome.response === 'breached',
    resolutionBreached: outcome.resolution === 'breached',
    reopenCount: i.reopenCount,
    reportedVia: i.reportedVia,
  };
}

const tally = (rows: readonly IncidentReportRow[], pick: (r: IncidentReportRow) => TargetOutcome): Record<TargetOutcome, number> => ({
  met: rows.filter((r) => pick(r) === 'met').length,
  breached: rows.filter((r) => pick(r) === 'breached').length,
  running: rows.filter((r) => pick(r) === 'running').length,
});

/** The figures of one priority from its (not canceled) rows. */
export function priorityFigures(clock: SlaClock, rows: readonly IncidentReportRow[]): PriorityFigures {
  const finished = rows.filter((r) => r.status === 'resolved' || r.status === 'closed');
  const slaMet = finished.filter((r) => r.response === 'met' && r.resolution === 'met').length;
  const response = tally(rows, (r) => r.response);
  const resolution = tally(rows, (r) => r.resolution);
  return {
    count: rows.length,
    clock,
    mttaMs: mean(rows.map((r) => r.timeToAcknowledgeMs)),
    mttRestoreMs: mean(rows.map((r) => r.timeToRestoreMs)),
    mttResolveMs: mean(rows.map((r) => r.timeToResolveMs)),
    wall: {
      mttaMs: mean(rows.map((r) => r.wall.timeToAcknowledgeMs)),
      mttRestoreMs: mean(rows.map((r) => r.wall.timeToRestoreMs)),
      mttResolveMs: mean(rows.map((r) => r.wall.timeToResolveMs)),
    },
    response,
    resolution,
    finished: finished.length,
    slaMet,
    slaMetRatio: finished.length > 0 ? slaMet / finished.length : null,
    breaches: { response: response.breached, resolution: resolution.breached },
  };
}

export const REPORT_DEFINITIONS: IncidentReport['definitions'] = {
  mttaMs: "mean detectedAt → acknowledgedAt, on the priority's clock (office time for a business priority, wall time for 24x7)",
  mttRestoreMs: "mean detectedAt → serviceRestoredAt, on the priority's clock",
  mttResolveMs: "mean detectedAt → resolvedAt less pausedMs, on the priority's clock",
  wall: 'the same means in wall-clock time, pauses included',
  met: 'each incident by its own stored due times: acknowledged by responseDueAt, resolved by resolveDueAt; open and past due is breached',
  reopenRate: 'incidents reopened at least once ÷ incidents resolved at least once',
};

export class IncidentReportService {
  constructor(private readonly deps: IncidentReportDeps) {}

  async report(from: Date, to: Date): Promise<IncidentReport> {
    const { db, policy, calendar, clock } = this.deps;
    const { reports } = db.stores;
    const all = await reports.incidentsDetectedBetween(from, to);
    const now = clock();
    const ctx: MeasureContext = { targets: policy.targets, calendar };
    const rows = all.map((i) => toRow(i, ctx, now));
    const counted = rows.filter((r) => r.status !== 'canceled');
    const byPriority = Object.fromEntries(
      REPORT_PRIORITIES.map((p) => [
        p,
        priorityFigures(
          policy.targets[p].clock,
          counted.filter((r) => r.priority === p),
        ),
      ]),
    ) as Record<Priority, PriorityFigures>;
    const everResolved = counted.filter((i) => i.resolvedAt !== null || i.reopenCount > 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      definitions: REPORT_DEFINITIONS,
      incidents: rows,
      byPriority,
      byCategory: countBy(counted, (i) => i.category),
      bySource: countBy(counted, (i) => i.source),
      byReportedVia: countBy(
        counted.filter((i) => i.reportedVia !== null),
        (i) => i.reportedVia!,
      ),
      canceled: all.length - counted.length,
      reopenRate: everResolved.length > 0 ? everResolved.filter((i) => i.reopenCount > 0).length / everResolved.length : null,
      topRecurring: topRecurring(all.filter((i) => i.status !== 'canceled')),
      knownErrorsAdded: await reports.countKnownErrorsCreated(from, to),
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

const TOP_RECURRING = 10;
