// The scheduler with probes that answer instantly or hang, driven by vitest's fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpTarget, ProbeResult } from '../../probes/probe-types.js';
import { Scheduler, type NextProbe, type ScheduledCheck } from '../../probes/scheduler.js';

function check(key: string, intervalMs = 1000, retryIntervalMs = 100, timeoutMs = 500): ScheduledCheck {
  const target: HttpTarget = {
    type: 'http',
    checkKey: key,
    url: 'http://127.0.0.1:1/',
    method: 'GET',
    headers: {},
    timeoutMs,
    expect: { status: [200], contains: [], notContains: [], form: [], maxLatencyMs: null },
  };
  return { target, intervalMs, retryIntervalMs };
}

const up = (checkKey: string): ProbeResult => ({ checkKey, startedAt: new Date(), durationMs: 1, status: 'up', failureKind: null, timings: {}, evidence: {} });

describe('Scheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('probes each check on its own interval', async () => {
    const probed: string[] = [];
    const scheduler = new Scheduler({
      probe: async (t) => (probed.push(t.checkKey), up(t.checkKey)),
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
    });
    scheduler.start([check('a', 1000), check('b', 3000)]);
    await vi.advanceTimersByTimeAsync(6_050);
    await scheduler.stop();
    expect(probed.filter((k) => k === 'a')).toHaveLength(7); // 0, 1, 2, … 6 s
    expect(probed.filter((k) => k === 'b')).toHaveLength(3); // 0, 3, 6 s
  });

  it('re-probes at retryInterval while the handler says a failure is unconfirmed', async () => {
    const answers: NextProbe[] = ['retry', 'retry', 'interval'];
    const times: number[] = [];
    const scheduler = new Scheduler({
      probe: async (t) => (times.push(Date.now()), up(t.checkKey)),
      onResult: async () => answers.shift() ?? 'interval',
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
    });
    const start = Date.now();
    scheduler.start([check('a', 1000, 100)]);
    await vi.advanceTimersByTimeAsync(1_250);
    await scheduler.stop();
    expect(times.map((t) => t - start)).toEqual([0, 100, 200, 1200]);
  });

  it('never runs two probes of one check at once, and bounds probes in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const perCheck = new Map<string, number>();
    let overlap = false;
    const scheduler = new Scheduler({
      probe: async (t) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        perCheck.set(t.checkKey, (perCheck.get(t.checkKey) ?? 0) + 1);
        if (perCheck.get(t.checkKey)! > 1) overlap = true;
        await new Promise((resolve) => setTimeout(resolve, 300)); // slower than the interval
        perCheck.set(t.checkKey, perCheck.get(t.checkKey)! - 1);
        inFlight--;
        return up(t.checkKey);
      },
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
      maxConcurrent: 2,
      random: () => 0,
    });
    scheduler.start([check('a', 100, 100, 1000), check('b', 100, 100, 1000), check('c', 100, 100, 1000)]);
    await vi.advanceTimersByTimeAsync(3_000);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(overlap).toBe(false);
    expect(maxInFlight).toBe(2);
  });

  it('cuts off a probe that hangs past its timeout and reports it as a timeout', async () => {
    const results: ProbeResult[] = [];
    const scheduler = new Scheduler({
      probe: () => new Promise<ProbeResult>(() => undefined),
      onResult: async (r) => (results.push(r), 'interval'),
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
      hardTimeoutGraceMs: 100,
    });
    scheduler.start([check('a', 10_000, 100, 500)]);
    await vi.advanceTimersByTimeAsync(700);
    await scheduler.stop();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'down', failureKind: 'timeout', evidence: { errorCode: 'PROBE_HUNG' } });
  });

  it('keeps probing after the result handler fails, and reports the failure', async () => {
    const errors: string[] = [];
    let calls = 0;
    const scheduler = new Scheduler({
      probe: async (t) => (calls++, up(t.checkKey)),
      onResult: async () => {
        throw new Error('database unavailable');
      },
      onError: (key, err) => errors.push(`${key}: ${(err as Error).message}`),
      now: () => new Date(),
      random: () => 0,
    });
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(2_050);
    await scheduler.stop();
    expect(calls).toBe(3);
    expect(errors[0]).toBe('a: database unavailable');
  });

  it('stop() waits for the probe in flight and schedules nothing more', async () => {
    let finished = 0;
    const scheduler = new Scheduler({
      probe: async (t) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        finished++;
        return up(t.checkKey);
      },
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
    });
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(50);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopped;
    expect(finished).toBe(1);
  });
});
