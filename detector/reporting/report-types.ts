// What the reports and /metrics read from storage, as the reporting room names it: the store
// answers in these types (store/report-store.ts, store/metrics-store.ts).
import type { ProbeResult } from '../../probes/probe-types.js';
import type { Incident } from '../incidents/incident-types.js';
import type { Priority } from '../incidents/priority.js';

/** What the incident report needs of an incident. */
export type ReportIncident = Pick<
  Incident,
  | 'ref'
  | 'service'
  | 'check'
  | 'priority'
  | 'category'
  | 'source'
  | 'status'
  | 'failureKind'
  | 'detectedAt'
  | 'acknowledgedAt'
  | 'serviceRestoredAt'
  | 'resolvedAt'
  | 'closedAt'
  | 'responseBreached'
  | 'resolutionBreached'
  | 'reopenCount'
  | 'responseDueAt'
  | 'resolveDueAt'
  | 'reportedVia'
> & {
  /** Time not counted on the resolution clock (pending, resolved before a reopen), on the current priority's clock. */
  pausedMs: number;
};

/** A check's newest probe result, as /metrics reports it (blackbox_exporter's probe_* gauges). */
export interface LatestResult {
  serviceKey: string;
  checkKey: string;
  /** http, tcp, dns or tls. */
  checkType: string;
  startedAt: Date;
  durationMs: number;
  status: ProbeResult['status'];
  httpStatus: number | null;
  timings: ProbeResult['timings'];
  tlsExpiresAt: Date | null;
}

/** An incident as /metrics keeps it: the report's fields, its row id and when its row was last written. */
export type ChangedIncident = ReportIncident & { id: number; updatedAt: Date };

/** Detection → acknowledgement (or resolution) times of one priority, bucketed like a Prometheus histogram. */
export interface DurationHistogramRow {
  priority: Priority;
  count: number;
  sumSeconds: number;
  /** Per bound asked for, how many took at most that long. */
  cumulativeCounts: number[];
}
