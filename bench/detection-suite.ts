// `detection`: how long after a site starts failing Sigap opens its incident, against the physical
// minimum. Stand-in sites on 127.0.0.1 (one node:http server, a path per check, each with its own
// failure switch: a failing path's connection is closed without an answer). Sigap is started as
// `main.ts` starts it (startSigap, SIGAP_ROLE=all, in this process) on a fresh database. Each of
// N checks has one outage, started at a random moment over two intervals so the outages fall at
// every phase of the probe schedule; the sites stay down until every incident is open, and one
// more interval after, so a duplicate would show.
//
// Per outage: t0 = the switch flipped; t_incident = the incident row's created_at (Sigap's clock,
// which is this process's clock); physical minimum = time from t0 to the next probe on the
// check's grid (the last probe the site saw before t0, plus whole intervals) + (failureThreshold
// − 1) × retryInterval (a refused connection takes ~0 ms). Ratio = latency ÷ minimum.
//
// The notification: every incident's `opened` message goes to a local webhook receiver (port 0).
// Per incident: commit = the first time this process's Database said that a commit wrote outbox
// rows (`watchOutbox`, called right after COMMIT) at or after the incident's created_at — an
// earlier commit of another incident can only make it earlier, so the figure errs long; arrival =
// when the receiver got the first delivery attempt. Also created_at → arrival, which a build
// without `watchOutbox` has too.
//
// The pipeline (unless --skip-pipeline): Prometheus + blackbox_exporter + Alertmanager from
// Debian's packages (prometheus-pipeline.ts) probe the same checks at the same time, each on its
// own path of the same stand-in (`/p/i` beside Sigap's `/d/i`, one failure switch for both), so
// both sides see the same outages at the same moments. Per outage: the alert's startsAt
// (Prometheus's firing time, same clock) and its arrival at a second local webhook receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseConfig } from '../config.js';
import { startSigap, type Sigap } from '../main.js';
import { freshPostgres, freshSqlite, type BenchDatabase } from './bench-database.js';
import { sleep } from './children.js';
import { KEYWORD, PAGE } from './fixture.js';
import type { Cleanup } from './probes-suite.js';
import { ensurePipeline, startAlertReceiver, startPipeline, type AlertArrival, type RunningPipeline } from './prometheus-pipeline.js';
import { failedProbes, percentile, physicalMinimum, spread } from './outage-timing.js';

// The report and the goal rows live beside; the suite's entry points stay here.
export { detectionGoals, detectionReport } from './detection-report.js';

export interface DetectionSuiteOptions {
  outages: number;
  intervalMs: number;
  retryIntervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
  postgresUrl: string | null;
  /** Also run Prometheus + blackbox_exporter + Alertmanager on the same outages (--skip-pipeline: no). */
  pipeline: boolean;
}

/** The pipeline's figures in the same run: its alert (Prometheus firing) and its webhook (Alertmanager's delivery). */
export interface PipelineFigure {
  /** Checks whose firing alert reached the receiver. */
  alerted: number;
  /** Checks with more than one firing alert delivered. */
  duplicated: number;
  missed: number;
  /** Outage → the alert's startsAt (when Prometheus's rule fired). */
  alertP50Ms: number;
  alertP95Ms: number;
  alertMaxMs: number;
  /** Outage → Alertmanager's webhook at the receiver. */
  webhookP50Ms: number;
  webhookP95Ms: number;
  webhookMaxMs: number;
  /** Next scrape on the target's grid + (failureThreshold − 1) × interval. */
  minimumP50Ms: number;
  /** Alert latency ÷ that minimum. */
  ratioP50: number;
  ratioP95: number;
  ratioMax: number;
  /** Requests the stand-in saw on the path from the outage to the alert's webhook: the failed probes it took. */
  probesMin: number;
  probesMax: number;
}

