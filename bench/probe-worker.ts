// Child process: Sigap's own probe path under load, wired as main.ts wires it — parseConfig on a
// generated sigap.yaml, syncConfig, the CheckCatalog, the real Scheduler running runProbe (the http probe, a fresh
// connection per probe), the ResultBatcher and the Detector writing to a fresh database — and
// measured from inside: probes, CPU, lateness, memory and what reached the database.
//
// Usage: node --import tsx bench/probe-worker.ts --checks 1000 --ports 4001,4002 --database sqlite:/tmp/x.db
//        [--interval 10] [--warmup 10] [--seconds 30] [--stagger] [--leases --workers 2 --log FILE] [--heap-snapshot FILE]
// The suite runs it built (`node dist/bench/probe-worker.js`, Sigap's modules from dist/ as
// `npm run build` makes them), or under tsx with `--source`.
// Prints one JSON line (WorkerReport) on stdout; progress and warnings go to stderr.
//
// --leases: one of several workers sharing the checks on one database, as SIGAP_ROLE=worker runs
// them: CheckLeases decides which checks this process probes (wired as main.ts's startProbing
// wires it, with the catalog reloaded every 10 s). It prints `{"ready":…}` once set up and its
// first lease round is done, then waits for a line `go` on stdin (the orchestrator starts every
// worker's window at once) instead of sleeping --warmup; --log FILE gets every result it produced
// as `checkKey<TAB>startedAt ms`, written when it stops, so results can be told apart by worker.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { writeHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, parseConfig, type SigapConfig } from '../config.js';
import { CheckCatalog } from '../detector/detection/check-catalog.js';
import { CheckLeases } from '../detector/detection/check-leases.js';
import { Detector } from '../detector/detection/detector.js';
import { StorageUnavailableError } from '../detector/errors.js';
import { createIncidentServices } from '../detector/incidents/incident-services.js';
import { DEFAULT_BATCHING, ResultBatcher } from '../detector/detection/result-batcher.js';
import { openDatabase } from '../detector/store/database.js';
import { runProbe } from '../probes/probe-registry.js';
import type { ProbeResult } from '../probes/probe-types.js';
import { Scheduler, type ScheduledCheck, type SchedulerStats } from '../probes/scheduler.js';
import { openStorageGauge } from './bench-database.js';
import { sleep } from './children.js';
import { benchConfigYaml } from './fixture.js';

export interface WorkerReport {
  checks: number;
  intervalS: number;
  staggered: boolean;
  /** parseConfig + migrations + syncConfig, seconds. */
  setupS: number;
  windowS: number;
  offeredPerS: number;
  completed: number;
  completedPerS: number;
  /** Results that were not `up` (the targets always answer well: any is the prober's fault). */
  failed: number;
  firstFailure: string | null;
  /** Results the scheduler could not hand over (database refused them). */
  errors: number;
  lateness: SchedulerStats['lateness'];
  waitingAtEnd: number;
  cpuS: number;
  cpuSPer1000: number;
  /** CPU seconds per wall second over the window: 1.0 is one core fully busy. */
  cores: number;
  eventLoopUtilization: number;
  peakRssBytes: number;
  /** Peak V8 heap in use (sampled with RSS): how much of the RSS is JavaScript objects. */
  peakHeapBytes: number;
  resultRows: number;
  bytes: number;
  rowsPerCheckDay: number;
  bytesPerCheckDay: number;
  batcher: { flushes: number; dropped: number; buffered: number };
  /** Where the heap snapshot taken at the end of the window was written (--heap-snapshot). */
  heapSnapshot: string | null;
  /** With --leases: what this worker held and probed. */
  leases?: LeaseReport;
}

export interface LeaseReport {
  owner: string;
  /** Checks held when the window started and when it ended. */
  holdingAtStart: number;
  holdingAtEnd: number;
  /** Checks gained and lost during the window (0 and 0 once the leases have settled). */
  gained: number;
  lost: number;
  /** Distinct checks this worker probed in the window. */
  checksProbed: number;
}

/** The first line a --leases worker prints, once set up and holding its first leases. */
export interface WorkerReady {
  ready: true;
  owner: string;
  setupS: number;
  holding: number;
}

// tsx turns on source-mapped stack traces; `node dist/main.js` runs without them. undici makes
// an Error for every `Connection: close` response and Node's streams read its .stack, so leaving
// them on would charge Sigap for source-map lookups production never does.
process.setSourceMapsEnabled(false);

const { values } = parseArgs({
  options: {
    checks: { type: 'string' },
    ports: { type: 'string' },
    database: { type: 'string' },
    interval: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    stagger: { type: 'boolean', default: false },
    leases: { type: 'boolean', default: false },
    log: { type: 'string' },
    workers: { type: 'string', default: '1' },
    'heap-snapshot': { type: 'string' },
  },
});
const leased = values.leases;
const checksWanted = Number(values.checks);
const intervalS = Number(values.interval);
const warmupS = Number(values.warmup);
const windowS = Number(values.seconds);
const ports = (values.ports ?? '').split(',').map(Number);
const tag = `[sigap ${checksWanted}${values.stagger ? ' staggered' : ''}${leased ? ` worker ${process.pid}` : ''}]`;
const progress = (line: string) => process.stderr.write(`${tag} ${line}\n`);

