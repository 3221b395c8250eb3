// The result batcher against a fake detector, on vitest's fake timers: when it flushes, how it
// keeps results through a database outage, how it bounds what it keeps, and what it does with a bug.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DetectorVerdict } from '../../../detector/detection/detector.js';
import { StorageUnavailableError } from '../../../detector/errors.js';
import { ResultBatcher, type ResultBatcherOptions } from '../../../detector/detection/result-batcher.js';
import type { ProbeResult } from '../../../probes/probe-types.js';

const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const result = (n: number, checkKey = 'skm-form'): ProbeResult => ({
  checkKey,
  startedAt: new Date(T0 + n * 1000),
  durationMs: 1,
  status: 'down',
  failureKind: 'connect',
  timings: {},
  evidence: {},
});
const seconds = (batch: readonly ProbeResult[]) => batch.map((r) => (r.startedAt.getTime() - T0) / 1000);
const verdict: DetectorVerdict = { outcome: 'failure_unconfirmed', awaitingConfirmation: true };
const unavailable = () => new StorageUnavailableError('database unavailable: connect ECONNREFUSED 127.0.0.1:5432');

/** A detector that records each batch; `failures` storage errors first, `writeMs` per write. */
function fakeDetector(options: { failures?: number; writeMs?: number; poison?: number } = {}) {
  let failures = options.failures ?? 0;
  const batches: ProbeResult[][] = [];
  const attempts: number[] = [];
  return {
    batches,
    attempts,
    setFailures: (n: number) => (failures = n),
    async handleBatch(results: readonly ProbeResult[]): Promise<DetectorVerdict[]> {
      attempts.push(Date.now() - T0);
      if (options.writeMs) await new Promise((resolve) => setTimeout(resolve, options.writeMs));
      if (failures > 0) {
        failures--;
        throw unavailable();
      }
      if (results.some((r) => r.checkKey === 'removed-check')) throw new Error('result for unknown check removed-check');
      batches.push([...results]);
      return results.map(() => verdict);
    },
  };
}

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
  return { logger, warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg), errors: () => lines.filter((l) => l.level === 50).map((l) => l.msg) };
}

const OPTIONS: ResultBatcherOptions = { maxBatch: 500, maxDelayMs: 50, maxBuffered: 100_000 };

