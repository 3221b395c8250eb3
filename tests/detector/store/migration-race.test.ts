// Processes starting together on a new database race to create knex's migration tables. Both can
// insert the lock table's one row; migrating must still finish instead of waiting on a lock that
// nobody holds.
import knexFactory, { type Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

function rawKnex(url: string): Knex {
  return url.startsWith('sqlite:')
    ? knexFactory({ client: 'better-sqlite3', connection: { filename: url.slice('sqlite:'.length) }, useNullAsDefault: true })
    : knexFactory({ client: 'pg', connection: url });
}

describe.each(testDatabaseKinds())('migrating a new database on $name', (kind) => {
  let testDb: TestDatabase | null = null;
  let db: Database | null = null;

  afterEach(async () => {
    await db?.close();
    await testDb?.drop();
    db = null;
    testDb = null;
  });

  it('finishes when two racing starts each left a row in the migration lock table', async () => {
    testDb = await kind.create();
    const raw = rawKnex(testDb.url);
    try {
      await raw.schema.createTable('knex_migrations_lock', (t) => {
        t.increments('index').primary();
        t.integer('is_locked');
      });
      await raw('knex_migrations_lock').insert([{ is_locked: 0 }, { is_locked: 0 }]);
    } finally {
      await raw.destroy();
    }

    db = openDatabase(testDb.url);
    const ran = await db.migrate();

    expect(ran.length).toBeGreaterThan(0);
    await expect(db.checkReady()).resolves.toBeUndefined();
  });
});
