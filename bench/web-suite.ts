// `web`: the dashboard and API under a database of 100,000 incidents (issue 7: the queue and an
// incident page "in well under 100 ms"). A fresh database is seeded through the driver (a fixture,
// not the code measured), Sigap's web process is started as `main.ts` starts it (SIGAP_ROLE=web,
// in this process), and a simple closed-loop load generator on 127.0.0.1 measures latency per
// page at concurrency 1 (what one clerk waits) and 8 (a busy office).
import { pino } from 'pino';
import { Pool } from 'undici';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseConfig } from '../config.js';
import { startSigap, type Sigap } from '../main.js';
import { freshPostgres, freshSqlite, type BenchDatabase } from './bench-database.js';
import type { Cleanup } from './probes-suite.js';
import { table } from './report.js';

export interface WebSuiteOptions {
  incidents: number;
  requests: number;
  postgresUrl: string | null;
}

export interface WebFigure {
  database: 'sqlite' | 'postgres';
  page: string;
  concurrency: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  perSecond: number;
}

export interface WebSuiteResult {
  incidents: number;
  seedSeconds: Record<string, number>;
  figures: WebFigure[];
}

const SERVICES = 10;
const CHECKS_PER_SERVICE = 10;
const OPEN = 300;
const PASSWORD = 'bench-password-1';
const YEAR_MS = 365 * 24 * 3_600_000;

function yaml(): string {
  const services = Array.from({ length: SERVICES }, (_, s) => {
    const checks = Array.from({ length: CHECKS_PER_SERVICE }, (_, c) => `      - { key: svc${s}-check${c}, type: http, url: "http://127.0.0.1:9/${s}/${c}" }`);
    return `  - key: svc${s}\n    name: Layanan ${s}\n    impact: ${['high', 'medium', 'low'][s % 3]}\n    checks:\n${checks.join('\n')}`;
  });
  return `timezone: Asia/Jakarta\nservices:\n${services.join('\n')}\n`;
}

/** Rows shaped like what Sigap writes: most incidents closed over the past year, a few hundred open. */
function* incidentRows(count: number, ids: { services: number[]; checks: number[] }, now: number) {
  const statuses = ['new', 'assigned', 'escalated', 'pending'];
  for (let n = 1; n <= count; n += 1) {
    const open = n > count - OPEN;
    const detected = open ? now - (count - n) * 60_000 : now - YEAR_MS + Math.floor((n / count) * (YEAR_MS - 86_400_000));
    const priority = `P${1 + (n % 5)}`;
    // At most one open incident per check (the database insists): open ones beyond the checks are manual.
    const openIndex = n - (count - OPEN) - 1;
    const check = open ? (openIndex < ids.checks.length / 2 ? ids.checks[openIndex]! : null) : n % 4 === 0 ? null : ids.checks[n % ids.checks.length]!;
    yield {
      ref: `INC-B-${String(n).padStart(6, '0')}`,
      title: `Gangguan ${n}: formulir tidak bisa dikirim`,
      description: 'Dibuat oleh benchmark.',
      service_id: ids.services[n % ids.services.length]!,
      check_id: check,
      source: check ? 'probe' : 'manual',
      category: 'availability',
      subcategory: 'outage',
      failure_kind: check ? 'http_5xx' : null,
      impact: 'medium',
      urgency: 'high',
      priority,
      status: open ? statuses[n % statuses.length]! : n % 10 === 0 ? 'resolved' : 'closed',
      escalation_level: n % 3,
      assigned_group: ['service_desk', 'support', 'vendor'][n % 3]!,
      assignee: n % 2 === 0 ? 'admin' : null,
      detected_at: detected,
      response_due_at: detected + 1_800_000,
      resolve_due_at: detected + 28_800_000,
      response_warn_at: detected + 1_350_000,
      resolve_warn_at: detected + 21_600_000,
      acknowledged_at: open && n % 4 === 0 ? null : detected + 600_000,
      resolved_at: open ? null : detected + 3_600_000,
      resolution_code: open ? null : 'restarted',
      resolution_notes: open ? null : 'Layanan web dijalankan ulang; formulir kembali normal.',
      closed_at: open || n % 10 === 0 ? null : detected + 7_200_000,
      created_at: detected,
      updated_at: detected,
    };
  }
}

type Row = Record<string, string | number | null>;

