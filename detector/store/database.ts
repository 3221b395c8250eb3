// Opens SQLite or PostgreSQL behind one Database interface, runs migrations, and translates each
// driver's errors into domain errors in one place.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.js';
import { DuplicateError, SigapError, StorageUnavailableError } from '../errors.js';
import { KnexAccountStore } from './account-store.js';
import { KnexCheckStore } from './check-store.js';
import { KnexIncidentStore, type AfterAppend } from './incident-store.js';
import { KnexKnownErrorStore } from './known-error-store.js';
import { KnexMaintenanceStore } from './maintenance-store.js';
import { KnexMetricsStore } from './metrics-store.js';
import { KnexReportStore } from './report-store.js';
import { KnexRollupStore } from './rollup-store.js';
import { KnexNotificationStore } from './notification-store.js';
import type { Database, IncidentEventListener, Stores } from './store-types.js';

type Dialect = 'sqlite' | 'postgres';

// PostgreSQL returns int8 (our epoch-millisecond timestamps, counts) as strings; every such value
// Sigap stores fits a double exactly, so parse it once here instead of at every call site.
const pgTypes = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

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
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  '57P01', // admin shutdown
  '57P03', // cannot connect now
  '53300', // too many connections
]);

/** Driver error → domain error. Unknown errors pass through unchanged. */
export function translateError(err: unknown): unknown {
  if (err instanceof SigapError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; constraint?: string };
  if (e.code === '23505') return new DuplicateError(e.constraint ?? 'key');
  if (e.code?.startsWith('SQLITE_CONSTRAINT_UNIQUE') || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const match = /UNIQUE constraint failed: (.+)$/.exec(e.message);
    return new DuplicateError(match?.[1] ?? 'key');
  }
  const code = e.code?.startsWith('SQLITE_IOERR') ? 'SQLITE_IOERR' : e.code;
  if ((code && UNAVAILABLE_CODES.has(code)) || e.name === 'KnexTimeoutError') {
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

function storesFor(db: Knex, dialect: Dialect, listener: () => IncidentEventListener | null): Stores {
  // The listener sees the stores of the same transaction, so what it writes commits or rolls back with the event.
  const afterAppend: AfterAppend = async (incidentId, event) => {
    await listener()?.(stores, incidentId, event);
  };
  const stores: Stores = {
    checks: translating(new KnexCheckStore(db, dialect)),
    notifications: translating(new KnexNotificationStore(db)),
    incidents: translating(new KnexIncidentStore(db, dialect, afterAppend)),
    accounts: translating(new KnexAccountStore(db)),
    rollups: translating(new KnexRollupStore(db)),
    maintenance: translating(new KnexMaintenanceStore(db)),
    knownErrors: translating(new KnexKnownErrorStore(db)),
    reports: translating(new KnexReportStore(db)),
    metrics: translating(new KnexMetricsStore(db)),
  };
  return stores;
}

export function openDatabase(url: string): Database {
  const { dialect, config } = knexConfig(url);
  const knex = knexFactory(config);
  let eventListener: IncidentEventListener | null = null;
  const listener = () => eventListener;
  const stores = storesFor(knex, dialect, listener);
  return {
    dialect,
    stores,
    onIncidentEvent(next) {
      eventListener = next;
    },
    async transaction(work) {
      try {
        return await knex.transaction((trx) => work(storesFor(trx, dialect, listener)));
      } catch (err) {
        throw translateError(err);
      }
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
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
        }
      }
    },
    async checkReady() {
      try {
        await knex.raw('select 1');
        const [, pending] = (await knex.migrate.list({ migrationSource })) as [unknown[], unknown[]];
        if (pending.length > 0) throw new StorageUnavailableError(`${pending.length} migrations have not run`);
      } catch (err) {
        throw translateError(err);
      }
    },
    close: () => knex.destroy(),
  };
}
