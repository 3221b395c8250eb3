// Several real worker processes at one probe location share the checks (SIGAP_ROLE=worker, the
// same SIGAP_INSTANCE, one database): every check is probed, none by two workers, a worker killed
// with -9 has its checks probed by the other within the documented takeover bound, and one
// stopped with SIGTERM hands them over at once. On SQLite (two processes on one file) and
// PostgreSQL. The stand-in site counts requests per path: one path per check.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leaseTiming, takeoverBoundMs } from '../../detector/detection/check-leases.js';
import { openDatabase } from '../../detector/store/database.js';
import type { CheckLease, Database } from '../../detector/store/store-types.js';
import { killLeftoverProcesses, startSigapProcess, type SigapProcess } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { waitFor } from '../helpers/wait.js';

const LOCATION = 'jakarta';
const INTERVAL_MS = 1_000;
const CHECKS = Array.from({ length: 6 }, (_, i) => `c${i}`);
const TIMING = leaseTiming([INTERVAL_MS]);
/** Timers and process scheduling on a loaded machine, on top of the bound itself. */
const SLACK_MS = 750;

/** One HTTP server; a request to /cN is a probe of check cN. */
class CountingSite {
  readonly requests = new Map<string, number[]>();
  private server: Server | null = null;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').slice(1);
      this.requests.set(path, [...(this.requests.get(path) ?? []), Date.now()]);
      res.end('<html><body>ok</body></html>');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Requests for each check within [from, to). */
  countsBetween(from: number, to: number): Record<string, number> {
    return Object.fromEntries(CHECKS.map((c) => [c, (this.requests.get(c) ?? []).filter((t) => t >= from && t < to).length]));
  }

