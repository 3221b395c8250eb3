// Opens SQLite or PostgreSQL behind one Database interface, runs migrations, and translates each
// driver's errors into domain errors in one place.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.js';
import { DuplicateError, MalformedRequestError, SigapError, StorageUnavailableError } from '../errors.js';
import { KnexAccountStore } from './account-store.js';
import { KnexAuditStore } from './audit-store.js';
import { KnexCheckStore } from './check-store.js';
import { KnexIncidentStore } from './incident-store.js';
import { KnexIntegrityStore } from './integrity-store.js';
import { KnexKnownErrorStore } from './known-error-store.js';
import { KnexLeaseStore } from './lease-store.js';
import { KnexOutageStore } from './outage-store.js';
import { KnexMaintenanceStore } from './maintenance-store.js';
import { KnexMetricsStore } from './metrics-store.js';
import { KnexReportMailStore } from './report-mail-store.js';
import { KnexReportStore } from './report-store.js';
import { KnexRollupStore } from './rollup-store.js';
import { KnexNotificationStore } from './notification-store.js';
import { autocommitSignal, listenForOutbox, OutboxWakers, transactionSignal, type OutboxWritten } from './outbox-wake.js';
import type { Database, Stores } from './store-types.js';

type Dialect = 'sqlite' | 'postgres';

// PostgreSQL returns int8 (our epoch-millisecond timestamps, counts) as strings; every such value
// Sigap stores fits a double exactly, so parse it once here instead of at every call site.
const pgTypes = {
  getTypeParser: (oid: number, format?: string) => (oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')),
};

interface PreparingConnection {
  prepare: (sql: string) => unknown;
}

/** Statements kept per SQLite connection: the probe path's and the pages' own fit many times over. */
const PREPARED_STATEMENTS = 256;

/**
 * knex hands better-sqlite3 the text of every query, and better-sqlite3 compiles it anew each
 * time; the same text (values are bound, never in the text) now reuses its compiled statement,
 * the least recently used dropped beyond `PREPARED_STATEMENTS`.
 */
export function reusePreparedStatements(conn: PreparingConnection): void {
  const prepare = conn.prepare.bind(conn);
  const statements = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (statements.size >= PREPARED_STATEMENTS) statements.delete(statements.keys().next().value!);
    } else statements.delete(sql);
    statements.set(sql, statement);
    return statement;
  };
}

function knexConfig(url: string): { dialect: Dialect; config: Knex.Config } {
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length);
    if (filename !== ':memory:') mkdirSync(dirname(resolve(filename)), { recursive: true });
    return {
      dialect: 'sqlite',
      config: {
        client: 'better-sqlite3',
        connection: { filename },
        useNullAsDefault: true,
        pool: {
          min: 1,
          max: 1,
          afterCreate: (conn: { pragma: (s: string) => unknown }, done: (err: Error | null, conn: unknown) => void) => {
            conn.pragma('journal_mode = WAL');
            conn.pragma('foreign_keys = ON');
            conn.pragma('busy_timeout = 5000');
            conn.pragma('synchronous = NORMAL');
            reusePreparedStatements(conn as unknown as PreparingConnection);
            done(null, conn);
          },
        },
      },
    };
  }
  return {
    dialect: 'postgres',
    config: {
      client: 'pg',
      connection: { connectionString: url, types: pgTypes } as Knex.PgConnectionConfig,
      pool: { min: 0, max: 10 },
      acquireConnectionTimeout: 10_000,
    },
  };
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
]);

/** The database is there but cannot be written: the operator must act (free space, remount). */
const WRITE_FAULTS: Record<string, string> = {
  SQLITE_FULL: 'disk full',
  SQLITE_READONLY: 'read-only',
  '53100': 'disk full', // PostgreSQL disk_full
  '25006': 'read-only', // PostgreSQL read_only_sql_transaction (a standby)
};

// node-postgres reports a connection lost mid-query (a network cut, a restarted server) without a
// code, only by these messages; without them a cut would look like a bug and results be dropped.
const CONNECTION_LOST = /^Connection terminated|not queryable|^Client was closed/;

/** Driver error → domain error. Unknown errors pass through unchanged. */
export function translateError(err: unknown): unknown {
  if (err instanceof SigapError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; constraint?: string };
  // PostgreSQL refuses U+0000 in text (SQLSTATE 22021); bodies and queries are checked for it,
  // this catches what reaches the database unvalidated (a path parameter, a form field).
  if (e.code === '22021') return new MalformedRequestError('the request contains a NUL character, which text may not hold');
  if (e.code === '23505') return new DuplicateError(e.constraint ?? 'key');
  if (e.code?.startsWith('SQLITE_CONSTRAINT_UNIQUE') || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const match = /UNIQUE constraint failed: (.+)$/.exec(e.message);
    return new DuplicateError(match?.[1] ?? 'key');
  }
  const code = e.code?.startsWith('SQLITE_IOERR') ? 'SQLITE_IOERR' : e.code?.startsWith('SQLITE_READONLY') ? 'SQLITE_READONLY' : e.code;
  const fault = code ? WRITE_FAULTS[code] : undefined;
  if (fault) return new StorageUnavailableError(`database cannot be written (${fault}): ${e.message}`);
  if ((code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) || e.name === 'KnexTimeoutError' || CONNECTION_LOST.test(e.message)) {
    return new StorageUnavailableError(`database unavailable: ${e.message}`);
  }
  return err;
}