describe('ResultBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => vi.useRealTimers());

  it('flushes maxDelayMs after the first queued result, all of them in one batch, each caller with its verdict', async () => {
    const detector = fakeDetector();
    const batcher = new ResultBatcher(detector, capture().logger, OPTIONS);
    const first = batcher.submit(result(1));
    await vi.advanceTimersByTimeAsync(30);
    const rest = [batcher.submit(result(2)), batcher.submit(result(3))];
    await vi.advanceTimersByTimeAsync(19);
    expect(detector.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(detector.batches.map(seconds)).toEqual([[1, 2, 3]]);
    await expect(Promise.all([first, ...rest])).resolves.toEqual([verdict, verdict, verdict]);
    expect(batcher.stats()).toEqual({ buffered: 0, dropped: 0, refused: 0, flushes: 1, lastFlushError: null });
  });

  it('flushes at once when maxBatch results are queued, and runs one flush at a time', async () => {
    const detector = fakeDetector({ writeMs: 20 });
    const batcher = new ResultBatcher(detector, capture().logger, { ...OPTIONS, maxBatch: 3 });
    const all = [1, 2, 3, 4, 5, 6, 7].map((n) => batcher.submit(result(n)));
    await vi.advanceTimersByTimeAsync(0);
    expect(detector.attempts).toEqual([0]); // the first full batch went at once; the second waits for it
    await vi.advanceTimersByTimeAsync(20);
    expect(detector.attempts).toEqual([0, 20]);
    await vi.advanceTimersByTimeAsync(100);
    expect(detector.batches.map(seconds)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    await expect(Promise.all(all)).resolves.toHaveLength(7);
  });

  it('while the database is unavailable: callers hear of it at once, results are kept and written in order with capped backoff', async () => {
    const detector = fakeDetector({ failures: 7 });
    const log = capture();
    const batcher = new ResultBatcher(detector, log.logger, OPTIONS);
    const first = batcher.submit(result(1));
    const firstRejected = expect(first).rejects.toBeInstanceOf(StorageUnavailableError);
    await vi.advanceTimersByTimeAsync(50);
    await firstRejected;
    // during the outage a new result is answered at once, not after the next retry
    await expect(batcher.submit(result(2))).rejects.toThrow(/ECONNREFUSED/);
    expect(batcher.stats()).toMatchObject({ buffered: 2, flushes: 0, lastFlushError: expect.stringContaining('ECONNREFUSED') });
    for (const n of [3, 4]) await expect(batcher.submit(result(n))).rejects.toBeInstanceOf(StorageUnavailableError);

    await vi.advanceTimersByTimeAsync(60_000);
    // 250 ms doubling to the 10 s cap between attempts
    const gaps = detector.attempts.slice(1).map((t, i) => t - detector.attempts[i]!);
    expect(gaps).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000]);
    expect(detector.batches.map(seconds)).toEqual([[1, 2, 3, 4]]);
    expect(batcher.stats()).toEqual({ buffered: 0, dropped: 0, refused: 0, flushes: 1, lastFlushError: null });
    expect(log.warnings()).toHaveLength(1); // one warning for the whole outage
    // and once it is back, callers get their verdicts again
    const after = batcher.submit(result(5));
    await vi.advanceTimersByTimeAsync(50);
    await expect(after).resolves.toEqual(verdict);
  });

  it('keeps at most maxBuffered results: the oldest are dropped, counted, and warned about once', async () => {
    const detector = fakeDetector({ failures: 1 });
    const log = capture();
    const batcher = new ResultBatcher(detector, log.logger, { ...OPTIONS, maxBuffered: 5 });
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'written',
        () => 'rejected',
      );
    const outcomes = [outcome(batcher.submit(result(1)))];
    await vi.advanceTimersByTimeAsync(50);
    for (let n = 2; n <= 9; n++) outcomes.push(outcome(batcher.submit(result(n))));
    expect(await Promise.all(outcomes)).toEqual(Array(9).fill('rejected'));
    expect(batcher.stats()).toMatchObject({ buffered: 5, dropped: 4 });
    expect(log.warnings().filter((w) => w.includes('full'))).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(detector.batches.map(seconds)).toEqual([[5, 6, 7, 8, 9]]);
    expect(batcher.stats()).toMatchObject({ buffered: 0, dropped: 4 });
  });

  it('a result the detector refuses (a bug, not an outage) is dropped with an error, and the rest of its batch is written', async () => {
    const detector = fakeDetector();
    const log = capture();
    const batcher = new ResultBatcher(detector, log.logger, OPTIONS);
    const good = [batcher.submit(result(1)), batcher.submit(result(3))];
    const bad = batcher.submit(result(2, 'removed-check'));
    const badRejected = expect(bad).rejects.toThrow(/unknown check/);
    await vi.advanceTimersByTimeAsync(50);
    await badRejected;
    await expect(Promise.all(good)).resolves.toEqual([verdict, verdict]);
    expect(detector.batches.map(seconds)).toEqual([[1], [3]]);
    expect(batcher.stats()).toMatchObject({ buffered: 0, refused: 1, dropped: 0 });
    expect(log.errors().length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(detector.attempts).toHaveLength(4); // the batch, then each of its three results; no retrying
  });

  it('stop() writes what is buffered and resolves; afterwards it takes nothing more', async () => {
    const detector = fakeDetector();
    const batcher = new ResultBatcher(detector, capture().logger, OPTIONS);
    const pending = [1, 2].map((n) => batcher.submit(result(n)));
    await batcher.stop();
    await expect(Promise.all(pending)).resolves.toHaveLength(2);
    expect(detector.batches.map(seconds)).toEqual([[1, 2]]);
    await expect(batcher.submit(result(3))).rejects.toThrow(/stopped/);
  });

  it('stop() during an outage tries once more and then resolves, reporting what is lost', async () => {
    const detector = fakeDetector({ failures: 100 });
    const log = capture();
    const batcher = new ResultBatcher(detector, log.logger, OPTIONS);
    void batcher.submit(result(1)).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(50);
    await batcher.stop();
    expect(detector.attempts).toHaveLength(2);
    expect(log.errors()).toEqual([expect.stringContaining('lost')]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(detector.attempts).toHaveLength(2); // no retry timer outlives stop()
  });
});