export interface DetectionFigure {
  database: 'sqlite' | 'postgres';
  outages: number;
  /** Incidents opened for the N checks (must equal outages). */
  incidents: number;
  /** Checks with more than one incident. */
  duplicated: number;
  /** Outages with no incident by the deadline. */
  missed: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyMaxMs: number;
  minimumP50Ms: number;
  ratioP50: number;
  ratioP95: number;
  ratioMax: number;
  ratioMin: number;
  /** Latency − physical minimum: what Sigap adds (lateness, batching, database). */
  overheadP50Ms: number;
  overheadP95Ms: number;
  overheadMaxMs: number;
  /** Webhook deliveries received for the incidents (first attempt each). */
  notified: number;
  /** Commit → first delivery attempt's arrival, ms (null where the build cannot tell the commit). */
  notifyP50Ms: number | null;
  notifyP95Ms: number | null;
  notifyMaxMs: number | null;
  /** The incident's created_at → arrival, ms. */
  createdToArrivalP50Ms: number;
  createdToArrivalP95Ms: number;
  createdToArrivalMaxMs: number;
  /** Outage → Sigap's webhook at the receiver. */
  webhookP50Ms: number;
  webhookP95Ms: number;
  webhookMaxMs: number;
  /** Requests the stand-in saw on the check's path from the outage to the incident: the failed probes it took. */
  probesMin: number;
  probesMax: number;
  /** The pipeline on the same outages; null when skipped or not installable. */
  pipeline: PipelineFigure | null;
}

export interface DetectionSuiteResult {
  options: DetectionSuiteOptions;
  figures: DetectionFigure[];
  /** The pipeline's versions, or why it did not run. */
  pipeline: { ran: true; versions: string } | { ran: false; reason: string };
}

const PASSWORD = 'bench-password-1';
const key = (i: number) => `det-${String(i).padStart(4, '0')}`;

/**
 * One server, a path per check for Sigap (`/d/i`) and one for the pipeline (`/p/i`), one failure
 * switch per check for both; a failing path's connection is closed, every request's arrival is logged.
 */
async function startSites(checks: number): Promise<{ port: number; failing: Set<number>; arrivals: number[][]; pipelineArrivals: number[][]; server: Server }> {
  const failing = new Set<number>();
  const arrivals: number[][] = Array.from({ length: checks }, () => []);
  const pipelineArrivals: number[][] = Array.from({ length: checks }, () => []);
  const server = createServer({ keepAlive: false }, (req, res) => {
    const [, side, number] = /^\/([dp])\/(\d+)$/.exec(req.url ?? '') ?? [];
    const index = Number(number ?? -1);
    if (index >= 0 && index < checks) (side === 'p' ? pipelineArrivals : arrivals)[index]!.push(Date.now());
    if (failing.has(index)) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, failing, arrivals, pipelineArrivals, server };
}

/** The webhook receiver: the first arrival per incident ref. */
async function startReceiver(): Promise<{ url: string; arrivals: Map<string, number>; server: Server }> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const at = Date.now();
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const ref = (JSON.parse(text) as { sigap?: { incident?: { ref?: string } } }).sigap?.incident?.ref;
        if (ref && !arrivals.has(ref)) arrivals.set(ref, at);
      } catch {
        // not a Sigap body: not counted
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals, server };
}