/** Insert the incidents and one `opened` event each, in batches, through the driver. */
async function seed(url: string, count: number): Promise<void> {
  const now = Date.now();
  if (url.startsWith('sqlite:')) {
    const db = new BetterSqlite3(url.slice('sqlite:'.length));
    const services = (db.prepare('select id from services order by id').all() as Array<{ id: number }>).map((r) => r.id);
    const checks = (db.prepare('select id from checks order by id').all() as Array<{ id: number }>).map((r) => r.id);
    const rows = [...incidentRows(count, { services, checks }, now)];
    const columns = Object.keys(rows[0]!);
    const insert = db.prepare(`insert into incidents (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`);
    const event = db.prepare("insert into incident_events (incident_id, at, actor, type, from_status, to_status, note, data_json) values (?, ?, 'sigap', 'opened', null, 'new', null, '{}')");
    db.transaction(() => {
      for (const row of rows) {
        const { lastInsertRowid } = insert.run(row);
        event.run(lastInsertRowid, row.detected_at);
      }
    })();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const services = (await client.query<{ id: number }>('select id from services order by id')).rows.map((r) => r.id);
    const checks = (await client.query<{ id: number }>('select id from checks order by id')).rows.map((r) => r.id);
    const rows: Row[] = [...incidentRows(count, { services, checks }, now)];
    const columns = Object.keys(rows[0]!);
    for (let start = 0; start < rows.length; start += 1000) {
      const batch = rows.slice(start, start + 1000);
      const values: Array<string | number | null> = [];
      const tuples = batch.map((row) => `(${columns.map((c) => (values.push(row[c]!), `$${values.length}`)).join(', ')})`);
      const inserted = await client.query<{ id: number; detected_at: string }>(`insert into incidents (${columns.join(', ')}) values ${tuples.join(', ')} returning id, detected_at`, values);
      const eventValues = inserted.rows.flatMap((r) => [r.id, r.detected_at]);
      const eventTuples = inserted.rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}, 'sigap', 'opened', null, 'new', null, '{}')`);
      await client.query(`insert into incident_events (incident_id, at, actor, type, from_status, to_status, note, data_json) values ${eventTuples.join(', ')}`, eventValues);
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `requests` GETs in a closed loop of `concurrency` clients; every answer must be 200. */
async function measure(pool: Pool, paths: () => string, cookie: string, requests: number, concurrency: number) {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  const client = async () => {
    while (issued < requests) {
      issued += 1;
      const path = paths();
      const t0 = performance.now();
      const res = await pool.request({ method: 'GET', path, headers: { cookie } });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`GET ${path} answered ${res.statusCode}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies.at(-1)!), perSecond: Math.round(requests / seconds) };
}

async function logIn(base: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`log-in failed: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function runOne(database: BenchDatabase, options: WebSuiteOptions, progress: (line: string) => void): Promise<{ seedSeconds: number; figures: WebFigure[] }> {
  const env = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', SIGAP_ROLE: 'web', BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'silent', SIGAP_INSTANCE: 'bench' };
  const config = parseConfig(yaml(), 'bench.yaml', env);
  // The first start creates the schema, services and checks; the seed needs their ids.
  const first = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
  await first.stop();
  const t0 = performance.now();
  progress(`web (${database.kind}): seeding ${options.incidents.toLocaleString('en')} incidents`);
  await seed(database.url, options.incidents);
  const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
  let sigap: Sigap | null = null;
  try {
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
    const base = sigap.url!;
    const requestPool = new Pool(base, { connections: 8, pipelining: 1 });
    const cookie = await logIn(base);
    const refAt = (n: number) => `INC-B-${String(n).padStart(6, '0')}`;
    const random = (max: number) => 1 + Math.floor(Math.random() * max);
    const firstPage = await (await fetch(`${base}/api/incidents?limit=50`, { headers: { cookie } })).json() as { nextCursor: string };
    const pages: Array<[string, () => string]> = [
      ['queue page /', () => '/'],
      ['queue page, all incidents, filtered (P3, closed)', () => '/?all=1&status=closed&priority=P3'],
      ['incident page (random of 100,000)', () => `/incidents/${refAt(random(options.incidents))}`],
      ['GET /api/incidents?limit=50', () => '/api/incidents?limit=50'],
      ['GET /api/incidents, 2nd page (keyset cursor)', () => `/api/incidents?limit=50&cursor=${encodeURIComponent(firstPage.nextCursor)}`],
      ['GET /api/incidents?q=… (search)', () => `/api/incidents?limit=50&q=${random(options.incidents)}`],
    ];
    const figures: WebFigure[] = [];
    for (const [page, paths] of pages) {
      await measure(requestPool, paths, cookie, 20, 1); // warm-up
      for (const concurrency of [1, 8]) {
        const figure = await measure(requestPool, paths, cookie, options.requests, concurrency);
        figures.push({ database: database.kind, page, concurrency, requests: options.requests, ...figure });
        progress(`web (${database.kind}): ${page} ×${concurrency}: p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms`);
      }
    }
    await requestPool.close();
    return { seedSeconds, figures };
  } finally {
    await sigap?.stop();
  }
}

export async function runWebSuite(options: WebSuiteOptions, progress: (line: string) => void, cleanup: Cleanup): Promise<WebSuiteResult> {
  const result: WebSuiteResult = { incidents: options.incidents, seedSeconds: {}, figures: [] };
  const databases: BenchDatabase[] = [freshSqlite()];
  if (options.postgresUrl) databases.push(await freshPostgres(options.postgresUrl));
  for (const database of databases) {
    cleanup.add(() => database.drop());
    const { seedSeconds, figures } = await runOne(database, options, progress);
    result.seedSeconds[database.kind] = seedSeconds;
    result.figures.push(...figures);
    await database.drop();
  }
  return result;
}

export function webReport(result: WebSuiteResult): string {
  const rows = result.figures.map((f) => [f.database, f.page, String(f.concurrency), String(f.p50Ms), String(f.p95Ms), String(f.p99Ms), String(f.maxMs), String(f.perSecond)]);
  const seeded = Object.entries(result.seedSeconds).map(([kind, s]) => `${kind} ${s} s`).join(', ');
  return [
    `### Web: ${result.incidents.toLocaleString('en')} incidents (seeded in ${seeded})`,
    '',
    table(['database', 'page', 'concurrency', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'req/s'], rows),
    '',
    'Goal (issue 7): the queue and an incident page in well under 100 ms with 100,000 incidents.',
  ].join('\n');
}
