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

function yaml(checks: number, port: number, o: DetectionSuiteOptions): string {
  const lines = ['timezone: Asia/Jakarta', 'services:', '  - key: det', '    name: Detection bench', '    impact: high', '    checks:'];
  for (let i = 0; i < checks; i++) {
    lines.push(
      `      - { key: ${key(i)}, type: http, url: "http://127.0.0.1:${port}/d/${i}", interval: ${o.intervalMs}ms, timeout: ${o.timeoutMs}ms,`,
      `          retryInterval: ${o.retryIntervalMs}ms, failureThreshold: ${o.failureThreshold}, expect: { status: [200], contains: ["${KEYWORD}"] } }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Incidents per check key with their created_at, read through the driver on a second connection. */
async function openIncidentReader(url: string): Promise<{ read(): Promise<Array<{ key: string; createdAt: number }>>; close(): Promise<void> }> {
  const sql = 'select c.key as key, i.created_at as created_at from incidents i join checks c on c.id = i.check_id';
  if (url.startsWith('sqlite:')) {
    const db = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    const statement = db.prepare(sql);
    return {
      read: async () => (statement.all() as Array<{ key: string; created_at: number }>).map((r) => ({ key: r.key, createdAt: Number(r.created_at) })),
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    read: async () => (await client.query<{ key: string; created_at: string }>(sql)).rows.map((r) => ({ key: r.key, createdAt: Number(r.created_at) })),
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
  const env = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', SIGAP_ROLE: 'all', BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'silent', SIGAP_INSTANCE: 'bench' };
  const config = parseConfig(yaml(n, sites.port, o), 'bench.yaml', env);
  let sigap: Sigap | null = null;
  try {
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
    const running = sigap;
    const forgetSigap = cleanup.add(() => running.stop());
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
    const deadline = started + 2 * o.intervalMs + 10 * o.intervalMs + o.failureThreshold * (o.retryIntervalMs + o.timeoutMs) + 15_000;
    try {
      while (Date.now() < deadline) {
        await sleep(100);
        found.clear();
        for (const row of await reader.read()) found.set(row.key, [...(found.get(row.key) ?? []), row.createdAt]);
        if (found.size >= n && t0.every((t) => t > 0)) break;
      }
      // One more interval (and the retries) with every site still down: a second incident would show now.
      await sleep(o.intervalMs + o.failureThreshold * o.retryIntervalMs + 1000);
      found.clear();
      for (const row of await reader.read()) found.set(row.key, [...(found.get(row.key) ?? []), row.createdAt]);
    } finally {
      timers.forEach(clearTimeout);
      await reader.close();
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
    };
    progress(
      `detection (${database.kind}): ${incidents} incidents for ${n} outages (${duplicated} duplicated, ${missed} missed); ratio p50 ${figure.ratioP50}, p95 ${figure.ratioP95}, max ${figure.ratioMax}`,
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
  ].join('\n');
}
