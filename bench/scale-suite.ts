// The `scale` suite: several Sigap workers sharing the checks of one PostgreSQL through leases, as
// SIGAP_ROLE=worker runs them. One fresh database with `--scale-checks` checks; for each count of
// `--workers`, that many worker processes (bench/probe-worker.ts --leases) started one after
// another, a warm-up for the leases to settle, then one window measured in every worker at once:
// probes/s, lateness, CPU, how the checks are spread, and from the database afterwards the
// duplicates (one check probed by two workers less than half an interval apart) and the checks
// nobody probed; the database server's CPU from /proc around the window.
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { freshPostgres, type BenchDatabase } from './bench-database.js';
import { clockTicksPerSecond, parentPid, sleep, spawnBuilt, stopChild, waitForExit } from './children.js';
import type { GoalRow } from './goals.js';
import { ensureBuiltWorker, startTargets, type Cleanup } from './probes-suite.js';
import type { LeaseReport, WorkerReady, WorkerReport } from './probe-worker.js';
import { table } from './report.js';

export interface ScaleSuiteOptions {
  /** Checks in the database (20,000), all http checks on the loopback targets. */
  checks: number;
  /** Worker counts to run, one after another on the same database (2, 3). */
  workerCounts: number[];
  /** Seconds between probes of one check. */
  intervalS: number;
  /** Seconds after the last worker is ready before the window (leases settle, first runs spread). */
  warmupS: number;
  windowS: number;
  /** BENCH_DATABASE_URL; the suite runs only on PostgreSQL (leases between processes). */
  postgresUrl: string | null;
}

export interface ScaleWorker {
  pid: number;
  owner: string;
  setupS: number;
  completed: number;
  completedPerS: number;
  failed: number;
  errors: number;
  lateness: WorkerReport['lateness'];
  cores: number;
  cpuSPer1000: number;
  eventLoopUtilization: number;
  peakRssBytes: number;
  leases: LeaseReport;
  /** The result batcher at the window's end: results still waiting to be written, and dropped. */
  batcher: WorkerReport['batcher'];
}

/** CPU seconds per wall second of the window (1.0 = one core busy); null where /proc could not say. */
export interface DatabaseCpu {
  /** The whole PostgreSQL server: postmaster, its live children and those that exited (cutime). Shared with anything else using that server. */
  serverCores: number | null;
  /** Only the backends connected to the suite's database (sampled every 500 ms; a backend that exits loses its last ≤ 500 ms). */
  databaseCores: number | null;
  /** Why the figures are missing, if they are. */
  note: string | null;
}

export interface ScaleRun {
  workers: number;
  checks: number;
  intervalS: number;
  windowS: number;
  offeredPerS: number;
  /** Sum of the workers' probes per second over the window. */
  probesPerS: number;
  /** Results stored in the database with a start in the window, per second. */
  storedPerS: number;
  /** Over all workers: the worst p50, p99 and max lateness any worker saw. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  /** Two results of one check from different workers less than half an interval apart, the later in the window. Must be 0. */
  duplicates: number;
  /** The same, whatever worker produced them (a worker's own retries included; the targets always answer, so none expected). */
  closePairs: number;
  /** Cross-worker pairs like `duplicates`, but among every result the workers produced (their logs), stored or not. */
  producedDuplicates: number;
  /** Cross-worker pairs like `duplicates` but the later one during the warm-up: lease hand-overs while workers join. */
  warmupDuplicates: number;
  /** Checks with no stored result started in the window (the window is at least one interval). */
  unprobed: number;
  /** Checks more than one worker probed during the window (a lease moved). */
  sharedChecks: number;
  failed: number;
  database: DatabaseCpu;
  perWorker: ScaleWorker[];
}

export interface ScaleSuiteResult {
  options: ScaleSuiteOptions;
  /** Why nothing ran (no BENCH_DATABASE_URL), or null. */
  skipped: string | null;
  server: { version: string; fsync: string; synchronousCommit: string; maxConnections: string } | null;
  runs: ScaleRun[];
}

