// Runs every check on its own interval: never two probes of one check at once, a global bound
// on concurrent probes, and the fast retry interval while a failure is unconfirmed. The handler
// that receives results (the detector, wired in main.ts) says which interval comes next.
//
// Even schedule. Each check has a slot in its interval: an offset in [0, interval) hashed from its
// key and interval (slotOffsetMs), and it runs when the wall clock is offset + k × interval. The
// offsets of many checks spread evenly over the interval, so probes start at a steady rate and no
// burst forms at the start of an interval. The offset depends on nothing else, so a check keeps
// its slot after a restart, in another worker that takes it over, and when other checks come and
// go. The wall clock is read once, at construction, to place the grid; planning then follows the
// monotonic clock, so a wall-clock step neither stalls nor bursts it.
//
// Runs are planned on that grid, not from when a timer fired, so neither timer lateness nor probe
// duration accumulates as drift. A run that falls behind by more than an interval skips the
// missed slots instead of firing a burst of catch-up probes. A retry is timed from the run before
// it, off the grid; once the handler says `interval` again the check goes back to its slot (the
// first one at least min(retryInterval, interval ÷ 2) after its last run).
//
// A check added (at start, from the dashboard, or taken over from another worker) waits for its
// slot, at most one interval. One that this scheduler has not probed yet and whose slot is more
// than half an interval away may go sooner through the early lane: one such probe every
// EARLY_PROBE_GAP_MS (50 a second) at most, in the order the checks came. So a few checks — the
// office's, or those a dead worker left — are probed within moments of a start, while 10,000
// checks at start add at most 50 probes a second to the steady rate instead of forming a burst;
// the rest wait for their slots, which come at the steady rate. The scheduler does not read when
// a check was last probed (that is in the database): a check probed just before a restart may be
// probed once early, within the same bound.
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
  /** Where in its interval the check's slots lie (slotOffsetMs). */
  offsetMs: number;
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
 * A check's place in its interval, in [0, intervalMs): a hash of its key and interval, so it is the
 * same in every process and after every restart, and adding or removing other checks never moves
 * it. FNV-1a over the UTF-16 code units, then murmur3's finaliser so that keys differing only in a
 * trailing digit land far apart.
 */
export function slotOffsetMs(checkKey: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  const text = [checkKey, intervalMs].join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.floor(((h >>> 0) / 2 ** 32) * intervalMs);
}

/** The first time ≥ `notBefore` (monotonic) whose wall-clock time is `offset` past a multiple of `step`. */
export function gridSlot(offset: number, step: number, wallAtMonoZero: number, notBefore: number): number {
  const k = Math.ceil((notBefore + wallAtMonoZero - offset) / step);
  return Math.max(notBefore, offset + k * step - wallAtMonoZero);
}

