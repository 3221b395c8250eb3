// A commit in one process wakes the dispatcher of another: a web process (SIGAP_ROLE=web) logs
// incidents through its API, a worker process (SIGAP_ROLE=worker) whose poll is a minute away
// delivers their messages to a local webhook receiver, woken through PostgreSQL's LISTEN/NOTIFY.
// Both are real processes started as production starts them, on one PostgreSQL database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpServer, stopAllServers } from '../helpers/local-servers.js';
import { killLeftoverProcesses, PROCESS_ADMIN_PASSWORD, SigapProcess, startSigapProcess } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { until } from '../helpers/wait.js';
import { OUTAGE_REPORT } from '../helpers/incident-api.js';

const yaml = (hookUrl: string) => `
notifications:
  channels:
    - { key: desk-hook, type: webhook, url: "${hookUrl}", timeout: 2s }
  routes:
    - { events: [opened], notify: [desk-hook] }
services:
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
`;

// Between processes only PostgreSQL carries the wake; on SQLite the worker's poll delivers.
describe.each(testDatabaseKinds().filter((kind) => kind.name === 'postgres'))('a web process’s commit wakes a worker’s dispatcher on $name', (kind) => {
  let testDb: TestDatabase;
  let configDir: string;
  let processes: SigapProcess[] = [];
  const received: Array<{ key: string; ref: string }> = [];

  beforeEach(async () => {
    testDb = await kind.create();
    configDir = mkdtempSync(join(tmpdir(), 'sigap-wake-'));
    received.length = 0;
    const receiver = await startHttpServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        const body = JSON.parse(text) as { sigap: { incident: { ref: string } } };
        received.push({ key: String(req.headers['idempotency-key']), ref: body.sigap.incident.ref });
        res.writeHead(204).end();
      });
    });
    writeFileSync(join(configDir, 'sigap.yaml'), yaml(`${receiver.origin}/hook`));
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') for (const p of processes) console.error(p.transcript());
    const leftovers = await killLeftoverProcesses();
    processes = [];
    await testDb?.drop();
    rmSync(configDir, { recursive: true, force: true });
    await stopAllServers();
    expect(leftovers, 'every process was stopped by the test').toBe(0);
  });

  it('the worker delivers each incident the web process commits, once, without waiting for its poll', async () => {
    const configPath = join(configDir, 'sigap.yaml');
    // The worker first: it creates the schema; its poll is a minute, longer than this test waits.
    const worker = await startSigapProcess({ instance: 'worker', databaseUrl: testDb.url, configPath, role: 'worker', env: { SIGAP_OUTBOX_POLL: '60s' } });
    processes.push(worker);
    const web = new SigapProcess({ instance: 'web', databaseUrl: testDb.url, configPath, role: 'web' });
    processes.push(web);
    const base = (await web.waitForLog('dashboard listening', 60_000)).url as string;

    const login = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PROCESS_ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const refs: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const res = await fetch(`${base}/api/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ ...OUTAGE_REPORT, title: `${OUTAGE_REPORT.title} ${n + 1}` }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      refs.push(((await res.json()) as { ref: string }).ref);
      // Each one before the next is logged: every commit wakes the worker on its own.
      await until(`the message of ${refs[n]} to reach the receiver`, async () => received.some((r) => r.ref === refs[n]), 20_000);
    }
    expect(received.map((r) => r.ref).sort()).toEqual([...refs].sort());
    expect(new Set(received.map((r) => r.key)).size).toBe(3);

    for (const p of [web, worker]) expect(await p.stop()).toEqual({ code: 0, signal: null });
    expect(
      worker.logs.filter((l) => (l.level ?? 0) >= 50),
      worker.transcript(),
    ).toEqual([]);
  }, 120_000);
});
