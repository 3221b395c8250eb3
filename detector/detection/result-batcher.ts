// Groups probe results into few transactions (at most `maxBatch` results, at most `maxDelayMs`
// after the first one waited) and keeps them while the database is unavailable, so an outage of
// the database loses no probe history and an incident that should have opened still opens, with
// its true detectedAt, once the database is back. Results are written in the order they arrived.
import type { Logger } from 'pino';
import type { ProbeResult } from '../../probes/probe-types.js';
import type { DetectorVerdict } from './detector.js';
import { StorageUnavailableError } from '../errors.js';

/** What the batcher writes to: the detector, or a fake in tests. */
export interface ResultSink {
  handleBatch(results: readonly ProbeResult[]): Promise<DetectorVerdict[]>;
}

export interface ResultBatcherOptions {
  maxBatch: number;
  maxDelayMs: number;
  /** Beyond this many results waiting, the oldest are dropped. */
  maxBuffered: number;
  /** Retry of a flush the database refused: doubles from min to max. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** What main.ts runs with: 500 results a transaction, the first waiting at most 50 ms, 100,000 kept through an outage. */
export const DEFAULT_BATCHING: ResultBatcherOptions = { maxBatch: 500, maxDelayMs: 50, maxBuffered: 100_000 };

export interface ResultBatcherStats {
  /** Results waiting to be written, including a batch being written. */
  buffered: number;
  /** Results dropped because the buffer was full. */
  dropped: number;
  /** Results the detector refused for a reason other than storage (a bug), dropped. */
  refused: number;
  /** Batches written, each one transaction. */
  flushes: number;
  /** Why the last write failed; null once a write succeeds again. */
  lastFlushError: string | null;
}

interface Entry {
  result: ProbeResult;
  queuedAt: number;
  /** The caller still waiting for this result's verdict; null once answered. */
  caller: { resolve: (v: DetectorVerdict) => void; reject: (err: unknown) => void } | null;
}

export class ResultBatcher {
  // A FIFO as an array with a moving head: dropping the oldest of 100,000 must not shift them all.
  private queue: Entry[] = [];
  private head = 0;
  private writing = 0;
  private flushing: Promise<void> | null = null;
  private delayTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Set while the database is unavailable: new results are kept and their callers answered at once. */
  private outage: StorageUnavailableError | null = null;
  private failedFlushes = 0;
  private droppingEpisode = false;
  private readonly counts = { dropped: 0, refused: 0, flushes: 0 };
  private lastFlushError: string | null = null;
  private stopped = false;

  constructor(
    private readonly sink: ResultSink,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly options: ResultBatcherOptions,
  ) {}

  /** Queue a result; resolves with its verdict once written, or rejects if it cannot be now. */
  submit(result: ProbeResult): Promise<DetectorVerdict> {
    if (this.stopped) return Promise.reject(new Error('the result batcher is stopped'));
    return new Promise<DetectorVerdict>((resolve, reject) => {
      const entry: Entry = { result, queuedAt: performance.now(), caller: { resolve, reject } };
      this.queue.push(entry);
      // The scheduler must not wait out a database outage: it hears of it now and probes on.
      if (this.outage) answer(entry, { error: this.outage });
      this.enforceBound();
      this.kick();
    });
  }

  stats(): ResultBatcherStats {
    return { buffered: this.size + this.writing, ...this.counts, lastFlushError: this.lastFlushError };
  }

  /** Write what is buffered (one last try) and stop; what the database still refuses is lost. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    await this.flushing;
    let ok = true;
    while (ok && this.size > 0) ok = await this.flushOnce();
    if (this.size === 0) return;
    const lost = this.take(this.size);
    const error = this.outage ?? new StorageUnavailableError('stopped before the result was written');
    for (const entry of lost) answer(entry, { error });
    this.logger.error({ lost: lost.length, err: this.outage }, 'stopping with probe results the database did not take; they are lost');
  }

  private get size(): number {
    return this.queue.length - this.head;
  }

  /** Start a flush when one is due: a full batch, or the oldest result has waited maxDelayMs. */
  private kick(): void {
    if (this.stopped || this.flushing || this.retryTimer || this.size === 0) return;
    const waitMs = this.queue[this.head]!.queuedAt + this.options.maxDelayMs - performance.now();
    if (this.size < this.options.maxBatch && waitMs > 0) {
      this.delayTimer ??= setTimeout(() => {
        this.delayTimer = null;
        this.kick();
      }, waitMs);
      return;
    }
    this.clearTimers();
    this.flushing = this.flushOnce().then((ok) => {
      this.flushing = null;
      if (ok) this.kick();
      else this.scheduleRetry();
    });
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const min = this.options.minBackoffMs ?? 250;
    const delay = Math.min(min * 2 ** (this.failedFlushes - 1), this.options.maxBackoffMs ?? 10_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, delay);
  }

