// The dispatcher is woken by the commit that wrote outbox rows, so delivery never waits for the
// poll: with the poll set to a minute, a committed incident's message still reaches a real local
// webhook receiver; a rolled-back transaction wakes nothing and sends nothing; on PostgreSQL a
// commit in another process wakes it through LISTEN/NOTIFY, also after its listening connection
// was killed (pg_terminate_backend); and when every wake is lost the poll still delivers.
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import type { User } from '../../../detector/accounts/account-types.js';
import { createIncidentServices, type IncidentServices } from '../../../detector/incidents/incident-services.js';
import { createChannel } from '../../../detector/notify/channels/index.js';
import { NotificationDispatcher } from '../../../detector/notify/dispatcher.js';
import type { Channel } from '../../../detector/notify/notification-types.js';
import { NotificationPlanner } from '../../../detector/notify/planner.js';
import { openDatabase } from '../../../detector/store/database.js';
import { OUTBOX_CHANNEL } from '../../../detector/store/outbox-wake.js';
import type { Database } from '../../../detector/store/store-types.js';
import { startHttpServer, stopAllServers } from '../../helpers/local-servers.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';
import { until, waitFor } from '../../helpers/wait.js';
import { OUTAGE_REPORT } from '../../helpers/incident-api.js';

/** Longer than any test here waits: a delivery seen at all was woken, not polled. */
const POLL_MS = 60_000;
const desk: User = { id: 1, username: 'desk1', displayName: 'Desk', role: 'service_desk', language: 'id', active: true, email: null };
const yaml = (hookUrl: string) => `
notifications:
  channels:
    - { key: desk-hook, type: webhook, url: "${hookUrl}", timeout: 2s }
  routes:
    - { events: [opened], notify: [desk-hook] }
  retry: { initial: 200ms, max: 1s }
services:
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
`;