// Never outlive a run gone wrong: setup, warm-up, window, plus a generous margin to stop.
setTimeout(
  () => {
    progress('lifetime exceeded, exiting');
    process.exit(3);
  },
  ((leased ? 900 : 180) + warmupS + windowS) * 1000,
).unref();
// The orchestrator went away (its end of our stdin closed): so do we. A --leases worker's
// window starts when the orchestrator writes `go`.
let go: () => void = () => undefined;
const goSaid = new Promise<void>((resolve) => (go = resolve));
createInterface({ input: process.stdin }).on('line', (line) => line.trim() === 'go' && go());
process.stdin.on('end', () => process.exit(4));

const peak = { rss: 0, heap: 0 };
const sampleMemory = () => {
  const { rss, heapUsed } = process.memoryUsage();
  peak.rss = Math.max(peak.rss, rss);
  peak.heap = Math.max(peak.heap, heapUsed);
};
sampleMemory();
const rssSampler = setInterval(sampleMemory, 500);

const setupStarted = performance.now();
const env = { DATABASE_URL: values.database, SIGAP_INSTANCE: 'bench', LOG_LEVEL: 'warn' };
let config: SigapConfig;
try {
  config = parseConfig(benchConfigYaml(checksWanted, ports, intervalS), 'bench.yaml', env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  progress(`the generated config is invalid (${err.problems.length} problems), first: ${err.problems.slice(0, 3).join('; ')}`);
  process.exit(2);
}
const logger = pino({ level: config.logLevel }, pino.destination(2));
const clock = () => new Date();
const db = openDatabase(config.databaseUrl);
await db.migrate();
await db.stores.checks.syncConfig(config.services, clock());
const catalog = new CheckCatalog({ db, services: config.services, clock, logger, env: config.checkEnv });
await catalog.refresh();
const checks = catalog.all();
const incidents = createIncidentServices({ db, checks: catalog, policy: config.policy, calendar: config.calendar, clock });
const detector = new Detector({ db, incidents: incidents.probes, flapping: config.policy.flapping, checks: catalog, instance: config.instance, logger });
const setupS = (performance.now() - setupStarted) / 1000;
progress(`${checks.length} checks parsed, migrated and synced in ${setupS.toFixed(1)} s`);

const counts = { completed: 0, failed: 0, errors: 0 };
let firstFailure: string | null = null;
// --log: every result this worker produced; --leases: the checks it probed in the window.
const produced: string[] = [];
let probedInWindow: Set<string> | null = null;
const count = (result: ProbeResult): ProbeResult => {
  counts.completed++;
  if (values.log) produced.push(`${result.checkKey}\t${result.startedAt.getTime()}`);
  probedInWindow?.add(result.checkKey);
  if (result.status !== 'up') {
    counts.failed++;
    firstFailure ??= `${result.checkKey}: ${result.failureKind} ${result.evidence.errorCode ?? ''} ${result.evidence.reason ?? result.evidence.errorMessage ?? ''}`;
  }
  return result;
};

// The same options as main.ts; keep them in step with it.
const batcher = new ResultBatcher(detector, logger, DEFAULT_BATCHING);
const scheduler = new Scheduler({
  probe: async (target) => count(await runProbe(target, { now: clock })),
  onResult: async (result) => ((await batcher.submit(result)).awaitingConfirmation ? 'retry' : 'interval'),
  onError: (check, err) => {
    counts.errors++;
    if (!(err instanceof StorageUnavailableError)) logger.error({ err, check }, 'probe result could not be recorded');
  },
  now: clock,
  // The percentiles cover about the measured window, not the warm-up (stats() reads the last N);
  // a --leases worker probes about its share of the checks (--workers: how many share them).
  latencyWindow: Math.max(100, Math.round((checks.length / (leased ? Number(values.workers) : 1) / intervalS) * windowS)),
});
const toScheduled = (c: (typeof checks)[number]): ScheduledCheck => ({ intervalMs: c.intervalMs, retryIntervalMs: c.retryIntervalMs, target: c.target });
const scheduled: ScheduledCheck[] = checks.map(toScheduled);

// --leases: as main.ts's startProbing — the catalog says which checks exist, the leases which of
// them this process probes; leases follow the wall clock.
const owner = `bench:${process.pid}:${randomUUID().slice(0, 8)}`;
const leaseMoves = { gained: 0, lost: 0 };
let leases: CheckLeases | null = null;
let refresher: NodeJS.Timeout | null = null;
if (leased) {
  leases = new CheckLeases({
    store: db.stores.leases,
    worker: { owner, instance: config.instance, pid: process.pid },
    checks: () => catalog.all().map((c) => ({ key: c.key, intervalMs: c.intervalMs })),
    clock: () => new Date(),
    logger,
    onGained: (keys) => {
      leaseMoves.gained += keys.length;
      scheduler.start(keys.flatMap((key) => catalog.check(key) ?? []).map(toScheduled));
    },
    onLost: (keys) => {
      leaseMoves.lost += keys.length;
      keys.forEach((key) => scheduler.remove(key));
    },
  });
  await leases.start();
  catalog.onChange(({ upserted, removed }) => {
    for (const check of upserted) if (leases!.holding().has(check.key)) scheduler.upsert(toScheduled(check));
    for (const key of removed) scheduler.remove(key);
    leases!.round().catch(() => undefined);
  });
  refresher = setInterval(() => {
    catalog.refresh().catch((err: unknown) => logger.warn({ err }, 'could not reload dashboard checks'));
  }, 10_000); // main.ts's CATALOG_REFRESH_MS
  refresher.unref();
  const ready: WorkerReady = { ready: true, owner, setupS: (performance.now() - setupStarted) / 1000, holding: leases.holding().size };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  progress(`holding ${ready.holding} of ${checks.length} checks; waiting for go`);
} else if (values.stagger) {
  // Not what main.ts does: checks are added a slice at a time over one interval. Before the even
  // schedule this was what spread their phases over the interval; now each check runs at its hashed
  // slot either way, so the steady state is the same and only the start differs (each slice passes
  // through the early lane). Kept so figures can be compared with runs taken before.
  const slices = Math.max(1, Math.round(intervalS * 10));
  for (let i = 0; i < slices; i++) {
    setTimeout(() => scheduler.start(scheduled.slice(Math.floor((i * scheduled.length) / slices), Math.floor(((i + 1) * scheduled.length) / slices))), i * 100);
  }
} else {
  scheduler.start(scheduled);
}

if (leased) {
  await goSaid;
} else {
  progress(`probing; warm-up ${warmupS} s`);
  await sleep(warmupS * 1000);
}
const gauge = await openStorageGauge(config.databaseUrl);
const storedBefore = await gauge.read();
const before = { ...counts, cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), at: performance.now() };
const leasesBefore = { ...leaseMoves, holding: leases?.holding().size ?? 0 };
probedInWindow = leased ? new Set() : null;
progress(`measuring ${windowS} s`);

