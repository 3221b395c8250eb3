// `storage`: database size per check-year. A fresh database (SQLite, and PostgreSQL with
// BENCH_DATABASE_URL), migrated and synced as Sigap does it; then a known number of raw results
// through Sigap's own `insertResults` (healthy http results as the probe writes them: timings,
// no evidence; one in a hundred failed, with its evidence) and of hourly and daily rollup rows
// through `upsertHourly` / `upsertDaily`. Bytes are each table's with its indexes (SQLite: the
// `dbstat` pages of the table and its indexes; PostgreSQL: pg_total_relation_size), measured before
// and after. A check-year at the defaults: 60 s interval; `retention.raw` 30 days of raw results
// (steady state: 43,200 rows), hourly rows kept 730 days (a year in: 8,760), daily rows forever
// (365 a year).
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { parseConfig } from '../config.js';
import type { RollupBucket } from '../detector/reporting/rollups.js';
import { openDatabase } from '../detector/store/database.js';
import type { ProbeResult } from '../probes/probe-types.js';
import { freshPostgres, freshSqlite, type BenchDatabase } from './bench-database.js';
import type { Cleanup } from './probes-suite.js';
import { bytes, table } from './report.js';

export interface StorageSuiteOptions {
  postgresUrl: string | null;
}

export interface StorageFigure {
  database: 'sqlite' | 'postgres';
  rawRows: number;
  hourlyRows: number;
  dailyRows: number;
  bytesPer1000Raw: number;
  bytesPerHourly: number;
  bytesPerDaily: number;
  /** A check-year at the defaults, bytes: 30 days raw at 60 s + 8,760 hourly + 365 daily. */
  checkYearBytes: number;
  /** The raw part alone (it does not grow past 30 days). */
  rawPartBytes: number;
}

export interface StorageSuiteResult {
  figures: StorageFigure[];
}

const CHECKS = 10;
const RAW_PER_CHECK = 5_000;
const HOURLY_PER_CHECK = 2_000;
const DAILY_PER_CHECK = 1_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
export const RAW_ROWS_KEPT = (30 * DAY) / 60_000; // retention.raw 30 days at a 60 s interval
export const HOURLY_ROWS_PER_YEAR = 365 * 24;
export const DAILY_ROWS_PER_YEAR = 365;

function yaml(): string {
  const checks = Array.from({ length: CHECKS }, (_, i) => `      - { key: st-${i}, type: http, url: "http://127.0.0.1:9/st/${i}" }`);
  return `timezone: Asia/Jakarta\nservices:\n  - key: st\n    name: Storage bench\n    impact: medium\n    checks:\n${checks.join('\n')}\n`;
}

function result(key: string, startedAt: number, n: number): ProbeResult {
  const failed = n % 100 === 99;
  const connect = 1 + (n % 7);
  const processing = 40 + (n % 113);
  return {
    checkKey: key,
    startedAt: new Date(startedAt),
    durationMs: connect + processing + 3,
    status: failed ? 'down' : 'up',
    failureKind: failed ? 'http_5xx' : null,
    timings: { resolve: 1, connect, processing, transfer: 2 },
    evidence: failed
      ? {
          url: `http://127.0.0.1:9/st/${key}`,
          statusCode: 503,
          reason: 'HTTP 503',
          headers: { 'content-type': 'text/html', server: 'nginx' },
          bodyExcerpt: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
        }
      : { statusCode: 200 },
  } as ProbeResult;
}

function bucket(start: number, spanMs: number, n: number): RollupBucket {
  const probes = spanMs / 60_000;
  const down = n % 50 === 0 ? 2 : 0;
  return {
    bucketStart: new Date(start),
    probes,
    ok: probes - down,
    degraded: 0,
    down,
    unknown: 0,
    downMs: down * 60_000,
    degradedMs: 0,
    unknownMs: 0,
    maintenanceMs: 0,
    observedMs: spanMs,
    latencySumMs: probes * (50 + (n % 40)),
    latencyP95Ms: 90 + (n % 60),
  };
}

