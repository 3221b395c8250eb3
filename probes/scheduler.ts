// Runs every check on its own interval: never two probes of one check at once, a global bound
// on concurrent probes, and the fast retry interval while a failure is unconfirmed. The handler
// that receives results (the detector, wired in main.ts) says which interval comes next.
//
// Runs are planned on a grid: the next run is the *planned* time of this one plus the interval,
// so neither timer lateness nor probe duration accumulates as drift. A run that falls behind by
// more than an interval skips the missed slots instead of firing a burst of catch-up probes.
import type { ProbeResult, ProbeTarget } from './probe-types.js';

export interface ScheduledCheck {
  target: ProbeTarget;
  intervalMs: number;
  retryIntervalMs: number;
}

/** `retry`: a failure is not confirmed yet, probe again at retryInterval. */
export type NextProbe = 'interval' | 'retry';

export interface SchedulerDeps {
  probe: (target: ProbeTarget) => Promise<ProbeResult>;
  onResult: (result: ProbeResult) => Promise<NextProbe>;
  onError: (checkKey: string, err: unknown) => void;
  now: () => Date;
  maxConcurrent?: number;
  random?: () => number;
  /** Grace beyond a probe's own timeout before the scheduler cuts it off. */
  hardTimeoutGraceMs?: number;
  /** How many recent probes the lateness percentiles cover. */
  latencyWindow?: number;
  /** Monotonic milliseconds for planning; a wall-clock step must not stall or burst the grid. */
  monotonicMs?: () => number;
}

export interface SchedulerStats {
  checks: number;
  /** Probes running now, each holding a concurrency slot. */
  inFlight: number;
  /** Probes due but waiting for the concurrency bound. */
  waiting: number;
  probesStarted: number;
  /** Actual start − planned start (semaphore wait included) over the recent window. */
  lateness: { p50Ms: number; p99Ms: number; maxMs: number };
}

interface Entry {
  check: ScheduledCheck;
  timer: NodeJS.Timeout | null;
  /** Planned time of the pending run, or of the run in flight. */
  plannedAt: number;
  /** Planned time of the last run that started; null until the first one. */
  lastPlannedAt: number | null;
  lastNext: NextProbe;
  running: boolean;
  /** Removed while its probe was in flight: deliver the result, schedule nothing more. */
  removed: boolean;
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/** Fixed-size ring of recent lateness samples: one slot write per probe, no allocation. */
class LatenessWindow {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  constructor(size: number) {
    this.samples = new Float64Array(size);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.count = Math.min(this.count + 1, this.samples.length);
  }

  /** Sorting a copy is O(n log n) per call; stats are read rarely (a scrape), probes are many. */
  percentiles(): SchedulerStats['lateness'] {
    if (this.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
    const sorted = this.samples.slice(0, this.count).sort();
    const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
    return { p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted[sorted.length - 1]! };
  }
}

/** The first slot `anchor + k·step` (k ≥ 1) that is not in the past. */
export function nextSlot(anchor: number, step: number, now: number): number {
  const first = anchor + step;
  if (first >= now || step <= 0) return first;
  return anchor + Math.ceil((now - anchor) / step) * step;
}

/**
 * First runs are spread so that checks configured together do not fire in one burst: a burst of
 * N probes makes the last of them N ÷ throughput late (10,000 checks: seconds). A few checks start
 * within a second; many are spread up to a whole interval (1 ms per check).
 */
export function startSpreadMs(checks: number): number {
  return Math.max(1000, checks);
}

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly semaphore: Semaphore;
  private readonly lateness: LatenessWindow;
  private readonly mono: () => number;
  private probesStarted = 0;
  /** Probes holding a concurrency slot right now. */
  private probing = 0;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.semaphore = new Semaphore(deps.maxConcurrent ?? 32);
    this.lateness = new LatenessWindow(deps.latencyWindow ?? 10_000);
    this.mono = deps.monotonicMs ?? (() => performance.now());
  }

  start(checks: readonly ScheduledCheck[]): void {
    const spreadMs = startSpreadMs(checks.length + this.entries.size);
    for (const check of checks) this.add(check, spreadMs);
  }

