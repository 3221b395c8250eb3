// Runs every check on its own interval: never two probes of one check at once, a global bound
// on concurrent probes, and the fast retry interval while a failure is unconfirmed. The handler
// that receives results (the detector, wired in main.ts) says which interval comes next.
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
}

class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

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

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly semaphore: Semaphore;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.semaphore = new Semaphore(deps.maxConcurrent ?? 32);
  }

  start(checks: readonly ScheduledCheck[]): void {
    const random = this.deps.random ?? Math.random;
    for (const check of checks) {
      // A little jitter so checks configured together do not all fire in the same instant.
      this.schedule(check, Math.floor(random() * Math.min(check.intervalMs, 1000)));
    }
  }

  /** Stop scheduling; wait for probes in flight and their results to be handled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(check: ScheduledCheck, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      const run = this.runOnce(check).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }, delayMs);
    this.timers.set(check.target.checkKey, timer);
  }

  private async runOnce(check: ScheduledCheck): Promise<void> {
    const startedAt = Date.now();
    let next: NextProbe = 'interval';
    try {
      await this.semaphore.acquire();
      let result: ProbeResult;
      try {
        result = await this.probeWithDeadline(check.target);
      } finally {
        this.semaphore.release();
      }
      next = await this.deps.onResult(result);
    } catch (err) {
      this.deps.onError(check.target.checkKey, err);
    }
    const delay = next === 'retry' ? check.retryIntervalMs : check.intervalMs;
    // Measured from this probe's start, so a slow probe does not push the schedule back.
    this.schedule(check, Math.max(0, startedAt + delay - Date.now()));
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
