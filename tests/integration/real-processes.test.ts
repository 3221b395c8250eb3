// "Never duplicate, never miss" (DESIGN §4) with real processes, started as production starts
// them: two Sigap workers racing on one outage open one incident, and a kill -9 in the middle of
// a failure streak or after the incident opened neither forgets nor duplicates anything.
// On SQLite (both processes on one file, WAL) and on PostgreSQL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../detector/incidents/incident-types.js';
import type { StoredResult } from '../../detector/detection/check-types.js';
import { openDatabase } from '../../detector/store/database.js';
import type { Database } from '../../detector/store/store-types.js';
import { killLeftoverProcesses, StandInSite, startSigapProcess, type SigapProcess } from '../helpers/sigap-process.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { waitFor } from '../helpers/wait.js';

const CHECK = 'skm-home';

// Each test starts real processes (tsx compiles main.ts in each): under the load of the whole
// suite on two cores that alone can take tens of seconds, hence 90 s per test.
describe.each(testDatabaseKinds())('real Sigap processes never duplicate and never forget an incident, on $name', (kind) => {
  const site = new StandInSite();
  let testDb: TestDatabase;
  let configDir: string;
  let configPath: string;
  let db: Database | null = null;
  let processes: SigapProcess[] = [];

  const start = async (instance: string): Promise<SigapProcess> => {
    const sigap = await startSigapProcess({ instance, databaseUrl: testDb.url, configPath });
    processes.push(sigap);
    return sigap;
  };
  /** The test's own handle, opened once the first process has created the schema. */
  const store = () => {
    db ??= openDatabase(testDb.url);
    return db.stores;
  };
  const results = async (): Promise<StoredResult[]> => store().checks.listResults(CHECK, new Date(0), new Date(Date.now() + 60_000), 100_000);
  const incidentsOfCheck = async (openOnly = false): Promise<Incident[]> =>
    (await store().incidents.list(openOnly ? { openOnly: true } : {}, 1000, null)).items.filter((i) => i.check === CHECK);
  const downBy = (rows: StoredResult[], instance: string) => rows.filter((r) => r.instance === instance && r.status === 'down');
  const upBy = (rows: StoredResult[], instance: string) => rows.filter((r) => r.instance === instance && r.status === 'up');
  /** Log lines at error level or above (a result that could not be recorded, a crash). */
  const errorsOf = (p: SigapProcess) => p.logs.filter((l) => (l.level ?? 0) >= 50);

  beforeEach(async () => {
    await site.start();
    testDb = await kind.create();
    configDir = mkdtempSync(join(tmpdir(), 'sigap-proc-'));
    configPath = join(configDir, 'sigap.yaml');
    writeFileSync(
      configPath,
      `
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - key: ${CHECK}
        type: http
        url: http://127.0.0.1:${site.port}/
        interval: 300ms
        timeout: 200ms
        retryInterval: 100ms
        failureThreshold: 3
        successThreshold: 2
`,
    );
  });

  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') for (const p of processes) console.error(p.transcript());
    await killLeftoverProcesses();
    processes = [];
    await db?.close();
    db = null;
    await site.stop();
    site.port = 0;
    await testDb?.drop();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('two real processes racing on the same outage open exactly one incident', async () => {
    // Started at the same instant on an empty database, as two systemd units would be.
    const [a, b] = await Promise.all([start('a'), start('b')]);
    await waitFor('both processes to probe the site up', async () => {
      const rows = await results();
      return upBy(rows, 'a').length > 0 && upBy(rows, 'b').length > 0 ? true : undefined;
    });

    await site.stop();
    await waitFor('an incident and five failed probes from each process', async () => {
      const rows = await results();
      const open = await incidentsOfCheck(true);
      return open.length > 0 && downBy(rows, 'a').length >= 5 && downBy(rows, 'b').length >= 5 ? true : undefined;
    });

    const all = await incidentsOfCheck();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ status: 'new', failureKind: 'connect', serviceRestoredAt: null });
    // detectedAt is a failed probe of one of the two processes (the first of the confirmed streak)
    const rows = await results();
    const failures = rows.filter((r) => r.status === 'down').map((r) => r.startedAt.getTime());
    expect(failures).toContain(all[0]!.detectedAt.getTime());

    const [exitA, exitB] = await Promise.all([a.stop(), b.stop()]);
    expect(exitA).toEqual({ code: 0, signal: null });
    expect(exitB).toEqual({ code: 0, signal: null });
    expect([...errorsOf(a), ...errorsOf(b)]).toEqual([]);
    expect(await incidentsOfCheck()).toHaveLength(1);
  }, 90_000);

  it('three processes starting together on a new database all start, with one admin user', async () => {
    const started = await Promise.all(['a', 'b', 'c'].map((instance) => start(instance)));
    expect(await store().accounts.countUsers()).toBe(1);
    for (const p of started) expect(await p.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('kill -9 mid-streak neither forgets the streak nor duplicates the incident', async () => {
    const a = await start('a');
    await waitFor('the site to be probed up', async () => (upBy(await results(), 'a').length > 0 ? true : undefined));

    await site.stop();
    // Poll fast: the streak is 1–2 failures long for only ~200 ms (retryInterval 100 ms).
    await waitFor(
      'the first failed probe to be stored',
      async () => {
        const check = await store().checks.getCheck(CHECK);
        return check && check.consecutiveFailures >= 1 ? true : undefined;
      },
      15_000,
      5,
    );
    await a.kill();

    const check = (await store().checks.getCheck(CHECK))!;
    const failed = downBy(await results(), 'a');
    // the kill landed mid-streak: not yet confirmed, no incident
    expect(check.consecutiveFailures).toBeGreaterThanOrEqual(1);
    expect(check.consecutiveFailures).toBeLessThanOrEqual(2);
    expect(failed).toHaveLength(check.consecutiveFailures);
    expect(check.streakStartedAt?.getTime()).toBe(failed[0]!.startedAt.getTime());
    expect(await incidentsOfCheck()).toEqual([]);

    await start('b');
    const [incident] = await waitFor('the incident to open', async () => {
      const open = await incidentsOfCheck(true);
      return open.length > 0 ? open : undefined;
    });
    // the streak survived the kill: the incident is dated from the first failure before it
    expect(incident!.detectedAt.getTime()).toBe(failed[0]!.startedAt.getTime());
    // confirmed by the new process before the streak would have had three failures of its own
    const total = (await results()).filter((r) => r.status === 'down');
    expect(downBy(total, 'b').length).toBeGreaterThanOrEqual(3 - failed.length);
    expect(await incidentsOfCheck()).toHaveLength(1);
    expect(processes.flatMap(errorsOf)).toEqual([]);
  }, 90_000);

  it('kill -9 after the incident opened neither duplicates nor forgets it', async () => {
    const a = await start('a');
    await waitFor('the site to be probed up', async () => (upBy(await results(), 'a').length > 0 ? true : undefined));

    await site.stop();
    const [opened] = await waitFor('the incident to open', async () => {
      const open = await incidentsOfCheck(true);
      return open.length > 0 ? open : undefined;
    });
    await a.kill();
    expect((await store().checks.getCheck(CHECK))!.state).toBe('down');

    const b = await start('b');
    await waitFor('more failed probes from the new process', async () => (downBy(await results(), 'b').length >= 3 ? true : undefined));
    const all = await incidentsOfCheck();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ ref: opened!.ref, status: 'new', serviceRestoredAt: null });
    expect(all[0]!.detectedAt.getTime()).toBe(opened!.detectedAt.getTime());

    await site.start();
    const restored = await waitFor('serviceRestoredAt on the incident', async () => {
      const incident = await store().incidents.findByRef(opened!.ref);
      return incident?.serviceRestoredAt ? incident : undefined;
    });
    expect(restored.status).toBe('new');
    expect(restored.serviceRestoredAt!.getTime()).toBeGreaterThan(restored.detectedAt.getTime());
    expect(upBy(await results(), 'b').length).toBeGreaterThanOrEqual(2);
    expect(await incidentsOfCheck()).toHaveLength(1);

    expect(await b.stop()).toEqual({ code: 0, signal: null });
    expect(processes.flatMap(errorsOf)).toEqual([]);
  }, 90_000);
});
