// The databases every store and integration suite runs on: SQLite always, PostgreSQL when
// TEST_DATABASE_URL is set (CI starts a real cluster). Each suite gets a fresh database of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface TestDatabaseKind {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

const sqlite: TestDatabaseKind = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'sigap-test-'));
    return { url: `sqlite:${join(dir, 'sigap.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

function postgres(adminUrl: string): TestDatabaseKind {
  return {
    name: 'postgres',
    async create() {
      const name = `sigap_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return {
        url: url.toString(),
        async drop() {
          const client = new pg.Client({ connectionString: adminUrl });
          await client.connect();
          try {
            await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/** SQLite, plus PostgreSQL when TEST_DATABASE_URL is set. In CI, PostgreSQL is required. */
export function testDatabaseKinds(): TestDatabaseKind[] {
  const pgUrl = process.env.TEST_DATABASE_URL;
  if (!pgUrl && process.env.CI) {
    throw new Error('CI must run the PostgreSQL tests: TEST_DATABASE_URL is not set (.ci/run starts a cluster and sets it)');
  }
  return pgUrl ? [sqlite, postgres(pgUrl)] : [sqlite];
}
