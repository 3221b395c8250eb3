// Periodic upkeep of probe data (DESIGN §7: raw results kept `retention.raw`, rollups for years):
// every 5 minutes, roll results up into hourly and daily rows, the current partial hour included
// so dashboards are fresh; every hour, prune raw results and hourly rows retention no longer keeps.
//
// Several processes may run this against one PostgreSQL (SIGAP_ROLE=worker twice): that stays
// correct without locks, because every rollup row is an idempotent upsert computed from the same
// raw results, progress only moves forward, and a delete of rows already deleted deletes nothing.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { CheckConfig, RetentionConfig } from '../../config.js';
import { maintenanceIntervals, type MaintenanceWindow } from '../detection/maintenance.js';
import { HOUR_MS, floorToHour, rollUpDays, rollUpHours, zonedDayStart, zonedDaysCovering, type RollupProgress } from './rollups.js';
import { StorageUnavailableError } from '../errors.js';
import type { Database } from '../store/store-types.js';

export type HousekeepingCheck = Pick<CheckConfig, 'key' | 'intervalMs' | 'timeoutMs'>;
type StoredCheck = HousekeepingCheck & { id: number; serviceKey: string };

export interface HousekeepingDeps {
  db: Database;
  /** The checks to roll up: a list, or a function answering the current list (checks can be added at run time). */
  checks: readonly HousekeepingCheck[] | (() => readonly HousekeepingCheck[]);
  timezone: string;
  retention: RetentionConfig;
  clock: () => Date;
  logger: Logger;
  /** Rows per delete statement (default 1,000). */
  batchSize?: number;
  /** Pause between delete statements (default 100 ms), so probe writes are never starved. */
  batchPauseMs?: number;
  /** Delay of the first run after start (default 15 s), so it does not compete with start-up. */
  firstRunDelayMs?: number;
}

export interface HousekeepingReport {
  hourlyRows: number;
  dailyRows: number;
  resultsDeleted: number;
  hourlyDeleted: number;
  /** Checks (or the hourly prune) that failed this run; each failure is logged. */
  failures: number;
}

