// The scheduler with probes that answer instantly or hang, driven by vitest's fake timers. The
// wall clock starts at 0, so a check's slots are at slotOffsetMs(key, interval) + k × interval.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpTarget, ProbeResult } from '../../probes/probe-types.js';
import { EARLY_PROBE_GAP_MS, nextSlot, Scheduler, slotOffsetMs, type NextProbe, type ScheduledCheck } from '../../probes/scheduler.js';

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

/** A key whose slot lies in [from, to) of its interval: tests pick where a check's slot is. */
function keyIn(intervalMs: number, from: number, to: number, prefix = 'k'): string {
  for (let i = 0; i < 100_000; i++) {
    const key = `${prefix}${i}`;
    const offset = slotOffsetMs(key, intervalMs);
    if (offset >= from && offset < to) return key;
  }
  throw new Error(`no key with a slot in [${from}, ${to})`);
}

/** The slots of a check from `from` up to `to` (inclusive). */
function slotsOf(key: string, intervalMs: number, from: number, to: number): number[] {
  const offset = slotOffsetMs(key, intervalMs);
  const slots: number[] = [];
  for (let t = offset + Math.ceil((from - offset) / intervalMs) * intervalMs; t <= to; t += intervalMs) slots.push(t);
  return slots;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Scheduler', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('probes each check at its slot, once per interval', async () => {
    const a = keyIn(1000, 100, 400);
    const b = keyIn(3000, 100, 1400);
    const probed: Array<[string, number]> = [];
    const scheduler = new Scheduler({
      probe: async (t) => (probed.push([t.checkKey, Date.now()]), up(t.checkKey)),
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
    });
    scheduler.start([check(a, 1000), check(b, 3000)]);
    await vi.advanceTimersByTimeAsync(6_050);
    await scheduler.stop();
    const times = (key: string) => probed.filter(([k]) => k === key).map(([, t]) => t);
    expect(times(a)).toEqual(slotsOf(a, 1000, 0, 6_050));
    expect(times(a)).toHaveLength(6);
    expect(times(b)).toEqual(slotsOf(b, 3000, 0, 6_050));
    expect(times(b)).toHaveLength(2);
  });

  it('re-probes at retryInterval while the handler says a failure is unconfirmed, then returns to its slot', async () => {
    const a = keyIn(1000, 100, 400);
    const o = slotOffsetMs(a, 1000);
    const answers: NextProbe[] = ['retry', 'retry', 'retry', 'interval'];
    const times: number[] = [];
    const scheduler = new Scheduler({
      probe: async (t) => (times.push(Date.now()), up(t.checkKey)),
      onResult: async () => answers.shift() ?? 'interval',
      onError: () => undefined,
      now: () => new Date(),
    });
    scheduler.start([check(a, 1000, 400)]);
    await vi.advanceTimersByTimeAsync(3_050);
    await scheduler.stop();
    // retries every 400 ms from the slot (past the next slot, o + 1000), then the first slot at
    // least a retryInterval after the last retry: o + 2000, o + 3000
    expect(times).toEqual([o, o + 400, o + 800, o + 1200, o + 2000, o + 3000].filter((t) => t <= 3_050));
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
        await sleep(300); // slower than the interval
        perCheck.set(t.checkKey, perCheck.get(t.checkKey)! - 1);
        inFlight--;
        return up(t.checkKey);
      },
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
      maxConcurrent: 2,
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
    const a = keyIn(10_000, 0, 100);
    const results: ProbeResult[] = [];
    const scheduler = new Scheduler({
      probe: () => new Promise<ProbeResult>(() => undefined),
      onResult: async (r) => (results.push(r), 'interval'),
      onError: () => undefined,
      now: () => new Date(),
      hardTimeoutGraceMs: 100,
    });
    scheduler.start([check(a, 10_000, 100, 500)]);
    await vi.advanceTimersByTimeAsync(800);
    await scheduler.stop();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'down', failureKind: 'timeout', evidence: { errorCode: 'PROBE_HUNG' } });
  });

  it('keeps probing after the result handler fails, and reports the failure', async () => {
    const a = keyIn(1000, 0, 50);
    const errors: string[] = [];
    let calls = 0;
    const scheduler = new Scheduler({
      probe: async (t) => (calls++, up(t.checkKey)),
      onResult: async () => {
        throw new Error('database unavailable');
      },
      onError: (key, err) => errors.push(`${key}: ${(err as Error).message}`),
      now: () => new Date(),
    });
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(2_050);
    await scheduler.stop();
    expect(calls).toBe(3);
    expect(errors[0]).toBe(`${a}: database unavailable`);
  });

  it('stop() waits for the probe in flight and schedules nothing more', async () => {
    const a = keyIn(1000, 0, 40);
    let finished = 0;
    const scheduler = new Scheduler({
      probe: async (t) => {
        await sleep(200);
        finished++;
        return up(t.checkKey);
      },
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
    });
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(50);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopped;
    expect(finished).toBe(1);
  });
});

