// Workers at one probe location share its checks through leases: every check held by exactly one
// worker, none above its fair share, a dead worker's checks taken over once its leases expire, a
// stopped worker's at once, and work spread again when a worker joins. Several lease managers on
// one real database (SQLite and PostgreSQL), driven round by round with an injected clock.
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckLeases, leaseTiming, takeoverBoundMs, type LeasedCheck } from '../../../detector/detection/check-leases.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const TIMING = { renewEveryMs: 1_000, ttlMs: 3_000 };
const checksOf = (n: number): LeasedCheck[] => Array.from({ length: n }, (_, i) => ({ key: `check-${String(i).padStart(2, '0')}`, intervalMs: 10_000 }));

describe('lease timing', () => {
  it.each([
    { intervalsMs: [60_000], renewEveryMs: 5_000, ttlMs: 15_000 },
    { intervalsMs: [60_000, 8_000], renewEveryMs: 2_000, ttlMs: 6_000 },
    { intervalsMs: [1_000], renewEveryMs: 250, ttlMs: 750 },
    { intervalsMs: [200], renewEveryMs: 100, ttlMs: 300 },
    { intervalsMs: [], renewEveryMs: 5_000, ttlMs: 15_000 },
  ])('checks every $intervalsMs ms: a round every $renewEveryMs ms, leases of $ttlMs ms', ({ intervalsMs, renewEveryMs, ttlMs }) => {
    expect(leaseTiming(intervalsMs)).toEqual({ renewEveryMs, ttlMs });
  });

  it.each([400, 1_000, 5_000, 20_000, 60_000, 3_600_000])("a dead worker's check every %i ms is probed again within two intervals", (intervalMs) => {
    expect(takeoverBoundMs(leaseTiming([intervalMs]), intervalMs)).toBeLessThanOrEqual(2 * intervalMs);
  });
});

describe.each(testDatabaseKinds())('check leases shared by workers on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let now: number;
  let checks: LeasedCheck[];
  let workers: Array<{ leases: CheckLeases; probing: Set<string> }>;
  let nextId = 0;

  /** A worker at location `instance`; `probing` is what its scheduler would run. */
  const worker = (instance = 'jakarta') => {
    const probing = new Set<string>();
    const id = ++nextId;
    const leases = new CheckLeases({
      store: db.stores.leases,
      worker: { owner: `${instance}:${id}`, instance, pid: id },
      checks: () => checks,
      clock: () => new Date(now),
      logger: pino({ level: 'silent' }),
      onGained: (keys) => keys.forEach((k) => probing.add(k)),
      onLost: (keys) => keys.forEach((k) => probing.delete(k)),
      timing: TIMING,
    });
    const w = { leases, probing };
    workers.push(w);
    return w;
  };
  /** One round of each worker, in turn, a round period apart. */
  const rounds = async (count: number, who = workers) => {
    for (let i = 0; i < count; i++) {
      for (const w of who) await w.leases.round();
      now += TIMING.renewEveryMs;
    }
  };
  const expectDisjointCover = (who: typeof workers) => {
    const all = who.flatMap((w) => [...w.probing]);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(checks.map((c) => c.key).sort());
  };

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });
  beforeEach(async () => {
    for (const w of workers ?? []) await w.leases.stop();
    now = Date.parse('2026-11-27T08:00:00Z') + nextId * 1_000_000;
    checks = checksOf(10);
    workers = [];
  });

  it('a lone worker holds every check after its first round', async () => {
    const a = worker();
    await a.leases.round();
    expect([...a.probing].sort()).toEqual(checks.map((c) => c.key));
  });

  it('three workers starting together hold disjoint sets covering every check, none above its fair share', async () => {
    const trio = [worker(), worker(), worker()];
    await rounds(3);
    expectDisjointCover(trio);
    for (const w of trio) expect(w.probing.size).toBeLessThanOrEqual(Math.ceil(10 / 3));
    for (const w of trio) expect(w.probing.size).toBeGreaterThan(0);
    // and the split stays put while everybody renews
    const before = trio.map((w) => [...w.probing].sort());
    await rounds(5);
    expect(trio.map((w) => [...w.probing].sort())).toEqual(before);
  });

  it('a worker that joins gets its share: the others give back what they hold above theirs', async () => {
    const a = worker();
    await rounds(1);
    expect(a.probing.size).toBe(10);
    const b = worker();
    await rounds(2);
    expectDisjointCover([a, b]);
    expect([a.probing.size, b.probing.size]).toEqual([5, 5]);
  });

  it('the checks of a worker that stops renewing are taken over once its leases expire, not before', async () => {
    const a = worker();
    const b = worker();
    await rounds(2);
    expectDisjointCover([a, b]);
    const orphaned = [...a.probing];

    // a is killed: it no longer runs rounds; b keeps going
    const killedAt = now;
    await rounds(2, [b]);
    expect(now - killedAt).toBeLessThan(TIMING.ttlMs);
    for (const key of orphaned) expect(b.probing.has(key)).toBe(false);

    await rounds(2, [b]);
    expect([...b.probing].sort()).toEqual(checks.map((c) => c.key));
    // within the lease lifetime plus one round of the kill
    expect(now - killedAt).toBeLessThanOrEqual(TIMING.ttlMs + 2 * TIMING.renewEveryMs);
  });

  it('a worker that stops releases its leases: another takes them in its next round', async () => {
    const a = worker();
    const b = worker();
    await rounds(2);
    const orphaned = [...a.probing];
    expect(orphaned.length).toBe(5);

    await a.leases.stop();
    expect(a.probing.size).toBe(5); // the scheduler is stopped with it; nothing to hand back
    await b.leases.round();
    expect([...b.probing].sort()).toEqual(checks.map((c) => c.key));
  });

  it('a check added later is claimed and a removed one is given back', async () => {
    const a = worker();
    const b = worker();
    await rounds(2);
    checks = [...checks.slice(1), { key: 'check-new', intervalMs: 10_000 }];
    await rounds(2);
    expectDisjointCover([a, b]);
    expect([a, b].some((w) => w.probing.has('check-00'))).toBe(false);
  });

  it('workers at another location probe every check themselves', async () => {
    const jakarta = worker('jakarta');
    const palembang = worker('palembang');
    await rounds(1);
    expect(jakarta.probing.size).toBe(10);
    expect(palembang.probing.size).toBe(10);
  });

  it('a worker that could not renew in time and lost a lease to another stops probing it', async () => {
    const a = worker();
    const b = worker();
    await rounds(2);
    const ofA = [...a.probing];
    // a stalls (a long pause, a database it could not reach) past its leases' lifetime
    await rounds(4, [b]);
    expect(b.probing.size).toBe(10);
    // back again: it learns it lost them, and the work is split again
    await a.leases.round();
    for (const key of ofA) expect(a.probing.has(key)).toBe(false);
    await rounds(3);
    expectDisjointCover([a, b]);
    expect([a.probing.size, b.probing.size]).toEqual([5, 5]);
  });
});