/** The early lane: at most one early probe per this many ms (50 a second), whatever the count of checks. */
export const EARLY_PROBE_GAP_MS = 20;

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly semaphore: Semaphore;
  private readonly lateness: LatenessWindow;
  private readonly mono: () => number;
  /** Wall-clock ms at monotonic 0, read once: slots follow the wall clock's grid, planning the monotonic clock. */
  private readonly wallAtMonoZero: number;
  /** Checks waiting for an early first probe, in the order they came; `earlyNext` is the head. */
  private early: Entry[] = [];
  private earlyNext = 0;
  private earlyTimer: NodeJS.Timeout | null = null;
  private probesStarted = 0;
  /** Probes holding a concurrency slot right now. */
  private probing = 0;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.semaphore = new Semaphore(deps.maxConcurrent ?? 32);
    this.lateness = new LatenessWindow(deps.latencyWindow ?? 10_000);
    this.mono = deps.monotonicMs ?? (() => performance.now());
    this.wallAtMonoZero = deps.now().getTime() - this.mono();
  }

  start(checks: readonly ScheduledCheck[]): void {
    for (const check of checks) this.upsert(check);
  }

  /** Add a check, or replace one with the same key (its next run follows the new interval). */
  upsert(check: ScheduledCheck): void {
    if (this.stopped) return;
    const key = check.target.checkKey;
    const entry = this.entries.get(key);
    if (!entry) {
      this.add(check);
      return;
    }
    const moved = entry.check.intervalMs !== check.intervalMs;
    entry.check = check;
    entry.offsetMs = slotOffsetMs(key, check.intervalMs);
    entry.removed = false;
    // In flight: the new configuration takes effect when it is rescheduled. Retrying: the retries
    // go on from the last run. Otherwise the next slot of the (new) interval's grid.
    if (entry.running || (!moved && entry.lastPlannedAt === null)) return;
    if (entry.lastPlannedAt !== null && entry.lastNext === 'retry') {
      this.plan(entry, nextSlot(entry.lastPlannedAt, check.retryIntervalMs, this.mono()));
      return;
    }
    this.plan(entry, this.slotAfter(entry, entry.lastPlannedAt));
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
    if (this.earlyTimer) clearTimeout(this.earlyTimer);
    this.earlyTimer = null;
    this.early = [];
    await Promise.allSettled([...this.inFlight]);
  }

  private add(check: ScheduledCheck): void {
    const key = check.target.checkKey;
    const entry: Entry = {
      check,
      offsetMs: slotOffsetMs(key, check.intervalMs),
      timer: null,
      plannedAt: 0,
      lastPlannedAt: null,
      lastNext: 'interval',
      running: false,
      removed: false,
    };
    this.entries.set(key, entry);
    this.plan(entry, this.slotAfter(entry, null));
    this.early.push(entry);
    this.earlyTick(false);
  }

  /**
   * The next slot on the check's grid: now or later, and after a previous run at least
   * min(retryInterval, interval ÷ 2) after it, so a check back from retries or from an early probe
   * never probes twice in quick succession, nor skips a whole interval.
   */
  private slotAfter(entry: Entry, lastPlannedAt: number | null): number {
    const now = this.mono();
    const { intervalMs, retryIntervalMs } = entry.check;
    const notBefore = lastPlannedAt === null ? now : Math.max(now, lastPlannedAt + Math.min(retryIntervalMs, intervalMs / 2));
    return gridSlot(entry.offsetMs, intervalMs, this.wallAtMonoZero, notBefore);
  }

  /**
   * The early lane. A check this scheduler has not probed yet and whose slot is more than half an
   * interval away is probed early, one check per EARLY_PROBE_GAP_MS at most, oldest first; when its
   * slot comes first (or is near), it waits for its slot instead. `now` runs the head at once when
   * the lane has been idle for a gap; a timer runs the rest.
   */
  private earlyTick(fromTimer: boolean): void {
    if (fromTimer) this.earlyTimer = null;
    if (this.stopped || this.earlyTimer) return;
    const now = this.mono();
    let ran = false;
    while (!ran && this.earlyNext < this.early.length) {
      const entry = this.early[this.earlyNext++]!;
      const slotIsFar = entry.plannedAt - now > entry.check.intervalMs / 2;
      const waiting = entry.timer !== null && !entry.running && entry.lastPlannedAt === null;
      if (!slotIsFar || !waiting || entry.removed || this.entries.get(entry.check.target.checkKey) !== entry) continue;
      entry.plannedAt = now;
      this.fire(entry);
      ran = true;
    }
    if (this.earlyNext >= this.early.length) {
      this.early = [];
      this.earlyNext = 0;
    }
    // After an early probe the lane rests a gap, even if it is empty now: a check added next waits it out.
    if (ran) this.earlyTimer = setTimeout(() => this.earlyTick(true), EARLY_PROBE_GAP_MS);
  }

  private plan(entry: Entry, plannedAt: number): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    if (this.stopped || entry.removed) return;
    entry.plannedAt = plannedAt;
    entry.timer = setTimeout(() => this.fire(entry), Math.max(0, plannedAt - this.mono()));
  }

  private fire(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.running = true;
    const run = this.runOnce(entry).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
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
    // A retry is timed from this run, off the grid; otherwise back to the check's slot.
    const planned = next === 'retry' ? nextSlot(plannedAt, entry.check.retryIntervalMs, this.mono()) : this.slotAfter(entry, plannedAt);
    this.plan(entry, planned);
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
