// One budget of failed log-ins for every web process: two real Sigap processes (started as
// production starts them) on one database, a guesser alternating between them as a load balancer
// would send it. The failures add up to one slow-down and one lockout, seen by both processes; the
// right password is refused through both while the lock lasts, and another user logs in as usual.
// On SQLite (both processes on one file) and on PostgreSQL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../detector/accounts/login-throttle.js';
import { killLeftoverProcesses, PROCESS_ADMIN_PASSWORD, SigapProcess } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

describe.each(testDatabaseKinds())('log-in lockout across two web processes on $name', (kind) => {
  let testDb: TestDatabase;
  let configDir: string;
  let processes: SigapProcess[] = [];

  /** A web process; answers its base URL once it listens. */
  const startWeb = async (instance: string): Promise<string> => {
    const sigap = new SigapProcess({ instance, databaseUrl: testDb.url, configPath: join(configDir, 'sigap.yaml'), role: 'web' });
    processes.push(sigap);
    const line = await sigap.waitForLog('dashboard listening', 60_000);
    return line.url as string;
  };

  beforeEach(async () => {
    testDb = await kind.create();
    configDir = mkdtempSync(join(tmpdir(), 'sigap-login-'));
    writeFileSync(join(configDir, 'sigap.yaml'), 'services: []\n');
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') for (const p of processes) console.error(p.transcript());
    await killLeftoverProcesses();
    processes = [];
    await testDb?.drop();
    rmSync(configDir, { recursive: true, force: true });
  });

  const logIn = async (base: string, username: string, password: string) => {
    const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const body = (await res.json()) as { csrfToken?: string; error?: { code: string; message: string } };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    return { status: res.status, body, cookie, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
  };

  it('failures through process A and process B add up to one lockout that both enforce', async () => {
    // One after the other: the first creates the schema and the admin.
    const a = await startWeb('a');
    const b = await startWeb('b');

    const admin = await logIn(a, 'admin', PROCESS_ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    for (const name of ['alice', 'bob']) {
      const res = await fetch(`${a}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.body.csrfToken! },
        body: JSON.stringify({ username: name, displayName: name, role: 'service_desk', password: `${name}-password-1` }),
      });
      expect(res.status).toBe(201);
    }

    // A patient guesser: alternates between the processes and waits out each slow-down it is told of.
    let slowedDown = 0;
    for (let failures = 0; failures < LOGIN_LIMITS.LOCK_AFTER;) {
      const through = failures % 2 === 0 ? a : b;
      const answer = await logIn(through, 'alice', `guess-${failures}`);
      if (answer.status === 429) {
        // Only after the fifth failure, counted across both processes.
        expect(failures).toBeGreaterThanOrEqual(LOGIN_LIMITS.SLOW_AFTER);
        expect(answer.body.error?.message).toMatch(/too many failed log-ins for this user name; try again in \d+ seconds?/);
        slowedDown++;
        await new Promise((resolve) => setTimeout(resolve, answer.retryAfter * 1000));
        continue;
      }
      expect(answer.status, JSON.stringify(answer.body)).toBe(401);
      failures++;
    }
    expect(slowedDown).toBeGreaterThan(0);

    for (const through of [a, b]) {
      const locked = await logIn(through, 'alice', 'alice-password-1');
      expect(locked.status).toBe(429);
      expect(locked.body.error?.message).toMatch(/it is locked; try again in 15 minutes/);
      expect(locked.retryAfter).toBeGreaterThan(14 * 60);
    }
    expect((await logIn(b, 'bob', 'bob-password-1')).status).toBe(200);
    expect((await logIn(a, 'bob', 'bob-password-1')).status).toBe(200);
  }, 180_000);
});
