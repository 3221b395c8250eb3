// The notification outbox on real SQLite and PostgreSQL with an injected clock and a real local
// webhook receiver: rows are written with the event that causes them (and vanish with it), a
// receiver that fails twice still gets each message once, a restart delivers what was left, two
// processes deliver once, reminders stop on acknowledgement, and the restored message follows
// every opened one even after the routes changed.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type NotificationsConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import type { User } from '../../../detector/accounts/account-types.js';
import type { ManualIncidentInput } from '../../../detector/incidents/incident-commands.js';
import { createIncidentServices, type IncidentServices } from '../../../detector/incidents/incident-services.js';
import { createChannel } from '../../../detector/notify/channels/index.js';
import { backoffMs, NotificationDispatcher } from '../../../detector/notify/dispatcher.js';
import { NotificationService } from '../../../detector/notify/notification-service.js';
import type { Channel } from '../../../detector/notify/notification-types.js';
import { NotificationPlanner } from '../../../detector/notify/planner.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';
import { OUTAGE_REPORT } from '../../helpers/incident-api.js';

const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const SEC = 1000;
const MIN = 60 * SEC;
const at = (ms: number) => new Date(T0 + ms);
const silent = pino({ level: 'silent' });
const desk: User = { id: 1, username: 'desk1', displayName: 'Desk', role: 'service_desk', language: 'id', active: true, email: null };

/** A webhook receiver on 127.0.0.1 that accepts, or fails the next `failNext` requests with 500. */
class Receiver {
  readonly requests: Array<{ key: string; body: { sigap: { event: string; incident: { ref: string } }; status: string } }> = [];
  failNext = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          res.writeHead(500).end('try later');
          return;
        }
        this.requests.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(text) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hook`;
  }

  /** Accepted deliveries, by idempotency key. */
  accepted(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.requests) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
    return counts;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const yaml = (hookUrl: string, otherHookUrl: string, routes: string) => `
timezone: Asia/Jakarta
notifications:
  baseUrl: https://sigap.dpmptsp.example
  channels:
    - { key: desk-hook, type: webhook, url: "${hookUrl}", timeout: 2s }
    - { key: it-hook, type: webhook, url: "${otherHookUrl}", timeout: 2s }
  routes:
${routes}
  reminders: { P1: 30m }