  /** Write the oldest batch. False: the database is unavailable and the batch is back in front. */
  private async flushOnce(): Promise<boolean> {
    const batch = this.take(this.options.maxBatch);
    this.writing = batch.length;
    const { written, error } = await this.write(batch);
    this.writing = 0;
    if (!error) return true;
    // The rest of the batch goes back in front of what arrived meanwhile, keeping the order.
    this.queue = batch.slice(written).concat(this.queue.slice(this.head));
    this.head = 0;
    if (!this.outage) this.logger.warn({ err: error, buffered: this.size }, 'database unavailable; keeping probe results until it is back');
    this.outage = error;
    this.failedFlushes++;
    this.lastFlushError = error.message;
    for (const entry of this.queue) answer(entry, { error });
    this.enforceBound();
    return false;
  }

  /** How many of the batch were dealt with (written or refused) before the database failed. */
  private async write(batch: Entry[]): Promise<{ written: number; error: StorageUnavailableError | null }> {
    try {
      const verdicts = await this.sink.handleBatch(batch.map((e) => e.result));
      // Bookkeeping before the callers run: what they see next must already be up to date.
      this.counts.flushes++;
      this.lastFlushError = null;
      this.writing -= batch.length;
      if (this.outage) this.logger.info({ buffered: this.size, failedFlushes: this.failedFlushes }, 'database available again; writing kept probe results');
      this.outage = null;
      this.failedFlushes = 0;
      this.droppingEpisode = false;
      batch.forEach((entry, i) => answer(entry, { verdict: verdicts[i]! }));
      return { written: batch.length, error: null };
    } catch (err) {
      if (err instanceof StorageUnavailableError) return { written: 0, error: err };
      this.lastFlushError = err instanceof Error ? err.message : String(err);
      if (batch.length === 1) {
        this.counts.refused++;
        this.writing -= 1;
        this.logger.error({ err, check: batch[0]!.result.checkKey }, 'probe result refused by the detector; dropped');
        answer(batch[0]!, { error: err });
        return { written: 1, error: null };
      }
      // Not an outage but a bug, perhaps in one result (a check removed meanwhile): write them
      // one by one so that only the results at fault are lost, never retried forever.
      this.logger.error({ err, results: batch.length }, 'a batch of probe results was refused; writing them one by one');
      for (let i = 0; i < batch.length; i++) {
        const { error } = await this.write([batch[i]!]);
        if (error) return { written: i, error };
      }
      return { written: batch.length, error: null };
    }
  }

  private take(n: number): Entry[] {
    const taken = this.queue.slice(this.head, this.head + n);
    this.head += taken.length;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return taken;
  }

  private enforceBound(): void {
    const excess = Math.min(this.size + this.writing - this.options.maxBuffered, this.size);
    if (excess <= 0) return;
    const full = new StorageUnavailableError(`the buffer of ${this.options.maxBuffered} probe results is full; the oldest were dropped`);
    for (const entry of this.take(excess)) answer(entry, { error: full });
    this.counts.dropped += excess;
    if (!this.droppingEpisode) this.logger.warn({ maxBuffered: this.options.maxBuffered, err: this.outage }, full.message);
    this.droppingEpisode = true;
  }

  private clearTimers(): void {
    if (this.delayTimer) clearTimeout(this.delayTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.delayTimer = this.retryTimer = null;
  }
}

/** Settle the caller's promise once; later settlements (a result written after all) are ignored. */
function answer(entry: Entry, outcome: { verdict: DetectorVerdict } | { error: unknown }): void {
  const caller = entry.caller;
  if (!caller) return;
  entry.caller = null;
  if ('verdict' in outcome) caller.resolve(outcome.verdict);
  else caller.reject(outcome.error);
}
