// The scheduler with probes that answer instantly or hang, driven by vitest's fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpTarget, ProbeResult } from '../../probes/probe-types.js';
import { nextSlot, Scheduler, type NextProbe, type ScheduledCheck } from '../../probes/scheduler.js';

function check(key: string, intervalMs = 1000, retryIntervalMs = 100, timeoutMs = 500): ScheduledCheck {
  const target: HttpTarget = {
    type: 'http',
    checkKey: key,
    url: 'http://127.0.0.1:1/',
    method: 'GET',
    headers: {},
    timeoutMs,
    followRedirects: false,
    maxRedirects: 0,
    minDaysValid: null,
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

describe('Scheduler timing: no drift, measured lateness, skip-ahead', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps every run on its planned grid over many intervals, though every timer fires late', async () => {
    // A sluggish event loop: every timer fires 7 ms after it was due. Planning the next run from
    // when the timer actually fired would slip 7 ms per interval; from the planned time it never does.
    const fakeSetTimeout = globalThis.setTimeout;
    const late = ((fn: () => void, ms?: number) => fakeSetTimeout(fn, (ms ?? 0) + 7)) as typeof setTimeout;
    vi.stubGlobal('setTimeout', late);
    try {
      const starts: number[] = [];
      const start = Date.now();
      const scheduler = new Scheduler({
        probe: async (t) => (starts.push(Date.now() - start), await sleep(300), up(t.checkKey)),
        onResult: async () => (await sleep(45), 'interval'),
        onError: () => undefined,
        now: () => new Date(),
        random: () => 0.25, // 250 ms of jitter at start
      });
      scheduler.start([check('a', 1000)]);
      await vi.advanceTimersByTimeAsync(100_100);
      await scheduler.stop();
      expect(starts).toEqual(Array.from({ length: 100 }, (_, i) => 257 + i * 1000));
      expect(scheduler.stats().lateness).toEqual({ p50Ms: 7, p99Ms: 7, maxMs: 7 });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('measures lateness as time waiting for the concurrency bound when it is saturated', async () => {
    const scheduler = new Scheduler({
      probe: async (t) => (await sleep(400), up(t.checkKey)),
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
      maxConcurrent: 1,
      random: () => 0,
    });
    scheduler.start([check('a', 2000), check('b', 2000), check('c', 2000)]);
    await vi.advanceTimersByTimeAsync(100);
    expect(scheduler.stats()).toMatchObject({ checks: 3, inFlight: 1, waiting: 2, probesStarted: 1 });
    await vi.advanceTimersByTimeAsync(9_850); // five rounds: each starts 0, 400 and 800 ms late
    await scheduler.stop();
    expect(scheduler.stats()).toMatchObject({ checks: 3, inFlight: 0, waiting: 0, probesStarted: 15, lateness: { p50Ms: 400, p99Ms: 800, maxMs: 800 } });
  });

  it('after a stall longer than several intervals, skips to the next slot instead of a burst of catch-up probes', async () => {
    const starts: number[] = [];
    let stall = true;
    const start = Date.now();
    const scheduler = new Scheduler({
      probe: async (t) => (starts.push(Date.now() - start), up(t.checkKey)),
      onResult: async () => {
        // the first result takes 3.5 intervals to record (a database that hangs for a while)
        if (stall) await sleep(3_500);
        stall = false;
        return 'interval';
      },
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
    });
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(6_500);
    await scheduler.stop();
    expect(starts).toEqual([0, 4000, 5000, 6000]);
  });

  it('plans the next slot on the grid of the planned time', () => {
    expect(nextSlot(0, 1000, 300)).toBe(1000); // on time
    expect(nextSlot(0, 1000, 1000)).toBe(1000); // exactly due: now
    expect(nextSlot(0, 1000, 1001)).toBe(2000); // a missed slot is skipped, not run late
    expect(nextSlot(500, 1000, 7_250)).toBe(7_500);
  });
});

describe('Scheduler: checks added, replaced and removed at runtime', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function recording(probeMs = 0) {
    const starts: Array<[string, number]> = [];
    const results: string[] = [];
    const start = Date.now();
    const scheduler = new Scheduler({
      probe: async (t) => {
        starts.push([t.checkKey, Date.now() - start]);
        if (probeMs) await sleep(probeMs);
        return up(t.checkKey);
      },
      onResult: async (r) => (results.push(r.checkKey), 'interval'),
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
    });
    const times = (key: string) => starts.filter(([k]) => k === key).map(([, t]) => t);
    return { scheduler, results, times };
  }

  it('upsert adds a new check that starts probing on its own interval', async () => {
    const { scheduler, times } = recording();
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(1_500);
    scheduler.upsert(check('b', 1000));
    await vi.advanceTimersByTimeAsync(2_000);
    await scheduler.stop();
    expect(times('a')).toEqual([0, 1000, 2000, 3000]);
    expect(times('b')).toEqual([1500, 2500, 3500]);
    expect(scheduler.stats().checks).toBe(2);
  });

  it('upsert of an existing check replaces its interval from its last planned run', async () => {
    const { scheduler, times } = recording();
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(2_100); // ran at 0, 1000, 2000
    scheduler.upsert(check('a', 300));
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.stop();
    expect(times('a')).toEqual([0, 1000, 2000, 2300, 2600, 2900]);
    expect(scheduler.stats().checks).toBe(1);
  });

  it('remove stops an idle check at once', async () => {
    const { scheduler, times } = recording();
    scheduler.start([check('a', 1000), check('b', 1000)]);
    await vi.advanceTimersByTimeAsync(1_500);
    scheduler.remove('a');
    await vi.advanceTimersByTimeAsync(3_000);
    await scheduler.stop();
    expect(times('a')).toEqual([0, 1000]);
    expect(times('b')).toHaveLength(5);
    expect(scheduler.stats().checks).toBe(1);
  });

  it('remove during a probe delivers that result and schedules nothing more', async () => {
    const { scheduler, results, times } = recording(300);
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    scheduler.remove('a');
    expect(scheduler.stats().checks).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    await scheduler.stop();
    expect(times('a')).toEqual([0]);
    expect(results).toEqual(['a']);
  });

  it('a check removed while its probe waits for a free slot is not probed', async () => {
    const starts: string[] = [];
    const results: string[] = [];
    const scheduler = new Scheduler({
      probe: async (t) => {
        starts.push(t.checkKey);
        await sleep(300);
        return up(t.checkKey);
      },
      onResult: async (r) => (results.push(r.checkKey), 'interval'),
      onError: () => undefined,
      now: () => new Date(),
      random: () => 0,
      maxConcurrent: 1,
    });
    scheduler.start([check('a', 1000), check('b', 1000)]);
    await vi.advanceTimersByTimeAsync(100); // a probes, b is due and waits for the one slot
    expect(starts).toEqual(['a']);
    scheduler.remove('b');
    await vi.advanceTimersByTimeAsync(2_000);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(starts.filter((k) => k === 'b')).toEqual([]);
    expect(results.filter((k) => k === 'b')).toEqual([]);
    expect(starts.filter((k) => k === 'a').length).toBeGreaterThanOrEqual(2);
    expect(scheduler.stats().checks).toBe(1);
  });

  it('a check removed and added back during its probe never runs twice at once', async () => {
    const { scheduler, results, times } = recording(300);
    scheduler.start([check('a', 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    scheduler.remove('a');
    scheduler.upsert(check('a', 500));
    await vi.advanceTimersByTimeAsync(1_150);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    // the probe in flight finishes first; the new configuration continues its grid
    expect(times('a')).toEqual([0, 500, 1000]);
    expect(results).toEqual(['a', 'a', 'a']);
  });

  it('spreads the first runs of many checks over their interval instead of one burst', async () => {
    const firstRun = new Map<string, number>();
    const start = Date.now();
    const make = (n: number) =>
      new Scheduler({
        probe: async (t) => (firstRun.has(t.checkKey) || firstRun.set(t.checkKey, Date.now() - start), up(t.checkKey)),
        onResult: async () => 'interval',
        onError: () => undefined,
        now: () => new Date(),
        random: () => 0.999,
        maxConcurrent: n,
      });
    const few = make(3);
    few.start(['a', 'b', 'c'].map((k) => check(k, 10_000)));
    const many = make(2000);
    many.start(Array.from({ length: 2000 }, (_, i) => check(`m${i}`, 10_000)));
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all([few.stop(), many.stop()]);
    expect(Math.max(...['a', 'b', 'c'].map((k) => firstRun.get(k)!))).toBeLessThan(1000);
    const manyFirst = Array.from({ length: 2000 }, (_, i) => firstRun.get(`m${i}`)!);
    expect(Math.max(...manyFirst)).toBeGreaterThan(1500);
    expect(Math.max(...manyFirst)).toBeLessThan(2001);
  });
});