describe('Scheduler timing: no drift, measured lateness, skip-ahead', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('keeps every run on its planned grid over many intervals, though every timer fires late', async () => {
    // A sluggish event loop: every timer fires 7 ms after it was due. Planning the next run from
    // when the timer actually fired would slip 7 ms per interval; from the planned time it never does.
    const a = keyIn(1000, 200, 300);
    const o = slotOffsetMs(a, 1000);
    const fakeSetTimeout = globalThis.setTimeout;
    const late = ((fn: () => void, ms?: number) => fakeSetTimeout(fn, (ms ?? 0) + 7)) as typeof setTimeout;
    vi.stubGlobal('setTimeout', late);
    try {
      const starts: number[] = [];
      const scheduler = new Scheduler({
        probe: async (t) => (starts.push(Date.now()), await sleep(300), up(t.checkKey)),
        onResult: async () => (await sleep(45), 'interval'),
        onError: () => undefined,
        now: () => new Date(),
      });
      scheduler.start([check(a, 1000)]);
      await vi.advanceTimersByTimeAsync(100_100);
      await scheduler.stop();
      expect(starts).toEqual(Array.from({ length: 100 }, (_, i) => o + 7 + i * 1000));
      expect(scheduler.stats().lateness).toEqual({ p50Ms: 7, p99Ms: 7, maxMs: 7 });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('measures lateness as time waiting for the concurrency bound when it is saturated', async () => {
    // three checks whose slots lie within 20 ms of each other, one probe at a time, each 400 ms
    const keys = [keyIn(2000, 0, 20, 'a'), keyIn(2000, 0, 20, 'b'), keyIn(2000, 0, 20, 'c')];
    const [oa, ob, oc] = keys.map((k) => slotOffsetMs(k, 2000)).sort((x, y) => x - y) as [number, number, number];
    const scheduler = new Scheduler({
      probe: async (t) => (await sleep(400), up(t.checkKey)),
      onResult: async () => 'interval',
      onError: () => undefined,
      now: () => new Date(),
      maxConcurrent: 1,
    });
    scheduler.start(keys.map((k) => check(k, 2000)));
    await vi.advanceTimersByTimeAsync(100);
    expect(scheduler.stats()).toMatchObject({ checks: 3, inFlight: 1, waiting: 2, probesStarted: 1 });
    await vi.advanceTimersByTimeAsync(9_850); // five rounds: the second waits for the first, the third for both
    await scheduler.stop();
    const secondLate = oa + 400 - ob;
    const thirdLate = oa + 800 - oc;
    expect(scheduler.stats()).toMatchObject({ checks: 3, inFlight: 0, waiting: 0, probesStarted: 15, lateness: { p50Ms: secondLate, p99Ms: thirdLate, maxMs: thirdLate } });
  });

  it('after a stall longer than several intervals, skips to the next slot instead of a burst of catch-up probes', async () => {
    const a = keyIn(1000, 0, 100);
    const o = slotOffsetMs(a, 1000);
    const starts: number[] = [];
    let stall = true;
    const scheduler = new Scheduler({
      probe: async (t) => (starts.push(Date.now()), up(t.checkKey)),
      onResult: async () => {
        // the first result takes 3.5 intervals to record (a database that hangs for a while)
        if (stall) await sleep(3_500);
        stall = false;
        return 'interval';
      },
      onError: () => undefined,
      now: () => new Date(),
    });
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(6_500);
    await scheduler.stop();
    expect(starts).toEqual([o, o + 4000, o + 5000, o + 6000]);
  });

  it('plans the next slot on the grid of the planned time', () => {
    expect(nextSlot(0, 1000, 300)).toBe(1000); // on time
    expect(nextSlot(0, 1000, 1000)).toBe(1000); // exactly due: now
    expect(nextSlot(0, 1000, 1001)).toBe(2000); // a missed slot is skipped, not run late
    expect(nextSlot(500, 1000, 7_250)).toBe(7_500);
  });
});

describe('Scheduler: checks added, replaced and removed at runtime', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  function recording(probeMs = 0) {
    const starts: Array<[string, number]> = [];
    const results: string[] = [];
    const scheduler = new Scheduler({
      probe: async (t) => {
        starts.push([t.checkKey, Date.now()]);
        if (probeMs) await sleep(probeMs);
        return up(t.checkKey);
      },
      onResult: async (r) => (results.push(r.checkKey), 'interval'),
      onError: () => undefined,
      now: () => new Date(),
    });
    const times = (key: string) => starts.filter(([k]) => k === key).map(([, t]) => t);
    return { scheduler, results, times, starts };
  }

  it('upsert adds a check that waits for its slot when it is near, and probes early when it is far', async () => {
    const { scheduler, times } = recording();
    const a = keyIn(1000, 0, 100);
    const near = keyIn(1000, 600, 1000, 'n'); // added at 1500: its slot is less than half an interval away
    const far = keyIn(1000, 100, 400, 'f'); // added at 1500: its slot is more than half an interval away
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(1_500);
    scheduler.upsert(check(near, 1000));
    scheduler.upsert(check(far, 1000));
    await vi.advanceTimersByTimeAsync(2_000);
    await scheduler.stop();
    expect(times(a)).toEqual(slotsOf(a, 1000, 0, 3_500));
    expect(times(near)).toEqual(slotsOf(near, 1000, 1_500, 3_500));
    expect(times(far)).toEqual([1_500, ...slotsOf(far, 1000, 1_500, 3_500)]);
    expect(scheduler.stats().checks).toBe(3);
  });

  it('upsert of an existing check with a new interval moves it to the slots of that interval', async () => {
    const { scheduler, times } = recording();
    const a = keyIn(1000, 0, 50);
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(2_100); // ran at its slots in 0, 1000 and 2000
    scheduler.upsert(check(a, 300));
    await vi.advanceTimersByTimeAsync(1_000);
    await scheduler.stop();
    const before = slotsOf(a, 1000, 0, 2_100);
    const after = times(a).slice(before.length);
    expect(times(a).slice(0, before.length)).toEqual(before);
    expect(after).toEqual(slotsOf(a, 300, before.at(-1)! + 100, 3_100));
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(scheduler.stats().checks).toBe(1);
  });

  it('remove stops an idle check at once', async () => {
    const { scheduler, times } = recording();
    const a = keyIn(1000, 0, 400);
    const b = keyIn(1000, 0, 400, 'b');
    scheduler.start([check(a, 1000), check(b, 1000)]);
    await vi.advanceTimersByTimeAsync(1_500);
    scheduler.remove(a);
    await vi.advanceTimersByTimeAsync(3_000);
    await scheduler.stop();
    expect(times(a)).toEqual(slotsOf(a, 1000, 0, 1_500));
    expect(times(b)).toHaveLength(5);
    expect(scheduler.stats().checks).toBe(1);
  });

  it('remove during a probe delivers that result and schedules nothing more', async () => {
    const { scheduler, results, times } = recording(300);
    const a = keyIn(1000, 0, 50);
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    scheduler.remove(a);
    expect(scheduler.stats().checks).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    await scheduler.stop();
    expect(times(a)).toEqual([slotOffsetMs(a, 1000)]);
    expect(results).toEqual([a]);
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
      maxConcurrent: 1,
    });
    const a = keyIn(1000, 0, 20, 'a');
    const b = keyIn(1000, 20, 40, 'b');
    scheduler.start([check(a, 1000), check(b, 1000)]);
    await vi.advanceTimersByTimeAsync(100); // a probes, b is due and waits for the one slot
    expect(starts).toEqual([a]);
    scheduler.remove(b);
    await vi.advanceTimersByTimeAsync(2_000);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(starts.filter((k) => k === b)).toEqual([]);
    expect(results.filter((k) => k === b)).toEqual([]);
    expect(starts.filter((k) => k === a).length).toBeGreaterThanOrEqual(2);
    expect(scheduler.stats().checks).toBe(1);
  });

  it('a check removed and added back during its probe never runs twice at once', async () => {
    const { scheduler, results, times } = recording(300);
    const a = keyIn(1000, 0, 50);
    const o = slotOffsetMs(a, 1000);
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    scheduler.remove(a);
    scheduler.upsert(check(a, 500));
    await vi.advanceTimersByTimeAsync(1_150);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    // the probe in flight finishes first (o + 300); then the slots of the new interval
    const after = slotsOf(a, 500, o + 300, 1_250);
    expect(times(a)).toEqual([o, ...after]);
    expect(results).toHaveLength(1 + after.length);
  });
});

