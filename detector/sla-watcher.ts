// Runs the SLA sweep every second (DESIGN §6: breaches are acted on within 5 seconds of their due
// time). It holds no timers per incident: each sweep reads the stored due times, so a restart
// forgets nothing and several processes may sweep one database (the sweep acts once per breach).
import type { Logger } from 'pino';
import type { SweepReport } from './sla-enforcer.js';

export const DEFAULT_SLA_SWEEP_MS = 1_000;

export interface SlaWatcherDeps {
  sweep: () => Promise<SweepReport>;
  logger: Logger;
  intervalMs?: number;
}

export class SlaWatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failing = false;

  constructor(private readonly deps: SlaWatcherDeps) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? DEFAULT_SLA_SWEEP_MS);
    this.timer.unref();
  }

  /** Stop sweeping and wait for the sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One sweep, unless one is still running (a slow database never stacks sweeps up). */
  tick(): Promise<void> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<void> {
    const { logger } = this.deps;
    try {
      const report = await this.deps.sweep();
      if (this.failing) logger.info('SLA sweep works again');
      this.failing = false;
      if (report.warnings + report.breaches + report.autoClosed + report.reminders > 0) {
        logger.info({ warnings: report.warnings, breaches: report.breaches, autoClosed: report.autoClosed, reminders: report.reminders }, 'SLA sweep acted');
      }
      for (const { ref, error } of report.failures) logger.error({ ref, err: error }, 'SLA sweep could not handle an incident; retrying on the next sweep');
    } catch (err) {
      // The database is away: log once per outage, keep sweeping; nothing is lost, the due times are stored.
      if (!this.failing) logger.warn({ err }, 'SLA sweep failed; retrying every sweep until the database answers');
      this.failing = true;
    }
  }
}
