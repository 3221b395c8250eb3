// "Faults that lose nothing" with real Sigap processes, started as production starts
// them: the database taken away for a while (PostgreSQL through a TCP proxy that the test cuts),
// SIGTERM in the middle of a probe, and a SQLite database on a full disk. Each time the process
// stays up, says it is not ready, keeps the probe results and writes them once it can, and the
// incident that should have opened opens with the time of its first failed probe.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../detector/incidents/incident-types.js';
import type { StoredResult } from '../../detector/detection/check-types.js';
import { openDatabase } from '../../detector/store/database.js';
import type { Database } from '../../detector/store/store-types.js';
import { killLeftoverProcesses, StandInSite, startSigapProcess, type SigapProcess } from '../helpers/sigap-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { until, waitFor } from '../helpers/wait.js';

const CHECK = 'skm-home';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function writeConfig(dir: string, port: number, timing = { interval: '300ms', timeout: '200ms', retryInterval: '100ms' }): string {
  const path = join(dir, 'sigap.yaml');
  writeFileSync(
    path,
    `
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - key: ${CHECK}
        type: http
        url: http://127.0.0.1:${port}/
        interval: ${timing.interval}
        timeout: ${timing.timeout}
        retryInterval: ${timing.retryInterval}
        failureThreshold: 3
        successThreshold: 2
`,
  );
  return path;
}

/** GET /readyz: its status and the reason it gives. */
async function readiness(baseUrl: string): Promise<{ status: number; reason?: string }> {
  const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(15_000) });
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, reason: body.reason };
}

/** What the test reads through its own connection, never through the process under test. */
function observer(url: string) {
  let db: Database | null = null;
  const stores = () => (db ??= openDatabase(url)).stores;
  return {
    results: (): Promise<StoredResult[]> => stores().checks.listResults(CHECK, new Date(0), new Date(Date.now() + 60_000), 100_000),
    incidents: async (): Promise<Incident[]> => (await stores().incidents.list({}, 1000, null)).items.filter((i) => i.check === CHECK),
    close: async () => {
      await db?.close();
      db = null;
    },
  };
}

/** Start a process with a web port (SIGAP_ROLE=all) and answer its base URL too. */
async function startWithWeb(instance: string, databaseUrl: string, configPath: string): Promise<{ sigap: SigapProcess; url: string }> {
  const sigap = await startSigapProcess({ instance, databaseUrl, configPath, role: 'all' });
  const line = await sigap.waitForLog('dashboard listening');
  return { sigap, url: line.url as string };
}

const warningsOrWorse = (p: SigapProcess) => p.logs.filter((l) => (l.level ?? 0) >= 40);
const errorsOf = (p: SigapProcess) => p.logs.filter((l) => (l.level ?? 0) >= 50);

