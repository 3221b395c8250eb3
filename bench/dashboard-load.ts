// The dashboard under probe load: dashboard-worker.ts runs Sigap's web app alone (idle), then
// with SIGAP_ROLE=all probing N checks in the same process; from this process (its own event
// loop) one client logged in asks for a page in a closed loop, one request after the other, for
// the same time in each phase. Reported: p50/p99/max of each and the p99 ratio loaded ÷ idle.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import type { BenchDatabase } from './bench-database.js';
import { sleep, spawnTsx, stopChild, waitForExit } from './children.js';
import type { Cleanup } from './probes-suite.js';

export const DASHBOARD_PASSWORD = 'bench-password-1';

/** What dashboard-worker.ts prints when a phase is ready. */
export interface DashboardPhase {
  phase: 'idle' | 'loaded';
  url: string;
}

/** The page timed: the incident queue, the dashboard's home, as a logged-in person sees it. */
export const DASHBOARD_PAGE = '/';

export interface PageLatency {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface DashboardFigure {
  checks: number;
  intervalS: number;
  database: BenchDatabase['kind'];
  page: string;
  seconds: number;
  idle: PageLatency;
  loaded: PageLatency;
  /** loaded p99 ÷ idle p99. */
  ratioP99: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

function summarize(latencies: number[]): PageLatency {
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;
  return { requests: latencies.length, p50Ms: round(at(50)), p99Ms: round(at(99)), maxMs: round(latencies.at(-1)!) };
}

async function logIn(base: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: DASHBOARD_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`dashboard log-in failed: ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** One client, one request after the other, for `seconds`; every answer must be 200. */
async function closedLoop(base: string, path: string, cookie: string, seconds: number): Promise<number[]> {
  const pool = new Pool(base, { connections: 1, pipelining: 1 });
  const latencies: number[] = [];
  try {
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ method: 'GET', path, headers: { cookie } });
      await res.body.dump();
      if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode}`);
      latencies.push(performance.now() - t0);
    }
  } finally {
    await pool.close();
  }
  return latencies;
}

function phases(child: ChildProcess): () => Promise<DashboardPhase> {
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return async () => {
    const next = await lines.next();
    if (next.done) throw new Error(`the dashboard worker exited (code ${child.exitCode}) before its next phase`);
    return JSON.parse(next.value as string) as DashboardPhase;
  };
}

export async function measureDashboard(
  run: { checks: number; intervalS: number; warmupS: number; seconds: number; ports: number[]; database: BenchDatabase },
  progress: (line: string) => void,
  cleanup: Cleanup,
): Promise<DashboardFigure> {
  const args = ['--checks', String(run.checks), '--interval', String(run.intervalS), '--ports', run.ports.join(','), '--database', run.database.url];
  args.push('--lifetime', String(Math.round(300 + run.warmupS + 3 * run.seconds)));
  const child = spawnTsx('dashboard-worker.ts', args);
  const forget = cleanup.add(() => stopChild(child));
  const next = phases(child);
  const tag = `[dashboard ${run.checks}@${run.intervalS}s ${run.database.kind}]`;
  try {
    const idlePhase = await next();
    let cookie = await logIn(idlePhase.url);
    await closedLoop(idlePhase.url, DASHBOARD_PAGE, cookie, 2); // warm-up
    progress(`${tag} idle (SIGAP_ROLE=web): GET ${DASHBOARD_PAGE} for ${run.seconds} s`);
    const idle = summarize(await closedLoop(idlePhase.url, DASHBOARD_PAGE, cookie, run.seconds));
    child.stdin!.write('next\n');
    const loadedPhase = await next();
    cookie = await logIn(loadedPhase.url);
    progress(`${tag} SIGAP_ROLE=all probing ${run.checks} checks: warm-up ${run.warmupS} s, then GET ${DASHBOARD_PAGE} for ${run.seconds} s`);
    await sleep(run.warmupS * 1000);
    const loaded = summarize(await closedLoop(loadedPhase.url, DASHBOARD_PAGE, cookie, run.seconds));
    child.stdin!.end();
    await Promise.race([waitForExit(child), sleep(20_000)]);
    const figure: DashboardFigure = {
      checks: run.checks,
      intervalS: run.intervalS,
      database: run.database.kind,
      page: DASHBOARD_PAGE,
      seconds: run.seconds,
      idle,
      loaded,
      ratioP99: idle.p99Ms > 0 ? Math.round((loaded.p99Ms / idle.p99Ms) * 100) / 100 : 0,
    };
    progress(`${tag} p99 idle ${idle.p99Ms} ms, under probe load ${loaded.p99Ms} ms: ${figure.ratioP99}×`);
    return figure;
  } finally {
    await stopChild(child, 20_000);
    forget();
  }
}
