// A fresh, throw-away database per benchmark run, and what it holds (result rows, bytes). Read
// through a second connection of the driver itself, not through Sigap's stores: the measurement
// must not depend on, or add to, the code being measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export interface BenchDatabase {
  /** `sqlite` or `postgres`, for the report. */
  kind: 'sqlite' | 'postgres';
  /** DATABASE_URL for Sigap. */
  url: string;
  /** Delete it; safe to call twice. */
  drop(): Promise<void>;
}

export interface StorageSize {
  /** Rows in check_results: one per probe result. */
  resultRows: number;
  /**
   * SQLite: page_count × page_size of the whole file (WAL content included; the checks' rows are
   * updated in place). PostgreSQL: pg_total_relation_size of check_results (indexes included),
   * because each update of a check's row leaves a dead version until autovacuum, which would
   * count as growth although it is not kept.
   */
  bytes: number;
}

export function freshSqlite(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'sigap-bench-'));
  return { kind: 'sqlite', url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/** A new database on the server of BENCH_DATABASE_URL (a role that may CREATE DATABASE). */
export async function freshPostgres(adminUrl: string): Promise<BenchDatabase> {
  const name = `sigap_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  let dropped = false;
  return {
    kind: 'postgres',
    url: withDatabase(adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Opens a measuring connection once; `read()` is cheap enough to call at the window's edges. */
export async function openStorageGauge(databaseUrl: string): Promise<{ read(): Promise<StorageSize>; close(): Promise<void> }> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new BetterSqlite3(databaseUrl.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    return {
      // A reader sees the pages the WAL already holds, so this counts what was committed,
      // whether or not it has been checkpointed into the main file yet.
      read: async () => {
        const pageCount = db.pragma('page_count', { simple: true }) as number;
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        const { n } = db.prepare('select count(*) as n from check_results').get() as { n: number };
        return { resultRows: n, bytes: pageCount * pageSize };
      },
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    read: async () => {
      const rows = await client.query<{ n: string }>('select count(*) as n from check_results');
      const size = await client.query<{ bytes: string }>("select pg_total_relation_size('check_results') as bytes");
      return { resultRows: Number(rows.rows[0]!.n), bytes: Number(size.rows[0]!.bytes) };
    },
    close: () => client.end(),
  };
}