function yaml(checks: number, port: number, o: DetectionSuiteOptions, hookUrl: string): string {
  const lines = [
    'timezone: Asia/Jakarta',
    'notifications:',
    '  channels:',
    `    - { key: bench-hook, type: webhook, url: "${hookUrl}", timeout: 5s }`,
    '  routes:',
    '    - { events: [opened], notify: [bench-hook] }',
    'services:',
    '  - key: det',
    '    name: Detection bench',
    '    impact: high',
    '    checks:',
  ];
  for (let i = 0; i < checks; i++) {
    lines.push(
      `      - { key: ${key(i)}, type: http, url: "http://127.0.0.1:${port}/d/${i}", interval: ${o.intervalMs}ms, timeout: ${o.timeoutMs}ms,`,
      `          retryInterval: ${o.retryIntervalMs}ms, failureThreshold: ${o.failureThreshold}, expect: { status: [200], contains: ["${KEYWORD}"] } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Incidents per check key with their created_at, read through the driver on a second connection. */
async function openIncidentReader(url: string): Promise<{ read(): Promise<Array<{ key: string; ref: string; createdAt: number }>>; close(): Promise<void> }> {
  const sql = 'select c.key as key, i.ref as ref, i.created_at as created_at from incidents i join checks c on c.id = i.check_id';
  if (url.startsWith('sqlite:')) {
    const db = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    const statement = db.prepare(sql);
    return {
      read: async () => (statement.all() as Array<{ key: string; ref: string; created_at: number }>).map((r) => ({ key: r.key, ref: r.ref, createdAt: Number(r.created_at) })),
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    read: async () => (await client.query<{ key: string; ref: string; created_at: string }>(sql)).rows.map((r) => ({ key: r.key, ref: r.ref, createdAt: Number(r.created_at) })),
    close: () => client.end(),
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const orNull = (x: number) => (Number.isFinite(x) ? Math.round(x) : null);

/** The pipeline's figure from the alerts Alertmanager delivered, per check index. */
function pipelineFigure(alerts: readonly AlertArrival[], t0: readonly number[], arrivals: readonly number[][], o: DetectionSuiteOptions): PipelineFigure {
  const byCheck = new Map<string, AlertArrival[]>();
  for (const a of alerts) byCheck.set(a.check, [...(byCheck.get(a.check) ?? []), a]);
  const created: number[] = [];
  const received: number[] = [];
  const ratios: number[] = [];
  const minima: number[] = [];
  const probes: number[] = [];
  let missed = 0;
  let duplicated = 0;
  for (let i = 0; i < t0.length; i++) {
    const delivered = byCheck.get(key(i)) ?? [];
    if (new Set(delivered.map((a) => a.startsAt)).size > 1) duplicated++;
    if (delivered.length === 0 || t0[i] === 0) {
      missed++;
      continue;
    }
    const firedAt = Math.min(...delivered.map((a) => a.startsAt));
    const minimum = physicalMinimum(arrivals[i]!, t0[i]!, o.intervalMs, o.intervalMs, o.failureThreshold);
    created.push(firedAt - t0[i]!);
    const arrivedAt = Math.min(...delivered.map((a) => a.at));
    received.push(arrivedAt - t0[i]!);
    minima.push(minimum);
    ratios.push((firedAt - t0[i]!) / minimum);
    probes.push(failedProbes(arrivals[i]!, t0[i]!, arrivedAt));
  }
  const alert = spread(created);
  const webhook = spread(received);
  return {
    alerted: byCheck.size,
    duplicated,
    missed,
    alertP50Ms: alert.p50,
    alertP95Ms: alert.p95,
    alertMaxMs: alert.max,
    webhookP50Ms: webhook.p50,
    webhookP95Ms: webhook.p95,
    webhookMaxMs: webhook.max,
    minimumP50Ms: Math.round(percentile(minima, 50)),
    ratioP50: r2(percentile(ratios, 50)),
    ratioP95: r2(percentile(ratios, 95)),
    ratioMax: r2(Math.max(...ratios)),
    probesMin: Math.min(...probes),
    probesMax: Math.max(...probes),
  };
}

async function runOne(database: BenchDatabase, o: DetectionSuiteOptions, withPipeline: boolean, progress: (line: string) => void, cleanup: Cleanup): Promise<DetectionFigure> {
  const n = o.outages;
  const sites = await startSites(n);
  const forgetSites = cleanup.add(() => new Promise<void>((resolve) => sites.server.close(() => resolve())));
  const receiver = await startReceiver();
  const forgetReceiver = cleanup.add(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));
  const alertReceiver = withPipeline ? await startAlertReceiver() : null;
  const forgetAlertReceiver = alertReceiver ? cleanup.add(() => new Promise<void>((resolve) => alertReceiver.server.close(() => resolve()))) : () => {};
  let pipeline: RunningPipeline | null = null;
  let forgetPipeline = () => {};
  const env = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', SIGAP_ROLE: 'all', BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'silent', SIGAP_INSTANCE: 'bench' };
  const config = parseConfig(yaml(n, sites.port, o, receiver.url), 'bench.yaml', env);
  let sigap: Sigap | null = null;
  try {
    if (alertReceiver) {
      // Bounded by `timeout` well past everything below: warm-up, outages, deadline, the extra interval.
      const lifetimeS = Math.ceil((20 * o.intervalMs + o.failureThreshold * (o.retryIntervalMs + o.timeoutMs)) / 1000) + 120;
      const targets = Array.from({ length: n }, (_, i) => ({ check: key(i), url: `http://127.0.0.1:${sites.port}/p/${i}` }));
      pipeline = await startPipeline(targets, o, alertReceiver.url, lifetimeS);
      forgetPipeline = cleanup.add(pipeline.stop);
    }
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
    const running = sigap;
    const forgetSigap = cleanup.add(() => running.stop());
    // Commits that wrote outbox rows, as this process's Database says them (a build without it: none).
    const commits: number[] = [];
    const db = sigap.db as Partial<{ watchOutbox(wake: () => void): { close(): Promise<void> } }>;
    const watch = typeof db.watchOutbox === 'function' ? db.watchOutbox(() => commits.push(Date.now())) : null;
    // Warm-up: every check probed at least twice (by both sides), so each has a grid to measure from.
    const warm = () => sites.arrivals.every((a) => a.length >= 2) && (!pipeline || sites.pipelineArrivals.every((a) => a.length >= 2));
    const warmDeadline = Date.now() + 5 * o.intervalMs + 10_000;
    while (!warm() && Date.now() < warmDeadline) await sleep(100);
    if (!warm()) throw new Error('detection: some checks were never probed during the warm-up');
    progress(`detection (${database.kind}): ${n} checks probing${pipeline ? ' (and the pipeline)' : ''}; starting ${n} outages over ${(2 * o.intervalMs) / 1000} s`);

    const t0 = new Array<number>(n).fill(0);
    const order = Array.from({ length: n }, (_, i) => i);
    const offsets = order.map(() => Math.random() * 2 * o.intervalMs);
    const started = Date.now();
    const timers = order.map((i) =>
      setTimeout(() => {
        t0[i] = Date.now();
        sites.failing.add(i);
      }, offsets[i]),
    );
    const reader = await openIncidentReader(database.url);
    const found = new Map<string, number[]>();
    const refs = new Map<string, { ref: string; createdAt: number }>();
    const note = (row: { key: string; ref: string; createdAt: number }) => {
      found.set(row.key, [...(found.get(row.key) ?? []), row.createdAt]);
      const first = refs.get(row.key);
      if (!first || row.createdAt < first.createdAt) refs.set(row.key, { ref: row.ref, createdAt: row.createdAt });
    };
    const alertedChecks = () => new Set(alertReceiver?.alerts.map((a) => a.check)).size;
    const deadline = started + 2 * o.intervalMs + 10 * o.intervalMs + o.failureThreshold * (o.retryIntervalMs + o.timeoutMs) + 15_000;
    try {
      while (Date.now() < deadline) {
        await sleep(100);
        found.clear();
        for (const row of await reader.read()) note(row);
        if (found.size >= n && t0.every((t) => t > 0) && (!alertReceiver || alertedChecks() >= n)) break;
      }
      // One more interval (and the retries) with every site still down: a second incident would show now.
      await sleep(o.intervalMs + o.failureThreshold * o.retryIntervalMs + 1000);
      found.clear();
      for (const row of await reader.read()) note(row);
    } finally {
      timers.forEach(clearTimeout);
      await reader.close();
      await watch?.close();
    }

    const latencies: number[] = [];
    const minima: number[] = [];
    const ratios: number[] = [];
    const overheads: number[] = [];
    const probes: number[] = [];
    let missed = 0;
    let duplicated = 0;
    let incidents = 0;
    for (let i = 0; i < n; i++) {
      const created = found.get(key(i)) ?? [];
      incidents += created.length;
      if (created.length > 1) duplicated++;
      if (created.length === 0 || t0[i] === 0) {
        missed++;
        continue;
      }
      const minimum = physicalMinimum(sites.arrivals[i]!, t0[i]!, o.intervalMs, o.retryIntervalMs, o.failureThreshold);
      const latency = Math.min(...created) - t0[i]!;
      latencies.push(latency);
      minima.push(minimum);
      ratios.push(latency / minimum);
      overheads.push(latency - minimum);
      probes.push(failedProbes(sites.arrivals[i]!, t0[i]!, Math.min(...created)));
    }
    // Notification: commit (or created_at) → the receiver's first arrival, per incident; and outage → arrival.
    const notifyLatencies: number[] = [];
    const createdToArrival: number[] = [];
    const outageToArrival: number[] = [];
    const sortedCommits = [...commits].sort((a, b) => a - b);
    for (const [checkKey, { ref, createdAt }] of refs) {
      const arrival = receiver.arrivals.get(ref);
      if (arrival === undefined) continue;
      createdToArrival.push(arrival - createdAt);
      const index = Number(checkKey.slice('det-'.length));
      if (t0[index]) outageToArrival.push(arrival - t0[index]!);
      const commit = sortedCommits.find((c) => c >= createdAt);
      if (watch && commit !== undefined && commit <= arrival) notifyLatencies.push(arrival - commit);
    }
    const latency = spread(latencies);
    const overhead = spread(overheads);
    const notify = spread(notifyLatencies);
    const createdArrival = spread(createdToArrival);
    const webhook = spread(outageToArrival);
    const figure: DetectionFigure = {
      database: database.kind,
      outages: n,
      incidents,
      duplicated,
      missed,
      latencyP50Ms: latency.p50,
      latencyP95Ms: latency.p95,
      latencyMaxMs: latency.max,
      minimumP50Ms: Math.round(percentile(minima, 50)),
      ratioP50: r2(percentile(ratios, 50)),
      ratioP95: r2(percentile(ratios, 95)),
      ratioMax: r2(Math.max(...ratios)),
      ratioMin: r2(Math.min(...ratios)),
      overheadP50Ms: overhead.p50,
      overheadP95Ms: overhead.p95,
      overheadMaxMs: overhead.max,
      notified: createdToArrival.length,
      notifyP50Ms: orNull(notify.p50),
      notifyP95Ms: orNull(notify.p95),
      notifyMaxMs: orNull(notify.max),
      createdToArrivalP50Ms: createdArrival.p50,
      createdToArrivalP95Ms: createdArrival.p95,
      createdToArrivalMaxMs: createdArrival.max,
      webhookP50Ms: webhook.p50,
      webhookP95Ms: webhook.p95,
      webhookMaxMs: webhook.max,
      probesMin: Math.min(...probes),
      probesMax: Math.max(...probes),
      pipeline: alertReceiver ? pipelineFigure(alertReceiver.alerts, t0, sites.pipelineArrivals, o) : null,
    };
    progress(
      `detection (${database.kind}): ${incidents} incidents for ${n} outages (${duplicated} duplicated, ${missed} missed); ratio p50 ${figure.ratioP50}, p95 ${figure.ratioP95}, max ${figure.ratioMax}; webhook commit → arrival p50 ${figure.notifyP50Ms ?? '—'} ms, p95 ${figure.notifyP95Ms ?? '—'} ms`,
    );
    if (figure.pipeline) {
      const p = figure.pipeline;
      progress(
        `detection (${database.kind}): pipeline ${p.alerted} alerts for ${n} outages (${p.duplicated} duplicated, ${p.missed} missed); alert p95 ${p.alertP95Ms} ms vs Sigap's incident ${figure.latencyP95Ms} ms; webhook p95 ${p.webhookP95Ms} ms vs Sigap's ${figure.webhookP95Ms} ms`,
      );
    }
    await running.stop();
    forgetSigap();
    sigap = null;
    return figure;
  } finally {
    await sigap?.stop();
    await pipeline?.stop();
    forgetPipeline();
    await new Promise<void>((resolve) => sites.server.close(() => resolve()));
    sites.server.closeAllConnections();
    forgetSites();
    receiver.server.closeAllConnections();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    forgetReceiver();
    if (alertReceiver) {
      alertReceiver.server.closeAllConnections();
      await new Promise<void>((resolve) => alertReceiver.server.close(() => resolve()));
    }
    forgetAlertReceiver();
  }
}

export async function runDetectionSuite(options: DetectionSuiteOptions, progress: (line: string) => void, cleanup: Cleanup): Promise<DetectionSuiteResult> {
  let pipeline: DetectionSuiteResult['pipeline'] = { ran: false, reason: '--skip-pipeline' };
  if (options.pipeline) {
    const availability = ensurePipeline(progress);
    pipeline = availability.available ? { ran: true, versions: availability.versions } : { ran: false, reason: availability.reason };
    if (!availability.available) progress(`detection: the pipeline is not compared: ${availability.reason}`);
  }
  const result: DetectionSuiteResult = { options, figures: [], pipeline };
  const makers: Array<() => Promise<BenchDatabase>> = [async () => freshSqlite()];
  if (options.postgresUrl) makers.push(() => freshPostgres(options.postgresUrl!));
  for (const make of makers) {
    const database = await make();
    const forget = cleanup.add(database.drop);
    try {
      result.figures.push(await runOne(database, options, pipeline.ran, progress, cleanup));
    } finally {
      await database.drop();
      forget();
    }
  }
  return result;
}