/** A pino logger whose lines the test reads. */
function capturingLogger(): { logger: pino.Logger; lines: Array<{ msg: string }> } {
  const lines: Array<{ msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe.each(testDatabaseKinds())('the dispatcher woken by commits on $name', (kind) => {
  let testDb: TestDatabase;
  let config: SigapConfig;
  const received: Array<{ key: string; ref: string }> = [];
  /** Requests the receiver answers with 500 before it accepts again. */
  let failNext = 0;
  const opened: Database[] = [];
  const dispatchers: NotificationDispatcher[] = [];

  const database = async (): Promise<Database> => {
    const db = openDatabase(testDb.url);
    opened.push(db);
    await db.migrate();
    return db;
  };
  /** Incident commands of a process on `db`, whose events are planned into the outbox as main.ts does. */
  const servicesOn = (db: Database): IncidentServices => {
    const planner = new NotificationPlanner({ config: config.notifications, timezone: config.timezone, checks: fixedCheckLookup(config.services) });
    return createIncidentServices({
      db,
      checks: fixedCheckLookup(config.services),
      policy: config.policy,
      calendar: config.calendar,
      clock: () => new Date(),
      onEvent: planner.plan,
    });
  };
  const dispatcherOn = (db: Database, owner: string, options: { pollMs?: number; logger?: pino.Logger; batchSize?: number } = {}) => {
    const channels = new Map<string, Channel>(config.notifications.channels.map((c) => [c.key, createChannel(c, null)]));
    const dispatcher = new NotificationDispatcher({
      db,
      channels,
      people: null,
      retry: config.notifications.retry,
      owner,
      clock: () => new Date(),
      logger: options.logger ?? pino({ level: 'silent' }),
      pollMs: options.pollMs ?? POLL_MS,
      batchSize: options.batchSize,
    });
    dispatchers.push(dispatcher);
    dispatcher.start();
    return dispatcher;
  };
  const log = async (services: IncidentServices) => (await services.commands.logManual(desk, OUTAGE_REPORT)).incident.ref;
  const delivered = (ref: string) => until(`the message of ${ref} to reach the receiver`, async () => received.some((r) => r.ref === ref), 15_000);

  beforeAll(async () => {
    const receiver = await startHttpServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        if (failNext > 0) {
          failNext -= 1;
          res.writeHead(500).end('try later');
          return;
        }
        const body = JSON.parse(text) as { sigap: { incident: { ref: string } } };
        received.push({ key: String(req.headers['idempotency-key']), ref: body.sigap.incident.ref });
        res.writeHead(204).end();
      });
    });
    config = parseConfig(yaml(`${receiver.origin}/hook`), 'sigap.yaml', {});
    testDb = await kind.create();
    const db = await database();
    await db.stores.checks.syncConfig(config.services, new Date());
  });
  afterEach(async () => {
    for (const dispatcher of dispatchers.splice(0)) await dispatcher.stop();
    for (const db of opened.splice(1)) await db.close();
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await testDb?.drop();
    await stopAllServers();
  });

  it('delivers a committed incident’s message without waiting for the poll, each once', async () => {
    const db = opened[0]!;
    dispatcherOn(db, 'worker-a');
    const services = servicesOn(db);
    const refs = [await log(services), await log(services), await log(services)];
    for (const ref of refs) await delivered(ref);
    await until('every row to be marked sent', async () => (await db.stores.notifications.backlog()) === 0);
    const keys = received.filter((r) => refs.includes(r.ref)).map((r) => r.key);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
  });

  it('a rolled-back transaction that wrote outbox rows wakes nothing and sends nothing', async () => {
    const db = opened[0]!;
    const services = servicesOn(db);
    const ref = await log(services);
    const [row] = await db.stores.notifications.listForIncident((await db.stores.incidents.findByRef(ref))!.id);
    // A watcher of our own counts the wakes, once it listens (PostgreSQL wakes once on listening).
    let wakes = 0;
    let listening = kind.name !== 'postgres';
    const watch = db.watchOutbox(() => (wakes += 1), { listening: () => (listening = true) });
    try {
      await until('the watcher to listen', async () => listening);
      wakes = 0;
      const failing = db.transaction(async (stores) => {
        await stores.notifications.insert([{ ...row!, eventId: row!.eventId!, idempotencyKey: 'rolled-back-1' }], new Date());
        throw new Error('the database refused the rest');
      });
      await expect(failing).rejects.toThrow('refused');
      // A commit after it: its wakes come after any the rollback could have caused (PostgreSQL
      // delivers notifications in commit order), so counting them shows there were none before.
      dispatcherOn(db, 'worker-a');
      const after = await log(services);
      const perCommit = kind.name === 'postgres' ? 2 : 1; // in-process, and NOTIFY on PostgreSQL
      await until('the later commit’s wakes', async () => wakes >= perCommit);
      expect(wakes).toBe(perCommit);
      await delivered(after);
      expect(received.filter((r) => r.key === 'rolled-back-1')).toEqual([]);
    } finally {
      await watch.close();
    }
  });

  it('rows waiting at the start go at once, a full batch followed by the next without the poll', async () => {
    const db = opened[0]!;
    const services = servicesOn(db);
    const refs: string[] = [];
    for (let n = 0; n < 5; n += 1) refs.push(await log(services));
    dispatcherOn(db, 'worker-a', { batchSize: 2 });
    for (const ref of refs) await delivered(ref);
  });

  it('a failed delivery is tried again at its retry time, not at the poll', async () => {
    const db = opened[0]!;
    dispatcherOn(db, 'worker-a');
    failNext = 1;
    const ref = await log(servicesOn(db));
    await delivered(ref);
    expect(failNext).toBe(0);
    const [row] = await db.stores.notifications.listForIncident((await db.stores.incidents.findByRef(ref))!.id);
    await until('the row to be marked sent', async () => (await db.stores.notifications.get(row!.id))?.status === 'sent');
    expect(await db.stores.notifications.get(row!.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when every wake is lost, the poll still delivers', async () => {
    const db = opened[0]!;
    const deaf: Database = { ...db, watchOutbox: () => ({ close: async () => undefined }) };
    dispatcherOn(deaf, 'worker-deaf', { pollMs: 200 });
    const ref = await log(servicesOn(db));
    await delivered(ref);
  });

  if (kind.name === 'postgres') {
    it('a commit in another process wakes the dispatcher through LISTEN/NOTIFY', async () => {
      dispatcherOn(opened[0]!, 'worker-a');
      // Another process's handle: its commits reach this dispatcher only through the database.
      const ref = await log(servicesOn(await database()));
      await delivered(ref);
    });

    it('a killed listening connection is listened on again, logged, and deliveries continue', async () => {
      const { logger, lines } = capturingLogger();
      dispatcherOn(opened[0]!, 'worker-a', { logger });
      const web = servicesOn(await database());
      await delivered(await log(web));

      const admin = new pg.Client({ connectionString: testDb.url });
      await admin.connect();
      try {
        const killed = await admin.query<{ killed: boolean }>(
          'select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = current_database() and query = $1',
          [`LISTEN ${OUTBOX_CHANNEL}`],
        );
        expect(killed.rows.map((r) => r.killed)).toEqual([true]);
      } finally {
        await admin.end();
      }
      await waitFor('the loss to be logged', async () => lines.find((l) => l.msg.startsWith('stopped listening for committed notifications')));
      await waitFor('listening again', async () => lines.find((l) => l.msg === 'listening for committed notifications again'));
      // Only LISTEN can carry this one (another handle, poll a minute away).
      await delivered(await log(web));
    });
  }
});