  /** Add a check, or replace one with the same key (its next run follows the new interval). */
  upsert(check: ScheduledCheck): void {
    if (this.stopped) return;
    const key = check.target.checkKey;
    const entry = this.entries.get(key);
    if (!entry) {
      this.add(check, startSpreadMs(this.entries.size + 1));
      return;
    }
    entry.check = check;
    entry.removed = false;
    // In flight: the new configuration takes effect when it is rescheduled. Still waiting for
    // its first run: keep that time. Otherwise re-plan on the grid of its last run.
    if (entry.running || entry.lastPlannedAt === null) return;
    this.plan(entry, nextSlot(entry.lastPlannedAt, this.delayOf(entry), this.mono()));
  }

  /** Stop probing a check; a probe in flight finishes and its result is still delivered, one still waiting for a slot does not start. */
  remove(checkKey: string): void {
    const entry = this.entries.get(checkKey);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    if (entry.running) entry.removed = true;
    else this.entries.delete(checkKey);
  }

  stats(): SchedulerStats {
    let checks = 0;
    for (const entry of this.entries.values()) if (!entry.removed) checks++;
    return {
      checks,
      inFlight: this.probing,
      waiting: this.semaphore.queued,
      probesStarted: this.probesStarted,
      lateness: this.lateness.percentiles(),
    };
  }

  /** Stop scheduling; wait for probes in flight and their results to be handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.entries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private add(check: ScheduledCheck, spreadMs: number): void {
    const entry: Entry = { check, timer: null, plannedAt: 0, lastPlannedAt: null, lastNext: 'interval', running: false, removed: false };
    this.entries.set(check.target.checkKey, entry);
    this.plan(entry, this.mono() + this.jitter(check, spreadMs));
  }

  private jitter(check: ScheduledCheck, spreadMs: number): number {
    return Math.floor((this.deps.random ?? Math.random)() * Math.min(check.intervalMs, spreadMs));
  }

  private delayOf(entry: Entry): number {
    return entry.lastNext === 'retry' ? entry.check.retryIntervalMs : entry.check.intervalMs;
  }

  private plan(entry: Entry, plannedAt: number): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    if (this.stopped || entry.removed) return;
    entry.plannedAt = plannedAt;
    entry.timer = setTimeout(
      () => {
        entry.timer = null;
        entry.running = true;
        const run = this.runOnce(entry).finally(() => this.inFlight.delete(run));
        this.inFlight.add(run);
      },
      Math.max(0, plannedAt - this.mono()),
    );
  }

  private async runOnce(entry: Entry): Promise<void> {
    const { target } = entry.check;
    const plannedAt = entry.plannedAt;
    let next: NextProbe = 'interval';
    try {
      await this.semaphore.acquire();
      // Removed while it waited for a slot (another worker holds its lease now): it does not run.
      if (entry.removed) {
        this.semaphore.release();
        entry.running = false;
        if (this.entries.get(target.checkKey) === entry) this.entries.delete(target.checkKey);
        return;
      }
      this.lateness.record(Math.max(0, this.mono() - plannedAt));
      this.probesStarted++;
      this.probing++;
      entry.lastPlannedAt = plannedAt;
      let result: ProbeResult;
      try {
        result = await this.probeWithDeadline(target);
      } finally {
        this.probing--;
        this.semaphore.release();
      }
      next = await this.deps.onResult(result);
    } catch (err) {
      this.deps.onError(target.checkKey, err);
    }
    entry.running = false;
    entry.lastNext = next;
    if (entry.removed) {
      if (this.entries.get(target.checkKey) === entry) this.entries.delete(target.checkKey);
      return;
    }
    this.plan(entry, nextSlot(plannedAt, this.delayOf(entry), this.mono()));
  }

  /** A probe bounds itself; this is the backstop if one ever hangs past its own timeout. */
  private async probeWithDeadline(target: ProbeTarget): Promise<ProbeResult> {
    const startedAt = this.deps.now();
    const limit = target.timeoutMs + (this.deps.hardTimeoutGraceMs ?? 2000);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            checkKey: target.checkKey,
            startedAt,
            durationMs: limit,
            status: 'down',
            failureKind: 'timeout',
            timings: {},
            evidence: { errorCode: 'PROBE_HUNG', errorMessage: `probe did not return within ${limit} ms and was cut off` },
          }),
        limit,
      );
    });
    try {
      return await Promise.race([this.deps.probe(target), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