/** Bytes of a table and its indexes. */
async function openSizer(url: string): Promise<{ size(table: string): Promise<number>; close(): Promise<void> }> {
  if (url.startsWith('sqlite:')) {
    const db = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    const statement = db.prepare(
      "select coalesce(sum(pgsize), 0) as n from dbstat where name = ? or name in (select name from sqlite_master where type = 'index' and tbl_name = ?)",
    );
    return {
      size: async (t) => Number((statement.get(t, t) as { n: number }).n),
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    size: async (t) => {
      await client.query(`vacuum analyze ${t}`);
      return Number((await client.query<{ n: string }>('select pg_total_relation_size($1) as n', [t])).rows[0]!.n);
    },
    close: () => client.end(),
  };
}

async function runOne(database: BenchDatabase, progress: (line: string) => void): Promise<StorageFigure> {
  const config = parseConfig(yaml(), 'bench.yaml', { DATABASE_URL: database.url, SIGAP_INSTANCE: 'bench', LOG_LEVEL: 'silent' });
  const db = openDatabase(config.databaseUrl);
  try {
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, new Date());
    const checks = await db.stores.checks.listChecks();
    const sizer = await openSizer(database.url);
    try {
      const before = { raw: await sizer.size('check_results'), hourly: await sizer.size('check_rollups_hourly'), daily: await sizer.size('check_rollups_daily') };
      progress(
        `storage (${database.kind}): ${(CHECKS * RAW_PER_CHECK).toLocaleString('en')} raw results, ${(CHECKS * HOURLY_PER_CHECK).toLocaleString('en')} hourly and ${(CHECKS * DAILY_PER_CHECK).toLocaleString('en')} daily rows through Sigap's stores`,
      );
      const now = Date.now();
      const start = now - RAW_PER_CHECK * 60_000;
      let n = 0;
      // As the batcher writes them: results of all checks interleaved in time, 500 per insert.
      let batch: Array<{ checkId: number; result: ProbeResult; instance: string }> = [];
      for (let step = 0; step < RAW_PER_CHECK; step++) {
        for (const check of checks) {
          batch.push({ checkId: check.id, result: result(check.key, start + step * 60_000 + check.id * 97, n++), instance: 'bench' });
          if (batch.length === 500) {
            await db.stores.checks.insertResults(batch);
            batch = [];
          }
        }
      }
      await db.stores.checks.insertResults(batch);
      const hourStart = Math.floor(now / HOUR) * HOUR - HOURLY_PER_CHECK * HOUR;
      const dayStart = Math.floor(now / DAY) * DAY - DAILY_PER_CHECK * DAY;
      for (const check of checks) {
        await db.stores.rollups.upsertHourly(
          check.id,
          Array.from({ length: HOURLY_PER_CHECK }, (_, i) => bucket(hourStart + i * HOUR, HOUR, i)),
        );
        await db.stores.rollups.upsertDaily(
          check.id,
          Array.from({ length: DAILY_PER_CHECK }, (_, i) => bucket(dayStart + i * DAY, DAY, i)),
        );
      }
      const after = { raw: await sizer.size('check_results'), hourly: await sizer.size('check_rollups_hourly'), daily: await sizer.size('check_rollups_daily') };
      const rawRows = CHECKS * RAW_PER_CHECK;
      const hourlyRows = CHECKS * HOURLY_PER_CHECK;
      const dailyRows = CHECKS * DAILY_PER_CHECK;
      const perRaw = (after.raw - before.raw) / rawRows;
      const perHourly = (after.hourly - before.hourly) / hourlyRows;
      const perDaily = (after.daily - before.daily) / dailyRows;
      const rawPartBytes = perRaw * RAW_ROWS_KEPT;
      return {
        database: database.kind,
        rawRows,
        hourlyRows,
        dailyRows,
        bytesPer1000Raw: Math.round(perRaw * 1000),
        bytesPerHourly: Math.round(perHourly * 10) / 10,
        bytesPerDaily: Math.round(perDaily * 10) / 10,
        rawPartBytes,
        checkYearBytes: rawPartBytes + perHourly * HOURLY_ROWS_PER_YEAR + perDaily * DAILY_ROWS_PER_YEAR,
      };
    } finally {
      await sizer.close();
    }
  } finally {
    await db.close();
  }
}

export async function runStorageSuite(options: StorageSuiteOptions, progress: (line: string) => void, cleanup: Cleanup): Promise<StorageSuiteResult> {
  const makers: Array<() => Promise<BenchDatabase>> = [async () => freshSqlite()];
  if (options.postgresUrl) makers.push(() => freshPostgres(options.postgresUrl!));
  const figures: StorageFigure[] = [];
  for (const make of makers) {
    const database = await make();
    const forget = cleanup.add(database.drop);
    try {
      figures.push(await runOne(database, progress));
    } finally {
      await database.drop();
      forget();
    }
  }
  return { figures };
}

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(2)} MiB`;

export function storageReport(result: StorageSuiteResult): string {
  const rows = result.figures.map((f) => [
    f.database,
    bytes(f.bytesPer1000Raw),
    `${f.bytesPerHourly} B`,
    `${f.bytesPerDaily} B`,
    mib(f.rawPartBytes),
    mib(f.checkYearBytes),
    mib(2 * f.checkYearBytes),
    bytes(100 * f.checkYearBytes),
  ]);
  return [
    '### Storage: database size per check-year (defaults: 60 s interval, raw kept 30 days, hourly 730 days, daily forever)',
    '',
    table(['database', 'per 1,000 raw results', 'per hourly row', 'per daily row', 'raw (30 days, steady)', 'per check, first year', '2 checks (the office)', '100 checks'], rows),
    '',
    `A check-year = ${RAW_ROWS_KEPT.toLocaleString('en')} raw results (the 30 days retention keeps) + ${HOURLY_ROWS_PER_YEAR.toLocaleString('en')} hourly + ${DAILY_ROWS_PER_YEAR} daily rows, each table with its indexes. Later years add only the rollups (hourly rows stop growing after 730 days).`,
  ].join('\n');
}
