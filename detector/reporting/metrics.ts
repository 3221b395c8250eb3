// The Prometheus metrics of DESIGN §7, computed from the database at every scrape: the web process
// may not be the one probing (SIGAP_ROLE=web), and counters computed from rows that are never
// deleted stay monotonic across restarts. The incident figures come from `IncidentFigures`, which
// reads every incident once and then only those written since the previous scrape. Names and labels are a contract; labels stay
// low-cardinality (service and check keys, category, priority — never refs, URLs or people).
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { AVAILABILITY_WINDOWS } from './service-overview.js';
import type { Priority } from '../incidents/priority.js';
import type { MetricsStore } from '../store/store-types.js';
import type { DurationHistogramRow, LatestResult } from './report-types.js';
import { INTEGRITY_FINDING_KINDS, type IntegrityCounts } from '../integrity/integrity-types.js';
import type { MeasureContext } from './incident-report.js';
import { IncidentFigures, type IncidentFigureValues } from './incident-figures.js';

const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];
const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
/** Seconds: 1 min … 10 days, around the response and resolution targets of P1 to P5. */
export const DURATION_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 864000] as const;
// The windows of /api/services, so both report the same figures.
const WINDOWS = Object.entries(AVAILABILITY_WINDOWS);

/** Every metric name /metrics can answer (the Grafana dashboard's test checks against this). */
export const METRIC_NAMES = [
  'probe_success',
  'probe_duration_seconds',
  'probe_http_duration_seconds',
  'probe_http_status_code',
  'probe_ssl_earliest_cert_expiry',
  'sigap_incidents_open',
  'sigap_incidents_opened_total',
  'sigap_incident_time_to_acknowledge_seconds',
  'sigap_incident_time_to_resolve_seconds',
  'sigap_sla_breaches_total',
  'sigap_availability_ratio',
  'sigap_probe_success_ratio',
  'sigap_probe_lateness_seconds',
  'sigap_probe_queue_length',
  'sigap_results_buffered',
  'sigap_notification_outbox_backlog',
  'sigap_integrity_findings',
] as const;

/** What the availability service answers (only the two ratios are read). */
export interface AvailabilitySource {
  forServices(from: Date, to: Date): Promise<Map<string, { ratio: number | null; probeSuccess: number | null }>>;
}

/** The probing side's own health, when this process probes (SIGAP_ROLE all). */
export interface ProbingStats {
  /** Probes due but waiting for a concurrency slot. */
  queueLength: number;
  /** Actual − planned start of recent probes, milliseconds. */
  latenessMs: { p50: number; p99: number; max: number };
  /** Probe results waiting to be written to the database. */
  resultsBuffered: number;
}

export interface SigapMetricsDeps {
  store: MetricsStore;
  outbox: { backlog(): Promise<number> };
  availability: AvailabilitySource;
  /** Null when another process probes. */
  probing: (() => ProbingStats) | null;
  /** The priorities' clocks and the office calendar: durations are measured as the incident report measures them. */
  measure: MeasureContext;
  clock: () => Date;
  /** Incidents per page when the incident figures are first read (default 2,000). */
  incidentPageSize?: number;
}

interface StoredValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A metric whose samples come computed already: bucket counts summed by the database, the
 * scheduler's lateness percentiles. prom-client's Histogram and Summary only observe one value at
 * a time; its registry formats these beside its own metrics.
 */
class StoredMetric {
  readonly aggregator = 'sum';
  private values: StoredValue[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'histogram' | 'summary',
  ) {}

  set(values: StoredValue[]): void {
    this.values = values;
  }

  reset(): void {
    this.values = [];
  }

  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values };
  }
}

/** Histogram samples for every priority, seen or not, so rate() and histogram_quantile() have a series from the start. */
function histogramValues(name: string, rows: readonly DurationHistogramRow[]): StoredValue[] {
  const byPriority = new Map(rows.map((r) => [r.priority, r]));
  const empty = (priority: Priority): DurationHistogramRow => ({ priority, count: 0, sumSeconds: 0, cumulativeCounts: DURATION_BUCKETS.map(() => 0) });
  const all = [...PRIORITIES.map((p) => byPriority.get(p) ?? empty(p)), ...rows.filter((r) => !PRIORITIES.includes(r.priority))];
  return all.flatMap(({ priority, count, sumSeconds, cumulativeCounts }): StoredValue[] => [
    ...DURATION_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le, priority }, value: cumulativeCounts[i]! })),
    { metricName: `${name}_bucket`, labels: { le: '+Inf', priority }, value: count },
    { metricName: `${name}_sum`, labels: { priority }, value: sumSeconds },
    { metricName: `${name}_count`, labels: { priority }, value: count },
  ]);
}