/** Wrap every async method of a store so callers only ever see domain errors. */
function translating<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const out = value.apply(target, args);
          return out instanceof Promise ? out.catch((err: unknown) => Promise.reject(translateError(err))) : out;
        } catch (err) {
          throw translateError(err);
        }
      };
    },
  });
}

function storesFor(db: Knex, dialect: Dialect, outboxWritten: OutboxWritten): Stores {
  return {
    checks: translating(new KnexCheckStore(db, dialect)),
    notifications: translating(new KnexNotificationStore(db, outboxWritten)),
    incidents: translating(new KnexIncidentStore(db, dialect)),
    accounts: translating(new KnexAccountStore(db)),
    rollups: translating(new KnexRollupStore(db)),
    maintenance: translating(new KnexMaintenanceStore(db)),
    knownErrors: translating(new KnexKnownErrorStore(db)),
    reports: translating(new KnexReportStore(db)),
    metrics: translating(new KnexMetricsStore(db)),
    leases: translating(new KnexLeaseStore(db)),
    reportMails: translating(new KnexReportMailStore(db)),
    outages: translating(new KnexOutageStore(db)),
    audit: translating(new KnexAuditStore(db)),
    integrity: translating(new KnexIntegrityStore(db)),
  };
}

/**
 * Two processes creating knex's lock table at the same moment can each insert its one row; the
 * lock (`update … where is_locked = 0` must touch exactly one row) can then never be taken and
 * both wait for ever. With more than one row nobody can hold the lock, so the extras go.
 */
async function dropDuplicateLockRows(knex: Knex): Promise<void> {
  const rows = (await knex('knex_migrations_lock').select('index').orderBy('index')) as Array<{ index: number }>;
  if (rows.length > 1) await knex('knex_migrations_lock').where('index', '>', rows[0]!.index).delete();
}

export function openDatabase(url: string): Database {
  const { dialect, config } = knexConfig(url);
  const knex = knexFactory(config);
  // Who in this process waits for outbox rows: woken after the commit that wrote them.
  const wakers = new OutboxWakers();
  const stores = storesFor(knex, dialect, autocommitSignal(knex, dialect === 'postgres', wakers));
  // A disk full or read-only database still answers reads: readiness remembers the last write it
  // refused until a write succeeds again (a transaction, or the probe write of checkReady).
  let writeFault: StorageUnavailableError | null = null;
  const noteWrite = (err: unknown): unknown => {
    const translated = translateError(err);
    if (translated instanceof StorageUnavailableError && translated.message.startsWith('database cannot be written')) writeFault = translated;
    return translated;
  };
  return {
    dialect,
    stores,
    async transaction(work) {
      try {
        const signal = { wrote: () => false };
        const out = await knex.transaction((trx) => {
          const outbox = transactionSignal(trx, dialect === 'postgres');
          signal.wrote = outbox.wrote;
          return work(storesFor(trx, dialect, outbox.written));
        });
        writeFault = null;
        // Committed: only now may a dispatcher look for the rows (a rollback never gets here).
        if (signal.wrote()) wakers.wakeAll();
        return out;
      } catch (err) {
        throw noteWrite(err);
      }
    },
    watchOutbox(wake, events = {}) {
      const remove = wakers.add(wake);
      const listener = dialect === 'postgres' ? listenForOutbox(url, wake, events) : null;
      return {
        async close() {
          remove();
          await listener?.close();
        },
      };
    },
    async migrate() {
      // Processes starting together on a new database race to create knex's own tables and to
      // take its migration lock; the loser waits and tries again instead of failing to start.
      // A lock still held after a minute is a crashed migration: say so rather than wait forever.
      const giveUpAt = Date.now() + 60_000;
      for (let attempt = 1; ; attempt++) {
        try {
          const [, ran] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
          return ran;
        } catch (err) {
          const message = (err as Error).message ?? '';
          const racing = /already exists|already locked|duplicate key|UNIQUE constraint failed|database is locked/i.test(message);
          if (!racing || Date.now() > giveUpAt) throw translateError(err);
          if (/already locked/i.test(message)) await dropDuplicateLockRows(knex);
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
        }
      }
    },
    async checkReady() {
      try {
        await knex.raw('select 1');
        const [, pending] = (await knex.migrate.list({ migrationSource })) as [unknown[], unknown[]];
        if (pending.length > 0) throw new StorageUnavailableError(`${pending.length} migrations have not run`);
        if (writeFault) {
          // Rewriting the schema version with its own value is a real write (a WAL frame in
          // SQLite) that changes nothing; PostgreSQL's version of it is a committed no-op.
          await knex.transaction(async (trx) => {
            if (dialect === 'sqlite') {
              const [row] = (await trx.raw('pragma user_version')) as { user_version: number }[];
              await trx.raw(`pragma user_version = ${Number(row?.user_version ?? 0)}`);
            } else await trx.raw('select 1');
          });
          writeFault = null;
        }
      } catch (err) {
        throw noteWrite(err);
      }
    },
    close: () => knex.destroy(),
  };
}
