// The web suite's probe-lateness measurement: Sigap as `npm start` starts it by default
// (SIGAP_ROLE=all: probing, housekeeping, SLA watcher, dispatcher and the web server in one
// process) on the web suite's seeded database, probing `checks` http checks (the web suite's 100
// checks and the probes suite's fixture checks, all against the probes suite's loopback target
// sites) every `intervalS`. Probe lateness p99 first with no web load, then with the web suite's
// pages requested one after another against the same process; the event loop's delay recorded
// in both phases. The scheduler keeps the lateness of its last 10,000 probes; each phase lasts
// as long as that window takes to fill at the offered rate, so each reading covers its phase only.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { Pool } from 'undici';
import { parseConfig } from '../config.js';
import { startSigap, type Sigap } from '../main.js';
import { firstJsonLine, sleep, spawnTsx, stopChild } from './children.js';
import { benchConfigYaml, KEYWORD } from './fixture.js';
import type { Cleanup } from './probes-suite.js';

export interface LatenessOptions {
  checks: number;
  intervalS: number;
}

export interface LatenessFigure {
  database: 'sqlite' | 'postgres';
  checks: number;
  intervalS: number;
  /** Seconds per phase: the scheduler's window of 10,000 probes at the offered rate. */
  phaseS: number;
  /** Scheduler lateness p99 / max over the phase, ms. */
  idle: { p99Ms: number; maxMs: number; loopDelayMaxMs: number };
  /** `resets`: requests whose kept-alive connection the server had closed (asked again). */
  loaded: { p99Ms: number; maxMs: number; loopDelayMaxMs: number; requests: number; resets: number };
  /** loaded p99 ÷ idle p99 (at least 1 ms). */
  ratio: number;
}

/** How many probes the scheduler's lateness percentiles cover (probes/scheduler.ts). */
const LATENESS_WINDOW = 10_000;
const LOOP_RESOLUTION_MS = 10;

/** Records the event loop's delay from now until `stop()`: the largest delay beyond the timer's own period, ms. */
export function loopDelayRecorder(): { stop(): number } {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      return Math.round(Math.max(0, histogram.max / 1e6 - LOOP_RESOLUTION_MS) * 10) / 10;
    },
  };
}

/** The web suite's services with their checks pointed at the target sites, plus fixture checks up to `checks`. */
function latenessYaml(webYaml: string, checks: number, ports: readonly number[], intervalS: number): string {
  const timeoutS = Math.min(5, intervalS);
  let webChecks = 0;
  const web = webYaml
    .split('\n')
    .slice(1) // the time zone line; the fixture's file has it
    .map((line) =>
      line.replace(/url: "http:\/\/127\.0\.0\.1:9\/(\d+)\/(\d+)" }/, (_m, s: string, c: string) => {
        const port = ports[webChecks++ % ports.length]!;
        return `url: "http://127.0.0.1:${port}/web/${s}/${c}", interval: ${intervalS}s, timeout: ${timeoutS}s, expect: { status: [200], contains: ["${KEYWORD}"] } }`;
      }),
    )
    .filter((line) => line !== 'services:' && line !== '');
  const fixture = benchConfigYaml(Math.max(0, checks - webChecks), ports, intervalS).split('\n');
  const at = fixture.indexOf('services:');
  return [...fixture.slice(0, at + 1), ...web, ...fixture.slice(at + 1)].join('\n');
}

/** The scheduler's lateness quantiles as this process's /metrics reports them, ms (a connection of its own: a pooled one may have idled out). */
async function latenessOf(base: string): Promise<{ p99Ms: number; maxMs: number }> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  const quantile = (q: string) => {
    const match = new RegExp(`^sigap_probe_lateness_seconds\\{quantile="${q}"\\} (\\S+)$`, 'm').exec(text);
    if (!match) throw new Error(`/metrics has no sigap_probe_lateness_seconds quantile ${q}`);
    return Math.round(Number(match[1]) * 10_000) / 10;
  };
  return { p99Ms: quantile('0.99'), maxMs: quantile('1') };
}

