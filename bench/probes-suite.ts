// The `probes` suite: loopback targets in their own process, then for each size Sigap's probe
// path in a worker process (fresh database each time) and blackbox_exporter at the same rate.
// One run at a time, so the runs do not share the machine's two cores with each other.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freshPostgres, freshSqlite, type BenchDatabase } from './bench-database.js';
import { driveExporter, type BlackboxReport } from './blackbox-driver.js';
import { ensureExporter, startExporter, type ExporterAvailability } from './blackbox-exporter.js';
import { firstJsonLine, projectRoot, spawnBuilt, spawnTsx, stopChild, waitForExit } from './children.js';
import { summarizeCpuProfile, type ProfileSummary } from './cpu-profile.js';
import { measureDashboard, type DashboardFigure } from './dashboard-load.js';
import type { GoalRow } from './goals.js';
import { summarizeHeapSnapshot, type HeapSummary } from './heap-summary.js';
import type { WorkerReport } from './probe-worker.js';

export interface ProbesSuiteOptions {
  sizes: number[];
  /** Each size's interval (`--checks 2000@20`), in the order of `sizes`; `intervalS` where none is given. */
  intervalsS?: number[];
  intervalS: number;
  /** Seconds before measuring; null: one interval of each size. */
  warmupS: number | null;
  windowS: number;
  /** Also run each size with the checks' phases spread over the interval (not main.ts's start). */
  stagger: boolean;
  blackbox: boolean;
  /** Write a V8 CPU profile of every worker here and summarize it. */
  cpuProfDir: string | null;
  /** BENCH_DATABASE_URL: also run on PostgreSQL (a fresh database on that server). */
  postgresUrl: string | null;
  /** Run the worker under tsx from the sources instead of built (`node dist/…`, the default). */
  source: boolean;
  /** Take a heap snapshot at the end of each worker's window and summarize it by constructor. */
  heapSummary: boolean;
  /** Time the dashboard idle and under probe load for the sizes of at most this many checks (0: none). */
  dashboardUpTo: number;
  /** Seconds of requests in each of the dashboard's two phases. */
  dashboardS: number;
}

/** A size as run: how many checks, each probed every `intervalS`. */
export interface ProbeSize {
  checks: number;
  intervalS: number;
  warmupS: number;
}

export function probeSizes(options: ProbesSuiteOptions): ProbeSize[] {
  return options.sizes.map((checks, i) => {
    const intervalS = options.intervalsS?.[i] ?? options.intervalS;
    return { checks, intervalS, warmupS: options.warmupS ?? intervalS };
  });
}

export interface SigapRun extends WorkerReport {
  database: BenchDatabase['kind'];
  profile: ProfileSummary | null;
  heap: HeapSummary | null;
  /** `dist` (node dist/bench/probe-worker.js) or `tsx` (--source). */
  runAs: 'dist' | 'tsx';
}

export interface ProbesSuiteResult {
  options: ProbesSuiteOptions;
  sigap: SigapRun[];
  blackbox: BlackboxReport[];
  exporter: ExporterAvailability | { available: false; reason: string };
  /** The dashboard's page idle and under probe load (dashboard-load.ts). */
  dashboard: DashboardFigure[];
}

/** Stop functions of what is running now, for an interrupted run (Ctrl-C). */
export class Cleanup {
  private readonly stops = new Set<() => Promise<void>>();
  add(stop: () => Promise<void>): () => void {
    this.stops.add(stop);
    return () => this.stops.delete(stop);
  }
  async runAll(): Promise<void> {
    await Promise.allSettled([...this.stops].map((stop) => stop()));
  }
}

type Progress = (line: string) => void;
const TARGET_PORTS = 8; // several ports keep 1,000 fresh connections a second clear of port reuse

/** The loopback target sites (`target-sites.ts`), stopped by `cleanup` or by their lifetime. */
export async function startTargets(lifetimeS: number, cleanup: Cleanup) {
  const child = spawnTsx('target-sites.ts', ['--ports', String(TARGET_PORTS), '--lifetime', String(lifetimeS)]);
  const stop = async () => {
    child.stdin?.end();
    await stopChild(child);
  };
  const forget = cleanup.add(stop);
  const { ports } = await firstJsonLine<{ ports: number[] }>(child, 'the target sites');
  return { ports, pid: child.pid!, stop: async () => (await stop(), forget()) };
}