export const SCALE_NEEDS_POSTGRES =
  'the scale suite needs PostgreSQL: set BENCH_DATABASE_URL=postgres://… (a role that may CREATE DATABASE); several workers share checks through leases only on one PostgreSQL';

type Progress = (line: string) => void;

/** Lines of JSON a child prints on stdout, one at a time. */
function jsonLines(child: ChildProcess, what: string): () => Promise<unknown> {
  const queue: string[] = [];
  const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  let exited: number | null | undefined;
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const next = waiting.shift();
    if (next) parse(line, next);
    else queue.push(line);
  });
  child.once('exit', (code) => {
    exited = code;
    for (const w of waiting.splice(0)) w.reject(new Error(`${what} exited (code ${code}) before reporting`));
  });
  function parse(line: string, to: { resolve: (v: unknown) => void; reject: (e: Error) => void }) {
    try {
      to.resolve(JSON.parse(line));
    } catch {
      to.reject(new Error(`${what} printed something that is not JSON: ${line.slice(0, 200)}`));
    }
  }
  return () =>
    new Promise((resolve, reject) => {
      const line = queue.shift();
      if (line !== undefined) parse(line, { resolve, reject });
      else if (exited !== undefined) reject(new Error(`${what} exited (code ${exited}) before reporting`));
      else waiting.push({ resolve, reject });
    });
}

// --- the database server's CPU, from /proc ---

/** utime, stime, cutime, cstime in seconds, and the parent pid; null once the process is gone. */
function procTimes(pid: number): { own: number; children: number; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const tick = clockTicksPerSecond();
    return { own: (Number(f[11]) + Number(f[12])) / tick, children: (Number(f[13]) + Number(f[14])) / tick, ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const t = procTimes(Number(name));
    if (t && t.ppid === parent) pids.push(Number(name));
  }
  return pids;
}

/**
 * CPU of the PostgreSQL server, read from /proc around a window: the whole server (the postmaster
 * with its reaped children's time, plus every live child), and the backends of one database
 * (their process title names it), sampled so that backends coming and going are counted.
 */
class ServerCpu {
  private sampler: NodeJS.Timeout | null = null;
  private readonly backends = new Map<number, { first: number; last: number }>();
  private readonly titles = new Map<number, string>();
  private startTotal = 0;
  private startedAt = 0;

  private constructor(
    private readonly postmaster: number,
    private readonly database: string,
  ) {}

  /** Finds the postmaster as the parent of the measuring connection's backend; null if it is not on this machine. */
  static async locate(client: pg.Client, database: string): Promise<ServerCpu | string> {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const backend = rows[0]!.pid;
    try {
      const postmaster = parentPid(backend);
      if (procTimes(postmaster) === null) return 'the PostgreSQL server is not on this machine';
      return new ServerCpu(postmaster, database);
    } catch {
      return 'the PostgreSQL server is not on this machine (no /proc entry for its backend)';
    }
  }

  private total(): number {
    const main = procTimes(this.postmaster);
    if (!main) return NaN;
    let sum = main.own + main.children;
    for (const pid of childrenOf(this.postmaster)) sum += procTimes(pid)?.own ?? 0;
    return sum;
  }

  private ours(pid: number): boolean {
    let title = this.titles.get(pid);
    if (title === undefined) {
      try {
        title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        title = '';
      }
      this.titles.set(pid, title);
    }
    return title.split(/[\s\0]+/).includes(this.database);
  }

  private sample(initial: boolean): void {
    for (const pid of childrenOf(this.postmaster)) {
      if (!this.ours(pid)) continue;
      const own = procTimes(pid)?.own;
      if (own === undefined) continue;
      const seen = this.backends.get(pid);
      if (seen) seen.last = own;
      else this.backends.set(pid, { first: initial ? own : 0, last: own });
    }
  }

  start(): void {
    this.backends.clear();
    this.startedAt = performance.now();
    this.startTotal = this.total();
    this.sample(true);
    this.sampler = setInterval(() => this.sample(false), 500);
  }

