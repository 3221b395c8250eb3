// The incident figures of /metrics (DESIGN §7), kept up to date instead of recomputed from every
// incident at each scrape. The first scrape reads every incident once, a page at a time by id;
// every later scrape reads only the incidents whose row was written since the previous one (off
// the updated_at index, with a margin for transactions committed late and clocks a little apart)
// and replaces what each of them contributed. The figures are the incident report's: durations
// through `measureIncident`, met or breached through `slaOutcome`. Only an incident without a
// resolution can move from running to breached as time passes; those few (the open ones) are
// judged again at every scrape, the rest keep the outcome they had when last written.
import type { Priority } from '../incidents/priority.js';
import type { MetricsStore } from '../store/store-types.js';
import { measureIncident, slaOutcome, type MeasureContext, type SlaOutcome } from './incident-report.js';
import type { ChangedIncident, DurationHistogramRow } from './report-types.js';

/** How far before the previous read a read starts again: a transaction's `updated_at` is taken before it commits, by its own process's clock. */
export const CHANGE_MARGIN_MS = 5 * 60_000;
/** Incidents per page of the first read. */
const PAGE = 2000;

/** One incident's part of the figures, to take back out when it changes. */
interface Contribution {
  service: string;
  category: string;
  priority: Priority;
  open: boolean;
  /** Not canceled: canceled incidents count as opened and nowhere else. */
  counted: boolean;
  ackMs: number | null;
  resolveMs: number | null;
  /** Its outcome for good (it has a resolution), or null: judged at every scrape. */
  outcome: SlaOutcome | null;
  /** What judging needs, kept while the outcome can still change. */
  pending: ChangedIncident | null;
  /** The times its durations depend on, so they are measured again only when one changed. */
  measuredKey: string;
}

/** Counts and a sum in whole milliseconds (exact whatever the order incidents come and go in). */
interface Histogram {
  count: number;
  sumMs: number;
  cumulative: number[];
}

export interface IncidentFigureValues {
  /** Per (service, category, priority), incidents ever opened, canceled ones included; sorted. */
  opened: Array<{ service: string; category: string; priority: Priority; count: number }>;
  /** Per (service, priority), incidents open now (only the non-zero ones). */
  open: Array<{ service: string; priority: Priority; count: number }>;
  /** Per priority, response and resolution targets breached (not canceled). */
  breaches: Map<Priority, { response: number; resolution: number }>;
  toAcknowledge: DurationHistogramRow[];
  toResolve: DurationHistogramRow[];
}

export interface IncidentFiguresDeps {
  store: Pick<MetricsStore, 'incidentsAfter' | 'incidentsChangedSince'>;
  measure: MeasureContext;
  openStatuses: readonly string[];
  buckets: readonly number[];
  clock: () => Date;
  /** Incidents per page of the first read (tests page through a few). */
  pageSize?: number;
}

const bump = <K>(map: Map<K, number>, key: K, by: number) => {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
};

export class IncidentFigures {
  private readonly byId = new Map<number, Contribution>();
  private readonly opened = new Map<string, number>();
  private readonly open = new Map<string, number>();
  /** Breaches of incidents judged for good, per `target|priority`. */
  private readonly fixedBreaches = new Map<string, number>();
  private readonly ack = new Map<Priority, Histogram>();
  private readonly resolve = new Map<Priority, Histogram>();
  /** Incidents whose outcome still depends on the time: judged at every scrape. */
  private readonly running = new Set<number>();
  /** Where the next read of changed incidents starts (before the margin); null: nothing read yet. */
  private since: number | null = null;

  constructor(private readonly deps: IncidentFiguresDeps) {}

  /** Read what changed since the last call (everything the first time) and answer the figures as of now. */
  async refresh(): Promise<IncidentFigureValues> {
    const startedAt = this.deps.clock().getTime();
    if (this.since === null) await this.readAll();
    else for (const incident of await this.deps.store.incidentsChangedSince(new Date(this.since - CHANGE_MARGIN_MS))) this.apply(incident);
    this.since = startedAt;
    return this.values(this.deps.clock());
  }

  private async readAll(): Promise<void> {
    this.clear();
    try {
      let after = 0;
      for (;;) {
        const page = await this.deps.store.incidentsAfter(after, this.deps.pageSize ?? PAGE);
        for (const incident of page) this.apply(incident);
        if (page.length < (this.deps.pageSize ?? PAGE)) return;
        after = page.at(-1)!.id;
      }
    } catch (err) {
      // Half a read is no figure: the next scrape starts over.
      this.clear();
      throw err;
    }
  }

