// Which checks this process probes when several workers at one probe location share a database.
// Each worker, every round, renews the leases it holds, claims free or expired ones up to its fair
// share (⌈active checks ÷ live workers⌉) and gives back what it holds above that share, so work
// spreads when a worker joins and moves when one dies (its leases expire) or stops (it releases
// them). Workers at different locations (SIGAP_INSTANCE) do not share: each location probes every
// check once. A single process gets every check in its first round.
//
// Timing, for the shortest check interval I: a round every R = min(5 s, I ÷ 4) (at least 100 ms),
// leases (and heartbeats) last TTL = 3 R, so two missed rounds lose nothing. A worker killed at t
// renewed last at or before t: its leases are free by t + TTL, a survivor claims them in its next
// round (≤ R later) and the scheduler probes within one interval of that (at the check's slot, or
// sooner through its early lane), so
//   takeover ≤ TTL + R + I = 4 R + I ≤ 2 I  (for I ≥ 400 ms).
// A worker stopped with SIGTERM releases its leases: the others take over in their next round (≤ R).
import type { Logger } from 'pino';
import { OutageLog } from '../periodic.js';
import type { LeaseStore, WorkerIdentity } from '../store/store-types.js';

export interface LeasedCheck {
  key: string;
  intervalMs: number;
}

export interface LeaseTiming {
  renewEveryMs: number;
  ttlMs: number;
}

const MAX_ROUND_MS = 5_000;
const MIN_ROUND_MS = 100;

/** Round period and lease lifetime for checks with these intervals (see the bound above). */
export function leaseTiming(intervalsMs: readonly number[]): LeaseTiming {
  const shortest = intervalsMs.length > 0 ? Math.min(...intervalsMs) : MAX_ROUND_MS * 4;
  const renewEveryMs = Math.max(MIN_ROUND_MS, Math.min(MAX_ROUND_MS, Math.floor(shortest / 4)));
  return { renewEveryMs, ttlMs: 3 * renewEveryMs };
}

/** The longest a dead worker's check goes unprobed before a survivor probes it. */
export function takeoverBoundMs(timing: LeaseTiming, intervalMs: number): number {
  return timing.ttlMs + timing.renewEveryMs + intervalMs;
}

export interface CheckLeasesDeps {
  store: LeaseStore;
  worker: WorkerIdentity;
  /** The checks that exist now (the catalog). */
  checks: () => readonly LeasedCheck[];
  clock: () => Date;
  logger: Logger;
  /** This process now holds these checks: start probing them. */
  onGained: (keys: string[]) => void;
  /** Another process probes these now (or they are gone): stop probing them. */
  onLost: (keys: string[]) => void;
  /** Fixed timing instead of one derived from the intervals (tests). */
  timing?: LeaseTiming;
  random?: () => number;
}

export class CheckLeases {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly outage: OutageLog;

  constructor(private readonly deps: CheckLeasesDeps) {
    this.outage = new OutageLog(deps.logger, { failed: 'check leases could not be renewed; probing the checks held', recovered: 'check leases renewed again' });
  }

  /** The checks this process holds. */
  holding(): ReadonlySet<string> {
    return this.held;
  }

  timing(): LeaseTiming {
    return this.deps.timing ?? leaseTiming(this.deps.checks().map((c) => c.intervalMs));
  }

  /** Run the first round now (a lone process holds every check when this resolves), then every R. */
  async start(): Promise<void> {
    await this.round().catch(() => undefined);
    this.schedule();
  }

  /**
   * One round: heartbeat, renew, claim up to the fair share, release the excess. Rounds never
   * overlap. If the database cannot be reached the worker keeps probing what it holds: probing
   * twice for a while is better than nobody probing during an outage.
   */
  round(): Promise<void> {
    const next = this.running.then(() => (this.stopped ? undefined : this.roundOnce()));
    this.running = next.then(
      () => this.outage.ok(),
      (err: unknown) => this.outage.failed({ err: (err as Error).message }),
    );
    return next;
  }

  /** Stop the rounds and release every lease, so the other workers take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    try {
      await this.deps.store.leave(this.deps.worker);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'check leases could not be released; they expire by themselves');
    }
    this.held.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.round()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, this.timing().renewEveryMs);
    this.timer.unref();
  }

  private async roundOnce(): Promise<void> {
    const { store, worker, clock } = this.deps;
    const { ttlMs } = this.timing();
    const now = clock();
    const expiresAt = new Date(now.getTime() + ttlMs);
    const checks = new Set(this.deps.checks().map((c) => c.key));

    await store.heartbeat(worker, now, expiresAt);
    const live = Math.max(1, await store.countLiveWorkers(worker.instance, now));
    const share = Math.ceil(checks.size / live);
    const leases = await store.listLeases(worker.instance);

    const mine = leases
      .filter((l) => l.owner === worker.owner && checks.has(l.checkKey))
      .map((l) => l.checkKey)
      .sort();
    const gone = leases.filter((l) => l.owner === worker.owner && !checks.has(l.checkKey)).map((l) => l.checkKey);
    const keep = mine.slice(0, share);
    const excess = [...mine.slice(share), ...gone];
    if (excess.length > 0) await store.release(worker.instance, worker.owner, excess);

    const taken = new Set(leases.filter((l) => l.expiresAt.getTime() >= now.getTime()).map((l) => l.checkKey));
    const free = shuffle(
      [...checks].filter((key) => !taken.has(key) && !keep.includes(key)),
      this.deps.random ?? Math.random,
    );
    await store.claim(worker.instance, worker.owner, [...keep, ...free.slice(0, Math.max(0, share - keep.length))], now, expiresAt);

    const nowHeld = new Set(
      (await store.listLeases(worker.instance)).filter((l) => l.owner === worker.owner && l.expiresAt.getTime() >= now.getTime() && checks.has(l.checkKey)).map((l) => l.checkKey),
    );
    this.apply(nowHeld, { live, share });
  }

  private apply(nowHeld: Set<string>, context: { live: number; share: number }): void {
    const gained = [...nowHeld].filter((key) => !this.held.has(key));
    const lost = [...this.held].filter((key) => !nowHeld.has(key));
    if (gained.length === 0 && lost.length === 0) return;
    for (const key of lost) this.held.delete(key);
    for (const key of gained) this.held.add(key);
    this.deps.logger.info({ gained, lost, holding: this.held.size, workers: context.live, share: context.share }, 'check leases changed');
    if (lost.length > 0) this.deps.onLost(lost);
    if (gained.length > 0) this.deps.onGained(gained);
  }
}

/** Random order, so workers claiming at the same moment mostly reach for different checks. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