/** Everything a scrape reads, in parallel. */
interface Snapshot {
  latest: LatestResult[];
  services: string[];
  incidents: IncidentFigureValues;
  availability: Array<[window: string, ratios: Map<string, { ratio: number | null; probeSuccess: number | null }>]>;
  backlog: number;
  integrity: IntegrityCounts[];
}

export class SigapMetrics {
  /** Its own registry: no global state, no default Node metrics (some break `promtool check metrics`). */
  readonly registry = new Registry();
  private readonly deps: SigapMetricsDeps;
  private rendering: Promise<string> | null = null;
  /** The incident figures, kept from the incidents written since the previous scrape. */
  private readonly incidentFigures: IncidentFigures;

  private readonly probe = {
    success: this.gauge('probe_success', "Whether the check's latest probe succeeded (1: up or degraded, 0: down; absent while unknown).", ['service', 'check']),
    duration: this.gauge('probe_duration_seconds', "How long the check's latest probe took.", ['service', 'check']),
    phase: this.gauge('probe_http_duration_seconds', 'Duration of each phase of the latest HTTP probe (resolve, connect, tls, processing, transfer).', [
      'service',
      'check',
      'phase',
    ]),
    status: this.gauge('probe_http_status_code', 'HTTP status code of the latest HTTP probe (0: no response).', ['service', 'check']),
    certExpiry: this.gauge('probe_ssl_earliest_cert_expiry', 'When the certificate seen by the latest probe expires, in unix seconds.', ['service', 'check']),
  };
  private readonly incidentsOpen = this.gauge('sigap_incidents_open', 'Incidents open now (new, assigned, escalated or pending).', ['priority', 'service']);
  private readonly incidentsOpened = new Counter({
    name: 'sigap_incidents_opened_total',
    help: 'Incidents ever opened (never deleted), by service and their current category and priority.',
    labelNames: ['service', 'category', 'priority'],
    registers: [this.registry],
  });
  private readonly slaBreaches = new Counter({
    name: 'sigap_sla_breaches_total',
    help: 'Incidents that breached their response or resolution target (judged by their own due times; open and past due counts).',
    labelNames: ['target', 'priority'],
    registers: [this.registry],
  });
  private readonly toAcknowledge = this.stored(
    'sigap_incident_time_to_acknowledge_seconds',
    "Time from detection to acknowledgement on the priority's clock (office time for business priorities), over every acknowledged incident.",
    'histogram',
  );
  private readonly toResolve = this.stored(
    'sigap_incident_time_to_resolve_seconds',
    "Time from detection to resolution less paused time, on the priority's clock (office time for business priorities), over every resolved incident.",
    'histogram',
  );
  private readonly availabilityRatio = this.gauge(
    'sigap_availability_ratio',
    'Availability of the service over the window: confirmed outage time against observed time (maintenance and unknown time excluded).',
    ['service', 'window'],
  );
  private readonly probeSuccessRatio = this.gauge(
    'sigap_probe_success_ratio',
    'Probe success of the service over the window: probe-level failures, confirmed or not, against observed time (maintenance and unknown time excluded).',
    ['service', 'window'],
  );
  private readonly integrityFindings = this.gauge(
    'sigap_integrity_findings',
    "Findings of each kind in the integrity check's latest result (forbidden terms, hidden and foreign links, foreign embeds, sitemap entries, cloaking, drift).",
    ['service', 'check', 'kind'],
  );
  private readonly outboxBacklog = this.gauge('sigap_notification_outbox_backlog', 'Notifications not delivered yet.', []);
  /** Only in a process that probes: a web-only process has no scheduler to report on. */
  private readonly scheduler: { lateness: StoredMetric; queueLength: Gauge; resultsBuffered: Gauge } | null;

  constructor(deps: SigapMetricsDeps) {
    this.deps = deps;
    this.incidentFigures = new IncidentFigures({
      store: deps.store,
      measure: deps.measure,
      openStatuses: OPEN_STATUSES,
      buckets: DURATION_BUCKETS,
      clock: deps.clock,
      pageSize: deps.incidentPageSize,
    });
    this.scheduler = deps.probing
      ? {
          // A summary of quantiles only: the scheduler keeps a window of recent samples, no running sum.
          lateness: this.stored('sigap_probe_lateness_seconds', 'How late recent probes started (actual − planned start), by quantile (1: the maximum).', 'summary'),
          queueLength: this.gauge('sigap_probe_queue_length', 'Probes due but waiting for a concurrency slot.', []),
          resultsBuffered: this.gauge('sigap_results_buffered', 'Probe results waiting to be written to the database.', []),
        }
      : null;
  }

