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
import { table } from './report.js';

export interface DetectionSuiteOptions {
  outages: number;
  intervalMs: number;
  retryIntervalMs: number;
  timeoutMs: number;
  failureThreshold: number;
  postgresUrl: string | null;
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
}

export interface DetectionSuiteResult {
  options: DetectionSuiteOptions;
  figures: DetectionFigure[];
}

const PASSWORD = 'bench-password-1';
const key = (i: number) => `det-${String(i).padStart(4, '0')}`;

/** One server, a path per check; `failing` paths get their connection closed, every request's arrival is logged. */
async function startSites(checks: number): Promise<{ port: number; failing: Set<number>; arrivals: number[][]; server: Server }> {
  const failing = new Set<number>();
  const arrivals: number[][] = Array.from({ length: checks }, () => []);
  const server = createServer({ keepAlive: false }, (req, res) => {
    const index = Number(/^\/d\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1);
    if (index >= 0 && index < checks) arrivals[index]!.push(Date.now());
    if (failing.has(index)) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, failing, arrivals, server };
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

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function runOne(database: BenchDatabase, o: DetectionSuiteOptions, progress: (line: string) => void, cleanup: Cleanup): Promise<DetectionFigure> {
  const n = o.outages;
  const sites = await startSites(n);
  const forgetSites = cleanup.add(() => new Promise<void>((resolve) => sites.server.close(() => resolve())));
  const receiver = await startReceiver();
  const forgetReceiver = cleanup.add(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));
  const env = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', SIGAP_ROLE: 'all', BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'silent', SIGAP_INSTANCE: 'bench' };
  const config = parseConfig(yaml(n, sites.port, o, receiver.url), 'bench.yaml', env);
  let sigap: Sigap | null = null;
  try {
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
    const running = sigap;
    const forgetSigap = cleanup.add(() => running.stop());
    // Commits that wrote outbox rows, as this process's Database says them (a build without it: none).
    const commits: number[] = [];
    const db = sigap.db as Partial<{ watchOutbox(wake: () => void): { close(): Promise<void> } }>;
    const watch = typeof db.watchOutbox === 'function' ? db.watchOutbox(() => commits.push(Date.now())) : null;
    // Warm-up: every check probed at least twice, so each has a grid to measure from.
    const warmDeadline = Date.now() + 5 * o.intervalMs + 10_000;
    while (sites.arrivals.some((a) => a.length < 2) && Date.now() < warmDeadline) await sleep(100);
    if (sites.arrivals.some((a) => a.length < 2)) throw new Error('detection: some checks were never probed during the warm-up');
    progress(`detection (${database.kind}): ${n} checks probing; starting ${n} outages over ${(2 * o.intervalMs) / 1000} s`);

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
    const deadline = started + 2 * o.intervalMs + 10 * o.intervalMs + o.failureThreshold * (o.retryIntervalMs + o.timeoutMs) + 15_000;
    try {
      while (Date.now() < deadline) {
        await sleep(100);
        found.clear();
        for (const row of await reader.read()) note(row);
        if (found.size >= n && t0.every((t) => t > 0)) break;
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
      const last = sites.arrivals[i]!.filter((a) => a <= t0[i]!).at(-1)!;
      const nextProbe = last + Math.max(1, Math.ceil((t0[i]! - last) / o.intervalMs)) * o.intervalMs;
      const minimum = nextProbe - t0[i]! + (o.failureThreshold - 1) * o.retryIntervalMs;
      const latency = Math.min(...created) - t0[i]!;
      latencies.push(latency);
      minima.push(minimum);
      ratios.push(latency / minimum);
      overheads.push(latency - minimum);
    }
    // Notification: commit (or created_at) → the receiver's first arrival, per incident.
    const notifyLatencies: number[] = [];
    const createdToArrival: number[] = [];
    const sortedCommits = [...commits].sort((a, b) => a - b);
    for (const { ref, createdAt } of refs.values()) {
      const arrival = receiver.arrivals.get(ref);
      if (arrival === undefined) continue;
      createdToArrival.push(arrival - createdAt);
      const commit = sortedCommits.find((c) => c >= createdAt);
      if (watch && commit !== undefined && commit <= arrival) notifyLatencies.push(arrival - commit);
    }
    const orNull = (x: number) => (Number.isFinite(x) ? Math.round(x) : null);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const figure: DetectionFigure = {
      database: database.kind,
      outages: n,
      incidents,
      duplicated,
      missed,
      latencyP50Ms: Math.round(percentile(latencies, 50)),
      latencyP95Ms: Math.round(percentile(latencies, 95)),
      latencyMaxMs: Math.round(Math.max(...latencies)),
      minimumP50Ms: Math.round(percentile(minima, 50)),
      ratioP50: r2(percentile(ratios, 50)),
      ratioP95: r2(percentile(ratios, 95)),
      ratioMax: r2(Math.max(...ratios)),
      ratioMin: r2(Math.min(...ratios)),
      overheadP50Ms: Math.round(percentile(overheads, 50)),
      overheadP95Ms: Math.round(percentile(overheads, 95)),
      overheadMaxMs: Math.round(Math.max(...overheads)),
      notified: createdToArrival.length,
      notifyP50Ms: orNull(percentile(notifyLatencies, 50)),
      notifyP95Ms: orNull(percentile(notifyLatencies, 95)),
      notifyMaxMs: orNull(notifyLatencies.length ? Math.max(...notifyLatencies) : NaN),
      createdToArrivalP50Ms: Math.round(percentile(createdToArrival, 50)),
      createdToArrivalP95Ms: Math.round(percentile(createdToArrival, 95)),
      createdToArrivalMaxMs: Math.round(Math.max(...createdToArrival)),
    };
    progress(
      `detection (${database.kind}): ${incidents} incidents for ${n} outages (${duplicated} duplicated, ${missed} missed); ratio p50 ${figure.ratioP50}, p95 ${figure.ratioP95}, max ${figure.ratioMax}; webhook commit → arrival p50 ${figure.notifyP50Ms ?? '—'} ms, p95 ${figure.notifyP95Ms ?? '—'} ms`,
    );
    await running.stop();
    forgetSigap();
    sigap = null;
    return figure;
  } finally {
    await sigap?.stop();
    await new Promise<void>((resolve) => sites.server.close(() => resolve()));
    sites.server.closeAllConnections();
    forgetSites();
    receiver.server.closeAllConnections();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    forgetReceiver();
  }
}

export async function runDetectionSuite(options: DetectionSuiteOptions, progress: (line: string) => void, cleanup: Cleanup): Promise<DetectionSuiteResult> {
  const result: DetectionSuiteResult = { options, figures: [] };
  const makers: Array<() => Promise<BenchDatabase>> = [async () => freshSqlite()];
  if (options.postgresUrl) makers.push(() => freshPostgres(options.postgresUrl!));
  for (const make of makers) {
    const database = await make();
    const forget = cleanup.add(database.drop);
    try {
      result.figures.push(await runOne(database, options, progress, cleanup));
    } finally {
      await database.drop();
      forget();
    }
  }
  return result;
}

export function detectionReport(result: DetectionSuiteResult): string {
  const o = result.options;
  const rows = result.figures.map((f) => [
    f.database,
    String(f.outages),
    `${f.incidents}${f.incidents === f.outages && f.duplicated === 0 ? ' ✓' : ' ✗'}`,
    String(f.duplicated),
    String(f.missed),
    `${f.latencyP50Ms} / ${f.latencyP95Ms} / ${f.latencyMaxMs}`,
    String(f.minimumP50Ms),
    `${f.ratioP50} / ${f.ratioP95} / ${f.ratioMax}`,
    `${f.overheadP50Ms} / ${f.overheadP95Ms} / ${f.overheadMaxMs}`,
  ]);
  return [
    `### Detection: ${o.outages} induced outages (interval ${o.intervalMs} ms, retryInterval ${o.retryIntervalMs} ms, failureThreshold ${o.failureThreshold}, timeout ${o.timeoutMs} ms)`,
    '',
    table(
      [
        'database',
        'outages',
        'incidents opened',
        'duplicated',
        'missed',
        'latency p50 / p95 / max ms',
        'physical minimum p50 ms',
        'latency ÷ minimum p50 / p95 / max',
        'over the minimum p50 / p95 / max ms',
      ],
      rows,
    ),
    '',
    "Physical minimum: from the outage to the next probe on the check's grid, plus (failureThreshold − 1) × retryInterval; a refused connection takes ~0 ms.",
    '',
    table(
      ['database', 'webhooks received', 'commit → first attempt p50 / p95 / max ms', 'goal p95 ≤ 50 ms', 'created_at → first attempt p50 / p95 / max ms'],
      result.figures.map((f) => [
        f.database,
        `${f.notified} of ${f.incidents}`,
        f.notifyP95Ms === null ? '—' : `${f.notifyP50Ms} / ${f.notifyP95Ms} / ${f.notifyMaxMs}`,
        f.notifyP95Ms === null ? '—' : f.notifyP95Ms <= 50 ? 'MET' : 'NOT MET',
        `${f.createdToArrivalP50Ms} / ${f.createdToArrivalP95Ms} / ${f.createdToArrivalMaxMs}`,
      ]),
    ),
    '',
    "Webhook: commit = this process's Database saying a commit wrote outbox rows (the first such at or after the incident's created_at); arrival = the local receiver's first request for the incident.",
  ].join('\n');
}
