// `npm run bench [-- SUITE… [options]]`: runs the named benchmark suites (all of them when none is
// named: `probes`, `web`, `detection`, `storage`) and prints the machine and the figures. Everything it
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
import { runStorageSuite, storageReport, type StorageSuiteOptions } from './storage-suite.js';
import { loadText, summaryReport } from './summary.js';
import { runWebSuite, webReport, type WebSuiteOptions } from './web-suite.js';

const SUITES = ['probes', 'web', 'detection', 'storage'] as const;

const USAGE = `usage: npm run bench [-- [probes] [web] [detection] [storage] [options]]

  probes                 Sigap's probe path vs prometheus-blackbox-exporter on loopback targets
  web                    queue, incident page, API, reports, /metrics and /status latency with 100,000 incidents
                         and a year of rollups for 100 checks (SQLite; PostgreSQL too with BENCH_DATABASE_URL)
  detection              detection latency over induced outages against the physical minimum
  storage                bytes per raw result and per rollup row; MiB per check-year at the defaults
  --incidents 100000     web: incidents in the database
  --requests 300         web: requests measured per page and concurrency (1 and 8)
  --duration 5           web: seconds of autocannon load per report/metrics/status page (8 connections)
  --pages TEXT           web: only the pages whose name contains TEXT, e.g. --pages search (rollups seeded only if needed)
  --outages 100          detection: induced outages (one per check, all concurrent)
  --detect-interval 2000 detection: check interval ms (retryInterval 500 ms, failureThreshold 3, timeout 1000 ms)
  --checks 1000,10000    sizes to run (checks, each probed once per interval)
  --interval 10          seconds between probes of one check
  --warmup 10            seconds before measuring (default: one interval)
  --seconds 30           seconds measured
  --stagger              also run each size with the checks added a slice at a time over one interval
                         (phases even over the interval whatever the scheduler's own start spread)
  --skip-blackbox        no comparison with prometheus-blackbox-exporter
  --cpu-prof             write a V8 CPU profile of each Sigap worker and print where the time went
  --heap-summary         heap snapshot of each Sigap worker at the end of its window, by constructor (top 15)
  --source               run the Sigap worker under tsx from the sources (default: built, node dist/…)
  --json FILE            also write the raw figures as JSON
  BENCH_DATABASE_URL=postgres://…  also run Sigap on PostgreSQL (a fresh database on that server)`;

function options(): { suites: string[]; probes: ProbesSuiteOptions; web: WebSuiteOptions; detection: DetectionSuiteOptions; storage: StorageSuiteOptions; json: string | null } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      checks: { type: 'string', default: '1000,10000' },
      interval: { type: 'string', default: '10' },
      warmup: { type: 'string' },
      seconds: { type: 'string', default: '30' },
      stagger: { type: 'boolean', default: false },
      'skip-blackbox': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'heap-summary': { type: 'boolean', default: false },
      source: { type: 'boolean', default: false },
      json: { type: 'string' },
      incidents: { type: 'string', default: '100000' },
      requests: { type: 'string', default: '300' },
      duration: { type: 'string', default: '5' },
      pages: { type: 'string' },
      outages: { type: 'string', default: '100' },
      'detect-interval': { type: 'string', default: '2000' },
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
  return {
    suites: positionals.length > 0 ? positionals : [...SUITES],
    json: values.json ?? null,
    web: {
      incidents: Math.round(positive('incidents', values.incidents)),
      requests: Math.round(positive('requests', values.requests)),
      durationS: positive('duration', values.duration),
      pages: values.pages ?? null,
      postgresUrl: process.env.BENCH_DATABASE_URL || null,
    },
    detection: {
      outages: Math.round(positive('outages', values.outages)),
      intervalMs: Math.round(positive('detect-interval', values['detect-interval'])),
      retryIntervalMs: 500,
      timeoutMs: 1000,
      failureThreshold: 3,
      postgresUrl: process.env.BENCH_DATABASE_URL || null,
    },
    storage: { postgresUrl: process.env.BENCH_DATABASE_URL || null },
    probes: {
      sizes: values.checks.split(',').map((s) => Math.round(positive('checks', s))),
      intervalS,
      warmupS: values.warmup === undefined ? intervalS : positive('warmup', values.warmup),
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
  const { suites, probes, web, detection, storage, json } = options();
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
  }
  process.stdout.write(`\n${summaryReport(raw, machine)}\n`);
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
