import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import { CheckCatalog } from '../../../detector/detection/check-catalog.js';
import type { User } from '../../../detector/accounts/account-types.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const services = (yaml: string) => parseConfig(yaml, 'test.yaml', {}).services;
const withSkm = services(`
services:
  - { key: skm, name: SKM, impact: medium, checks: [{ key: skm-form, type: http, url: "http://127.0.0.1:1/" }] }
  - { key: pengaduan, name: Pengaduan, impact: high }
`);
const admin: User = { id: 1, username: 'admin', displayName: 'Admin', role: 'admin', language: 'id', active: true, email: null };

describe.each(testDatabaseKinds())('check catalog on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  const catalogFor = (list: typeof withSkm) => new CheckCatalog({ db, services: list, clock: () => new Date(), logger: pino({ level: 'silent' }) });

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(withSkm, new Date());
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('announces a defined check to its listeners and to another process after a refresh', async () => {
    const here = catalogFor(withSkm);
    const elsewhere = catalogFor(withSkm);
    const seen: string[] = [];
    elsewhere.onChange((change) => seen.push(...change.upserted.map((c) => c.key), ...change.removed.map((k) => `-${k}`)));
    await here.define(admin, 'pengaduan', { key: 'pengaduan-port', type: 'tcp', target: '127.0.0.1:2' });
    expect(here.check('pengaduan-port')).toMatchObject({ serviceKey: 'pengaduan', type: 'tcp', description: '127.0.0.1:2' });
    await elsewhere.refresh();
    await here.setEnabled(admin, 'pengaduan-port', false);
    await elsewhere.refresh();
    expect(seen).toEqual(['pengaduan-port', '-pengaduan-port']);
    expect(elsewhere.all().map((c) => c.key)).toEqual(['skm-form']);
  });

  it("puts a SIGAP_CHECK_ variable's value in a header for probing, keeps the reference stored, and skips the check where the variable is not set", async () => {
    const env = { SIGAP_CHECK_PENGADUAN_KEY: 'kunci-rahasia' };
    const here = new CheckCatalog({ db, services: withSkm, clock: () => new Date(), logger: pino({ level: 'silent' }), env });
    const typed = {
      key: 'pengaduan-api',
      type: 'http',
      url: 'http://127.0.0.1:5/',
      headers: { 'X-Kunci': 'Kunci ${SIGAP_CHECK_PENGADUAN_KEY}', 'X-Literal': '$${SIGAP_CHECK_PENGADUAN_KEY}' },
    };
    await here.define(admin, 'pengaduan', typed);
    const probed = here.check('pengaduan-api')!.target;
    expect(probed.type === 'http' && probed.headers).toEqual({ 'X-Kunci': 'Kunci kunci-rahasia', 'X-Literal': '${SIGAP_CHECK_PENGADUAN_KEY}' });
    const stored = (await db.stores.checks.listDashboardChecks()).find((c) => c.key === 'pengaduan-api')!;
    expect(stored.definition).toEqual(typed);
    // Another process started without the variable: it does not probe the check rather than send an empty header.
    const withoutVariable = catalogFor(withSkm);
    await withoutVariable.refresh();
    expect(withoutVariable.check('pengaduan-api')).toBeUndefined();
    await here.setEnabled(admin, 'pengaduan-api', false);
  });

  it('does not probe a dashboard check whose service left sigap.yaml', async () => {
    const before = catalogFor(withSkm);
    await before.define(admin, 'pengaduan', { key: 'pengaduan-home', type: 'http', url: 'http://127.0.0.1:3/' });
    const withoutPengaduan = catalogFor(withSkm.filter((s) => s.key !== 'pengaduan'));
    await withoutPengaduan.refresh();
    expect(withoutPengaduan.check('pengaduan-home')).toBeUndefined();
  });

  it('lets a check in the file take over a dashboard check of the same key', async () => {
    const fileNow = services(`
services:
  - { key: skm, name: SKM, impact: medium, checks: [{ key: skm-form, type: http, url: "http://127.0.0.1:1/" }] }
  - { key: pengaduan, name: Pengaduan, impact: high, checks: [{ key: pengaduan-home, type: http, url: "http://127.0.0.1:4/" }] }
`);
    await db.stores.checks.syncConfig(fileNow, new Date());
    const catalog = catalogFor(fileNow);
    await catalog.refresh();
    expect(catalog.check('pengaduan-home')).toMatchObject({ description: 'http://127.0.0.1:4/' });
    expect(catalog.isFromFile('pengaduan-home')).toBe(true);
    await expect(catalog.setEnabled(admin, 'pengaduan-home', false)).rejects.toThrow(/sigap.yaml/);
  });
});
