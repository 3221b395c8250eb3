// What the background jobs that run every second share (the SLA sweep, the notification
// dispatcher, the lease renewer): one timer, runs that never overlap, a stop that waits for the
// run in progress, and an outage said once instead of every second.
import type { Logger } from 'pino';

/** Runs `work` every `intervalMs` once started; a run still going is joined, never doubled. */
export class Periodic<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  private queued: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly work: () => Promise<T>) {}

  start(intervalMs: number): void {
    this.stopped = false;
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  /** One run now (the timer's, or a test's). */
  tick(): Promise<T> {
    this.running ??= this.work().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * A run that starts after this call: now, or as soon as the one in progress ends (that one may
   * have looked before what prompted this call existed). Calls meanwhile share it; none after stop.
   */
  soon(): void {
    if (this.stopped) return;
    if (!this.running) {
      void this.tick().catch(() => undefined);
      return;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(async () => {
        this.queued = null;
        if (!this.stopped) await this.tick().catch(() => undefined);
      });
  }

  /** No more runs; resolves when the one in progress (and one asked for by `soon`) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    await this.queued;
    await this.running?.catch(() => undefined);
  }
}

/** The first failure of an outage as a warning and its end as info; nothing in between. */
export class OutageLog {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly messages: { failed: string; recovered: string },
  ) {}

  failed(fields: Record<string, unknown>): void {
    if (!this.failing) this.logger.warn(fields, this.messages.failed);
    this.failing = true;
  }

  ok(): void {
    if (this.failing) this.logger.info(this.messages.recovered);
    this.failing = false;
  }
}
