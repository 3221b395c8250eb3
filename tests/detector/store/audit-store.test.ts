// The audit trail's storage on real SQLite and PostgreSQL: what is inserted reads back whole;
// filters by time, action (exact or prefix), actor and target; newest-first keyset pages that
// neither skip nor repeat an entry, also when entries share a millisecond; an entry written in a
// transaction that rolls back is not there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../detector/audit/audit-types.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const T0 = new Date('2026-12-04T01:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const admin = { userId: 1, username: 'admin' };

const entry = (action: string, overrides: Partial<AuditEntry> = {}): AuditEntry => ({ action, actor: admin, ip: '10.0.0.7', target: 'rina', detail: {}, ...overrides });

describe.each(testDatabaseKinds())('the audit store on $name', (kind) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await kind.create();
    db = openDatabase(database.url);
    await db.migrate();
    const { audit } = db.stores;
    await audit.insert(entry('user.created', { detail: { role: 'support', nested: { a: [1, 'dua'] } } }), at(0));
    await audit.insert(entry('login.failed', { actor: { userId: null, username: null }, ip: '203.0.113.9', target: 'rina' }), at(1));
    await audit.insert(entry('login.succeeded', { actor: { userId: 2, username: 'rina' }, target: null }), at(2));
    await audit.insert(entry('user.password_set'), at(3));
    // Two in the same millisecond: the id orders them.
    await audit.insert(entry('check.disabled', { target: 'skm-form' }), at(4));
    await audit.insert(entry('check.enabled', { target: 'skm-form' }), at(4));
    await audit.insert(entry('config.reloaded', { actor: { userId: null, username: null }, ip: null, target: 'sigap.yaml' }), at(5));
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('reads every entry back whole, newest first, the id breaking a tie in time', async () => {
    const { items, nextCursor } = await db.stores.audit.list({}, 100, null);
    expect(nextCursor).toBeNull();
    expect(items.map((e) => e.action)).toEqual(['config.reloaded', 'check.enabled', 'check.disabled', 'user.password_set', 'login.succeeded', 'login.failed', 'user.created']);
    expect(items.at(-1)).toEqual({
      id: expect.any(Number),
      at: at(0),
      action: 'user.created',
      actor: admin,
      ip: '10.0.0.7',
      target: 'rina',
      detail: { role: 'support', nested: { a: [1, 'dua'] } },
    });
    expect(items[0]).toMatchObject({ actor: { userId: null, username: null }, ip: null, target: 'sigap.yaml', detail: {} });
  });

  it('filters by time (to exclusive), by action or action prefix, by actor and by target', async () => {
    const actions = async (filter: Parameters<Database['stores']['audit']['list']>[0]) => (await db.stores.audit.list(filter, 100, null)).items.map((e) => e.action);
    expect(await actions({ from: at(2), to: at(4) })).toEqual(['user.password_set', 'login.succeeded']);
    expect(await actions({ action: 'login' })).toEqual(['login.succeeded', 'login.failed']);
    expect(await actions({ action: 'user.' })).toEqual(['user.password_set', 'user.created']);
    expect(await actions({ action: 'user.created' })).toEqual(['user.created']);
    expect(await actions({ action: 'user.create' })).toEqual([]);
    // A LIKE wildcard in the filter is a character, not a pattern.
    expect(await actions({ action: 'l_gin' })).toEqual([]);
    expect(await actions({ actor: 'rina' })).toEqual(['login.succeeded']);
    expect(await actions({ target: 'skm-form', actor: 'admin' })).toEqual(['check.enabled', 'check.disabled']);
  });

  it('pages newest first with a cursor, neither skipping nor repeating an entry; a foreign cursor starts at the newest', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<Database['stores']['audit']['list']>> = await db.stores.audit.list({ action: 'check.' }, 1, cursor);
      seen.push(...page.items.map((e) => e.action));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['check.enabled', 'check.disabled']);
    const all = await db.stores.audit.list({}, 3, null);
    const rest = await db.stores.audit.list({}, 10, all.nextCursor);
    expect([...all.items, ...rest.items].map((e) => e.id)).toEqual((await db.stores.audit.list({}, 10, null)).items.map((e) => e.id));
    expect((await db.stores.audit.list({}, 1, 'not-a-cursor')).items[0]!.action).toBe('config.reloaded');
  });

  it('keeps no entry written in a transaction that rolls back', async () => {
    await expect(
      db.transaction(async (stores) => {
        await stores.audit.insert(entry('maintenance.created', { target: 'maintenance 1' }), at(6));
        throw new Error('the change failed after its entry was written');
      }),
    ).rejects.toThrow('the change failed');
    expect((await db.stores.audit.list({ action: 'maintenance' }, 10, null)).items).toEqual([]);
  });
});
