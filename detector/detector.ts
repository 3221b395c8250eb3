// Turns probe results into incidents: each result, its effect on the check's streaks and any
// incident it opens or restores are written in one transaction, so a crash never leaves half.
import type { Logger } from 'pino';
import type { CheckConfig } from '../config.js';
import type { ProbeResult } from '../probes/probe-types.js';
import { DuplicateError } from './errors.js';
import type { IncidentService } from './incident-service.js';
import type { Database } from './store/store-types.js';
import { advanceStreak, type StreakOutcome } from './streaks.js';

export interface DetectorVerdict {
  outcome: StreakOutcome;
  /** A change of state (failure or recovery) has begun but is not confirmed yet. */
  awaitingConfirmation: boolean;
}

export interface DetectorDeps {
  db: Database;
  incidents: IncidentService;
  checks: readonly CheckConfig[];
  instance: string;
  logger: Logger;
}

export class Detector {
  private readonly checks: ReadonlyMap<string, CheckConfig>;

  constructor(private readonly deps: DetectorDeps) {
    this.checks = new Map(deps.checks.map((c) => [c.key, c]));
  }

  /** Record one probe result; answers what it meant for the check's streak. */
  async handleResult(result: ProbeResult): Promise<DetectorVerdict> {
    try {
      return await this.apply(result);
    } catch (err) {
      // Another process opened the incident between our read and our insert: the unique index
      // refused the duplicate and rolled everything back. Apply again; it now finds that incident.
      if (err instanceof DuplicateError) return this.apply(result);
      throw err;
    }
  }

  private async apply(result: ProbeResult): Promise<DetectorVerdict> {
    const config = this.checks.get(result.checkKey);
    if (!config) throw new Error(`result for unknown check ${result.checkKey}`);
    return this.deps.db.transaction(async (stores) => {
      const check = await stores.checks.getCheck(result.checkKey, { forUpdate: true });
      if (!check) throw new Error(`check ${result.checkKey} is not in the database`);
      await stores.checks.insertResults([{ checkId: check.id, result, instance: this.deps.instance }]);
      const { next, outcome } = advanceStreak(check, result, config);
      await stores.checks.updateCheckState(check.id, next);
      if (outcome === 'failure_confirmed') {
        const incident = await this.deps.incidents.recordConfirmedFailure(stores, check, result, next.streakStartedAt ?? result.startedAt);
        if (check.consecutiveFailures + 1 === config.failureThreshold) {
          this.deps.logger.warn({ check: check.key, ref: incident.ref, priority: incident.priority, failureKind: result.failureKind }, 'failure confirmed');
        }
      } else if (outcome === 'recovery_confirmed') {
        const incident = await this.deps.incidents.recordRecovery(stores, check, next.streakStartedAt ?? result.startedAt);
        this.deps.logger.info({ check: check.key, ref: incident?.ref }, 'service restored');
      }
      const recovering = (next.state === 'down' || next.state === 'degraded') && next.consecutiveSuccesses > 0;
      return { outcome, awaitingConfirmation: outcome === 'failure_unconfirmed' || recovering };
    });
  }
}