let processes: SigapProcess[] = [];
let cleanups: (() => Promise<void> | void)[] = [];

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') for (const p of processes) console.error(p.transcript());
  await killLeftoverProcesses();
  processes = [];
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('PostgreSQL unreachable for a while (a TCP proxy cut between one process and the server)', () => {
  // The 60 s, in full: longer than the pool's connection timeout and many retry rounds.
  const OUTAGE_MS = 60_000;

  it('stays up, is not ready, keeps the results and writes them when the database is back, the incident dated from its first failed probe', async () => {
    const [, postgres] = testDatabaseKinds();
    const testDb: TestDatabase = await postgres!.create();
    cleanups.push(() => testDb.drop());
    const target = new URL(testDb.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    cleanups.push(() => proxy.cut());
    const site = new StandInSite();
    await site.start();
    cleanups.push(() => site.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sigap-faults-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const seen = observer(testDb.url);
    cleanups.push(() => seen.close());

    const { sigap, url } = await startWithWeb('a', proxy.urlFor(testDb.url), writeConfig(dir, site.port));
    processes.push(sigap);
    await until('the site to be probed up', async () => (await seen.results()).some((r) => r.status === 'up'));
    expect((await readiness(url)).status).toBe(200);

    await proxy.cut();
    const notReady = await waitFor('/readyz to fail', async () => {
      const r = await readiness(url);
      return r.status === 503 ? r : undefined;
    });
    expect(notReady.reason).toBe('database unavailable');
    const writtenBefore = (await seen.results()).length;
    const siteDownAt = Date.now();
    await site.stop();

    await sleep(OUTAGE_MS);
    expect(sigap.exitStatus).toBeNull();
    expect((await readiness(url)).status).toBe(503);
    expect((await seen.results()).length).toBe(writtenBefore);
    expect(await seen.incidents()).toEqual([]);

    const restoredAt = Date.now();
    await proxy.restore();
    // The batcher retries with a backoff of at most 10 s.
    const [incident] = await waitFor(
      'the incident to open',
      async () => {
        const found = await seen.incidents();
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    const failures = (await seen.results()).filter((r) => r.status === 'down');
    const duringOutage = failures.filter((r) => r.startedAt.getTime() < restoredAt);
    // About one probe every 300 ms while the site and the database were both away, all written.
    expect(duringOutage.length).toBeGreaterThanOrEqual(Math.floor(OUTAGE_MS / 300 / 2));
    expect(duringOutage[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(siteDownAt - 50);
    // detectedAt is the first failed probe, during the outage, not the time the database came back.
    expect(incident!.detectedAt.getTime()).toBe(failures[0]!.startedAt.getTime());
    expect(incident!.detectedAt.getTime()).toBeLessThan(restoredAt);
    expect(await seen.incidents()).toHaveLength(1);
    // The pool let go of its dead connections by itself.
    await until('/readyz to pass again', async () => (await readiness(url)).status === 200, 15_000);

    expect(await sigap.stop()).toEqual({ code: 0, signal: null });
    expect(errorsOf(sigap)).toEqual([]);
    expect(sigap.logs.some((l) => l.msg === 'database available again; writing kept probe results')).toBe(true);
  }, 150_000);
});

/** A site that answers after `delayMs`, and remembers when each request came. */
class SlowSite {
  readonly arrivals: number[] = [];
  private server: Server | null = null;
  port = 0;

  constructor(private readonly delayMs: number) {}

  async start(): Promise<void> {
    const server = createServer((_req, res) => {
      this.arrivals.push(Date.now());
      setTimeout(() => res.end('<html><body>SKM</body></html>'), this.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe.each(testDatabaseKinds())('SIGTERM in the middle of a probe, on $name', (kind) => {
  it('lets the probe finish, writes its result and exits 0', async () => {
    const testDb = await kind.create();
    cleanups.push(() => testDb.drop());
    const site = new SlowSite(1000);
    await site.start();
    cleanups.push(() => site.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sigap-faults-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const seen = observer(testDb.url);
    cleanups.push(() => seen.close());

    const sigap = await startSigapProcess({
      instance: 'a',
      databaseUrl: testDb.url,
      configPath: writeConfig(dir, site.port, { interval: '3s', timeout: '2s', retryInterval: '1s' }),
    });
    processes.push(sigap);
    await until('a first result to be written', async () => (await seen.results()).length >= 1);
    // The next probe has reached the site, which answers a second later: stop now.
    await until('the next probe to be in flight', async () => site.arrivals.length > (await seen.results()).length, 10_000);
    const inFlightSince = site.arrivals.at(-1)!;
    const before = (await seen.results()).length;
    expect(await sigap.stop()).toEqual({ code: 0, signal: null });

    // It waited for the site's answer, then wrote that probe's result: one per request.
    const after = await seen.results();
    expect(after).toHaveLength(before + 1);
    expect(after).toHaveLength(site.arrivals.length);
    expect(after.at(-1)!.startedAt.getTime()).toBeLessThanOrEqual(inFlightSince);
    expect(after.at(-1)!.startedAt.getTime()).toBeGreaterThan(inFlightSince - 500);
    expect(errorsOf(sigap)).toEqual([]);
  }, 60_000);
});

/** Can this test mount a tmpfs (root, as CI runs)? Answers the mount point, or null. */
function mountSmallTmpfs(sizeKb: number): string | null {
  if (process.getuid?.() !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'sigap-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** Write until the filesystem refuses: the disk is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [256 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe('SQLite on a full disk', () => {
  it('logs one clear warning, is not ready, keeps the results and writes them once there is room, the incident dated from its first failed probe', async (context) => {
    // A real full disk needs a small filesystem of its own: a tmpfs, which only root may mount.
    const mount = mountSmallTmpfs(8 * 1024);
    if (!mount) return context.skip('mounting a small tmpfs needs root');
    cleanups.push(() => {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    });
    const site = new StandInSite();
    await site.start();
    cleanups.push(() => site.stop());
    const dbFile = join(mount, 'sigap.db');
    const seen = observer(`sqlite:${dbFile}`);
    cleanups.push(() => seen.close());

    const configDir = mkdtempSync(join(tmpdir(), 'sigap-faults-'));
    cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
    const { sigap, url } = await startWithWeb('a', `sqlite:${dbFile}`, writeConfig(configDir, site.port));
    processes.push(sigap);
    await until('the site to be probed up', async () => (await seen.results()).some((r) => r.status === 'up'));
    expect((await readiness(url)).status).toBe(200);

    // Empty the write-ahead log first: SQLite reuses its pages, so only a log that must grow
    // meets the full disk at once.
    const direct = new BetterSqlite3(dbFile);
    direct.pragma('busy_timeout = 5000');
    await until('the write-ahead log to be emptied', async () => (direct.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]!.busy === 0);
    direct.close();
    const filler = join(mount, 'filler');
    fillDisk(filler);
    const writtenBefore = (await seen.results()).length;
    const siteDownAt = Date.now();
    await site.stop();

    const notReady = await waitFor('/readyz to fail', async () => {
      const r = await readiness(url);
      return r.status === 503 ? r : undefined;
    });
    // The reason is for the log; anyone who can reach /readyz reads only that it is unavailable.
    expect(notReady.reason).toBe('database unavailable');
    const notReadyLine = await waitFor('/readyz to log why', async () => warningsOrWorse(sigap).find((l) => l.msg === 'not ready: database unavailable'));
    expect(JSON.stringify(notReadyLine)).toMatch(/disk full/);
    await sleep(3000);
    expect(sigap.exitStatus).toBeNull();
    expect((await readiness(url)).status).toBe(503);
    expect((await seen.results()).length).toBe(writtenBefore);
    // One clear line saying why, not one per probe.
    const kept = warningsOrWorse(sigap).filter((l) => l.msg === 'database unavailable; keeping probe results until it is back');
    expect(kept).toHaveLength(1);
    expect(JSON.stringify(kept[0])).toMatch(/disk full/);
    expect(sigap.logs.filter((l) => l.msg === 'database unavailable: probe result not recorded yet' && (l.level ?? 0) >= 40)).toEqual([]);

    const freedAt = Date.now();
    rmSync(filler);
    const [incident] = await waitFor(
      'the incident to open',
      async () => {
        const found = await seen.incidents();
        return found.length > 0 ? found : undefined;
      },
      30_000,
    );
    const failures = (await seen.results()).filter((r) => r.status === 'down');
    expect(failures.filter((r) => r.startedAt.getTime() < freedAt).length).toBeGreaterThanOrEqual(3);
    expect(failures[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(siteDownAt - 50);
    expect(incident!.detectedAt.getTime()).toBe(failures[0]!.startedAt.getTime());
    expect(incident!.detectedAt.getTime()).toBeLessThan(freedAt);
    await until('/readyz to pass again', async () => (await readiness(url)).status === 200, 15_000);

    expect(await sigap.stop()).toEqual({ code: 0, signal: null });
    expect(errorsOf(sigap)).toEqual([]);
  }, 90_000);
});