// A result is stored after its probe ends (at most its timeout after it started): an hour is final
// once that time, plus this margin for slow writes, has passed since its end.
const SETTLE_MARGIN_MS = 60_000;
// At most a day of raw results is read at once, so catching up after downtime stays bounded.
const WINDOW_MS = 24 * HOUR_MS;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Housekeeping {
  private tasks: ScheduledTask[] = [];
  private firstRun: NodeJS.Timeout | null = null;
  private stopped = false;
  // One job at a time: jobs wait in this chain; a job already waiting or running is not queued twice.
  private chain: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<string>();

  constructor(private readonly deps: HousekeepingDeps) {}

  start(): void {
    if (this.tasks.length > 0) return;
    this.stopped = false;
    const logger = this.cronLogger();
    this.tasks = [
      cron.schedule('*/5 * * * *', () => void this.run('rollup', (now) => this.rollUp(now)), { name: 'sigap-rollups', logger }),
      // Minute 17: away from the 5-minute marks, so pruning rarely queues behind a rollup.
      cron.schedule('17 * * * *', () => void this.run('prune', (now) => this.prune(now)), { name: 'sigap-prune', logger }),
    ];
    this.firstRun = setTimeout(() => void this.runOnce(), this.deps.firstRunDelayMs ?? 15_000);
    this.firstRun.unref();
  }

  /** Stop scheduling and wait for the job in progress (pruning stops after its current batch). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.firstRun) clearTimeout(this.firstRun);
    this.firstRun = null;
    for (const task of this.tasks) await task.destroy();
    this.tasks = [];
    await this.chain;
  }

  /** Roll up, then prune, now (null once stopped). Never rejects: failures are logged and counted. */
  async runOnce(): Promise<HousekeepingReport | null> {
    return this.run('once', async (now) => {
      const rollup = await this.rollUp(now);
      const prune = await this.prune(now);
      return { ...rollup, ...prune, failures: rollup.failures + prune.failures };
    });
  }

  /** The database being away is an outage, not a bug (a warning; the next run does the same work); anything else is an error. */
  private logFailure(err: unknown, fields: Record<string, unknown>, message: string): void {
    if (err instanceof StorageUnavailableError) this.deps.logger.warn({ ...fields, err: err.message }, `${message} (database unavailable)`);
    else this.deps.logger.error({ ...fields, err }, message);
  }

  private run<T>(name: string, job: (now: number) => Promise<T>): Promise<T | null> {
    if (this.pending.has(name)) return Promise.resolve(null);
    this.pending.add(name);
    const next = this.chain.then(async () => {
      try {
        return this.stopped ? null : await job(this.deps.clock().getTime());
      } catch (err) {
        this.logFailure(err, { job: name }, 'housekeeping failed');
        return null;
      } finally {
        this.pending.delete(name);
      }
    });
    this.chain = next;
    return next;
  }

  /** The configured checks with their database ids (a check not synced yet is skipped). */
  private async checksWithIds(): Promise<Array<StoredCheck>> {
    const stored = new Map((await this.deps.db.stores.checks.listChecks()).map((c) => [c.key, c]));
    const checks = typeof this.deps.checks === 'function' ? this.deps.checks() : this.deps.checks;
    return checks.flatMap((check) => {
      const record = stored.get(check.key);
      return record === undefined ? [] : [{ ...check, id: record.id, serviceKey: record.serviceKey }];
    });
  }

  private async rollUp(now: number): Promise<Omit<HousekeepingReport, 'resultsDeleted' | 'hourlyDeleted'>> {
    const report = { hourlyRows: 0, dailyRows: 0, failures: 0 };
    const windows = await this.deps.db.stores.maintenance.list();
    for (const check of await this.checksWithIds()) {
      try {
        const { hourly, daily } = await this.rollUpCheck(check, now, windows);
        report.hourlyRows += hourly;
        report.dailyRows += daily;
      } catch (err) {
        report.failures += 1;
        this.logFailure(err, { check: check.key }, 'rollup failed; retried on the next run');
      }
    }
    this.deps.logger.debug(report, 'rolled up probe results');
    return report;
  }

  // Maintenance windows are read as they are now: hours already final are not recomputed when a
  // window is added or deleted afterwards.
  private async rollUpCheck(check: StoredCheck, now: number, windows: readonly MaintenanceWindow[]): Promise<{ hourly: number; daily: number }> {
    const store = this.deps.db.stores.rollups;
    const counts = { hourly: 0, daily: 0 };
    const progress = await store.getProgress(check.id);
    // Read before the results: anything written after it is looked at again on the next run.
    const seenId = await store.lastResultId(check.id);
    const start = progress ? await this.firstStaleHour(check, progress, now) : (await store.firstResultAt(check.id))?.getTime();
    if (start === undefined) return counts;
    const finalBefore = floorToHour(now - check.timeoutMs - SETTLE_MARGIN_MS);
    for (let from = floorToHour(start); from < now;) {
      const to = Math.min(from + WINDOW_MS, now);
      const maintenance = maintenanceIntervals(windows, { checkKey: check.key, serviceKey: check.serviceKey }, new Date(from), new Date(to), this.deps.timezone);
      const hours = rollUpHours(await store.listSamples(check.id, new Date(from), new Date(to)), {
        intervalMs: check.intervalMs,
        from: new Date(from),
        to: new Date(to),
        maintenance,
      });
      await store.upsertHourly(check.id, hours);
      // Days are sums of their hours, so every day this window touches is rebuilt whole.
      const days = zonedDaysCovering(new Date(from), new Date(to), this.deps.timezone);
      const daily = rollUpDays(await store.listHourly(check.id, days.from, days.to), this.deps.timezone);
      await store.upsertDaily(check.id, daily);
      // Written after the rows: a crash in between only means recomputing them. Both parts of the
      // progress only move forward, so re-rolling older hours never moves it back.
      const rolledUpTo = new Date(Math.max(Math.min(to, finalBefore), progress?.rolledUpTo.getTime() ?? 0));
      const lastResultId = to === now ? seenId : (progress?.lastResultId ?? 0);
      await store.recordProgress(check.id, { rolledUpTo, lastResultId }, new Date(now));
      counts.hourly += hours.length;
      counts.daily += daily.length;
      from = to;
    }
    return counts;
  }

  /**
   * Where recomputing starts: the progress point, or earlier if results were written late into
   * final hours (kept through a database outage, or by another worker that lost the database).
   * Hours whose raw results, or whose day's other hourly rows, retention may already have thinned
   * are left as they are.
   */
  private async firstStaleHour(check: StoredCheck, progress: RollupProgress, now: number): Promise<number> {
    const { rawMs, hourlyMs } = this.deps.retention;
    const hourlyKept = new Date(now - hourlyMs);
    const intact = Math.max(
      Math.ceil((now - rawMs + 2 * check.intervalMs) / HOUR_MS) * HOUR_MS,
      zonedDaysCovering(hourlyKept, new Date(hourlyKept.getTime() + 1), this.deps.timezone).to.getTime(),
    );
    if (intact >= progress.rolledUpTo.getTime()) return progress.rolledUpTo.getTime();
    const late = await this.deps.db.stores.rollups.earliestResultAfterId(check.id, progress.lastResultId, new Date(intact), progress.rolledUpTo);
    if (late) this.deps.logger.info({ check: check.key, from: late.toISOString() }, 'results were written late: recomputing their hours');
    return late ? floorToHour(late.getTime()) : progress.rolledUpTo.getTime();
  }

  private async prune(now: number): Promise<Pick<HousekeepingReport, 'resultsDeleted' | 'hourlyDeleted' | 'failures'>> {
    const store = this.deps.db.stores.rollups;
    const report = { resultsDeleted: 0, hourlyDeleted: 0, failures: 0 };
    let oldestProgress = Infinity;
    for (const check of await this.checksWithIds()) {
      try {
        const progress = (await store.getProgress(check.id))?.rolledUpTo.getTime();
        if (progress === undefined) continue; // nothing rolled up yet: nothing may go
        oldestProgress = Math.min(oldestProgress, progress);
        // Only rolled-up results go, and not the last ones before the progress point: their
        // coverage (up to two intervals) still reaches into the next hour to be rolled up.
        const before = Math.min(now - this.deps.retention.rawMs, progress - 2 * check.intervalMs);
        report.resultsDeleted += await this.inBatches((limit) => store.deleteResultsBefore(check.id, new Date(before), limit));
      } catch (err) {
        report.failures += 1;
        this.logFailure(err, { check: check.key }, 'pruning raw results failed; retried on the next run');
      }
    }
    try {
      // A day is rebuilt from its hours while rollups still touch it: keep the hours of the day
      // the oldest progress point is in.
      const keepFrom = oldestProgress === Infinity ? Infinity : zonedDayStart(new Date(oldestProgress), this.deps.timezone).getTime();
      const before = Math.min(now - this.deps.retention.hourlyMs, keepFrom);
      report.hourlyDeleted = await this.inBatches((limit) => store.deleteHourlyBefore(new Date(before), limit));
    } catch (err) {
      report.failures += 1;
      this.logFailure(err, {}, 'pruning hourly rollups failed; retried on the next run');
    }
    if (report.resultsDeleted + report.hourlyDeleted > 0) this.deps.logger.info(report, 'pruned probe data past retention');
    return report;
  }

  private async inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    const size = this.deps.batchSize ?? 1000;
    let total = 0;
    for (;;) {
      const deleted = await deleteBatch(size);
      total += deleted;
      if (deleted < size || this.stopped) return total;
      await sleep(this.deps.batchPauseMs ?? 100);
    }
  }

  /** node-cron's own messages (missed runs when the event loop was blocked) go to our log. */
  private cronLogger() {
    const log = this.deps.logger.child({ component: 'node-cron' });
    return {
      info: (message: string) => log.debug(message),
      warn: (message: string) => log.warn(message),
      error: (message: string | Error, err?: Error) => log.error({ err: err ?? message }, String(message)),
      debug: (message: string | Error) => log.debug(String(message)),
    };
  }
}