services:
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:9/", failureThreshold: 1, successThreshold: 1 }
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: low
`;

describe.each(testDatabaseKinds())('the notification outbox on $name', (kind) => {
  const hook = new Receiver();
  const other = new Receiver();
  let testDb: TestDatabase;
  let db: Database;
  let config: SigapConfig;
  let now = at(0);
  let incidents: IncidentServices;
  let planner: NotificationPlanner;
  const extra: Database[] = [];

  const clock = () => now;
  /** Route every notification of the process through this planner (as main.ts does at start). */
  function plan(notifications: NotificationsConfig) {
    planner = new NotificationPlanner({ config: notifications, timezone: config.timezone, checks: fixedCheckLookup(config.services) });
  }
  function dispatcherOn(database: Database, owner: string, notifications = config.notifications) {
    const channels = new Map<string, Channel>(notifications.channels.map((c) => [c.key, createChannel(c, null)]));
    return new NotificationDispatcher({ db: database, channels, people: null, retry: notifications.retry, owner, clock, logger: silent });
  }
  /** Another Sigap process on the same database. */
  function anotherDatabase(): Database {
    const database = openDatabase(testDb.url);
    extra.push(database);
    return database;
  }
  const outboxOf = async (ref: string) => {
    const incident = (await db.stores.incidents.findByRef(ref))!;
    return db.stores.notifications.listForIncident(incident.id);
  };
  async function logAt(ms: number, input: Partial<ManualIncidentInput> = {}) {
    now = at(ms);
    return (await incidents.commands.logManual(desk, { ...OUTAGE_REPORT, ...input })).incident.ref;
  }

  beforeAll(async () => {
    await hook.start();
    await other.start();
    config = parseConfig(
      yaml(
        hook.url,
        other.url,
        `    - { events: [opened, breached, restored, reminder], priorities: [P1, P2], notify: [desk-hook] }\n    - { events: [resolved, closed], notify: [it-hook] }`,
      ),
      'sigap.yaml',
      {},
    );
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at(0));
    plan(config.notifications);
    incidents = createIncidentServices({
      db,
      checks: fixedCheckLookup(config.services),
      policy: config.policy,
      calendar: config.calendar,
      clock,
      reminders: config.notifications.reminders,
      onEvent: (stores, incident, event) => planner.plan(stores, incident, event),
    });
  });
  // Each test starts with an empty queue: what earlier tests left due is delivered first.
  beforeEach(async () => {
    hook.failNext = 0;
    const drain = dispatcherOn(db, 'drain');
    while ((await drain.tick()).sent > 0);
    hook.requests.length = 0;
    other.requests.length = 0;
  });
  afterAll(async () => {
    for (const database of extra) await database.close();
    await db?.close();
    await testDb?.drop();
    await hook.stop();
    await other.stop();
  });

  it('writes one row per recipient with the event that causes it, routed by event and priority', async () => {
    const p1 = await logAt(0);
    const p5 = await logAt(0, { service: 'skm', impact: 'low', urgency: 'low' });
    const rows = await outboxOf(p1);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ event: 'opened', channelKey: 'desk-hook', recipient: null, status: 'pending', attempts: 0, incidentRef: p1 });
    expect(row!.payload).toMatchObject({
      event: 'opened',
      link: `https://sigap.dpmptsp.example/incidents/${p1}`,
      timezone: 'Asia/Jakarta',
      incident: { ref: p1, serviceName: 'Pengaduan Masyarakat', priority: 'P1', status: 'new' },
      cause: { type: 'opened', actor: 'desk1' },
    });
    // A P5 matches no route: nothing is queued.
    expect(await outboxOf(p5)).toEqual([]);
  });

  it('writes nothing when the event’s transaction rolls back', async () => {
    const ref = await logAt(0);
    const before = (await outboxOf(ref)).length;
    const failing = db.transaction(async (stores) => {
      const incident = (await stores.incidents.lockByRef(ref))!;
      await incidents.writer.restore(stores, incident, now, { check: 'pengaduan-form', serviceRestoredAt: now.toISOString() }, 'sigap', now);
      expect((await stores.notifications.listForIncident(incident.id)).length).toBeGreaterThan(before);
      throw new Error('the database refused the rest');
    });
    await expect(failing).rejects.toThrow('refused');
    expect(await outboxOf(ref)).toHaveLength(before);
  });

  it('a receiver that fails twice still gets the message once, with one Idempotency-Key, after capped exponential backoff', async () => {
    const ref = await logAt(0);
    const dispatcher = dispatcherOn(db, 'test-1');
    hook.failNext = 2;
    expect(await dispatcher.tick()).toMatchObject({ sent: 0, failed: 1 });
    let [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('500'), nextAttemptAt: at(10 * SEC) });

    now = at(9 * SEC);
    expect(await dispatcher.tick()).toMatchObject({ sent: 0, failed: 0 });
    now = at(10 * SEC);
    expect(await dispatcher.tick()).toMatchObject({ failed: 1 });
    [row] = await outboxOf(ref);
    // the second failure waits twice as long
    expect(row).toMatchObject({ attempts: 2, nextAttemptAt: at(30 * SEC) });

    now = at(30 * SEC);
    expect(await dispatcher.tick()).toMatchObject({ sent: 1 });
    [row] = await outboxOf(ref);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null, sentAt: at(30 * SEC) });
    expect([...hook.accepted().values()]).toEqual([1]);
    expect(hook.requests[0]!.key).toBe(row!.idempotencyKey);
    expect(hook.requests[0]!.body).toMatchObject({ status: 'firing', sigap: { event: 'opened', incident: { ref } } });
    expect(backoffMs(20, { initialMs: 10 * SEC, maxMs: 3_600_000 })).toBe(3_600_000);
  });

  it('a restarted process delivers the rows left undelivered', async () => {
    const ref = await logAt(0);
    hook.failNext = 1;
    await dispatcherOn(db, 'before-restart').tick();
    expect((await outboxOf(ref))[0]).toMatchObject({ status: 'pending', attempts: 1 });

    // The process stops; a new one (its own connections) starts later and finds the row.
    const restarted = anotherDatabase();
    now = at(11 * SEC);
    expect(await dispatcherOn(restarted, 'after-restart').tick()).toMatchObject({ sent: 1 });
    expect((await outboxOf(ref))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(hook.requests.map((r) => r.body.sigap.incident.ref)).toEqual([ref]);
  });

  it('two processes delivering the same outbox deliver each row once', async () => {
    const refs: string[] = [];
    for (let n = 0; n < 12; n += 1) refs.push(await logAt(2 * MIN));
    const [a, b] = [dispatcherOn(anotherDatabase(), 'worker-a'), dispatcherOn(anotherDatabase(), 'worker-b')];
    // Rows left pending by earlier tests are due too; deliver everything.
    for (let round = 0; round < 4; round += 1) await Promise.all([a.tick(), b.tick()]);
    const delivered = hook.requests.filter((r) => refs.includes(r.body.sigap.incident.ref));
    expect(delivered).toHaveLength(refs.length);
    expect([...hook.accepted().values()].every((n) => n === 1)).toBe(true);
    for (const ref of refs) expect((await outboxOf(ref)).map((r) => r.status)).toEqual(['sent']);
  });

  it('reminds while nobody acknowledges, to where the opened message went, and stops on acknowledgement', async () => {
    const ref = await logAt(10 * MIN);
    now = at(39 * MIN);
    await incidents.sla.sweep();
    expect((await outboxOf(ref)).filter((r) => r.event === 'reminder')).toEqual([]);
    now = at(40 * MIN);
    await incidents.sla.sweep();
    now = at(70 * MIN);
    await incidents.sla.sweep();
    const reminders = (await outboxOf(ref)).filter((r) => r.event === 'reminder');
    expect(reminders.map((r) => [r.channelKey, r.payload.cause.data])).toEqual([
      ['desk-hook', { count: 1, unacknowledgedForMs: 30 * MIN }],
      ['desk-hook', { count: 2, unacknowledgedForMs: 60 * MIN }],
    ]);
    now = at(75 * MIN);
    await incidents.commands.act(desk, ref, { action: 'acknowledge' });
    now = at(5 * 60 * MIN);
    await incidents.sla.sweep();
    expect((await outboxOf(ref)).filter((r) => r.event === 'reminder')).toHaveLength(2);
    const events = (await incidents.queries.get(desk, ref)).events.filter((e) => e.type === 'reminder');
    expect(events.map((e) => e.actor)).toEqual(['sigap', 'sigap']);
  });

  it('the restored and resolved messages follow every channel the opened one went to, even after the routes changed', async () => {
    const detector = new Detector({
      db,
      incidents: incidents.probes,
      flapping: config.policy.flapping,
      checks: fixedCheckLookup(config.services),
      instance: 'test',
      logger: silent,
    });
    const feed = async (ms: number, status: 'up' | 'down') => {
      now = at(ms);
      await detector.handleResult({
        checkKey: 'pengaduan-form',
        startedAt: at(ms),
        durationMs: 2,
        status,
        failureKind: status === 'up' ? null : 'http_5xx',
        timings: {},
        evidence: status === 'up' ? { statusCode: 200 } : { statusCode: 500 },
      });
    };
    await feed(0, 'up');
    await feed(MIN, 'down');
    const { items } = await incidents.queries.list(desk, { openOnly: true }, 100, null);
    const ref = items.find((i) => i.check === 'pengaduan-form')!.ref;
    expect((await outboxOf(ref)).map((r) => [r.event, r.channelKey])).toEqual([['opened', 'desk-hook']]);

    // The office rewires its routes: restored and resolved now go to it-hook only.
    const rewired = parseConfig(yaml(hook.url, other.url, `    - { events: [restored, resolved], notify: [it-hook] }`), 'sigap.yaml', {});
    plan(rewired.notifications);
    try {
      await feed(2 * MIN, 'up');
      now = at(3 * MIN);
      await incidents.commands.act(desk, ref, { action: 'acknowledge' });
      await incidents.commands.act(desk, ref, { action: 'resolve', resolutionCode: 'restarted', note: 'php-fpm restarted' });
    } finally {
      plan(config.notifications);
    }
    const rows = await outboxOf(ref);
    const channelsOf = (event: string) =>
      rows
        .filter((r) => r.event === event)
        .map((r) => r.channelKey)
        .sort();
    expect(channelsOf('restored')).toEqual(['desk-hook', 'it-hook']);
    expect(channelsOf('resolved')).toEqual(['desk-hook', 'it-hook']);

    await dispatcherOn(db, 'test-restored', rewired.notifications).tick();
    const restored = hook.requests.find((r) => r.body.sigap.event === 'restored' && r.body.sigap.incident.ref === ref);
    expect(restored?.body.status).toBe('resolved');
  });

  it('a row whose channel is gone fails for good, is listed with its error, and a person can send it again', async () => {
    const ref = await logAt(4 * MIN);
    const withoutHook = dispatcherOn(db, 'no-channels', { ...config.notifications, channels: [] });
    await withoutHook.tick();
    const [failed] = await outboxOf(ref);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: 'channel "desk-hook" is not configured any more' });
    const service = new NotificationService({ db, clock });
    expect((await service.undelivered(desk)).map((r) => r.id)).toContain(failed!.id);

    // Nothing retries it by itself, however long one waits.
    now = at(10 * 60 * MIN);
    await dispatcherOn(db, 'later').tick();
    expect((await outboxOf(ref))[0]!.status).toBe('failed');

    expect(await service.retry(desk, failed!.id)).toMatchObject({ status: 'pending', nextAttemptAt: now });
    await dispatcherOn(db, 'after-retry').tick();
    expect((await outboxOf(ref))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    await expect(service.retry(desk, failed!.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(service.retry({ id: 9, username: 'vendor', role: 'vendor' }, failed!.id)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
