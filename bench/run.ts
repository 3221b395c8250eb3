// `npm run bench [-- SUITE… [options]]`: runs the named benchmark suites (all of them when none is
// named: `probes`, `web`, `detection`, `storage`, `scale`) and prints the machine and the figures. Everything it
// starts listens on or talks to 127.0.0.1 only, and is bounded in count and time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from './children.js';
import { Cleanup, runProbesSuite, type ProbesSuiteOptions } from './probes-suite.js';
import { detectionReport, runDetectionSuite, type DetectionSuiteOptions } from './detection-suite.js';
import { describeMachine, probesReport } from './report.js';
import { runScaleSuite, SCALE_NEEDS_POSTGRES, scaleReport, type ScaleSuiteOptions } from './scale-suite.js';
import { runStorageSuite, storageReport, type StorageSuiteOptions } from './storage-suite.js';
import { loadText, summaryReport, type SuiteResults } from './summary.js';
import { runWebSuite, webReport, type WebSuiteOptions } from './web-suite.js';

const SUITES = ['probes', 'web', 'detection', 'storage', 'scale'] as const;

const USAGE = `usage: npm run bench [-- [probes] [web] [detection] [storage] [scale] [options]]

  probes                 Sigap's probe path vs prometheus-blackbox-exporter on loopback targets
  web                    queue, incident page, API, reports, /metrics and /status latency with 100,000 incidents
                         and a year of rollups for 100 checks (SQLite; PostgreSQL too with BENCH_DATABASE_URL)
  detection              detection latency over induced outages against the physical minimum and, on the same
                         outages, Prometheus + blackbox_exporter + Alertmanager (Debian's packages)
  storage                bytes per raw result and per rollup row; MiB per check-year at the defaults
  scale                  2 and 3 worker processes sharing the checks of one PostgreSQL through leases: probes/s,
                         lateness, duplicates, the database server's CPU (needs BENCH_DATABASE_URL)
  --incidents 100000     web: incidents in the database
  --requests 300         web: requests measured per page and concurrency (1 and 8)
  --duration 5           web: seconds of autocannon load per report/metrics/status page (8 connections)
  --pages TEXT           web: only the pages whose name contains TEXT, e.g. --pages search (rollups seeded only if needed)
  --lateness-checks 1000 web: probe lateness with SIGAP_ROLE=all at this many checks, without and with the page load
  --lateness-interval 5  web: their interval, seconds (each phase lasts 10,000 probes: 50 s at 1,000 checks every 5 s)
  --skip-lateness        web: no lateness measurement
  --outages 100          detection: induced outages (one per check, all concurrent)
  --detect-interval 2000 detection: check interval ms (retryInterval 500 ms, failureThreshold 3, timeout 1000 ms)
  --skip-pipeline        detection: no comparison with Prometheus + blackbox_exporter + Alertmanager
  --scale-checks 20000   scale: checks in the database
  --workers 2,3          scale: worker counts, one run each on the same database
  --scale-interval 20    scale: seconds between probes of one check (warm-up default: two intervals)
  --checks 1000,2000@20,10000
                         sizes to run (checks, each probed once per interval; N@S: every S seconds)
  --interval 10          seconds between probes of one check, for sizes without @S
  --warmup 10            seconds before measuring (default: one interval of each size)
  --seconds 30           seconds measured
  --stagger              also run each size with the checks added a slice at a time over one interval
                         (the steady state is as without it: each check has its own slot; kept to compare)
  --skip-blackbox        no comparison with prometheus-blackbox-exporter
  --dashboard-up-to 2000 probes: time the dashboard (GET /, logged in) idle and under the probe load of
                         each size of at most this many checks (SIGAP_ROLE=all); 0: none
  --dashboard-seconds 10 probes: seconds of requests idle and again under probe load
  --cpu-prof             write a V8 CPU profile of each Sigap worker and print where the time went
  --heap-summary         heap snapshot of each Sigap worker at the end of its window, by constructor (top 15)
  --source               run the Sigap worker under tsx from the sources (default: built, node dist/…)
  --json FILE            also write the raw figures as JSON
  BENCH_DATABASE_URL=postgres://…  also run Sigap on PostgreSQL (a fresh database on that server); scale runs only there`;