  private clear(): void {
    for (const map of [this.byId, this.opened, this.open, this.fixedBreaches, this.ack, this.resolve, this.running]) map.clear();
  }

  /** Replace what the incident contributed with what it contributes now. */
  private apply(i: ChangedIncident): void {
    const previous = this.byId.get(i.id);
    if (previous) this.add(i.id, previous, -1);
    const measuredKey = [i.priority, i.detectedAt, i.acknowledgedAt, i.serviceRestoredAt, i.resolvedAt, i.pausedMs]
      .map((v) => (v instanceof Date ? v.getTime() : String(v)))
      .join('|');
    const counted = i.status !== 'canceled';
    let ackMs: number | null = null;
    let resolveMs: number | null = null;
    if (counted) {
      if (previous?.counted && previous.measuredKey === measuredKey) ({ ackMs, resolveMs } = previous);
      else ({ timeToAcknowledgeMs: ackMs, timeToResolveMs: resolveMs } = measureIncident(i, this.deps.measure));
    }
    // With a resolution, both targets are answered: the outcome no longer depends on the time.
    const settled = i.resolvedAt !== null;
    const next: Contribution = {
      service: i.service,
      category: i.category,
      priority: i.priority,
      open: this.deps.openStatuses.includes(i.status),
      counted,
      ackMs,
      resolveMs,
      outcome: counted && settled ? slaOutcome(i, this.deps.clock()) : null,
      pending: counted && !settled ? i : null,
      measuredKey,
    };
    this.byId.set(i.id, next);
    this.add(i.id, next, 1);
  }

  private add(id: number, c: Contribution, sign: 1 | -1): void {
    bump(this.opened, `${c.service}\u0000${c.category}\u0000${c.priority}`, sign);
    if (c.open) bump(this.open, `${c.service}\u0000${c.priority}`, sign);
    if (!c.counted) return;
    if (c.outcome) {
      if (c.outcome.response === 'breached') bump(this.fixedBreaches, `response|${c.priority}`, sign);
      if (c.outcome.resolution === 'breached') bump(this.fixedBreaches, `resolution|${c.priority}`, sign);
    }
    if (c.pending) {
      if (sign > 0) this.running.add(id);
      else this.running.delete(id);
    }
    this.observe(this.ack, c.priority, c.ackMs, sign);
    this.observe(this.resolve, c.priority, c.resolveMs, sign);
  }

  private observe(histograms: Map<Priority, Histogram>, priority: Priority, ms: number | null, sign: 1 | -1): void {
    if (ms === null) return;
    const h = histograms.get(priority) ?? { count: 0, sumMs: 0, cumulative: this.deps.buckets.map(() => 0) };
    h.count += sign;
    h.sumMs += sign * ms;
    this.deps.buckets.forEach((le, index) => {
      if (ms <= le * 1000) h.cumulative[index]! += sign;
    });
    if (h.count === 0) histograms.delete(priority);
    else histograms.set(priority, h);
  }

  private values(now: Date): IncidentFigureValues {
    const breaches = new Map<Priority, { response: number; resolution: number }>();
    const tally = (priority: Priority) => {
      const entry = breaches.get(priority) ?? { response: 0, resolution: 0 };
      breaches.set(priority, entry);
      return entry;
    };
    for (const [key, count] of this.fixedBreaches) {
      const [target, priority] = key.split('|') as ['response' | 'resolution', Priority];
      tally(priority)[target] += count;
    }
    for (const id of this.running) {
      const c = this.byId.get(id)!;
      const outcome = slaOutcome(c.pending!, now);
      if (outcome.response === 'breached') tally(c.priority).response += 1;
      if (outcome.resolution === 'breached') tally(c.priority).resolution += 1;
    }
    const split = (key: string) => key.split('\u0000');
    const histogramRows = (histograms: Map<Priority, Histogram>): DurationHistogramRow[] =>
      [...histograms].map(([priority, h]) => ({ priority, count: h.count, sumSeconds: h.sumMs / 1000, cumulativeCounts: [...h.cumulative] }));
    return {
      opened: [...this.opened]
        .map(([key, count]) => {
          const [service, category, priority] = split(key) as [string, string, Priority];
          return { service, category, priority, count };
        })
        .sort((a, b) => a.service.localeCompare(b.service) || a.category.localeCompare(b.category) || a.priority.localeCompare(b.priority)),
      open: [...this.open].map(([key, count]) => {
        const [service, priority] = split(key) as [string, Priority];
        return { service, priority, count };
      }),
      breaches,
      toAcknowledge: histogramRows(this.ack),
      toResolve: histogramRows(this.resolve),
    };
  }
}