await sleep(windowS * 1000);
const cpu = process.cpuUsage(before.cpu);
const elu = performance.eventLoopUtilization(before.elu);
const elapsedS = (performance.now() - before.at) / 1000;
const stats = scheduler.stats();
const completed = counts.completed - before.completed;
const leaseReport: LeaseReport | undefined = leases
  ? {
      owner,
      holdingAtStart: leasesBefore.holding,
      holdingAtEnd: leases.holding().size,
      gained: leaseMoves.gained - leasesBefore.gained,
      lost: leaseMoves.lost - leasesBefore.lost,
      checksProbed: probedInWindow?.size ?? 0,
    }
  : undefined;
probedInWindow = null;
const storedAfter = await gauge.read();
const cpuS = (cpu.user + cpu.system) / 1e6;
const perCheckDay = (delta: number) => (delta / elapsedS) * (86_400 / checks.length);
const batcherStats = batcher.stats();
// The snapshot itself takes memory: the peak is read before it, and nothing samples after.
clearInterval(rssSampler);
sampleMemory();
const heapSnapshot = values['heap-snapshot'] ? writeHeapSnapshot(values['heap-snapshot']) : null;

const report: WorkerReport = {
  checks: checks.length,
  intervalS,
  staggered: values.stagger,
  setupS,
  windowS: elapsedS,
  offeredPerS: checks.length / intervalS,
  completed,
  completedPerS: completed / elapsedS,
  failed: counts.failed - before.failed,
  firstFailure,
  errors: counts.errors - before.errors,
  lateness: stats.lateness,
  waitingAtEnd: stats.waiting,
  cpuS,
  cpuSPer1000: completed > 0 ? (cpuS / completed) * 1000 : 0,
  cores: cpuS / elapsedS,
  eventLoopUtilization: elu.utilization,
  peakRssBytes: peak.rss,
  peakHeapBytes: peak.heap,
  resultRows: storedAfter.resultRows - storedBefore.resultRows,
  bytes: storedAfter.bytes - storedBefore.bytes,
  rowsPerCheckDay: perCheckDay(storedAfter.resultRows - storedBefore.resultRows),
  bytesPerCheckDay: perCheckDay(storedAfter.bytes - storedBefore.bytes),
  batcher: { flushes: batcherStats.flushes, dropped: batcherStats.dropped, buffered: batcherStats.buffered },
  leases: leaseReport,
  heapSnapshot,
};
process.stdout.write(`${JSON.stringify(report)}\n`);

// Stop as main.ts does, but bounded: a backlog of due probes would otherwise all run first.
progress('stopping');
clearInterval(rssSampler);
if (refresher) clearInterval(refresher);
// Released once this process's last results are written, as main.ts stops.
await Promise.race([
  scheduler
    .stop()
    .then(() => batcher.stop())
    .then(() => leases?.stop()),
  sleep(leased ? 60_000 : 15_000),
]);
if (values.log) writeFileSync(values.log, produced.length > 0 ? `${produced.join('\n')}\n` : '');
await gauge.close();
await Promise.race([db.close(), sleep(5000)]);
process.exit(0);
