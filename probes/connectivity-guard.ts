// The false-alarm guard (like Gatus's connectivity checker): before a failed probe counts, ask
// whether the probing host itself can reach the world. If its own connectivity check fails too,
// the failure says nothing about the site: the result becomes `unknown`. The watched sites alone
// never decide this — two sites on one server failing together is a real outage.
import type { ProbeResult, ProbeTarget, TcpTarget } from './probe-types.js';

export interface ConnectivityGuardDeps {
  target: TcpTarget;
  probe: (target: ProbeTarget) => Promise<ProbeResult>;
  /** Called once per change: offline (with the failed check) or back online. */
  onChange: (online: boolean, result: ProbeResult) => void;
  /** A connectivity answer this fresh is reused instead of probing again. */
  reuseForMs?: number;
}

export class ConnectivityGuard {
  private online = true;
  private lastCheckedAt = 0;
  private pending: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ConnectivityGuardDeps) {}

  /** Check every `intervalMs` as well, so a lost link is noticed (and logged) even between failures. */
  start(intervalMs: number): void {
    const tick = () => {
      void this.check().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  isOnline(): boolean {
    return this.online;
  }

  /** A fresh answer (shared by concurrent callers, reused for a moment): can this host reach the world? */
  async confirmOnline(): Promise<boolean> {
    if (Date.now() - this.lastCheckedAt < (this.deps.reuseForMs ?? 2000)) return this.online;
    return this.check();
  }

  /** Pass a result through: a failure seen while this host is offline becomes `unknown`. */
  async judge(result: ProbeResult): Promise<ProbeResult> {
    if (result.status === 'up' || result.status === 'unknown') return result;
    if (await this.confirmOnline()) return result;
    return {
      ...result,
      status: 'unknown',
      failureKind: null,
      evidence: {
        ...result.evidence,
        reason: `not judged: the probing host is offline (connectivity check ${this.deps.target.host}:${this.deps.target.port} failed); the probe had failed with ${result.failureKind}`,
      },
    };
  }

  private check(): Promise<boolean> {
    this.pending ??= this.deps
      .probe(this.deps.target)
      .then((result) => {
        const online = result.status === 'up';
        this.lastCheckedAt = Date.now();
        if (online !== this.online) {
          this.online = online;
          this.deps.onChange(online, result);
        }
        return online;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