  readonly contentType = this.registry.contentType;

  /** The exposition text; scrapes that arrive while one is being computed share its answer. */
  render(): Promise<string> {
    this.rendering ??= this.collect().finally(() => {
      this.rendering = null;
    });
    return this.rendering;
  }

  private async collect(): Promise<string> {
    this.apply(await this.read());
    return this.registry.metrics();
  }

  private async read(): Promise<Snapshot> {
    const { store, outbox, availability, clock } = this.deps;
    const now = clock();
    const [latest, services, incidents, backlog, integrity, ...windows] = await Promise.all([
      store.latestResults(),
      store.serviceKeys(),
      this.incidentFigures.refresh(),
      outbox.backlog(),
      store.integrityFindings(),
      ...WINDOWS.map(([, ms]) => availability.forServices(new Date(now.getTime() - ms), now)),
    ]);
    return { latest, services, incidents, backlog, integrity, availability: WINDOWS.map(([name], i) => [name, windows[i]!]) };
  }

  private apply(s: Snapshot): void {
    this.registry.resetMetrics();
    for (const r of s.latest) {
      const labels = { service: r.serviceKey, check: r.checkKey };
      // Unknown (the probing host was offline): no claim either way, so alerts on probe_success == 0 stay quiet.
      if (r.status !== 'unknown') this.probe.success.set(labels, r.status === 'down' ? 0 : 1);
      this.probe.duration.set(labels, r.durationMs / 1000);
      if (r.checkType === 'http') {
        for (const phase of PHASES) this.probe.phase.set({ ...labels, phase }, (r.timings[phase] ?? 0) / 1000);
        this.probe.status.set(labels, r.httpStatus ?? 0);
      }
      if (r.tlsExpiresAt) this.probe.certExpiry.set(labels, Math.floor(r.tlsExpiresAt.getTime() / 1000));
    }

    for (const service of s.services) for (const priority of PRIORITIES) this.incidentsOpen.set({ priority, service }, 0);
    for (const priority of PRIORITIES) for (const target of ['response', 'resolution']) this.slaBreaches.inc({ target, priority }, 0);
    const { opened, open, breaches, toAcknowledge, toResolve } = s.incidents;
    for (const o of open) this.incidentsOpen.inc({ priority: o.priority, service: o.service }, o.count);
    for (const o of opened) this.incidentsOpened.inc({ service: o.service, category: o.category, priority: o.priority }, o.count);
    // The incident report's computation: each incident's durations on its own clock, met or breached by its own due times.
    for (const [priority, { response, resolution }] of breaches) {
      if (response > 0) this.slaBreaches.inc({ target: 'response', priority }, response);
      if (resolution > 0) this.slaBreaches.inc({ target: 'resolution', priority }, resolution);
    }
    this.toAcknowledge.set(histogramValues(this.toAcknowledge.name, toAcknowledge));
    this.toResolve.set(histogramValues(this.toResolve.name, toResolve));

    for (const [window, ratios] of s.availability) {
      for (const [service, { ratio, probeSuccess }] of ratios) {
        if (ratio !== null) this.availabilityRatio.set({ service, window }, ratio);
        if (probeSuccess !== null) this.probeSuccessRatio.set({ service, window }, probeSuccess);
      }
    }

    // Every kind for every integrity check, 0 when its latest result found none of it: alerts compare with 0.
    for (const { serviceKey, checkKey, counts } of s.integrity) {
      for (const kind of INTEGRITY_FINDING_KINDS) this.integrityFindings.set({ service: serviceKey, check: checkKey, kind }, counts[kind] ?? 0);
    }

    this.outboxBacklog.set(s.backlog);
    const probing = this.deps.probing?.();
    if (probing && this.scheduler) {
      const { lateness, queueLength, resultsBuffered } = this.scheduler;
      const { p50, p99, max } = probing.latenessMs;
      lateness.set([
        { labels: { quantile: 0.5 }, value: p50 / 1000 },
        { labels: { quantile: 0.99 }, value: p99 / 1000 },
        { labels: { quantile: 1 }, value: max / 1000 },
      ]);
      queueLength.set(probing.queueLength);
      resultsBuffered.set(probing.resultsBuffered);
    }
  }

  private gauge<L extends string>(name: string, help: string, labelNames: L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private stored(name: string, help: string, type: StoredMetric['type']): StoredMetric {
    const metric = new StoredMetric(name, help, type);
    // The registry reads only name, help, type, get() and reset(); the cast is the seam to prom-client's types.
    this.registry.registerMetric(metric as unknown as Metric);
    return metric;
  }
}
