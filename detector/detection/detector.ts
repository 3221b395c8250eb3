// Turns probe results into incidents: a batch of results, their effect on the checks' streaks and
// any incident they open or restore are written in one transaction, so a crash never leaves half.
// The one writer of check state: streaks, location streaks, the confirmed up ↔ down changes
// that flapping counts, the confirmed outages that availability counts and an integrity check's
// first baseline (from its first clean result); what a confirmed change means for the check's
// incident is ProbeIncidents'.
import type { Logger } from 'pino';
import type { ProbeResult, ProbeStatus } from '../../probes/probe-types.js';
import type { CheckRecord, CheckStatePatch, OutageKind } from './check-types.js';
import type { CheckLookup } from './check-catalog.js';
import { DuplicateError } from '../errors.js';
import type { FlapSignal, ProbeIncidents } from '../incidents/probe-incidents.js';
import type { MaintenanceService } from './maintenance-service.js';
import type { Database, Stores } from '../store/store-types.js';
import { advanceLocation, judgeByQuorum, type Judgement, type LocationState } from './location-quorum.js';
import { addStateChange, isStable, lastChange, type FlappingPolicy } from './flapping.js';
import { advanceStreak, isUpDownChange, type StreakOutcome } from './streaks.js';

export interface DetectorVerdict {
  outcome: StreakOutcome;
  /** A change of state (failure or recovery) has begun but is not confirmed yet. */
  awaitingConfirmation: boolean;
}

export interface DetectorDeps {
  db: Database;
  incidents: ProbeIncidents;
  checks: CheckLookup;
  /** How many up ↔ down changes within which window make a check flap (`policy.flapping`). */
  flapping: FlappingPolicy;
  instance: string;
  logger: Logger;
  /** Maintenance windows suppress incident creation (DESIGN §4); without it there are none. */
  maintenance?: Pick<MaintenanceService, 'covers'>;
}

export class Detector {
  constructor(private readonly deps: DetectorDeps) {}

  /** Record one probe result; answers what it meant for the check's streak. */
  async handleResult(result: ProbeResult): Promise<DetectorVerdict> {
    const [verdict] = await this.handleBatch([result]);
    return verdict!;
  }

  /**
   * Record many results in one transaction, with exactly the effect of handling them one by one
   * in this order; answers one verdict per result.
   */
  async handleBatch(results: readonly ProbeResult[]): Promise<DetectorVerdict[]> {
    if (results.length === 0) return [];
    try {
      return await this.apply(results);
    } catch (err) {
      // Another process opened the incident between our read and our insert: the unique index
      // refused the duplicate and rolled everything back. Apply again; it now finds that incident.
      if (err instanceof DuplicateError) return this.apply(results);
      throw err;
    }
  }

  private async apply(results: readonly ProbeResult[]): Promise<DetectorVerdict[]> {
    for (const result of results) {
      if (!this.deps.checks.check(result.checkKey)) throw new Error(`result for unknown check ${result.checkKey}`);
    }
    return this.deps.db.transaction(async (stores) => {
      // Lock every check of the batch first, in key order: two workers writing overlapping
      // batches then wait for each other instead of deadlocking. Locking before the insert also
      // keeps its foreign-key share locks from conflicting with our own row locks (PostgreSQL).
      const keys = [...new Set(results.map((r) => r.checkKey))].sort();
      const checks = new Map((await stores.checks.getChecksForUpdate(keys)).map((check): [string, CheckRecord] => [check.key, check]));
      const missing = keys.find((key) => !checks.has(key));
      if (missing !== undefined) throw new Error(`check ${missing} is not in the database`);
      const loaded = new Map(checks);
      await stores.checks.insertResults(results.map((result) => ({ checkId: checks.get(result.checkKey)!.id, result, instance: this.deps.instance })));
      for (const result of results) await recordFirstBaseline(stores, checks.get(result.checkKey)!, result);

      // Checks confirmed by k > 1 locations also keep one streak per location, read under the lock.
      const locations = new Map<string, LocationState[]>();
      for (const check of checks.values()) {
        if (this.deps.checks.check(check.key)!.confirmLocations > 1) locations.set(check.key, await stores.checks.listLocationStates(check.id));
      }

      const changed = new Map<string, CheckRecord>();
      const verdicts: DetectorVerdict[] = [];
      for (const result of results) {
        const check = checks.get(result.checkKey)!;
        const { verdict, next } = await this.applyOne(stores, check, result, locations);
        verdicts.push(verdict);
        // The next result of the same check continues from this streak, as it would after a
        // commit; the row itself is written once per check, below.
        const updated = { ...check, ...next };
        checks.set(check.key, updated);
        changed.set(check.key, updated);
      }
      for (const check of changed.values()) await stores.checks.updateCheckState(check.id, stateOf(check, loaded.get(check.key)!));
      for (const [key, states] of locations) {
        const mine = states.filter((s) => s.instance === this.deps.instance);
        await stores.checks.saveLocationStates(checks.get(key)!.id, mine);
      }
      return verdicts;
    });
  }

