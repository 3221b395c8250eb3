// One contract for storage, run on real SQLite and (with TEST_DATABASE_URL) real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ServiceConfig } from '../../../config.js';
import type { NewIncident } from '../../../detector/incidents/incident-types.js';
import { DuplicateError } from '../../../detector/errors.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeResult } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const YAML = `
services:
  - key: skm
    name: SKM
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:1/" }
  - key: pengaduan
    name: Pengaduan
    impact: high
    checks:
      - { key: pengaduan-form, type: http, url: "http://127.0.0.1:2/" }
`;
const services: readonly ServiceConfig[] = parseConfig(YAML, 'test.yaml', {}).services;
const T0 = new Date('2026-11-27T01:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function newIncident(checkId: number | null, serviceId: number, overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    title: 'SKM down',
    description: '',
    serviceId,
    checkId,
    source: checkId ? 'probe' : 'manual',
    category: 'network',
    subcategory: 'connection',
    failureKind: checkId ? 'connect' : null,
    impact: 'medium',
    urgency: 'high',
    priority: 'P2',
    status: 'new',
    escalationLevel: 0,
    assignedGroup: 'service_desk',
    reporter: null,
    detectedAt: T0,
    responseDueAt: at(30),
    resolveDueAt: at(480),
    responseWarnAt: at(22.5),
    resolveWarnAt: at(360),
    evidence: { errorCode: 'ECONNREFUSED' },
    ...overrides,
  };
}

function result(status: ProbeResult['status'], minutes: number): ProbeResult {
  return {
    checkKey: 'skm-form',
    startedAt: at(minutes),
    durationMs: 12.5,
    status,
    failureKind: status === 'up' ? null : 'http_5xx',
    timings: { connect: 1, processing: 10 },
    evidence: status === 'up' ? { statusCode: 200 } : { statusCode: 500, bodyExcerpt: 'Fatal error', headers: { server: 'x' } },
  };
}

describe.each(testDatabaseKinds())('store contract on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let skmId: number;
  let skmServiceId: number;
  let pengaduanId: number;

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(services, T0);
    const checks = await db.stores.checks.listChecks();
    skmId = checks.find((c) => c.key === 'skm-form')!.id;
    skmServiceId = checks.find((c) => c.key === 'skm-form')!.serviceId;
    pengaduanId = checks.find((c) => c.key === 'pengaduan-form')!.id;
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('is ready after migrating, and migrating again changes nothing', async () => {
    await db.migrate();
    await expect(db.checkReady()).resolves.toBeUndefined();
  });

  it('syncs services and checks from the config, deactivating what the config dropped', async () => {
    expect((await db.stores.checks.listServices()).map((s) => s.key)).toEqual(['pengaduan', 'skm']);
    await db.stores.checks.syncConfig([services[0]!], at(1));
    expect((await db.stores.checks.listChecks()).map((c) => c.key)).toEqual(['skm-form']);
    await db.stores.checks.syncConfig(services, at(2));
    const checks = await db.stores.checks.listChecks();
    expect(checks.map((c) => c.key)).toEqual(['pengaduan-form', 'skm-form']);
    expect(checks.find((c) => c.key === 'skm-form')).toMatchObject({ id: skmId, serviceKey: 'skm', state: 'unknown', consecutiveFailures: 0 });
  });

  it("keeps a check's streak state with exact timestamps", async () => {
    await db.stores.checks.updateCheckState(skmId, {
      state: 'down',
      consecutiveFailures: 3,
      consecutiveSuccesses: 0,
      streakStartedAt: at(3),
      lastResultAt: at(5),
      lastStateChangeAt: at(5),
    });
    const check = await db.stores.checks.getCheck('skm-form', { forUpdate: false });
    expect(check).toMatchObject({ state: 'down', consecutiveFailures: 3, streakStartedAt: at(3), lastResultAt: at(5) });
    expect(await db.stores.checks.getCheck('nope')).toBeNull();
  });

  it('stores probe results, keeping evidence only for those that did not pass', async () => {
    await db.stores.checks.insertResults([
      { checkId: skmId, result: result('up', 10), instance: 'a' },
      { checkId: skmId, result: result('down', 11), instance: 'a' },
    ]);
    const rows = await db.stores.checks.listResults('skm-form', at(9), at(12), 10);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ status: 'up', evidence: null, httpStatus: 200, timings: { connect: 1, processing: 10 }, instance: 'a' });
    expect(rows[1]).toMatchObject({ status: 'down', failureKind: 'http_5xx', evidence: { bodyExcerpt: 'Fatal error' }, startedAt: at(11) });
  });

  it('reads the checks of a batch in one go, in key order, without the keys it does not know', async () => {
    const checks = await db.transaction((stores) => stores.checks.getChecksForUpdate(['skm-form', 'nope', 'pengaduan-form', 'skm-form']));
    expect(checks.map((c) => [c.key, c.id])).toEqual([
      ['pengaduan-form', pengaduanId],
      ['skm-form', skmId],
    ]);
    expect(checks[1]).toEqual(await db.stores.checks.getCheck('skm-form'));
    expect(await db.transaction((stores) => stores.checks.getChecksForUpdate([]))).toEqual([]);
  });

  it('stores a large batch of results whole and in order, each with its own values, batch after batch', async () => {
    const minutes = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i / 100);
    for (const [from, count] of [
      [100, 75],
      [200, 75],
      [300, 3],
    ] as const) {
      await db.transaction((stores) =>
        stores.checks.insertResults(minutes(from, count).map((m, i) => ({ checkId: skmId, result: result(i % 7 === 0 ? 'down' : 'up', m), instance: `i${i}` }))),
      );
    }
    const rows = await db.stores.checks.listResults('skm-form', at(100), at(301), 500);
    expect(rows.map((r) => r.startedAt.getTime())).toEqual([...minutes(100, 75), ...minutes(200, 75), ...minutes(300, 3)].map((m) => at(m).getTime()));
    expect(rows.map((r) => r.instance)).toEqual([75, 75, 3].flatMap((count) => Array.from({ length: count }, (_, i) => `i${i}`)));
    expect(rows.filter((r) => r.status === 'down').every((r) => r.evidence?.bodyExcerpt === 'Fatal error')).toBe(true);
    expect(rows.filter((r) => r.status === 'up').every((r) => r.evidence === null)).toBe(true);
  });

  it('numbers incidents INC-YYYY-NNNNN per year without gaps, even when a transaction rolls back', async () => {
    expect(await db.transaction((s) => s.incidents.nextRef(2025))).toBe('INC-2025-00001');
    await expect(
      db.transaction(async (s) => {
        await s.incidents.nextRef(2025);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await db.transaction((s) => s.incidents.nextRef(2025))).toBe('INC-2025-00002');
    expect(await db.transaction((s) => s.incidents.nextRef(2024))).toBe('INC-2024-00001');
  });

  it('refuses a second open incident for the same check in the database itself', async () => {
    const first = await db.stores.incidents.insert('INC-2026-90001', newIncident(pengaduanId, skmServiceId), T0);
    await expect(db.stores.incidents.insert('INC-2026-90002', newIncident(pengaduanId, skmServiceId), T0)).rejects.toBeInstanceOf(DuplicateError);
    // once resolved, the check may have a new open incident
    await db.stores.incidents.update(first.id, { status: 'resolved', resolvedAt: at(60) }, at(60));
    const second = await db.stores.incidents.insert('INC-2026-90003', newIncident(pengaduanId, skmServiceId), at(61));
    expect((await db.stores.incidents.findOpenForCheck(pengaduanId))?.ref).toBe(second.ref);
    // manual incidents have no check and are never limited
    await db.stores.incidents.insert('INC-2026-90004', newIncident(null, skmServiceId), T0);
    await db.stores.incidents.insert('INC-2026-90005', newIncident(null, skmServiceId), T0);
  });

  it('maps every incident field between rows and the domain', async () => {
    const inserted = await db.stores.incidents.insert('INC-2026-91000', newIncident(skmId, skmServiceId, { reporter: { name: 'Budi', contact: '0812' } }), T0);
    expect(inserted).toMatchObject({
      ref: 'INC-2026-91000',
      service: 'skm',
      check: 'skm-form',
      status: 'new',
      flapping: false,
      responseBreached: false,
      detectedAt: T0,
      responseDueAt: at(30),
      acknowledgedAt: null,
      reporter: { name: 'Budi', contact: '0812' },
      evidence: { errorCode: 'ECONNREFUSED' },
      reopenCount: 0,
      relatedRef: null,
    });
    const updated = await db.stores.incidents.update(inserted.id, { serviceRestoredAt: at(20), flapping: true, assignee: 'admin' }, at(20));
    expect(updated).toMatchObject({ serviceRestoredAt: at(20), flapping: true, assignee: 'admin' });
    expect(await db.stores.incidents.findByRef('INC-2026-91000')).toEqual(updated);
    expect(await db.stores.incidents.findByRef('INC-1999-00001')).toBeNull();
  });

  it('appends events in order with their data', async () => {
    const incident = (await db.stores.incidents.findByRef('INC-2026-91000'))!;
    await db.stores.incidents.appendEvent(incident.id, {
      at: T0,
      actor: 'sigap',
      type: 'opened',
      fromStatus: null,
      toStatus: 'new',
      note: null,
      data: { source: 'manual', reporter: null, priority: 'P2' },
    });
    await db.stores.incidents.appendEvent(incident.id, {
      at: at(20),
      actor: 'sigap',
      type: 'restored',
      fromStatus: 'new',
      toStatus: 'new',
      note: 'ok',
      data: { check: 'skm-form', serviceRestoredAt: at(20).toISOString() },
    });
    const events = await db.stores.incidents.listEvents(incident.id);
    expect(events.map((e) => e.type)).toEqual(['opened', 'restored']);
    expect(events[0]).toMatchObject({ at: T0, data: { priority: 'P2' }, fromStatus: null });
  });

  it('keeps the resolution clock’s pauses as intervals of a kind: pending by default, resolved when a reopen records one', async () => {
    const incident = (await db.stores.incidents.findByRef('INC-2026-91000'))!;
    await db.stores.incidents.startPause(incident.id, at(30), 'waiting for the hosting provider');
    await db.stores.incidents.endPause(incident.id, at(45));
    await db.stores.incidents.recordPause(incident.id, { startedAt: at(50), endedAt: at(80), reason: 'resolved', kind: 'resolved' });
    expect((await db.stores.incidents.listPauses(incident.id)).map(({ id: _, ...p }) => p)).toEqual([
      { incidentId: incident.id, startedAt: at(30), endedAt: at(45), reason: 'waiting for the hosting provider', kind: 'pending' },
      { incidentId: incident.id, startedAt: at(50), endedAt: at(80), reason: 'resolved', kind: 'resolved' },
    ]);
  });

  it('lists the queue open first, by priority then due time, across pages', async () => {
    const sid = skmServiceId;
    for (const [n, priority, due] of [
      [1, 'P3', 100],
      [2, 'P1', 50],
      [3, 'P1', 10],
      [4, 'P2', 5],
    ] as const) {
      await db.stores.incidents.insert(`INC-2027-0000${n}`, newIncident(null, sid, { priority, resolveDueAt: at(due), title: `queue ${n}` }), T0);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await db.stores.incidents.list({ q: 'queue', openOnly: true }, 3, cursor);
      seen.push(...page.items.map((i) => i.ref));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['INC-2027-00003', 'INC-2027-00002', 'INC-2027-00004', 'INC-2027-00001']);
    const p1 = await db.stores.incidents.list({ priority: ['P1'], q: 'QUEUE' }, 10, null);
    expect(p1.items.map((i) => i.ref)).toEqual(['INC-2027-00003', 'INC-2027-00002']);
    const all = await db.stores.incidents.list({}, 100, null);
    const resolvedIndex = all.items.findIndex((i) => i.status === 'resolved');
    expect(all.items.slice(resolvedIndex).every((i) => i.status === 'resolved')).toBe(true);
    expect((await db.stores.incidents.list({ minEscalationLevel: 2 }, 10, null)).items).toEqual([]);
  });

  it('keeps users, sessions, tokens and settings', async () => {
    const { accounts } = db.stores;
    expect(await accounts.countUsers()).toBe(0);
    const user = await accounts.createUser({ username: 'siti', displayName: 'Siti', role: 'service_desk', passwordHash: 'h' }, T0);
    expect(user).toMatchObject({ username: 'siti', role: 'service_desk', language: 'id', active: true });
    await expect(accounts.createUser({ username: 'siti', displayName: 'x', role: 'admin', passwordHash: 'h' }, T0)).rejects.toBeInstanceOf(DuplicateError);
    await accounts.createSession({ idHash: 'abc', userId: user.id, csrfToken: 'csrf', expiresAt: at(60), lastSeenAt: T0, ip: '127.0.0.1', userAgent: 'ua' }, T0);
    expect(await accounts.findSession('abc')).toMatchObject({ userId: user.id, csrfToken: 'csrf', expiresAt: at(60) });
    await accounts.deleteSession('abc');
    expect(await accounts.findSession('abc')).toBeNull();
    const token = await accounts.createToken({ name: 'script', tokenHash: 'th', userId: user.id }, T0);
    expect(await accounts.findToken('th')).toMatchObject({ id: token.id, name: 'script', userId: user.id });
    expect(await accounts.putSettingIfAbsent('session_secret', 'one', T0)).toBe('one');
    expect(await accounts.putSettingIfAbsent('session_secret', 'two', T0)).toBe('one');
  });

  it('measures confirmed-down time per check from detection to restoration', async () => {
    const checkId = (await db.stores.checks.getCheck('pengaduan-form'))!.id;
    const downtime = await db.stores.incidents.downtimeByCheck(at(-60), at(120));
    // INC-2026-90001: detected T0, resolved at +60 (no restoration recorded) → 60 min;
    // INC-2026-90003: detected T0, still open → to the end of the window (+120).
    expect(downtime.get(checkId)).toBe(60 * 60_000 + 120 * 60_000);
  });
});
