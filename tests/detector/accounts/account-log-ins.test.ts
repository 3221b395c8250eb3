// AccountService's log-in on a real database: the password hash's cost (N = 2^17 by default, a
// weaker stored hash replaced at the next successful log-in), and what every log-in leaves behind —
// a pino line and an audit entry per success, failure and lockout, never the password.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountService } from '../../../detector/accounts/account-service.js';
import { DEFAULT_SCRYPT, hashParams, hashPassword, needsRehash } from '../../../detector/accounts/password-hash.js';
import type { AuditEntry, AuditRecorder } from '../../../detector/audit/audit-types.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const CHEAP = { N: 2 ** 12, r: 8, p: 1 };
const CLIENT = { ip: '203.0.113.10', userAgent: 'test' };

/** The audit trail as a list: what AccountService hands its recorder. */
class MemoryAuditRecorder implements AuditRecorder {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}

describe('password hashes', () => {
  it('are made with N = 2^17, r = 8, p = 1 unless told otherwise', async () => {
    expect(DEFAULT_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(hashParams(await hashPassword('a-long-password'))).toEqual({ N: 2 ** 17, r: 8, p: 1 });
  });

  it.each([
    ['weaker N', 'scrypt$32768$8$1$c2FsdA==$a2V5', true],
    ['weaker r', 'scrypt$131072$4$1$c2FsdA==$a2V5', true],
    ['the same', 'scrypt$131072$8$1$c2FsdA==$a2V5', false],
    ['stronger N', 'scrypt$262144$8$1$c2FsdA==$a2V5', false],
    ['not scrypt', 'bcrypt$xyz', true],
  ])('%s: rehash is %s', (_what, stored, expected) => {
    expect(needsRehash(stored, DEFAULT_SCRYPT)).toBe(expected);
  });
});

describe.each(testDatabaseKinds())('log-ins through AccountService on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let now: Date;
  let lines: Array<Record<string, unknown>>;
  let audit: MemoryAuditRecorder;
  const clock = () => now;

  const service = (options: { scrypt?: typeof CHEAP } = { scrypt: CHEAP }) => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    return new AccountService(db.stores.accounts, clock, audit, { logger: pino({ level: 'info' }, sink), ...options });
  };

  beforeEach(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    now = new Date('2026-12-04T01:00:00Z');
    lines = [];
    audit = new MemoryAuditRecorder();
  });

  afterEach(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('replaces a hash made with weaker parameters at the next successful log-in, and the password still works', async () => {
    const accounts = service();
    await accounts.createUser({ username: 'alice', displayName: 'Alice', role: 'service_desk', password: 'alice-password-1' });
    expect(hashParams((await db.stores.accounts.findUserByUsername('alice'))!.passwordHash)!.N).toBe(2 ** 12);

    const strong = service({});
    await expect(strong.logIn('alice', 'guess-guess', CLIENT)).rejects.toThrow(/wrong user name or password/);
    expect(hashParams((await db.stores.accounts.findUserByUsername('alice'))!.passwordHash)!.N).toBe(2 ** 12);
    await strong.logIn('alice', 'alice-password-1', CLIENT);
    const rehashed = (await db.stores.accounts.findUserByUsername('alice'))!.passwordHash;
    expect(hashParams(rehashed)).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    await strong.logIn('alice', 'alice-password-1', CLIENT);
    expect((await db.stores.accounts.findUserByUsername('alice'))!.passwordHash).toBe(rehashed);
  });

  it('logs and audits successes, failures and the lockout, logs refusals without auditing them, never the password', async () => {
    const accounts = service();
    await accounts.createUser({ username: 'alice', displayName: 'Alice', role: 'service_desk', password: 'alice-password-1' });
    const alice = (await accounts.userNamed('alice'))!;
    await accounts.logIn('alice', 'alice-password-1', CLIENT);
    for (let i = 1; i <= 10; i++) {
      await expect(accounts.logIn('alice', `secret-guess-${i}`, CLIENT)).rejects.toThrow(/wrong user name or password/);
      now = new Date(now.getTime() + 60_000);
    }
    await expect(accounts.logIn('alice', 'alice-password-1', CLIENT)).rejects.toThrow(/locked/);
    await expect(accounts.logIn('ghost', 'secret-guess-0', CLIENT)).rejects.toThrow(/wrong user name or password/);

    // The user's creation is audited too; the log-ins follow it.
    const logins = audit.entries.filter((e) => e.action.startsWith('login.'));
    const actions = logins.map((e) => e.action);
    // The attempt refused while locked is logged but not audited: refusals cost a guesser nothing,
    // and must not fill a trail that is never pruned.
    expect(actions).toEqual(['login.succeeded', ...Array(10).fill('login.failed'), 'login.locked', 'login.failed']);
    expect(logins[0]).toEqual({ action: 'login.succeeded', actor: { userId: alice.id, username: 'alice' }, ip: CLIENT.ip, target: 'alice' });
    expect(logins[11]).toMatchObject({
      action: 'login.locked',
      actor: { userId: alice.id, username: 'alice' },
      ip: CLIENT.ip,
      detail: { failures: 10, lockedForSeconds: 900 },
    });
    expect(logins[12]).toMatchObject({ action: 'login.failed', actor: { userId: null, username: 'ghost' } });

    const outcomes = lines.map((l) => [l.username, l.ip, l.outcome]);
    expect(outcomes).toEqual([
      ['alice', CLIENT.ip, 'succeeded'],
      ...Array(10).fill(['alice', CLIENT.ip, 'failed']),
      ['alice', CLIENT.ip, 'locked'],
      ['alice', CLIENT.ip, 'refused'],
      ['ghost', CLIENT.ip, 'failed'],
    ]);
    const everything = JSON.stringify([lines, audit.entries]);
    expect(everything).not.toMatch(/secret-guess|alice-password-1/);
  });
});
