// `web`: the dashboard and API under a database of 100,000 incidents (goal: the queue and an
// incident page "in well under 100 ms"). A fresh database is seeded through the driver (a fixture,
// not the code measured), Sigap's web process is started as `main.ts` starts it (SIGAP_ROLE=web,
// in this process), and a simple closed-loop load generator on 127.0.0.1 measures latency per
// page at concurrency 1 (what one clerk waits) and 8 (a busy office). The reports, /metrics and
// /status read a year of hourly and daily rollups for the 100 checks (seeded through the driver,
// with rollup progress at the current hour, so availability reads rollups as it does after a year
// of housekeeping); they are measured with autocannon (8 connections, `--duration` seconds, in its
// own process so it does not share the server's event loop) as well as the closed loop ×1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { Pool } from 'undici';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseConfig } from '../config.js';
import { startSigap, type Sigap } from '../main.js';
import { freshPostgres, freshSqlite, type BenchDatabase } from './bench-database.js';
import type { GoalRow } from './goals.js';
import type { Cleanup } from './probes-suite.js';
import { table } from './report.js';
import { loopDelayRecorder, measureLateness, type LatenessFigure, type LatenessOptions } from './web-lateness.js';

export interface WebSuiteOptions {
  incidents: number;
  requests: number;
  /** Seconds of autocannon load per report / metrics / status page. */
  durationS: number;
  postgresUrl: string | null;
  /** Only the pages whose name contains this (case-insensitive); the rollups are seeded only for their pages. */
  pages?: string | null;
  /** Probe lateness with SIGAP_ROLE=all without and with the page load (web-lateness.ts); null: skipped. */
  lateness?: LatenessOptions | null;
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
  /** `closed-loop` (this process, `requests` GETs) or `autocannon` (its own process, `durationS` seconds). */
  generator?: 'closed-loop' | 'autocannon';
  /** The server's event loop: its largest delay while this figure's requests ran, ms (monitorEventLoopDelay, 10 ms resolution, less the resolution). */
  loopDelayMaxMs?: number;
}

