// "If it happened before, the solution comes from the documentation": an incident suggests known
// errors and past incidents with their resolutions — same check and failure kind first, then the
// same category. On SQLite and PostgreSQL.
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import type { NewIncident } from '../../../detector/incidents/incident-types.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const services = parseConfig(
  `
services:
  - { key: skm, name: SKM, impact: medium, checks: [{ key: skm-form, type: http, url: "http://127.0.0.1:1/" }] }
  - { key: pengaduan, name: Pengaduan, impact: high, checks: [{ key: pengaduan-form, type: http, url: "http://127.0.0.1:2/" }] }
`,
  'test.yaml',
  {},
).services;
const T0 = Date.parse('2026-11-02T01:00:00Z');
/** An admin's view: every incident. */
const EVERY_INCIDENT = { minEscalationLevel: 0 };

/** Known errors are put in place directly with SQL, so the suggestions are tested on their own. */
function rawKnex(url: string): Knex {
  return url.startsWith('sqlite:')
    ? knexFactory({ client: 'better-sqlite3', connection: { filename: url.slice(7) }, useNullAsDefault: true })
    : knexFactory({ client: 'pg', connection: url });
}

describe.each(testDatabaseKinds())('suggestions on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let raw: Knex;
  const ids: Record<string, { check: number; service: number }> = {};

  const incident = async (ref: string, checkKey: string, over: Partial<NewIncident>, resolution: string | null) => {
    // every incident here but the one under test is finished, so the one-open-per-check rule holds
    const created = await db.stores.incidents.insert(
      ref,
      {
        title: ref,
        description: '',
        serviceId: ids[checkKey]!.service,
        checkId: ids[checkKey]!.check,
        source: 'probe',
        category: 'network',
        subcategory: 'connection',
        failureKind: 'connect',
        impact: 'medium',
        urgency: 'high',
        priority: 'P2',
        status: 'new',
        escalationLevel: 0,
        assignedGroup: 'service_desk',
        reporter: null,
        detectedAt: new Date(T0),
        responseDueAt: new Date(T0 + 1800_000),
        resolveDueAt: new Date(T0 + 8 * 3600_000),
        responseWarnAt: new Date(T0 + 1350_000),
        resolveWarnAt: new Date(T0 + 6 * 3600_000),
        evidence: null,
        ...over,
      },
      new Date(T0),
    );
    if (resolution) {
      await db.stores.incidents.update(
        created.id,
        { status: 'closed', resolvedAt: new Date(T0 + Number(ref.slice(-2)) * 60_000), resolutionCode: 'fixed', resolutionNotes: resolution },
        new Date(T0),
      );
    }
    return created;
  };

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(services, new Date(T0));
    for (const c of await db.stores.checks.listChecks()) ids[c.key] = { check: c.id, service: c.serviceId };
    raw = rawKnex(testDb.url);
    const known = (title: string, checkKey: string | null, failureKind: string, category: string, subcategory: string, resolution: string) => ({
      title,
      check_id: checkKey ? ids[checkKey]!.check : null,
      failure_kind: failureKind,
      category,
      subcategory,
      resolution,
      created_by: 'admin',
      created_at: T0,
      updated_at: T0,
    });
    // Older, looser matches first, so a store that cut before ranking would lose the close ones.
    await raw('known_errors').insert([
      known('Firewall drops the SKM port after a power cut', null, 'connect', 'network', 'connection', 'Restart the office router'),
      known('Gateway reboots on Sundays', 'pengaduan-form', 'connect', 'network', 'connection', 'Wait ten minutes'),
      known('Provider maintenance', 'pengaduan-form', 'connect', 'network', 'connection', 'Call the provider'),
      known('SKM web server stops after the nightly backup', 'skm-form', 'connect', 'network', 'connection', 'Start nginx: systemctl start nginx'),
      known('Certificate not renewed', 'skm-form', 'tls', 'security', 'certificate', 'Run certbot renew'),
    ]);
    await incident('INC-2026-00001', 'pengaduan-form', {}, 'ISP outage, waited');
    await incident('INC-2026-00002', 'skm-form', {}, 'Restarted the VM');
    await incident('INC-2026-00003', 'skm-form', { failureKind: 'http_5xx', category: 'availability', subcategory: 'server-error' }, 'Cleared the PHP cache');
    await incident('INC-2026-00004', 'skm-form', { status: 'canceled' }, null); // a false alarm: nothing to suggest
  });

  afterAll(async () => {
    await raw?.destroy();
    await db?.close();
    await testDb?.drop();
  });

  it('suggests the same check failing the same way first, then the same category, known errors before past incidents', async () => {
    const current = await incident('INC-2026-00010', 'skm-form', {}, null);
    const suggestions = await db.stores.incidents.suggestionsFor(current, 10, EVERY_INCIDENT);
    expect(suggestions.map((s) => [s.kind, s.match, s.ref ?? s.title, s.resolution])).toEqual([
      ['known_error', 'same_check_and_failure', 'SKM web server stops after the nightly backup', 'Start nginx: systemctl start nginx'],
      ['past_incident', 'same_check_and_failure', 'INC-2026-00002', 'Restarted the VM'],
      ['known_error', 'same_category', 'Provider maintenance', 'Call the provider'],
      ['known_error', 'same_category', 'Gateway reboots on Sundays', 'Wait ten minutes'],
      ['known_error', 'same_category', 'Firewall drops the SKM port after a power cut', 'Restart the office router'],
      ['past_incident', 'same_category', 'INC-2026-00001', 'ISP outage, waited'],
    ]);
  });

  it('suggests by category alone for an incident logged by hand', async () => {
    const manual = await incident(
      'INC-2026-00020',
      'skm-form',
      { checkId: null, source: 'manual', failureKind: null, category: 'security', subcategory: 'certificate', reporter: { name: 'Budi', contact: null } },
      null,
    );
    const suggestions = await db.stores.incidents.suggestionsFor(manual, 10, EVERY_INCIDENT);
    expect(suggestions.map((s) => [s.match, s.title])).toEqual([['same_category', 'Certificate not renewed']]);
  });

  it('keeps the closest matches when there are more than asked for', async () => {
    const current = (await db.stores.incidents.findByRef('INC-2026-00010'))!;
    const two = await db.stores.incidents.suggestionsFor(current, 2, EVERY_INCIDENT);
    expect(two.map((s) => [s.kind, s.match])).toEqual([
      ['known_error', 'same_check_and_failure'],
      ['past_incident', 'same_check_and_failure'],
    ]);
  });
});
