// Runs the SLA sweep every second (DESIGN §6: breaches are acted on within 5 seconds of their due
// time). It holds no timers per incident: each sweep reads the stored due times, so a restart
// forgets nothing and several processes may sweep one database (the sweep acts once per breach).
import type { Logger } from 'pino';
import { OutageLog, Periodic } from '../periodic.js';
import type { SweepReport } from './sla-enforcer.js';

export const DEFAULT_SLA_SWEEP_MS = 1_000;

export interface SlaWatcherDeps {
  sweep: () => Promise<SweepReport>;
  logger: Logger;
  intervalMs?: number;
}

export class SlaWatcher {
  private readonly periodic = new Periodic(() => this.sweepOnce());
  private readonly outage: OutageLog;

  constructor(private readonly deps: SlaWatcherDeps) {
    // The database is away: said once per outage; sweeping goes on and loses nothing, the due times are stored.
    this.outage = new OutageLog(deps.logger, { failed: 'SLA sweep failed; retrying every sweep until the database answers', recovered: 'SLA sweep works again' });
  }

  start(): void {
    this.periodic.start(this.deps.intervalMs ?? DEFAULT_SLA_SWEEP_MS);
  }

  /** Stop sweeping and wait for the sweep in progress. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One sweep, unless one is still running (a slow database never stacks sweeps up). */
  tick(): Promise<void> {
    return this.periodic.tick();
  }

  private async sweepOnce(): Promise<void> {
    const { logger } = this.deps;
    try {
      const report = await this.deps.sweep();
      this.outage.ok();
      if (report.warnings + report.breaches + report.autoClosed + report.reminders > 0) {
        logger.info({ warnings: report.warnings, breaches: report.breaches, autoClosed: report.autoClosed, reminders: report.reminders }, 'SLA sweep acted');
      }
      for (const { ref, error } of report.failures) logger.error({ ref, err: error }, 'SLA sweep could not handle an incident; retrying on the next sweep');
    } catch (err) {
      this.outage.failed({ err });
    }
  }
}