export interface WebSuiteResult {
  incidents: number;
  seedSeconds: Record<string, number>;
  /** Hourly and daily rollup rows seeded (a year for every check). */
  rollups: { hourly: number; daily: number };
  figures: WebFigure[];
  /** Probe lateness at `lateness.checks` checks without and with the page load, per database. */
  lateness?: LatenessFigure[];
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

// Text to search: titles and descriptions as the desk writes them, and work notes (events with a
// note), among them a vendor's ticket number that only that incident's notes carry.
const TITLES = [
  'Formulir pengaduan tidak bisa dikirim',
  'Portal perizinan tidak bisa diakses',
  'Sertifikat TLS kedaluwarsa',
  'Waktu respons SKM lambat',
  'Halaman 502 Bad Gateway di OSS',
  'Sinkronisasi data Dukcapil gagal',
  'Login pegawai ditolak',
  'Surat izin tidak terbit',
];
const DESCRIPTIONS = [
  'Dilaporkan warga lewat WhatsApp; pesan galat muncul setelah mengisi formulir.',
  'Petugas loket tidak bisa membuka aplikasi sejak pagi.',
  'Deteksi otomatis: pemeriksaan HTTP gagal tiga kali berturut-turut.',
  'Pemohon menunggu lebih dari satu menit sebelum halaman tampil.',
  '',
];
const NOTES = [
  'Sudah dicek oleh tim jaringan, koneksi ke server basis data normal.',
  'Menunggu konfirmasi dari penyedia hosting.',
  'Layanan web dijalankan ulang; formulir kembali normal.',
  'Dipantau selama satu jam, tidak terulang.',
];
/** Queries too short for trigrams, answered by scanning: a common pair and one nobody wrote. */
const SHORT_QUERIES = ['di', 'qz'];
/** A vendor ticket number only incident `n`'s notes carry (7919 is prime to 10⁶: all distinct). */
const ticketOf = (n: number) => `VND-${String((n * 7919) % 1_000_000).padStart(6, '0')}`;

/** The work notes of incident `n`: two for an open one, three for a finished one. */
function notesOf(n: number, open: boolean): string[] {
  const notes = [NOTES[n % NOTES.length]!, `Diteruskan ke vendor, tiket ${ticketOf(n)}.`];
  if (!open) notes.push(NOTES[(n + 2) % NOTES.length]!);
  return notes;
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
      title: `${TITLES[n % TITLES.length]} (${n})`,
      description: DESCRIPTIONS[n % DESCRIPTIONS.length]!,
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
    const event = db.prepare(
      "insert into incident_events (incident_id, at, actor, type, from_status, to_status, note, data_json) values (?, ?, 'sigap', 'opened', null, 'new', null, '{}')",
    );
    const note = db.prepare(
      "insert into incident_events (incident_id, at, actor, type, from_status, to_status, note, data_json) values (?, ?, 'admin', 'note', ?, ?, ?, '{\"changes\":{}}')",
    );
    db.transaction(() => {
      for (const [i, row] of rows.entries()) {
        const { lastInsertRowid } = insert.run(row);
        event.run(lastInsertRowid, row.detected_at);
        for (const [k, text] of notesOf(i + 1, row.closed_at === null && row.resolved_at === null).entries()) {
          note.run(lastInsertRowid, Number(row.detected_at) + (k + 1) * 60_000, row.status, row.status, text);
        }
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
      const inserted = await client.query<{ id: number; detected_at: string; ref: string; status: string; resolved_at: string | null }>(
        `insert into incidents (${columns.join(', ')}) values ${tuples.join(', ')} returning id, detected_at, ref, status, resolved_at`,
        values,
      );
      const eventValues = inserted.rows.flatMap((r) => [r.id, r.detected_at]);
      const eventTuples = inserted.rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}, 'sigap', 'opened', null, 'new', null, '{}')`);
      await client.query(`insert into incident_events (incident_id, at, actor, type, from_status, to_status, note, data_json) values ${eventTuples.join(', ')}`, eventValues);
      const noteValues: Array<string | number> = [];
      const noteTuples: string[] = [];
      for (const r of inserted.rows) {
        const n = Number(r.ref.slice('INC-B-'.length));
        for (const [k, text] of notesOf(n, r.resolved_at === null).entries()) {
          noteValues.push(r.id, Number(r.detected_at) + (k + 1) * 60_000, r.status, text);
          const b = noteValues.length;
          noteTuples.push(`($${b - 3}, $${b - 2}, 'admin', 'note', $${b - 1}, $${b - 1}, $${b}, '{"changes":{}}')`);
        }
      }
      await client.query(`insert into incident_events (incident_id, at, actor, type, from_status, to_status, note, data_json) values ${noteTuples.join(', ')}`, noteValues);
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ROLLUP_COLUMNS = [
  'check_id',
  'bucket_start',
  'probes',
  'ok',
  'degraded',
  'down',
  'unknown',
  'down_ms',
  'degraded_ms',
  'unknown_ms',
  'maintenance_ms',
  'observed_ms',
  'latency_sum_ms',
  'latency_p95_ms',
];

/** The availability pages' goal: at one client, p95 ≤ 50 ms. */
const AVAILABILITY_P95_GOAL_MS = 50;
const AVAILABILITY_PAGES: Array<[string, string]> = [
  ['GET /status', '/status p95 ×1, uncached'],
  ['GET /metrics', '/metrics p95 ×1'],
  ['GET /api/reports/availability', 'monthly availability report p95 ×1'],
];

/** The closing summary's rows for the pages availability is read for: per database, ×1 p95 against p95 ≤ 50 ms. */
export function availabilityGoals(result: WebSuiteResult): GoalRow[] {
  const databases = [...new Set(result.figures.map((f) => f.database))];
  return databases.flatMap((database) =>
    AVAILABILITY_PAGES.flatMap(([prefix, figure]) => {
      const single = result.figures.find((f) => f.database === database && f.page.startsWith(prefix) && f.concurrency === 1 && f.generator !== 'autocannon');
      if (!single) return [];
      return [
        {
          suite: 'web',
          figure,
          database: database === 'sqlite' ? 'SQLite' : 'PostgreSQL',
          value: `${single.p95Ms} ms`,
          goal: `p95 ≤ ${AVAILABILITY_P95_GOAL_MS} ms`,
          met: single.p95Ms <= AVAILABILITY_P95_GOAL_MS,
        },
      ];
    }),
  );
}

const OFFICE_OFFSET_MS = 7 * HOUR_MS; // Asia/Jakarta
/** Each office day's row the sum of its hours (its p95 the highest of theirs), as rollUpDays builds it. */
const DAILY_FROM_HOURLY = `insert into check_rollups_daily (${ROLLUP_COLUMNS.join(', ')})
  select check_id, (bucket_start + ${OFFICE_OFFSET_MS}) / ${DAY_MS} * ${DAY_MS} - ${OFFICE_OFFSET_MS} as day, sum(probes), sum(ok), sum(degraded), sum(down), sum(unknown),
         sum(down_ms), sum(degraded_ms), sum(unknown_ms), sum(maintenance_ms), sum(observed_ms), sum(latency_sum_ms), max(latency_p95_ms)
  from check_rollups_hourly group by check_id, day`;

/**
 * A year of hourly and daily rollups for every check, as housekeeping would have written them at a
 * 60 s interval (one bad hour in 50, two probes down), and rollup progress at the current hour:
 * availability then reads rollups for everything before it. Through the driver (SQLite: a prepared
 * statement in one transaction; PostgreSQL: generate_series on the server).
 */
async function seedRollups(url: string, now: number): Promise<{ hourly: number; daily: number }> {
  const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const firstHour = currentHour - 365 * DAY_MS;
  const hours = (currentHour - firstHour) / HOUR_MS;
  // Office days (WIB) the hours touch, the first and the current one partial, as housekeeping writes them.
  const days = Math.floor((currentHour - 1 + OFFICE_OFFSET_MS) / DAY_MS) - Math.floor((firstHour + OFFICE_OFFSET_MS) / DAY_MS) + 1;
  const placeholders = ROLLUP_COLUMNS.map(() => '?').join(', ');
  if (url.startsWith('sqlite:')) {
    const db = new BetterSqlite3(url.slice('sqlite:'.length));
    const checks = (db.prepare('select id from checks order by id').all() as Array<{ id: number }>).map((r) => r.id);
    const hourly = db.prepare(`insert into check_rollups_hourly (${ROLLUP_COLUMNS.join(', ')}) values (${placeholders})`);
    const progress = db.prepare('insert into rollup_progress (check_id, rolled_up_to, last_result_id, updated_at) values (?, ?, 0, ?)');
    db.transaction(() => {
      for (const check of checks) {
        for (let h = 0; h < hours; h++) {
          const down = (h + check) % 50 === 0 ? 2 : 0;
          hourly.run(check, firstHour + h * HOUR_MS, 60, 60 - down, 0, down, 0, down * 60_000, 0, 0, 0, HOUR_MS, 60 * (50 + (h % 40)), 90 + (h % 60));
        }
        progress.run(check, currentHour, now);
      }
      db.exec(DAILY_FROM_HOURLY);
    })();
    db.close();
    return { hourly: checks.length * hours, daily: checks.length * days };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const checks = Number((await client.query<{ n: string }>('select count(*) as n from checks')).rows[0]!.n);
    await client.query(
      `insert into check_rollups_hourly (${ROLLUP_COLUMNS.join(', ')})
       select c.id, $1::bigint + h::bigint * ${HOUR_MS}, 60, 60 - (case when (h + c.id) % 50 = 0 then 2 else 0 end), 0, case when (h + c.id) % 50 = 0 then 2 else 0 end, 0,
              case when (h + c.id) % 50 = 0 then 120000 else 0 end, 0, 0, 0, ${HOUR_MS}, 60 * (50 + h % 40), 90 + h % 60
       from checks c cross join generate_series(0, $2::int - 1) as h`,
      [firstHour, hours],
    );
    await client.query(DAILY_FROM_HOURLY);
    await client.query('insert into rollup_progress (check_id, rolled_up_to, last_result_id, updated_at) select id, $1::bigint, 0, $2::bigint from checks', [currentHour, now]);
    await client.query('analyze');
    return { hourly: checks * hours, daily: checks * days };
  } finally {
    await client.end();
  }
}

/** The office's last whole month, YYYY-MM-DD from (inclusive) and to (exclusive), in Asia/Jakarta (UTC+7). */
function lastMonth(now: number): { from: string; to: string } {
  const local = new Date(now + 7 * HOUR_MS);
  const to = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1));
  const from = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface AutocannonResult {
  latency: { p50: number; p99: number; p97_5: number; max: number };
  requests: { average: number; total: number };
  duration: number;
  non2xx: number;
  errors: number;
}

/** autocannon in its own Node process (so it does not share the server's event loop): 8 connections, `seconds` seconds. */
function autocannon(url: string, cookie: string, run: { seconds: number } | { amount: number }): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const length = 'seconds' in run ? ['--duration', String(run.seconds)] : ['--amount', String(run.amount)];
    const child = spawn(process.execPath, [autocannonBin, '--json', '--connections', '8', ...length, '--timeout', '120', '--headers', `cookie=${cookie}`, url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const seconds = 'seconds' in run ? run.seconds : 300;
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as AutocannonResult);
      } catch {
        reject(new Error(`autocannon exited ${code}: ${err.slice(0, 400)}`));
      }
    });
  });
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
  return {
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1)!),
    perSecond: Math.round(requests / seconds),
  };
}

async function logIn(base: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`log-in failed: ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

async function runOne(
  database: BenchDatabase,
  options: WebSuiteOptions,
  progress: (line: string) => void,
  cleanup: Cleanup,
): Promise<{ seedSeconds: number; rollups: { hourly: number; daily: number }; figures: WebFigure[]; lateness: LatenessFigure | null }> {
  const env = { DATABASE_URL: database.url, PORT: '0', HOST: '127.0.0.1', SIGAP_ROLE: 'web', BOOTSTRAP_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'silent', SIGAP_INSTANCE: 'bench' };
  const config = parseConfig(yaml(), 'bench.yaml', env);
  // The first start creates the schema, services and checks; the seed needs their ids.
  const first = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {} });
  await first.stop();
  const t0 = performance.now();
  progress(`web (${database.kind}): seeding ${options.incidents.toLocaleString('en')} incidents`);
  await seed(database.url, options.incidents);
  const chosen = (page: string) => !options.pages || page.toLowerCase().includes(options.pages.toLowerCase());
  // Reports, /metrics and /status: a month (the last whole one) over a year of rollups.
  const month = lastMonth(Date.now());
  const rollupPages = (
    [
      [`GET /api/reports/availability (a month, ${month.from})`, `/api/reports/availability?from=${month.from}&to=${month.to}`],
      [`GET /api/reports/incidents (a month, ${month.from})`, `/api/reports/incidents?from=${month.from}&to=${month.to}`],
      ['GET /metrics', '/metrics'],
      ['GET /status (×1 uncached)', '/status'],
    ] as Array<[string, string]>
  ).filter(([page]) => chosen(page));
  let rollups = { hourly: 0, daily: 0 };
  if (rollupPages.length > 0) {
    progress(`web (${database.kind}): seeding a year of hourly and daily rollups for every check`);
    rollups = await seedRollups(database.url, Date.now());
  }
  const seedSeconds = Math.round((performance.now() - t0) / 100) / 10;
  let sigap: Sigap | null = null;
  // Every page measured, for the lateness measurement's load.
  const loadPaths: Array<() => string> = [];
  let measured: { figures: WebFigure[] };
  try {
    // `/status` keeps its 90-day history for a minute on Sigap's clock. Its ×1 requests are measured
    // uncached: each one moves the clock a minute and a second forward or back, so every request
    // computes the history anew (the cache recomputes when the clock goes back, too).
    let skewMs = 0;
    const uncached = (path: string) => () => {
      skewMs = skewMs === 0 ? 61_000 : 0;
      return path;
    };
    sigap = await startSigap(config, { logger: pino({ level: 'silent' }), announce: () => {}, clock: () => new Date(Date.now() + skewMs) });
    const base = sigap.url!;
    const requestPool = new Pool(base, { connections: 8, pipelining: 1 });
    const cookie = await logIn(base);
    const refAt = (n: number) => `INC-B-${String(n).padStart(6, '0')}`;
    const random = (max: number) => 1 + Math.floor(Math.random() * max);
    // What people type, in turn: a vendor's ticket number (in one incident's notes only), a ref, a
    // word many incidents share (the first page of them in queue order), a phrase of a title, a
    // misspelt word nobody wrote (no match: every candidate checked).
    const searchQuery = (n: number) =>
      [ticketOf(n), refAt(n).toLowerCase(), 'kedaluwarsa', 'penyedia hosting', `${TITLES[n % TITLES.length]!.split(' ').slice(-2).join(' ')} (${n})`, 'sertifkat'][n % 6]!;
    const firstPage = (await (await fetch(`${base}/api/incidents?limit=50`, { headers: { cookie } })).json()) as { nextCursor: string };
    const pages: Array<[string, () => string]> = [
      ['queue page /', () => '/'],
      ['queue page, all incidents, filtered (P3, closed)', () => '/?all=1&status=closed&priority=P3'],
      ['incident page (random of 100,000)', () => `/incidents/${refAt(random(options.incidents))}`],
      ['GET /api/incidents?limit=50', () => '/api/incidents?limit=50'],
      ['GET /api/incidents, 2nd page (keyset cursor)', () => `/api/incidents?limit=50&cursor=${encodeURIComponent(firstPage.nextCursor)}`],
      ['GET /api/incidents?q=… (search)', () => `/api/incidents?limit=50&q=${encodeURIComponent(searchQuery(random(options.incidents)))}`],
      ['GET /api/incidents?q=… (2 characters: a scan)', () => `/api/incidents?limit=50&q=${encodeURIComponent(SHORT_QUERIES[random(SHORT_QUERIES.length) - 1]!)}`],
    ];
    const figures: WebFigure[] = [];
    loadPaths.push(
      ...pages.filter(([page]) => chosen(page)).map(([, paths]) => paths),
      ...rollupPages.map(
        ([, path]) =>
          () =>
            path,
      ),
    );
    for (const [page, paths] of pages.filter(([page]) => chosen(page))) {
      await measure(requestPool, paths, cookie, 20, 1); // warm-up
      for (const concurrency of [1, 8]) {
        const loop = loopDelayRecorder();
        const figure = await measure(requestPool, paths, cookie, options.requests, concurrency);
        figures.push({ database: database.kind, page, concurrency, requests: options.requests, ...figure, generator: 'closed-loop', loopDelayMaxMs: loop.stop() });
        progress(`web (${database.kind}): ${page} ×${concurrency}: p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms`);
      }
    }
    const fewer = Math.max(20, Math.round(options.requests / 5));
    for (const [page, path] of rollupPages) {
      const warm = await measure(requestPool, () => path, cookie, 3, 1); // warm-up, and every answer must be 200
      // Bounded: about 10 s of ×1 requests at most for a slow page (at least 5 of them).
      const count = Math.max(5, Math.min(fewer, Math.round(10_000 / Math.max(1, warm.p50Ms))));
      let loop = loopDelayRecorder();
      const single = await measure(requestPool, path === '/status' ? uncached(path) : () => path, cookie, count, 1);
      skewMs = 0;
      figures.push({ database: database.kind, page, concurrency: 1, requests: count, ...single, generator: 'closed-loop', loopDelayMaxMs: loop.stop() });
      // A page so slow that 8 connections would not complete two rounds in the duration gets a
      // fixed count instead (16 requests: two per connection), or autocannon would report nothing.
      const slow = single.p50Ms * 8 * 2 > options.durationS * 1000;
      loop = loopDelayRecorder();
      const load = await autocannon(`${base}${path}`, cookie, slow ? { amount: 16 } : { seconds: options.durationS });
      const loopDelayMaxMs = loop.stop();
      // With --amount autocannon drops the requests still in flight when the count is reached and
      // counts them as errors; a non-2xx answer or a page never answered is a failure either way.
      if (load.non2xx > 0 || (!slow && load.errors > 0) || load.requests.total === 0)
        throw new Error(`autocannon ${path}: ${load.non2xx} non-2xx answers, ${load.errors} errors, ${load.requests.total} answered`);
      const round = (n: number) => Math.round(n * 10) / 10;
      figures.push({
        database: database.kind,
        page,
        concurrency: 8,
        requests: load.requests.total,
        p50Ms: round(load.latency.p50),
        p95Ms: round(load.latency.p97_5),
        p99Ms: round(load.latency.p99),
        maxMs: round(load.latency.max),
        perSecond: Math.round(load.requests.total / load.duration),
        generator: 'autocannon',
        loopDelayMaxMs,
      });
      progress(
        `web (${database.kind}): ${page}: ×1 p50 ${single.p50Ms} ms; autocannon ×8 p50 ${round(load.latency.p50)} ms, p99 ${round(load.latency.p99)} ms, ${Math.round(load.requests.total / load.duration)} req/s`,
      );
    }
    await requestPool.close();
    measured = { figures };
  } finally {
    await sigap?.stop();
  }
  const lateness = options.lateness ? await measureLateness({ database, webYaml: yaml(), env, options: options.lateness, paths: loadPaths, logIn, progress, cleanup }) : null;
  return { seedSeconds, rollups, figures: measured.figures, lateness };
}

export async function runWebSuite(options: WebSuiteOptions, progress: (line: string) => void, cleanup: Cleanup): Promise<WebSuiteResult> {
  const result: WebSuiteResult = { incidents: options.incidents, seedSeconds: {}, rollups: { hourly: 0, daily: 0 }, figures: [] };
  const databases: BenchDatabase[] = [freshSqlite()];
  if (options.postgresUrl) databases.push(await freshPostgres(options.postgresUrl));
  for (const database of databases) {
    cleanup.add(() => database.drop());
    const { seedSeconds, rollups, figures, lateness } = await runOne(database, options, progress, cleanup);
    if (lateness) (result.lateness ??= []).push(lateness);
    result.seedSeconds[database.kind] = seedSeconds;
    result.rollups = rollups;
    result.figures.push(...figures);
    await database.drop();
  }
  return result;
}

export function webReport(result: WebSuiteResult): string {
  const rows = result.figures.map((f) => [
    f.database,
    f.page,
    f.generator === 'autocannon' ? '8 (autocannon)' : String(f.concurrency),
    String(f.requests),
    String(f.p50Ms),
    String(f.p95Ms),
    String(f.p99Ms),
    String(f.maxMs),
    String(f.perSecond),
    f.loopDelayMaxMs === undefined ? '—' : String(f.loopDelayMaxMs),
  ]);
  const seeded = Object.entries(result.seedSeconds)
    .map(([kind, s]) => `${kind} ${s} s`)
    .join(', ');
  return [
    `### Web: ${result.incidents.toLocaleString('en')} incidents, ${result.rollups.hourly.toLocaleString('en')} hourly and ${result.rollups.daily.toLocaleString('en')} daily rollup rows (a year for 100 checks; seeded in ${seeded})`,
    '',
    table(['database', 'page', 'concurrency', 'requests', 'p50 ms', 'p95 ms (autocannon: p97.5)', 'p99 ms', 'max ms', 'req/s', 'event loop delay max ms'], rows),
    '',
    "Goal: the queue and an incident page in well under 100 ms with 100,000 incidents. Event loop delay: the server's (this process), monitorEventLoopDelay at 10 ms resolution, less the resolution; goal ≤ 50 ms.",
    ...latenessReport(result.lateness ?? []),
  ].join('\n');
}

// ---- Item: probe lateness under the page load, and the incident figures' goals ----

function latenessReport(figures: readonly LatenessFigure[]): string[] {
  if (figures.length === 0) return [];
  const rows = figures.map((f) => [
    f.database,
    `${f.checks.toLocaleString('en')} every ${f.intervalS} s`,
    `${f.phaseS} s`,
    `${f.idle.p99Ms} / ${f.idle.maxMs}`,
    `${f.loaded.p99Ms} / ${f.loaded.maxMs}`,
    `${f.ratio}×`,
    `${f.idle.loopDelayMaxMs} / ${f.loaded.loopDelayMaxMs}`,
    String(f.loaded.requests),
  ]);
  return [
    '',
    '### Probe lateness with SIGAP_ROLE=all, without and with the web load',
    '',
    table(['database', 'checks', 'phase', 'lateness p99 / max ms, no load', 'with the pages', 'p99 ratio', 'event loop delay max ms (no load / load)', 'requests'], rows),
    '',
    'Goal: lateness p99 with the web load ≤ 1.5× without it.',
  ];
}

const DATABASE_NAMES: Record<WebFigure['database'], string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** The incident figures' goals as summary rows: per database, the monthly incident report ×1 p95, the largest event-loop delay of any page, and the lateness ratio. */
export function incidentFigureGoals(result: WebSuiteResult): GoalRow[] {
  const rows: GoalRow[] = [];
  const databases = [...new Set([...result.figures.map((f) => f.database), ...(result.lateness ?? []).map((l) => l.database)])];
  for (const database of databases) {
    const name = DATABASE_NAMES[database];
    const mine = result.figures.filter((f) => f.database === database);
    const report = mine.find((f) => f.page.startsWith('GET /api/reports/incidents') && f.concurrency === 1 && f.generator !== 'autocannon');
    if (report) {
      rows.push({ suite: 'web', figure: 'monthly incident report ×1 p95', database: name, value: `${report.p95Ms} ms`, goal: 'p95 ≤ 50 ms', met: report.p95Ms <= 50 });
    }
    const delays = mine.filter((f) => f.loopDelayMaxMs !== undefined);
    if (delays.length > 0) {
      const worst = delays.reduce((a, b) => (b.loopDelayMaxMs! > a.loopDelayMaxMs! ? b : a));
      rows.push({
        suite: 'web',
        figure: 'largest event-loop delay of any page',
        database: name,
        value: `${worst.loopDelayMaxMs} ms (${worst.page} ×${worst.concurrency})`,
        goal: '≤ 50 ms',
        met: worst.loopDelayMaxMs! <= 50,
      });
    }
    const lateness = (result.lateness ?? []).find((l) => l.database === database);
    if (lateness) {
      // A prober already more than an interval behind without load compares nothing: not met.
      const keptPace = lateness.idle.p99Ms < lateness.intervalS * 1000;
      rows.push({
        suite: 'web',
        figure: `probe lateness p99 with ÷ without web load, ${lateness.checks.toLocaleString('en')} checks`,
        database: name,
        value: `${lateness.ratio}× (${lateness.loaded.p99Ms} / ${lateness.idle.p99Ms} ms)${keptPace ? '' : '; behind by more than an interval without load'}`,
        goal: '≤ 1.5×',
        met: keptPace && lateness.ratio <= 1.5,
      });
    }
  }
  return rows;
}