/**
 * Lateness without and with web load, on a database the web suite seeded. `paths` are the web
 * suite's pages (a path each), requested one after another with `cookie` during the loaded phase.
 */
export async function measureLateness(args: {
  database: { kind: 'sqlite' | 'postgres'; url: string };
  webYaml: string;
  env: Record<string, string>;
  options: LatenessOptions;
  paths: ReadonlyArray<() => string>;
  logIn: (base: string) => Promise<string>;
  progress: (line: string) => void;
  cleanup: Cleanup;
}): Promise<LatenessFigure> {
  const { database, options, progress, cleanup } = args;
  const targets = spawnTsx('target-sites.ts', ['--ports', '8', '--lifetime', '1800']);
  const stopTargets = async () => {
    targets.stdin?.end();
    await stopChild(targets);
  };
  const forget = cleanup.add(stopTargets);
  let sigap: Sigap | null = null;
  try {
    const { ports } = await firstJsonLine<{ ports: number[] }>(targets, 'the target sites');
    const config = parseConfig(latenessYaml(args.webYaml, options.checks, ports, options.intervalS), 'bench-lateness.yaml', { ...args.env, SIGAP_ROLE: 'all' });
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
    const base = sigap.url!;
    const cookie = await args.logIn(base);
    // The first scrape reads every incident once; later ones read only what changed.
    await latenessOf(base);
    const phaseS = Math.ceil(LATENESS_WINDOW / (options.checks / options.intervalS));
    progress(`web (${database.kind}): lateness, ${options.checks} checks every ${options.intervalS} s (SIGAP_ROLE=all): ${2 * options.intervalS + phaseS} s without web load`);
    await sleep(2 * options.intervalS * 1000); // the first rounds, startup included, leave the window
    let loop = loopDelayRecorder();
    await sleep(phaseS * 1000);
    const idleLoop = loop.stop();
    const idle = { ...(await latenessOf(base)), loopDelayMaxMs: idleLoop };
    progress(`web (${database.kind}): lateness without web load p99 ${idle.p99Ms} ms; ${phaseS} s with the pages requested in turn`);

    const pool = new Pool(base, { connections: 1, pipelining: 1 });
    loop = loopDelayRecorder();
    let running = true;
    let requests = 0;
    let resets = 0;
    const load = (async () => {
      for (let n = 0; running; n++) {
        const path = args.paths[n % args.paths.length]!();
        let status: number;
        try {
          const res = await pool.request({ method: 'GET', path, headers: { cookie } });
          await res.body.text();
          status = res.statusCode;
        } catch (err) {
          // A kept-alive connection the server closed while its loop was busy (its 5 s idle timer
          // fired first): counted, and the page asked for again on a new one.
          if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as { code?: string }).code !== 'UND_ERR_SOCKET') throw err;
          resets += 1;
          continue;
        }
        if (status !== 200) throw new Error(`GET ${path} answered ${status}`);
        requests += 1;
      }
    })();
    await Promise.race([sleep(phaseS * 1000), load]);
    const loadedLoop = loop.stop();
    const lateness = await latenessOf(base);
    running = false;
    await load;
    const loaded = { ...lateness, loopDelayMaxMs: loadedLoop, requests, resets };
    await pool.close();
    // Against at least 1 ms: a lateness of 0 ms without load would make any ratio infinite.
    const ratio = Math.round((loaded.p99Ms / Math.max(1, idle.p99Ms)) * 100) / 100;
    progress(`web (${database.kind}): lateness with web load p99 ${loaded.p99Ms} ms (${requests} requests, ${resets} connections reset): ${ratio}× without`);
    return { database: database.kind, checks: options.checks, intervalS: options.intervalS, phaseS, idle, loaded, ratio };
  } finally {
    await sigap?.stop();
    await stopTargets();
    forget();
  }
}