function options(): {
  suites: string[];
  probes: ProbesSuiteOptions;
  web: WebSuiteOptions;
  detection: DetectionSuiteOptions;
  storage: StorageSuiteOptions;
  scale: ScaleSuiteOptions;
  json: string | null;
} {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      checks: { type: 'string', default: '1000,2000@20,10000' },
      interval: { type: 'string', default: '10' },
      warmup: { type: 'string' },
      seconds: { type: 'string', default: '30' },
      stagger: { type: 'boolean', default: false },
      'skip-blackbox': { type: 'boolean', default: false },
      'dashboard-up-to': { type: 'string', default: '2000' },
      'dashboard-seconds': { type: 'string', default: '10' },
      'cpu-prof': { type: 'boolean', default: false },
      'heap-summary': { type: 'boolean', default: false },
      source: { type: 'boolean', default: false },
      json: { type: 'string' },
      incidents: { type: 'string', default: '100000' },
      requests: { type: 'string', default: '300' },
      duration: { type: 'string', default: '5' },
      pages: { type: 'string' },
      'lateness-checks': { type: 'string', default: '1000' },
      'lateness-interval': { type: 'string', default: '5' },
      'skip-lateness': { type: 'boolean', default: false },
      outages: { type: 'string', default: '100' },
      'detect-interval': { type: 'string', default: '2000' },
      'skip-pipeline': { type: 'boolean', default: false },
      'scale-checks': { type: 'string', default: '20000' },
      workers: { type: 'string', default: '2,3' },
      'scale-interval': { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const unknown = positionals.filter((p) => !(SUITES as readonly string[]).includes(p));
  if (values.help || unknown.length > 0) {
    if (unknown.length > 0) process.stderr.write(`unknown suite: ${unknown.join(', ')} (suites: ${SUITES.join(', ')})\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n) || n <= 0) {
      process.stderr.write(`--${name}: "${text}" is not a positive number\n`);
      process.exit(2);
    }
    return n;
  };
  const intervalS = positive('interval', values.interval);
  const sizes = values.checks.split(',');
  const scaleIntervalS = positive('scale-interval', values['scale-interval']);
  // Named on its own, the scale suite without PostgreSQL is a mistake; in a run of every suite it is skipped.
  if (positionals.includes('scale') && !process.env.BENCH_DATABASE_URL) {
    process.stderr.write(`${SCALE_NEEDS_POSTGRES}\n`);
    process.exit(2);
  }
  return {
    suites: positionals.length > 0 ? positionals : [...SUITES],
    json: values.json ?? null,
    web: {
      incidents: Math.round(positive('incidents', values.incidents)),
      requests: Math.round(positive('requests', values.requests)),
      durationS: positive('duration', values.duration),
      pages: values.pages ?? null,
      postgresUrl: process.env.BENCH_DATABASE_URL || null,
      lateness: values['skip-lateness']
        ? null
        : { checks: Math.round(positive('lateness-checks', values['lateness-checks'])), intervalS: positive('lateness-interval', values['lateness-interval']) },
    },
    detection: {
      outages: Math.round(positive('outages', values.outages)),
      intervalMs: Math.round(positive('detect-interval', values['detect-interval'])),
      retryIntervalMs: 500,
      timeoutMs: 1000,
      failureThreshold: 3,
      postgresUrl: process.env.BENCH_DATABASE_URL || null,
      pipeline: !values['skip-pipeline'],
    },
    storage: { postgresUrl: process.env.BENCH_DATABASE_URL || null },
    scale: {
      checks: Math.round(positive('scale-checks', values['scale-checks'])),
      workerCounts: values.workers.split(',').map((s) => Math.round(positive('workers', s))),
      intervalS: scaleIntervalS,
      warmupS: values.warmup === undefined ? 2 * scaleIntervalS : positive('warmup', values.warmup),
      windowS: positive('seconds', values.seconds),
      postgresUrl: process.env.BENCH_DATABASE_URL || null,
    },
    probes: {
      sizes: sizes.map((s) => Math.round(positive('checks', s.split('@')[0]!))),
      intervalsS: sizes.map((s) => (s.includes('@') ? positive('checks (the interval after @)', s.split('@')[1]!) : intervalS)),
      intervalS,
      warmupS: values.warmup === undefined ? null : positive('warmup', values.warmup),
      dashboardUpTo: values['dashboard-up-to'] === '0' ? 0 : Math.round(positive('dashboard-up-to', values['dashboard-up-to'])),
      dashboardS: positive('dashboard-seconds', values['dashboard-seconds']),
      windowS: positive('seconds', values.seconds),
      stagger: values.stagger,
      blackbox: !values['skip-blackbox'],
      cpuProfDir: values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'sigap-bench-prof-')) : null,
      postgresUrl: process.env.BENCH_DATABASE_URL || null,
      source: values.source,
      heapSummary: values['heap-summary'],
    },
  };
}

/** The code measured, for the report: `git describe --always --dirty`, if this is a git checkout. */
function sigapRevision(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const { suites, probes, web, detection, storage, scale, json } = options();
  const machine: ReturnType<typeof describeMachine> & { loadAtStart?: string } = describeMachine();
  machine.revision = sigapRevision();
  machine.loadAtStart = loadText();
  const started = Date.now();
  const progress = (line: string) => process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping what is running`);
      void cleanup.runAll().then(() => process.exit(130));
    });
  }
  progress(`${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAtStart}; suites: ${suites.join(', ')}`);
  const raw: Record<string, unknown> = { machine };
  for (const suite of suites) {
    if (suite === 'probes') {
      const result = await runProbesSuite(probes, progress, cleanup);
      raw.probes = result;
      process.stdout.write(`\n${probesReport(result, machine)}\n`);
      if (probes.cpuProfDir) process.stdout.write(`\nCPU profiles (open in Chrome DevTools): ${probes.cpuProfDir}\n`);
    }
    if (suite === 'web') {
      const result = await runWebSuite(web, progress, cleanup);
      raw.web = result;
      process.stdout.write(`\n${webReport(result)}\n`);
    }
    if (suite === 'detection') {
      const result = await runDetectionSuite(detection, progress, cleanup);
      raw.detection = result;
      process.stdout.write(`\n${detectionReport(result)}\n`);
    }
    if (suite === 'storage') {
      const result = await runStorageSuite(storage, progress, cleanup);
      raw.storage = result;
      process.stdout.write(`\n${storageReport(result)}\n`);
    }
    if (suite === 'scale') {
      const result = await runScaleSuite(scale, progress, cleanup);
      raw.scale = result;
      process.stdout.write(`\n${scaleReport(result)}\n`);
    }
  }
  process.stdout.write(`\n${summaryReport(raw as SuiteResults, machine)}\n`);
  if (json) writeFileSync(json, `${JSON.stringify(raw, null, 2)}\n`);
  progress(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
