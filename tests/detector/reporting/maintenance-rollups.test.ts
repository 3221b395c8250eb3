// Housekeeping counts time inside a maintenance window apart: it goes to maintenanceMs, not to
// observed or down time, for the checks the window covers only. On real SQLite and PostgreSQL.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import { Housekeeping } from '../../../detector/reporting/housekeeping.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const config = parseConfig(
  `
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
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:2/", interval: 60s, timeout: 10s }
`,
  'test.yaml',
  {},
);
const checks = config.services.flatMap((s) => s.checks);
const at = (time: string) => new Date(`2026-11-28T${time}Z`);

describe.each(testDatabaseKinds())('rollups with maintenance windows on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at('00:00:00'));
    const services = await db.stores.checks.listServices();
    for (const check of await db.stores.checks.listChecks()) ids[check.key] = check.id;
    // Saturday 22:00 WIB (15:00 UTC) for 4 hours, for the SKM service only.
    await db.stores.maintenance.insert(
      {
        title: 'Backup',
        serviceId: services.find((s) => s.key === 'skm')!.id,
        checkId: null,
        schedule: { recurrence: 'weekly', weekdays: ['sat'], localStart: '22:00', durationMinutes: 240 },
        createdBy: 'admin',
      },
      at('00:00:00'),
    );
    // Both sites are down every minute from 14:50 to 15:09 UTC.
    for (const key of ['skm-form', 'pengaduan-form']) {
      const results = Array.from({ length: 20 }, (_, i) => at(`14:${String(50 + i).padStart(2, '0')}:00`.replace('14:6', '15:0')));
      await db.stores.checks.insertResults(
        results.map((startedAt) => ({
          checkId: ids[key]!,
          instance: 'test',
          result: { checkKey: key, startedAt, durationMs: 100, status: 'down' as ProbeStatus, failureKind: 'connect', timings: {}, evidence: {} },
        })),
      );
    }
    const housekeeping = new Housekeeping({ db, checks, timezone: 'Asia/Jakarta', retention: config.retention, clock: () => at('16:00:00'), logger: pino({ level: 'silent' }) });
    await housekeeping.runOnce();
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const hours = async (key: string) =>
    (await db.stores.rollups.listHourly(ids[key]!, at('00:00:00'), at('23:00:00'))).map((h) => ({
      start: h.bucketStart.toISOString().slice(11, 16),
      down: h.down,
      downMs: h.downMs,
      observedMs: h.observedMs,
      maintenanceMs: h.maintenanceMs,
    }));

  it('counts the covered time inside the window as maintenance, not as observed or down', async () => {
    expect(await hours('skm-form')).toEqual([
      { start: '14:00', down: 10, downMs: 600_000, observedMs: 600_000, maintenanceMs: 0 },
      // ten results from 15:00, the last one covering two intervals: 11 minutes, all maintenance
      { start: '15:00', down: 10, downMs: 0, observedMs: 0, maintenanceMs: 660_000 },
    ]);
    // The WIB day of 28 November starts at 17:00 UTC the day before.
    const [day] = await db.stores.rollups.listDaily(ids['skm-form']!, new Date('2026-11-27T00:00:00Z'), new Date('2026-11-30T00:00:00Z'));
    expect(day).toMatchObject({ downMs: 600_000, observedMs: 600_000, maintenanceMs: 660_000 });
  });

  it('leaves checks the window does not cover as they were', async () => {
    expect(await hours('pengaduan-form')).toEqual([
      { start: '14:00', down: 10, downMs: 600_000, observedMs: 600_000, maintenanceMs: 0 },
      { start: '15:00', down: 10, downMs: 660_000, observedMs: 660_000, maintenanceMs: 0 },
    ]);
  });
});