async function runSigap(run: ProbeSize, ports: number[], database: BenchDatabase, staggered: boolean, options: ProbesSuiteOptions, cleanup: Cleanup): Promise<SigapRun> {
  const size = run.checks;
  const args = ['--checks', String(size), '--ports', ports.join(','), '--database', database.url];
  args.push('--interval', String(run.intervalS), '--warmup', String(run.warmupS), '--seconds', String(options.windowS));
  if (staggered) args.push('--stagger');
  // Every thread writes its own profile (tsx's loader hooks run on one): one folder per run, and
  // the main thread's file (thread id 0 in Node's default name) is the one summarized.
  const profileDir = options.cpuProfDir ? join(options.cpuProfDir, `sigap-${size}-${database.kind}${staggered ? '-staggered' : ''}`) : null;
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const snapshotFile = options.heapSummary ? join(mkdtempSync(join(tmpdir(), 'sigap-bench-heap-')), `sigap-${size}-${database.kind}.heapsnapshot`) : null;
  if (snapshotFile) args.push('--heap-snapshot', snapshotFile);
  const child = options.source ? spawnTsx('probe-worker.ts', args, nodeFlags) : spawnBuilt('probe-worker.js', args, nodeFlags);
  const forget = cleanup.add(() => stopChild(child));
  try {
    const report = await firstJsonLine<WorkerReport>(child, 'the probe worker');
    await waitForExit(child);
    const mainThread = profileDir ? readdirSync(profileDir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) : undefined;
    const profile = profileDir && mainThread ? summarizeCpuProfile(join(profileDir, mainThread)) : null;
    const heap = report.heapSnapshot ? summarizeHeapSnapshot(report.heapSnapshot) : null;
    if (snapshotFile) rmSync(dirname(snapshotFile), { recursive: true, force: true });
    return { ...report, database: database.kind, profile, heap, runAs: options.source ? 'tsx' : 'dist' };
  } finally {
    await stopChild(child);
    forget();
  }
}

async function runBlackbox(run: ProbeSize, ports: number[], options: ProbesSuiteOptions, progress: Progress, cleanup: Cleanup): Promise<BlackboxReport> {
  const size = run.checks;
  const exporter = await startExporter(run.warmupS + options.windowS + 60);
  const forget = cleanup.add(exporter.stop);
  try {
    progress(`[blackbox ${size}] exporter pid ${exporter.pid} on 127.0.0.1:${exporter.port}; warm-up ${run.warmupS} s, then measuring ${options.windowS} s`);
    return await driveExporter({ exporter, ports, checks: size, intervalS: run.intervalS, warmupS: run.warmupS, windowS: options.windowS });
  } finally {
    await exporter.stop();
    forget();
  }
}

function databasesFor(options: ProbesSuiteOptions): Array<() => Promise<BenchDatabase>> {
  const makers: Array<() => Promise<BenchDatabase>> = [async () => freshSqlite()];
  if (options.postgresUrl) makers.push(() => freshPostgres(options.postgresUrl!));
  return makers;
}

/** The newest modification time of the .ts files under `dir` (not node_modules, dist, tests). */
function newestSource(dir: string, deep: boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && deep) newest = Math.max(newest, newestSource(path, true));
    else if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The program as it ships (`npm run build` → dist/) and the worker compiled beside it with the
 * same options (dist/bench/), rebuilt when a source is newer than the built worker.
 */