  private async applyOne(
    stores: Stores,
    check: CheckRecord,
    result: ProbeResult,
    locations: Map<string, LocationState[]>,
  ): Promise<{ verdict: DetectorVerdict; next: CheckStatePatch & { recentChanges: Date[] } }> {
    const { next, outcome, since, firstConfirmation, awaitingConfirmation } = this.judge(check, result, locations);
    const { incidents, logger, flapping } = this.deps;
    await recordOutage(stores, check, next.state, outcome === 'recovery_confirmed' ? since : result.startedAt, since);
    // The check's confirmed up ↔ down changes inside the flapping window, as they are after this result.
    let changes = check.recentChanges;
    if (outcome === 'failure_confirmed' && (await this.deps.maintenance?.covers(stores, { checkKey: check.key, serviceKey: check.serviceKey }, result.startedAt))) {
      // The result and the streak are recorded as usual; a failure still there after the window opens the incident then.
      if (firstConfirmation) logger.info({ check: check.key, failureKind: result.failureKind }, 'failure confirmed during a maintenance window: no incident opened');
    } else if (outcome === 'failure_confirmed') {
      // From up, this failure is a state change; a check that keeps failing changes nothing, and
      // may settle: a whole window without a change.
      let flap: FlapSignal;
      if (isUpDownChange(check.state, result.status)) {
        changes = addStateChange(changes, since, flapping.windowMs);
        flap = { kind: 'changed', changes };
      } else if (isStable(changes, result.startedAt, flapping.windowMs)) {
        flap = { kind: 'settled', lastChangeAt: lastChange(changes) };
        changes = [];
      } else flap = { kind: 'none' };
      const incident = await incidents.failureConfirmed(stores, check, result, since, flap);
      if (firstConfirmation) logger.warn({ check: check.key, ref: incident.ref, priority: incident.priority, failureKind: result.failureKind }, 'failure confirmed');
    } else if (outcome === 'recovery_confirmed') {
      changes = addStateChange(changes, since, flapping.windowMs);
      const incident = await incidents.recoveryConfirmed(stores, check, since, changes);
      logger.info({ check: check.key, ref: incident?.ref }, 'service restored');
    } else if (changes.length > 0 && isStable(changes, result.startedAt, flapping.windowMs)) {
      // A result that changes nothing may still end a flapping spell: a whole window without a change.
      const lastChangeAt = lastChange(changes);
      changes = [];
      await incidents.settled(stores, check, result.startedAt, lastChangeAt);
    }
    return { verdict: { outcome, awaitingConfirmation }, next: { ...next, recentChanges: changes } };
  }

  /**
   * What the result means for the check: with one confirming location (the default), the check's
   * one streak decides, exactly as before locations existed; with k > 1, this location's own
   * streak advances and the locations' agreement decides (location-quorum.ts).
   */
  private judge(check: CheckRecord, result: ProbeResult, locations: Map<string, LocationState[]>): Judgement {
    const config = this.deps.checks.check(result.checkKey)!;
    const states = locations.get(check.key);
    if (!states) {
      const { next, outcome } = advanceStreak(check, result, config);
      const recovering = (next.state === 'down' || next.state === 'degraded') && next.consecutiveSuccesses > 0;
      return {
        next,
        outcome,
        since: next.streakStartedAt ?? result.startedAt,
        firstConfirmation: check.consecutiveFailures + 1 === config.failureThreshold,
        awaitingConfirmation: outcome === 'failure_unconfirmed' || recovering,
      };
    }
    const policy = { ...config, impact: this.deps.checks.service(check.serviceKey)?.impact ?? 'high' };
    const { instance } = this.deps;
    const location = advanceLocation(
      states.find((s) => s.instance === instance),
      instance,
      result,
      policy,
    );
    const updated = location.next ? [...states.filter((s) => s.instance !== instance), location.next] : states;
    // The next result of the batch continues from this location's new streak.
    locations.set(check.key, updated);
    return judgeByQuorum(check, updated, location, result, policy);
  }
}

const isFailing = (state: ProbeStatus): state is OutageKind => state === 'down' || state === 'degraded';

/**
 * Keep the check's confirmed outages in step with its state, in the transaction of the change: a
 * confirmed failure starts one at the first failed probe of its streak (`since`), a confirmed
 * recovery ends it at the restoration (`since` of the recovery, as the incident's
 * serviceRestoredAt), and a change between down and degraded ends one and starts the next at the
 * result that changed it (`at`).
 */
async function recordOutage(stores: Stores, check: CheckRecord, state: ProbeStatus, at: Date, since: Date): Promise<void> {
  if (state === check.state) return;
  const wasFailing = isFailing(check.state);
  if (wasFailing) await stores.outages.close(check.id, at);
  if (isFailing(state)) await stores.outages.open(check.id, state, wasFailing ? at : since);
}

/**
 * An integrity check's first clean result, when the check has no baseline yet, becomes its
 * baseline, recorded automatically (`acceptedBy` null: it adds no allowed domains); a baseline
 * that exists, recorded or accepted by a person, is never overwritten here.
 */
async function recordFirstBaseline(stores: Stores, check: CheckRecord, result: ProbeResult): Promise<void> {
  const integrity = result.evidence.integrity;
  if (result.status !== 'up' || !integrity?.snapshot || integrity.baseline) return;
  await stores.integrity.recordFirstBaseline(check.id, { snapshot: integrity.snapshot, acceptedAt: result.startedAt, acceptedBy: null });
}

/** The check's row as the batch leaves it; its recent changes only when they changed. */
function stateOf(check: CheckRecord, before: CheckRecord): CheckStatePatch {
  const { state, consecutiveFailures, consecutiveSuccesses, streakStartedAt, lastResultAt, lastStateChangeAt, recentChanges } = check;
  const sameChanges = recentChanges.length === before.recentChanges.length && recentChanges.every((c, i) => c.getTime() === before.recentChanges[i]!.getTime());
  return { state, consecutiveFailures, consecutiveSuccesses, streakStartedAt, lastResultAt: lastResultAt!, lastStateChangeAt, ...(sameChanges ? {} : { recentChanges }) };
}