  firstAfter(check: string, at: number): number | undefined {
    return (this.requests.get(check) ?? []).find((t) => t > at);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe.each(testDatabaseKinds())('worker processes share the checks without probing one twice, on $name', (kind) => {
  let site: CountingSite;
  let testDb: TestDatabase;
  let configDir: string;
  let configPath: string;
  let db: Database | null = null;
  let processes: SigapProcess[] = [];

  const start = async (): Promise<SigapProcess> => {
    const worker = await startSigapProcess({ instance: LOCATION, databaseUrl: testDb.url, configPath, role: 'worker' });
    processes.push(worker);
    return worker;
  };
  const liveLeases = async (): Promise<CheckLease[]> => {
    db ??= openDatabase(testDb.url);
    const now = Date.now();
    return (await db.stores.leases.listLeases(LOCATION)).filter((l) => l.expiresAt.getTime() >= now);
  };
  const checksOf = (leases: CheckLease[], worker: SigapProcess) =>
    leases
      .filter((l) => l.owner.startsWith(`${LOCATION}:${worker.pid}:`))
      .map((l) => l.checkKey)
      .sort();
  /** What a worker's log says it holds now. */
  const heldPerLog = (worker: SigapProcess) => {
    const held = new Set<string>();
    for (const line of worker.logs.filter((l) => l.msg === 'check leases changed')) {
      for (const key of line.lost as string[]) held.delete(key);
      for (const key of line.gained as string[]) held.add(key);
    }
    return [...held].sort();
  };
  /** Both workers hold half the checks each, and have had time to start probing them. */
  const balanced = async (a: SigapProcess, b: SigapProcess) => {
    await waitFor('the checks to be split between the two workers', async () => {
      const leases = await liveLeases();
      return checksOf(leases, a).length === 3 && checksOf(leases, b).length === 3 ? true : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 1_000));
  };
  /** Over 5 s, each check is requested about 5 times: once per interval, not twice. */
  const expectEachProbedOncePerInterval = async () => {
    const from = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5 * INTERVAL_MS));
    const counts = site.countsBetween(from, from + 5 * INTERVAL_MS);
    for (const check of CHECKS) {
      expect(counts[check], `requests for ${check} in 5 s: ${JSON.stringify(counts)}`).toBeGreaterThanOrEqual(3);
      expect(counts[check], `requests for ${check} in 5 s: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(7);
    }
  };

  beforeEach(async () => {
    site = new CountingSite();
    await site.start();
    testDb = await kind.create();
    configDir = mkdtempSync(join(tmpdir(), 'sigap-workers-'));
    configPath = join(configDir, 'sigap.yaml');
    const checks = CHECKS.map(
      (key) => `      - { key: ${key}, type: http, url: "http://127.0.0.1:${site.port}/${key}", interval: ${INTERVAL_MS}ms, timeout: 500ms, retryInterval: 500ms }`,
    );
    writeFileSync(configPath, `services:\n  - key: skm\n    name: SKM\n    impact: medium\n    checks:\n${checks.join('\n')}\n`);
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') for (const p of processes) console.error(p.transcript());
    await killLeftoverProcesses();
    processes = [];
    await db?.close();
    db = null;
    await site.stop();
    await testDb?.drop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('two workers probe every check, each check by one worker only', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    await balanced(a, b);

    const leases = await liveLeases();
    expect([...checksOf(leases, a), ...checksOf(leases, b)].sort()).toEqual(CHECKS);
    // what each process says it probes is what the database says it holds
    expect(heldPerLog(a)).toEqual(checksOf(leases, a));
    expect(heldPerLog(b)).toEqual(checksOf(leases, b));
    await expectEachProbedOncePerInterval();

    expect(await a.stop()).toEqual({ code: 0, signal: null });
    expect(await b.stop()).toEqual({ code: 0, signal: null });
    expect(await liveLeases()).toEqual([]);
  }, 90_000);

  it('kill -9 of a worker: the other probes its checks within the takeover bound, and only once', async () => {
    const a = await start();
    const b = await start();
    await balanced(a, b);
    const orphaned = checksOf(await liveLeases(), a);

    await a.kill();
    const killedAt = Date.now();
    const bound = takeoverBoundMs(TIMING, INTERVAL_MS);
    expect(bound).toBeLessThanOrEqual(2 * INTERVAL_MS);
    await waitFor('the survivor to probe every orphaned check', async () => (orphaned.every((c) => site.firstAfter(c, killedAt)) ? true : undefined), 10_000, 50);
    const delays = orphaned.map((c) => site.firstAfter(c, killedAt)! - killedAt);
    for (const delay of delays) expect(delay, `takeover delays ${delays} ms, bound ${bound} ms`).toBeLessThanOrEqual(bound + SLACK_MS);

    expect(checksOf(await liveLeases(), b)).toEqual(CHECKS);
    await expectEachProbedOncePerInterval();
    expect(await b.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('SIGTERM of a worker releases its leases: the other takes them over in its next round', async () => {
    const a = await start();
    const b = await start();
    await balanced(a, b);
    const orphaned = checksOf(await liveLeases(), a);

    expect(await a.stop()).toEqual({ code: 0, signal: null });
    const stoppedAt = Date.now();
    // released on the way out, not left to expire
    expect(checksOf(await liveLeases(), a)).toEqual([]);
    await waitFor('the survivor to probe every released check', async () => (orphaned.every((c) => site.firstAfter(c, stoppedAt)) ? true : undefined), 10_000, 50);
    const delays = orphaned.map((c) => site.firstAfter(c, stoppedAt)! - stoppedAt);
    // one round and at most an interval to the check's slot, no lease lifetime to wait out
    for (const delay of delays) expect(delay, `takeover delays ${delays} ms`).toBeLessThanOrEqual(TIMING.renewEveryMs + INTERVAL_MS + SLACK_MS);

    await expectEachProbedOncePerInterval();
    expect(await b.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('a worker that joins takes half of the checks from the one already running', async () => {
    const a = await start();
    await waitFor('the first worker to hold every check', async () => (checksOf(await liveLeases(), a).length === 6 ? true : undefined));
    const b = await start();
    await balanced(a, b);
    expect(heldPerLog(a)).toHaveLength(3);
    expect(heldPerLog(b)).toHaveLength(3);
    await expectEachProbedOncePerInterval();
  }, 90_000);
});
