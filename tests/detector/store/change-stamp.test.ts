// The change stamp the live pages poll: it moves with every kind of write that changes what the
// queue or an incident page shows, whichever connection (process) made it, and holds otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config.js';
import type { NewIncident } from '../../../detector/incidents/incident-types.js';
import type { NotificationPayload } from '../../../detector/notify/notification-types.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const T0 = new Date('2026-12-03T01:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const manual = (serviceId: number, title: string): NewIncident => ({
  title,
  description: '',
  serviceId,
  checkId: null,
  source: 'manual',
  category: 'application',
  subcategory: 'form-submission',
  failureKind: null,
  impact: 'medium',
  urgency: 'medium',
  priority: 'P3',
  status: 'new',
  escalationLevel: 0,
  assignedGroup: 'service_desk',
  reporter: null,
  detectedAt: T0,
  responseDueAt: at(60),
  resolveDueAt: at(960),
  responseWarnAt: at(45),
  resolveWarnAt: at(720),
  evidence: null,
});

describe.each(testDatabaseKinds())('the live pages’ change stamp on $name', (kind) => {
  let testDb: TestDatabase;
  // Two connections to one database: what one writes, the other's stamp shows.
  let writer: Database;
  let reader: Database;
  let serviceId: number;

  beforeAll(async () => {
    testDb = await kind.create();
    writer = openDatabase(testDb.url);
    await writer.migrate();
    reader = openDatabase(testDb.url);
    await writer.stores.checks.syncConfig(parseConfig('services: [{ key: skm, name: SKM, impact: medium }]\n', 'test.yaml', {}).services, T0);
    serviceId = (await writer.stores.checks.listServices())[0]!.id;
  });

  afterAll(async () => {
    await reader?.close();
    await writer?.close();
    await testDb?.drop();
  });

  it('moves when an incident is opened, changed or gets an event, and holds while nothing is written', async () => {
    const stamps = [await reader.stores.incidents.changeStamp(null)];
    expect(await reader.stores.incidents.changeStamp(null)).toBe(stamps[0]);

    const incident = await writer.stores.incidents.insert('INC-2026-00001', manual(serviceId, 'Formulir SKM error'), at(1));
    stamps.push(await reader.stores.incidents.changeStamp(null));
    await writer.stores.incidents.update(incident.id, { assignee: 'siti' }, at(2));
    stamps.push(await reader.stores.incidents.changeStamp(null));
    await writer.stores.incidents.appendEvent(incident.id, { at: at(2), actor: 'siti', type: 'note', fromStatus: 'new', toStatus: 'new', note: 'dicek', data: { changes: {} } });
    stamps.push(await reader.stores.incidents.changeStamp(null));

    expect(new Set(stamps).size).toBe(stamps.length);
    expect(await reader.stores.incidents.changeStamp(null)).toBe(stamps.at(-1));
  });

  it("moves for an incident when one of its notifications is queued, tried or sent, and not for another incident's", async () => {
    const mine = await writer.stores.incidents.insert('INC-2026-00002', manual(serviceId, 'Jaringan putus'), at(3));
    const other = await writer.stores.incidents.insert('INC-2026-00003', manual(serviceId, 'Printer macet'), at(3));
    const event = await writer.stores.incidents.appendEvent(mine.id, {
      at: at(3),
      actor: 'sigap',
      type: 'note',
      fromStatus: 'new',
      toStatus: 'new',
      note: 'x',
      data: { changes: {} },
    });
    const stamp = () => reader.stores.incidents.changeStamp(mine.id);
    const otherStamp = () => reader.stores.incidents.changeStamp(other.id);

    const before = [await stamp(), await otherStamp()];
    // The store keeps the payload as JSON and never reads it for the stamp.
    const payload = { event: 'opened' } as unknown as NotificationPayload;
    await writer.stores.notifications.insert(
      [{ incidentId: mine.id, eventId: event.id, event: 'opened', channelKey: 'ops', recipient: null, idempotencyKey: 'live-1', payload }],
      at(3),
    );
    const queued = await stamp();
    const [row] = await writer.stores.notifications.listDue(at(4), 10);
    expect(await writer.stores.notifications.claim(row!.id, 'w1', at(4), at(5))).toBe(true);
    await writer.stores.notifications.markFailed(row!.id, 'w1', { attempts: 1, error: 'timeout', nextAttemptAt: at(5), permanent: false });
    const tried = await stamp();
    expect(await writer.stores.notifications.claim(row!.id, 'w1', at(6), at(7))).toBe(true);
    await writer.stores.notifications.markSent(row!.id, 'w1', 2, at(6));
    const sent = await stamp();

    expect(new Set([before[0], queued, tried, sent]).size).toBe(4);
    expect(await otherStamp()).toBe(before[1]);
  });
});