export function ensureBuiltWorker(progress: Progress): void {
  const built = join(projectRoot, 'dist', 'bench', 'probe-worker.js');
  const dirs: Array<[string, boolean]> = [[projectRoot, false], ...['probes', 'detector', 'migrations', 'bench'].map((d): [string, boolean] => [join(projectRoot, d), true])];
  const newest = Math.max(...dirs.map(([dir, deep]) => newestSource(dir, deep)));
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  progress('building: npm run build, then the probe worker (bench/tsconfig.worker.json) into dist/');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join('bench', 'tsconfig.worker.json')], {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

export async function runProbesSuite(options: ProbesSuiteOptions, progress: Progress, cleanup: Cleanup): Promise<ProbesSuiteResult> {
  if (!options.source) ensureBuiltWorker(progress);
  const exporter = options.blackbox ? ensureExporter(progress) : { available: false as const, reason: 'skipped (--skip-blackbox)' };
  if (!exporter.available) progress(`blackbox_exporter comparison skipped: ${exporter.reason}`);
  else progress(`peer: prometheus-blackbox-exporter ${exporter.version}`);

  const sizes = probeSizes(options);
  const perRunS = Math.max(...sizes.map((s) => s.warmupS)) + Math.max(options.windowS, 2 * options.dashboardS) + 120;
  const targets = await startTargets(perRunS * sizes.length * 6 + 300, cleanup);
  progress(`target sites listening on 127.0.0.1 ports ${targets.ports.join(', ')} (pid ${targets.pid}, keep-alive off)`);
  const result: ProbesSuiteResult = { options, sigap: [], blackbox: [], exporter, dashboard: [] };
  try {
    for (const run of sizes) {
      const size = run.checks;
      for (const staggered of options.stagger ? [false, true] : [false]) {
        for (const makeDatabase of databasesFor(options)) {
          const database = await makeDatabase();
          const forget = cleanup.add(database.drop);
          try {
            progress(`[sigap ${size}] ${database.kind}${staggered ? ', staggered start' : ''}: starting the worker`);
            const measured = await runSigap(run, targets.ports, database, staggered, options, cleanup);
            progress(
              `[sigap ${size}] ${measured.completedPerS.toFixed(0)} probes/s, p99 lateness ${measured.lateness.p99Ms.toFixed(0)} ms, ${measured.cpuSPer1000.toFixed(2)} CPU s per 1,000 probes`,
            );
            result.sigap.push(measured);
          } finally {
            await database.drop();
            forget();
          }
        }
      }
      if (size <= options.dashboardUpTo) {
        for (const makeDatabase of databasesFor(options)) {
          const database = await makeDatabase();
          const forget = cleanup.add(database.drop);
          try {
            const { intervalS, warmupS } = run;
            result.dashboard.push(await measureDashboard({ checks: size, intervalS, warmupS, seconds: options.dashboardS, ports: targets.ports, database }, progress, cleanup));
          } finally {
            await database.drop();
            forget();
          }
        }
      }
      if (exporter.available) {
        const peer = await runBlackbox(run, targets.ports, options, progress, cleanup);
        progress(`[blackbox ${size}] ${peer.completedPerS.toFixed(0)} probes/s, ${peer.cpuSPer1000.toFixed(2)} CPU s per 1,000 probes`);
        result.blackbox.push(peer);
      }
    }
  } finally {
    await targets.stop();
  }
  return result;
}

/** The even schedule's goals, at the sizes the issue names, from what this run measured. */
export const SCHEDULE_GOAL_SIZES: readonly { checks: number; intervalS: number }[] = [
  { checks: 2000, intervalS: 20 },
  { checks: 10000, intervalS: 10 },
];

const databaseName = (kind: BenchDatabase['kind']) => (kind === 'postgres' ? 'PostgreSQL' : 'SQLite');

/**
 * The even schedule's rows of the closing summary: lateness p99 < 50 ms at 2,000 checks every
 * 20 s and 10,000 every 10 s (each database run, checks started as main.ts starts them), and the
 * dashboard's p99 under probe load within 2× of idle. A goal size this run did not measure is a
 * row saying so, with no verdict.
 */
export function scheduleGoals(result: ProbesSuiteResult): GoalRow[] {
  const rows: GoalRow[] = [];
  const label = (s: { checks: number; intervalS: number }) => `${s.checks.toLocaleString('en')} checks every ${s.intervalS} s`;
  for (const size of SCHEDULE_GOAL_SIZES) {
    const runs = result.sigap.filter((r) => !r.staggered && r.checks === size.checks && r.intervalS === size.intervalS);
    for (const r of runs) {
      rows.push({
        suite: 'probes',
        figure: `lateness p99, ${label(size)}`,
        database: databaseName(r.database),
        value: `${r.lateness.p99Ms.toFixed(1)} ms (${Math.round(r.completedPerS)} of ${Math.round(r.offeredPerS)} probes/s)`,
        goal: '< 50 ms',
        met: r.lateness.p99Ms < 50 && r.completedPerS >= 0.98 * r.offeredPerS,
      });
    }
    if (runs.length === 0) rows.push({ suite: 'probes', figure: `lateness p99, ${label(size)}`, database: '—', value: 'not run', goal: '< 50 ms', met: null });
    const dashboards = (result.dashboard ?? []).filter((d) => d.checks === size.checks && d.intervalS === size.intervalS);
    for (const d of dashboards) {
      rows.push({
        suite: 'probes',
        figure: `dashboard p99 under probe load ÷ idle (GET ${d.page}), ${label(size)}`,
        database: databaseName(d.database),
        value: `${d.ratioP99.toFixed(2)}× (${d.loaded.p99Ms} vs ${d.idle.p99Ms} ms)`,
        goal: '≤ 2×',
        met: d.idle.p99Ms > 0 && d.ratioP99 <= 2,
      });
    }
    if (dashboards.length === 0)
      rows.push({ suite: 'probes', figure: `dashboard p99 under probe load ÷ idle, ${label(size)}`, database: '—', value: 'not run', goal: '≤ 2×', met: null });
  }
  return rows;
}