describe('Scheduler: an even schedule', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  function recording(now = () => new Date()) {
    const starts: Array<[string, number]> = [];
    const scheduler = new Scheduler({
      probe: async (t) => (starts.push([t.checkKey, Date.now()]), up(t.checkKey)),
      onResult: async () => 'interval',
      onError: () => undefined,
      now,
      maxConcurrent: 10_000,
    });
    const times = (key: string) => starts.filter(([k]) => k === key).map(([, t]) => t);
    return { scheduler, starts, times };
  }

  /** Probe starts per bucket of `size` ms over [from, to). */
  function histogram(times: number[], from: number, to: number, size: number): number[] {
    const buckets = new Array<number>(Math.ceil((to - from) / size)).fill(0);
    for (const t of times) if (t >= from && t < to) buckets[Math.floor((t - from) / size)]!++;
    return buckets;
  }

  const keys = (n: number, prefix = 'service-') => Array.from({ length: n }, (_, i) => `${prefix}${i}/http`);

  it('spreads the slots of 1,000 checks with one interval evenly over it', () => {
    for (const [n, intervalMs] of [
      [1_000, 10_000],
      [2_000, 20_000],
      [10_000, 10_000],
    ] as const) {
      // no tenth of the interval holds more than 1.5 times its share
      const tenths = histogram(
        keys(n).map((k) => slotOffsetMs(k, intervalMs)),
        0,
        intervalMs,
        intervalMs / 10,
      );
      expect(tenths.reduce((sum, c) => sum + c, 0)).toBe(n);
      expect(Math.max(...tenths), `${n} checks at ${intervalMs} ms: ${tenths}`).toBeLessThanOrEqual(1.5 * (n / 10));
      expect(Math.min(...tenths), `${n} checks at ${intervalMs} ms: ${tenths}`).toBeGreaterThanOrEqual(0.5 * (n / 10));
    }
  });

  it('forms no burst at start: 1,000 checks start at about the steady rate, each probed within one interval', async () => {
    const { scheduler, starts } = recording();
    scheduler.start(keys(1_000).map((k) => check(k, 10_000)));
    await vi.advanceTimersByTimeAsync(10_000);
    await scheduler.stop();
    expect(new Set(starts.map(([k]) => k)).size).toBe(1_000);
    // steady rate 10 per 100 ms, plus the early lane's 5: no 100 ms with more than twice that
    // (all at once, as before the even schedule, would be 100 per 100 ms)
    const perTenth = histogram(
      starts.map(([, t]) => t),
      0,
      10_000,
      100,
    );
    expect(Math.max(...perTenth), `${perTenth}`).toBeLessThanOrEqual(2 * (10 + 100 / EARLY_PROBE_GAP_MS));
    // no check probed twice within half an interval
    const seen = new Map<string, number>();
    for (const [key, t] of starts) {
      if (seen.has(key)) expect(t - seen.get(key)!).toBeGreaterThan(5_000);
      seen.set(key, t);
    }
  });

  it('probes a few checks at once at start through the early lane, at most one per gap', async () => {
    const { scheduler, starts } = recording();
    // two checks at 60 s whose slots are far away: probed at once, not up to a minute later
    const office = [keyIn(60_000, 40_000, 60_000, 'office-a'), keyIn(60_000, 40_000, 60_000, 'office-b')];
    scheduler.start(office.map((k) => check(k, 60_000)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(starts).toEqual([
      [office[0], 0],
      [office[1], EARLY_PROBE_GAP_MS],
    ]);
    // 300 more at once: the lane takes one per gap, the rest wait for their slots
    scheduler.start(keys(300).map((k) => check(k, 60_000)));
    await vi.advanceTimersByTimeAsync(2_000);
    await scheduler.stop();
    const lane = starts.slice(2).filter(([k, t]) => t !== slotOffsetMs(k, 60_000));
    expect(lane.length).toBeGreaterThan(50);
    expect(lane.length).toBeLessThanOrEqual(2_000 / EARLY_PROBE_GAP_MS + 1);
    for (let i = 1; i < lane.length; i++) expect(lane[i]![1] - lane[i - 1]![1]).toBeGreaterThanOrEqual(EARLY_PROBE_GAP_MS);
  });

  it('keeps every check in its slot after a restart (a new scheduler, later)', async () => {
    const all = keys(50);
    const phases = (starts: Array<[string, number]>, from: number) =>
      Object.fromEntries(all.map((k) => [k, [...new Set(starts.filter(([key, t]) => key === k && t >= from).map(([, t]) => t % 1000))]]));
    const first = recording();
    first.scheduler.start(all.map((k) => check(k, 1000)));
    await vi.advanceTimersByTimeAsync(3_000);
    await first.scheduler.stop();
    await vi.advanceTimersByTimeAsync(12_345); // down for a while
    const second = recording();
    second.scheduler.start(all.map((k) => check(k, 1000)));
    await vi.advanceTimersByTimeAsync(3_000);
    await second.scheduler.stop();
    // after the first interval (early probes done), one phase per check, the same in both runs
    const before = phases(first.starts, 1_000);
    const after = phases(second.starts, 15_345 + 1_000);
    for (const k of all) expect(before[k]).toEqual([slotOffsetMs(k, 1000)]);
    expect(after).toEqual(before);
  });

  it('keeps the slots of existing checks when 500 are added and some removed', async () => {
    const { scheduler, times } = recording();
    const existing = keys(10, 'old-');
    scheduler.start(existing.map((k) => check(k, 1000)));
    await vi.advanceTimersByTimeAsync(2_000);
    scheduler.start(keys(500, 'new-').map((k) => check(k, 1000)));
    for (const k of existing.slice(0, 4)) scheduler.remove(k);
    await vi.advanceTimersByTimeAsync(3_000);
    await scheduler.stop();
    for (const k of existing.slice(4)) expect(times(k).filter((t) => t >= 1_000)).toEqual(slotsOf(k, 1000, 1_000, 5_000));
  });

  it('keeps a wall-clock step from stalling or bursting the grid (it follows the monotonic clock)', async () => {
    let step = 0;
    const { scheduler, times } = recording(() => new Date(Date.now() + step));
    const a = keyIn(1000, 0, 400);
    scheduler.start([check(a, 1000)]);
    await vi.advanceTimersByTimeAsync(1_500);
    step = -3_600_000; // the wall clock goes back an hour
    await vi.advanceTimersByTimeAsync(2_000);
    await scheduler.stop();
    expect(times(a)).toEqual(slotsOf(a, 1000, 0, 3_500));
  });
});