  stop(): Pick<DatabaseCpu, 'serverCores' | 'databaseCores'> {
    if (this.sampler) clearInterval(this.sampler);
    this.sample(false);
    const wallS = (performance.now() - this.startedAt) / 1000;
    const server = this.total() - this.startTotal;
    let database = 0;
    for (const b of this.backends.values()) database += b.last - b.first;
    return { serverCores: Number.isFinite(server) ? server / wallS : null, databaseCores: database / wallS };
  }
}

// --- one run: N workers ---

interface Spawned {
  child: ChildProcess;
  next: () => Promise<unknown>;
  ready: WorkerReady;
  log: string;
}

async function startWorker(index: number, n: number, ports: number[], database: BenchDatabase, logDir: string, options: ScaleSuiteOptions, cleanup: Cleanup): Promise<Spawned> {
  const log = join(logDir, `worker-${n}-${index}.tsv`);
  const args = ['--checks', String(options.checks), '--ports', ports.join(','), '--database', database.url, '--leases', '--workers', String(n), '--log', log];
  args.push('--interval', String(options.intervalS), '--warmup', String(options.warmupS), '--seconds', String(options.windowS));
  const child = spawnBuilt('probe-worker.js', args);
  cleanup.add(() => stopChild(child));
  const next = jsonLines(child, `worker ${index + 1} of ${n}`);
  try {
    const ready = (await next()) as WorkerReady;
    return { child, next, ready, log };
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** Which worker produced each result: `checkKey\tstartedAt` → worker index. */
function readLogs(spawned: Spawned[]): Map<string, number> {
  const byResult = new Map<string, number>();
  spawned.forEach((s, i) => {
    let text: string;
    try {
      text = readFileSync(s.log, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) if (line) byResult.set(line, i);
  });
  return byResult;
}

interface PairRow {
  key: string;
  started_at: string;
  prev: string;
}

async function analyse(client: pg.Client, from: number, windowStart: number, windowEnd: number, intervalMs: number, owners: Map<string, number>) {
  // Consecutive results of one check, from the run's start to the window's end, closer than half an interval.
  const pairs = await client.query<PairRow>(
    `select c.key, r.started_at, r.prev from (
       select check_id, started_at, lag(started_at) over (partition by check_id order by started_at) as prev
       from check_results where started_at >= $1 and started_at < $2
     ) r join checks c on c.id = r.check_id
     where r.prev is not null and r.started_at - r.prev < $3`,
    [from, windowEnd, intervalMs / 2],
  );
  let duplicates = 0;
  let closePairs = 0;
  let warmupDuplicates = 0;
  for (const p of pairs.rows) {
    const later = Number(p.started_at);
    const a = owners.get(`${p.key}\t${p.prev}`);
    const b = owners.get(`${p.key}\t${p.started_at}`);
    // A result no worker logged cannot be told apart: counted as a duplicate, erring on the safe side.
    const crossWorker = a === undefined || b === undefined || a !== b;
    if (later >= windowStart) {
      closePairs++;
      if (crossWorker) duplicates++;
    } else if (crossWorker) warmupDuplicates++;
  }
  const stored = await client.query<{ n: string }>('select count(*) as n from check_results where started_at >= $1 and started_at < $2', [windowStart, windowEnd]);
  const unprobed = await client.query<{ n: string }>(
    `select count(*) as n from checks c where c.active and not exists
       (select 1 from check_results r where r.check_id = c.id and r.started_at >= $1 and r.started_at < $2)`,
    [windowStart, windowEnd],
  );
  return { duplicates, closePairs, warmupDuplicates, stored: Number(stored.rows[0]!.n), unprobed: Number(unprobed.rows[0]!.n) };
}

/** From the workers' own logs: checks more than one worker probed in the window, and cross-worker pairs closer than half an interval. */
function fromLogs(owners: Map<string, number>, windowStart: number, windowEnd: number, intervalMs: number): { shared: number; duplicates: number } {
  const byCheck = new Map<string, Array<[number, number]>>();
  for (const [result, worker] of owners) {
    const [key, at] = result.split('\t') as [string, string];
    const ms = Number(at);
    if (ms >= windowEnd) continue;
    let list = byCheck.get(key);
    if (!list) byCheck.set(key, (list = []));
    list.push([ms, worker]);
  }
  let shared = 0;
  let duplicates = 0;
  for (const list of byCheck.values()) {
    list.sort((a, b) => a[0] - b[0]);
    const inWindow = new Set(list.filter(([ms]) => ms >= windowStart).map(([, w]) => w));
    if (inWindow.size > 1) shared++;
    for (let i = 1; i < list.length; i++) {
      const [ms, worker] = list[i]!;
      if (ms >= windowStart && ms - list[i - 1]![0] < intervalMs / 2 && worker !== list[i - 1]![1]) duplicates++;
    }
  }
  return { shared, duplicates };
}

async function runWorkers(
  n: number,
  ports: number[],
  database: BenchDatabase,
  databaseName: string,
  client: pg.Client,
  options: ScaleSuiteOptions,
  progress: Progress,
  cleanup: Cleanup,
): Promise<ScaleRun> {
  const logDir = mkdtempSync(join(tmpdir(), 'sigap-bench-scale-'));
  const spawned: Spawned[] = [];
  const runStart = Date.now();
  try {
    // All at once, as `SIGAP_ROLE=worker` processes started together: each migrates (Sigap's
    // migrate waits out another process's migration lock) and syncs sigap.yaml as main.ts does.
    const starting = Array.from({ length: n }, (_, i) =>
      startWorker(i, n, ports, database, logDir, options, cleanup).then((s) => {
        progress(`[scale ${n}] worker ${i + 1} (pid ${s.child.pid}) ready in ${s.ready.setupS.toFixed(1)} s, holding ${s.ready.holding} checks`);
        return s;
      }),
    );
    const settled = await Promise.allSettled(starting);
    for (const s of settled) if (s.status === 'fulfilled') spawned.push(s.value);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    progress(`[scale ${n}] all ${n} workers ready; warm-up ${options.warmupS} s, then measuring ${options.windowS} s`);
    await sleep(options.warmupS * 1000);

    const located = await ServerCpu.locate(client, databaseName);
    const cpu = typeof located === 'string' ? null : located;
    const reports = spawned.map((s) => s.next() as Promise<WorkerReport>);
    cpu?.start();
    const windowStart = Date.now();
    for (const s of spawned) s.child.stdin!.write('go\n');
    await sleep(options.windowS * 1000);
    const windowEnd = Date.now();
    const dbCpu = cpu?.stop() ?? { serverCores: null, databaseCores: null };
    const workerReports = await Promise.all(reports);
    // Each stops, writes its last results, releases its leases and writes its log.
    await Promise.all(spawned.map((s) => Promise.race([waitForExit(s.child), sleep(30_000)])));
    await Promise.all(spawned.map((s) => stopChild(s.child)));

    const owners = readLogs(spawned);
    const found = await analyse(client, runStart, windowStart, windowEnd, options.intervalS * 1000, owners);
    const windowS = (windowEnd - windowStart) / 1000;
    const logged = fromLogs(owners, windowStart, windowEnd, options.intervalS * 1000);
    const perWorker: ScaleWorker[] = workerReports.map((r, i) => ({
      pid: spawned[i]!.child.pid!,
      owner: spawned[i]!.ready.owner,
      setupS: spawned[i]!.ready.setupS,
      completed: r.completed,
      completedPerS: r.completedPerS,
      failed: r.failed,
      errors: r.errors,
      lateness: r.lateness,
      cores: r.cores,
      cpuSPer1000: r.cpuSPer1000,
      eventLoopUtilization: r.eventLoopUtilization,
      peakRssBytes: r.peakRssBytes,
      leases: r.leases!,
      batcher: r.batcher,
    }));
    const worst = (pick: (w: ScaleWorker) => number) => Math.max(...perWorker.map(pick));
    return {
      workers: n,
      checks: options.checks,
      intervalS: options.intervalS,
      windowS,
      offeredPerS: options.checks / options.intervalS,
      probesPerS: perWorker.reduce((sum, w) => sum + w.completedPerS, 0),
      storedPerS: found.stored / windowS,
      latenessP50Ms: worst((w) => w.lateness.p50Ms),
      latenessP99Ms: worst((w) => w.lateness.p99Ms),
      latenessMaxMs: worst((w) => w.lateness.maxMs),
      duplicates: found.duplicates,
      closePairs: found.closePairs,
      producedDuplicates: logged.duplicates,
      warmupDuplicates: found.warmupDuplicates,
      unprobed: found.unprobed,
      sharedChecks: logged.shared,
      failed: perWorker.reduce((sum, w) => sum + w.failed + w.errors, 0),
      database: { ...dbCpu, note: typeof located === 'string' ? located : null },
      perWorker,
    };
  } finally {
    await Promise.all(spawned.map((s) => stopChild(s.child)));
    rmSync(logDir, { recursive: true, force: true });
  }
}

export async function runScaleSuite(options: ScaleSuiteOptions, progress: Progress, cleanup: Cleanup): Promise<ScaleSuiteResult> {
  if (!options.postgresUrl) {
    progress(`scale: skipped — ${SCALE_NEEDS_POSTGRES}`);
    return { options, skipped: SCALE_NEEDS_POSTGRES, server: null, runs: [] };
  }
  ensureBuiltWorker(progress); // the workers run built, as the probes suite's do
  const perRunS = options.warmupS + options.windowS + 600; // setup of 20,000 checks on a busy machine: minutes
  const targets = await startTargets(perRunS * options.workerCounts.length + 300, cleanup);
  progress(`[scale] target sites on 127.0.0.1 ports ${targets.ports.join(', ')} (pid ${targets.pid})`);
  const database = await freshPostgres(options.postgresUrl);
  const forgetDatabase = cleanup.add(database.drop);
  const databaseName = new URL(database.url).pathname.slice(1);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const result: ScaleSuiteResult = { options, skipped: null, server: null, runs: [] };
  try {
    const setting = async (name: string) => (await client.query<Record<string, string>>(`show ${name}`)).rows[0]![name]!;
    result.server = {
      version: await setting('server_version'),
      fsync: await setting('fsync'),
      synchronousCommit: await setting('synchronous_commit'),
      maxConnections: await setting('max_connections'),
    };
    progress(`[scale] PostgreSQL ${result.server.version} (fsync ${result.server.fsync}), database ${databaseName}: ${options.checks} checks every ${options.intervalS} s`);
    for (const n of options.workerCounts) {
      const run = await runWorkers(n, targets.ports, database, databaseName, client, options, progress, cleanup);
      progress(
        `[scale ${n}] ${run.probesPerS.toFixed(0)} probes/s of ${run.offeredPerS.toFixed(0)} offered, lateness p99 ${run.latenessP99Ms.toFixed(0)} ms, ${run.duplicates} duplicates, database server ${run.database.serverCores?.toFixed(2) ?? '?'} cores`,
      );
      result.runs.push(run);
    }
  } finally {
    await client.end();
    await database.drop();
    forgetDatabase();
    await targets.stop();
  }
  return result;
}

// --- the figures ---

const fixed = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));
const ms = (n: number) => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const num = (n: number) => Math.round(n).toLocaleString('en-US');

export function scaleReport(result: ScaleSuiteResult): string {
  if (result.skipped) return `### scale\n\nNot run: ${result.skipped}.`;
  const { options, server } = result;
  const head = `### scale: ${num(options.checks)} checks every ${options.intervalS} s on one PostgreSQL ${server?.version ?? ''} (fsync ${server?.fsync ?? '?'}), warm-up ${options.warmupS} s, window ${options.windowS} s`;
  const runs = table(
    [
      'workers',
      'offered/s',
      'probes/s',
      'stored/s',
      'failed',
      'lateness p50 / p99 / max ms (worst worker)',
      'duplicates (stored / produced)',
      'close pairs (any worker)',
      'hand-overs in warm-up',
      'unprobed checks',
      'DB server cores',
      'DB backends cores',
      'workers cores (sum)',
    ],
    result.runs.map((r) => [
      String(r.workers),
      num(r.offeredPerS),
      num(r.probesPerS),
      num(r.storedPerS),
      num(r.failed),
      `${ms(r.latenessP50Ms)} / ${ms(r.latenessP99Ms)} / ${ms(r.latenessMaxMs)}`,
      `${r.duplicates} / ${r.producedDuplicates}`,
      String(r.closePairs),
      String(r.warmupDuplicates),
      num(r.unprobed),
      fixed(r.database.serverCores),
      fixed(r.database.databaseCores),
      fixed(r.perWorker.reduce((sum, w) => sum + w.cores, 0)),
    ]),
  );
  const workers = table(
    [
      'workers',
      'worker',
      'checks held (start → end)',
      'moved in window (+/−)',
      'checks probed',
      'probes/s',
      'lateness p50 / p99 / max ms',
      'cores',
      'CPU s per 1k probes',
      'event loop',
      'unwritten at end (dropped)',
      'setup s',
    ],
    result.runs.flatMap((r) =>
      r.perWorker.map((w, i) => [
        String(r.workers),
        `${i + 1} (pid ${w.pid})`,
        `${num(w.leases.holdingAtStart)} → ${num(w.leases.holdingAtEnd)}`,
        `+${num(w.leases.gained)} / −${num(w.leases.lost)}`,
        num(w.leases.checksProbed),
        num(w.completedPerS),
        `${ms(w.lateness.p50Ms)} / ${ms(w.lateness.p99Ms)} / ${ms(w.lateness.maxMs)}`,
        w.cores.toFixed(2),
        w.cpuSPer1000.toFixed(2),
        `${(w.eventLoopUtilization * 100).toFixed(0)} %`,
        `${num(w.batcher.buffered)} (${num(w.batcher.dropped)})`,
        w.setupS.toFixed(1),
      ]),
    ),
  );
  const notes = result.runs.flatMap((r) => (r.database.note ? [`${r.workers} workers: database CPU not measured: ${r.database.note}`] : []));
  return [
    head,
    '',
    runs,
    '',
    'Duplicates: two stored results of one check from different workers less than half an interval apart, the later one in the window (goal 0); produced: the same among every result the workers logged, stored or not. ' +
      'DB server cores: the whole PostgreSQL server (shared with whatever else uses it); DB backends: only the connections to this database.',
    '',
    workers,
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}

/** The closing summary's rows: duplicates against 0, and the figures reported without a goal. */
export function scaleGoals(result: ScaleSuiteResult): GoalRow[] {
  if (result.skipped) {
    return [
      { suite: 'scale', figure: 'duplicate probes, several workers on one database', database: 'PostgreSQL', value: 'not run (BENCH_DATABASE_URL unset)', goal: '0', met: null },
    ];
  }
  const checks = num(result.options.checks);
  return result.runs.flatMap((r) => {
    const who = `${r.workers} workers, ${checks} checks every ${r.intervalS} s`;
    return [
      {
        suite: 'scale',
        figure: `duplicate probes, ${who}`,
        database: 'PostgreSQL',
        value: `${r.duplicates} stored, ${r.producedDuplicates} produced (${num(r.storedPerS * r.windowS)} results stored in the window)`,
        goal: '0',
        // Nothing stored in the window proves nothing: the database fell behind.
        met: r.duplicates === 0 && r.producedDuplicates === 0 && r.storedPerS > 0,
      },
      { suite: 'scale', figure: `probes/s, ${who}`, database: 'PostgreSQL', value: `${num(r.probesPerS)} of ${num(r.offeredPerS)} offered`, goal: '—', met: null },
      { suite: 'scale', figure: `lateness p99 (worst worker), ${who}`, database: 'PostgreSQL', value: `${ms(r.latenessP99Ms)} ms`, goal: '—', met: null },
      {
        suite: 'scale',
        figure: `database server CPU, ${who}`,
        database: 'PostgreSQL',
        value:
          r.database.serverCores === null
            ? `not measured (${r.database.note ?? 'unknown'})`
            : `${r.database.serverCores.toFixed(2)} cores (this database's backends ${fixed(r.database.databaseCores)})`,
        goal: '—',
        met: null,
      },
    ];
  });
}
