// Housekeeping driven by an injected clock on real SQLite and PostgreSQL: results go in through
// the check store, rollups and pruning come out as rows compared with hand-computed values.
import cron from 'node-cron';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig, type RetentionConfig } from '../../../config.js';
import { Housekeeping, type HousekeepingDeps } from '../../../detector/reporting/housekeeping.js';
import type { RollupBucket } from '../../../detector/reporting/rollups.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const YAML = `
timezone: Asia/Jakarta
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:1/", interval: 60s, timeout: 10s }
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:2/", interval: 10m, timeout: 10m }
`;
const config = parseConfig(YAML, 'test.yaml', {});
const checks = config.services.flatMap((s) => s.checks);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (text: string) => new Date(text);
const t = (time: string, day = 27) => `2026-11-${day}T${time}Z`;

function row(start: string, fields: Partial<RollupBucket>): RollupBucket {
  const zero = { probes: 0, ok: 0, degraded: 0, down: 0, unknown: 0, downMs: 0, degradedMs: 0, unknownMs: 0, maintenanceMs: 0, observedMs: 0, latencySumMs: 0, latencyP95Ms: null };
  return { bucketStart: iso(start), ...zero, ...fields };
}

describe.each(testDatabaseKinds())('housekeeping on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let clock = iso(t('18:30:00'));
  const ids: Record<string, number> = {};

  function housekeeping(retention: RetentionConfig = { rawMs: 30 * DAY, hourlyMs: 730 * DAY }, overrides: Partial<HousekeepingDeps> = {}) {
    return new Housekeeping({
      db,
      checks,
      timezone: 'Asia/Jakarta',
      retention,
      clock: () => clock,
      logger: pino({ level: 'silent' }),
      batchSize: 3,
      batchPauseMs: 0,
      ...overrides,
    });
  }
  const insert = (key: string, results: Array<[string, ProbeStatus, number]>) =>
    db.stores.checks.insertResults(
      results.map(([at, status, durationMs]) => ({
        checkId: ids[key]!,
        instance: 'test',
        result: { checkKey: key, startedAt: iso(at), durationMs, status, failureKind: status === 'up' ? null : 'connect', timings: {}, evidence: {} },
      })),
    );
  const hourly = (key: string) => db.stores.rollups.listHourly(ids[key]!, iso('2026-11-01T00:00:00Z'), iso('2026-12-31T00:00:00Z'));
  const daily = (key: string) => db.stores.rollups.listDaily(ids[key]!, iso('2026-11-01T00:00:00Z'), iso('2026-12-31T00:00:00Z'));
  const raw = async (key: string) =>
    (await db.stores.checks.listResults(key, iso('2026-11-01T00:00:00Z'), iso('2026-12-31T00:00:00Z'), 1000)).map((r) => r.startedAt.toISOString());
  const snapshot = async () => ({ hourly: [await hourly('skm-form'), await hourly('pengaduan-form')], daily: [await daily('skm-form'), await daily('pengaduan-form')] });

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, iso(t('00:00:00')));
    for (const check of await db.stores.checks.listChecks()) ids[check.key] = check.id;
    // SKM around WIB midnight (17:00 UTC): a failure across the hour and day boundary, then a gap.
    await insert('skm-form', [
      [t('16:58:00'), 'up', 100],
      [t('16:59:00'), 'up', 100],
      [t('16:59:30'), 'down', 10_000],
      [t('17:00:30'), 'down', 8000],
      [t('17:01:30'), 'up', 200],
      [t('17:30:00'), 'degraded', 4000],
      [t('18:00:00'), 'up', 50],
    ]);
    await insert('pengaduan-form', [
      [t('17:00:00'), 'up', 20],
      [t('17:45:00'), 'up', 20],
      [t('18:02:00'), 'down', 600_000],
    ]);
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('rolls up every hour since the first result, the current one too, and the WIB days they touch', async () => {
    const report = await housekeeping().runOnce();
    expect(report).toEqual({ hourlyRows: 5, dailyRows: 3, resultsDeleted: 0, hourlyDeleted: 0, failures: 0 });
    // Coverage (2 min cap): 16:58 60 s up, 16:59 30 s up, 16:59:30 60 s down (30 s each side of 17:00),
    // 17:00:30 60 s down, 17:01:30 120 s up (then a gap), 17:30 120 s degraded, 18:00 120 s up.
    const h16 = row(t('16:00:00'), { probes: 3, ok: 2, down: 1, downMs: 30_000, observedMs: 120_000, latencySumMs: 10_200, latencyP95Ms: 10_000 });
    const h17 = row(t('17:00:00'), { probes: 3, ok: 1, down: 1, degraded: 1, downMs: 90_000, degradedMs: 120_000, observedMs: 330_000, latencySumMs: 12_200, latencyP95Ms: 8000 });
    const h18 = row(t('18:00:00'), { probes: 1, ok: 1, observedMs: 120_000, latencySumMs: 50, latencyP95Ms: 50 });
    expect(await hourly('skm-form')).toEqual([h16, h17, h18]);
    // WIB 27 Nov is 26 Nov 17:00 UTC → 27 Nov 17:00 UTC: only the 16:00 UTC hour; the rest is 28 Nov.
    expect(await daily('skm-form')).toEqual([
      { ...h16, bucketStart: iso(t('17:00:00', 26)) },
      row(t('17:00:00'), { probes: 4, ok: 2, down: 1, degraded: 1, downMs: 90_000, degradedMs: 120_000, observedMs: 450_000, latencySumMs: 12_250, latencyP95Ms: 8000 }),
    ]);
    // 18:30 − timeout 10 s − 1 min margin: hours before 18:00 are final.
    expect((await db.stores.rollups.getProgress(ids['skm-form']!))?.rolledUpTo).toEqual(iso(t('18:00:00')));
  });

  it('running again changes nothing, and two runs at once are one run', async () => {
    const before = await snapshot();
    const [first, second] = await Promise.all([housekeeping().runOnce(), housekeeping().runOnce()]);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull(); // separate instances (two processes): each runs, same result
    expect(await snapshot()).toEqual(before);
    const one = housekeeping();
    const [a, b] = await Promise.all([one.runOnce(), one.runOnce()]);
    expect(a).not.toBeNull();
    expect(b).toBeNull(); // already queued: not run twice
    expect(await snapshot()).toEqual(before);
  });

  it('keeps the current hour fresh and completes it when it is over', async () => {
    await insert('skm-form', [[t('18:40:00'), 'up', 70]]);
    await insert('pengaduan-form', [[t('18:50:00'), 'up', 30]]);
    clock = iso(t('18:41:00'));
    await housekeeping().runOnce();
    const partial = row(t('18:00:00'), { probes: 2, ok: 2, observedMs: 180_000, latencySumMs: 120, latencyP95Ms: 70 });
    expect((await hourly('skm-form'))[2]).toEqual(partial); // 18:40 covers one minute so far
    clock = iso(t('19:05:00'));
    await housekeeping().runOnce();
    expect((await hourly('skm-form'))[2]).toEqual({ ...partial, observedMs: 240_000 });
    expect((await db.stores.rollups.getProgress(ids['skm-form']!))?.rolledUpTo).toEqual(iso(t('19:00:00')));
    // a 10-minute timeout keeps 18:00 open until 19:11
    expect((await db.stores.rollups.getProgress(ids['pengaduan-form']!))?.rolledUpTo).toEqual(iso(t('18:00:00')));
  });

  it('recomputes a final hour when a result is written into it late (kept through a database outage)', async () => {
    await insert('skm-form', [[t('18:20:00'), 'down', 500]]);
    clock = iso(t('19:06:00'));
    await housekeeping().runOnce();
    // 18:00 up 120 s, 18:20 down 120 s, 18:40 up 120 s
    const h18 = row(t('18:00:00'), { probes: 3, ok: 2, down: 1, downMs: 120_000, observedMs: 360_000, latencySumMs: 620, latencyP95Ms: 500 });
    expect((await hourly('skm-form'))[2]).toEqual(h18);
    expect((await daily('skm-form'))[1]).toMatchObject({ probes: 6, down: 2, downMs: 210_000, observedMs: 690_000 });
    expect((await db.stores.rollups.getProgress(ids['skm-form']!))?.rolledUpTo).toEqual(iso(t('19:00:00')));
  });

  it('prunes only rolled-up raw results past retention, in batches, and keeps the rollups', async () => {
    const before = await snapshot();
    const deletes = vi.spyOn(db.stores.rollups, 'deleteResultsBefore');
    const report = await housekeeping({ rawMs: HOUR, hourlyMs: 2 * DAY }).runOnce();
    // SKM: before 18:06 (19:06 − 1 h): 7 results, 3 a statement. Pengaduan: its hour 18:00 is not
    // final, so only results before 17:40 (18:00 − 2 × 10 min) may go — 18:02 stays though older.
    expect(deletes.mock.calls.map(([, , limit]) => limit)).toEqual([3, 3, 3, 3]);
    expect(await Promise.all(deletes.mock.results.map((r) => r.value))).toEqual([3, 3, 1, 1]);
    deletes.mockRestore();
    expect(report).toMatchObject({ resultsDeleted: 8, hourlyDeleted: 0, failures: 0 });
    expect(await raw('skm-form')).toEqual([t('18:20:00.000'), t('18:40:00.000')]);
    expect(await raw('pengaduan-form')).toEqual([t('17:45:00.000'), t('18:02:00.000'), t('18:50:00.000')]);
    expect(await snapshot()).toEqual(before);
  });

  it('prunes hourly rows past their retention and keeps the days built from them', async () => {
    clock = iso(t('19:05:00', 29));
    await housekeeping({ rawMs: HOUR, hourlyMs: 3 * DAY }).runOnce(); // completes Pengaduan's 19 h
    const days = [await daily('skm-form'), await daily('pengaduan-form')];
    const report = await housekeeping({ rawMs: HOUR, hourlyMs: DAY }).runOnce();
    // every hourly row: SKM 16-18 h, Pengaduan 17-19 h (18:50 covers 20 minutes, into 19 h)
    expect(report).toMatchObject({ hourlyDeleted: 6, failures: 0 });
    expect([await hourly('skm-form'), await hourly('pengaduan-form')]).toEqual([[], []]);
    expect([await daily('skm-form'), await daily('pengaduan-form')]).toEqual(days);
    expect([await raw('skm-form'), await raw('pengaduan-form')]).toEqual([[], []]);
  });

  it('a check that fails is logged and the others still roll up; a dead database never throws', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    await insert('skm-form', [[t('19:10:00', 29), 'up', 5]]);
    await insert('pengaduan-form', [[t('19:10:00', 29), 'up', 5]]);
    clock = iso(t('19:15:00', 29));
    const samples = vi.spyOn(db.stores.rollups, 'listSamples').mockRejectedValueOnce(new Error('disk on fire'));
    const report = await housekeeping(undefined, { logger }).runOnce();
    samples.mockRestore();
    expect(report).toMatchObject({ failures: 1 });
    expect(lines.join('')).toContain('disk on fire');
    const rolled = [await hourly('skm-form'), await hourly('pengaduan-form')].map((rows) => rows.length);
    expect(rolled.sort()).toEqual([0, 1]);

    const dead = openDatabase(testDb.url);
    await dead.close();
    const failing = new Housekeeping({ db: dead, checks, timezone: 'Asia/Jakarta', retention: config.retention, clock: () => clock, logger });
    await expect(failing.runOnce()).resolves.toBeNull();
    expect(lines.join('')).toContain('housekeeping failed');
  });

  it('runs once shortly after start, on the cron schedule after that, and stop waits and unschedules', async () => {
    const tasksBefore = cron.getTasks().size;
    const hk = housekeeping(undefined, { firstRunDelayMs: 0 });
    const reads = vi.spyOn(db.stores.rollups, 'listSamples');
    hk.start();
    expect(cron.getTasks().size).toBe(tasksBefore + 2);
    await vi.waitFor(() => expect(reads).toHaveBeenCalled());
    await hk.stop();
    reads.mockRestore();
    expect(cron.getTasks().size).toBe(tasksBefore);
    await expect(hk.runOnce()).resolves.toBeNull();
  });
});
