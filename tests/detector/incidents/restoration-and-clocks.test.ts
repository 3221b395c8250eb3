// Restoration that sticks and honest clocks, through the real Detector, ProbeIncidents and
// IncidentCommands on SQLite and PostgreSQL, with an injected clock. Times are minutes after a
// Friday 08:00 WIB; office hours are the default (Mon–Thu 07:30–16:00, Fri 07:30–16:30).
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import type { User } from '../../../detector/accounts/account-types.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import { createIncidentServices, type IncidentServices } from '../../../detector/incidents/incident-services.js';
import type { Incident } from '../../../detector/incidents/incident-types.js';
import { dueTimes } from '../../../detector/sla/due-times.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeResult, ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

const YAML = `
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - { key: skm-home, type: http, url: "http://skm.test/", failureThreshold: 1, successThreshold: 1 }
  - key: arsip
    name: Arsip Digital
    impact: low
    checks:
      - { key: arsip-home, type: http, url: "http://arsip.test/", failureThreshold: 1, successThreshold: 1 }
`;
const config: SigapConfig = parseConfig(YAML, 'test.yaml', {});
const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (minutes: number) => new Date(T0 + minutes * MIN);
const vendor: User = { id: 1, username: 'vendor1', displayName: 'Vendor', role: 'service_desk', language: 'id', active: true, email: null };

function result(checkKey: string, status: ProbeStatus, minutes: number): ProbeResult {
  return {
    checkKey,
    startedAt: at(minutes),
    durationMs: 3,
    status,
    failureKind: status === 'up' ? null : 'connect',
    timings: { connect: 1 },
    evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
  };
}

describe.each(testDatabaseKinds())('restoration and honest clocks on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let clock = at(0);
  let detector: Detector;
  let incidents: IncidentServices;

  async function feed(checkKey: string, steps: Array<[number, ProbeStatus]>) {
    for (const [minutes, status] of steps) {
      clock = at(minutes);
      await detector.handleResult(result(checkKey, status, minutes));
    }
  }
  async function act(minutes: number, ref: string, input: Parameters<IncidentServices['commands']['act']>[2]) {
    clock = at(minutes);
    return (await incidents.commands.act(vendor, ref, input)).incident;
  }
  async function only(checkKey: string): Promise<Incident> {
    const { items } = await db.stores.incidents.list({}, 100, null);
    const mine = items.filter((i) => i.check === checkKey);
    expect(mine).toHaveLength(1);
    return mine[0]!;
  }
  const clockState = (ref: string) => db.transaction(async (s) => (await s.incidents.lockByRef(ref))!);
  const due = (i: Pick<Incident, 'detectedAt' | 'priority'>, pausedMs: number) =>
    dueTimes({ startedAt: i.detectedAt, priority: i.priority, targets: config.policy.targets, calendar: config.calendar, pausedMs, warnAt: config.policy.warnAt });

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at(0));
    incidents = createIncidentServices({ db, checks: fixedCheckLookup(config.services), policy: config.policy, calendar: config.calendar, clock: () => clock });
    detector = new Detector({
      db,
      incidents: incidents.probes,
      flapping: config.policy.flapping,
      checks: fixedCheckLookup(config.services),
      instance: 'test',
      logger: pino({ level: 'silent' }),
    });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('resolved while the probes still fail, reopened, resolved again: the recovery after it is the restoration, and it survives closing', async () => {
    await feed('skm-home', [
      [0, 'up'],
      [1, 'down'],
    ]);
    const opened = await only('skm-home');
    expect(opened).toMatchObject({ priority: 'P2', status: 'new', serviceRestoredAt: null });
    expect(config.policy.targets.P2.clock).toBe('24x7');
    await act(4, opened.ref, { action: 'acknowledge' });

    // The vendor resolves while the site is still down: refused, naming what to send.
    await expect(act(5, opened.ref, { action: 'resolve', resolutionCode: 'vendor_fixed', note: 'server restarted' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('confirmStillFailing'),
      details: [expect.objectContaining({ path: 'confirmStillFailing' })],
    });
    const resolved = await act(5, opened.ref, { action: 'resolve', resolutionCode: 'vendor_fixed', note: 'server restarted', confirmStillFailing: true });
    expect(resolved.status).toBe('resolved');

    // The probes still see it down: Sigap reopens the same incident, the five minutes resolved off the clock.
    await feed('skm-home', [[10, 'down']]);
    const reopened = await clockState(opened.ref);
    expect(reopened).toMatchObject({ status: 'assigned', reopenCount: 1, pausedMs: 5 * MIN, resolveDueAt: due(opened, 5 * MIN).resolveDueAt, responseDueAt: opened.responseDueAt });
    expect((await db.stores.incidents.listPauses(reopened.id)).map((p) => ({ ...p, id: 0 }))).toEqual([
      { id: 0, incidentId: reopened.id, startedAt: at(5), endedAt: at(10), reason: 'resolved', kind: 'resolved' },
    ]);

    // Resolved again (still failing, confirmed), then the site recovers.
    await act(12, opened.ref, { action: 'resolve', resolutionCode: 'vendor_fixed', note: 'disk cleaned', confirmStillFailing: true });
    await feed('skm-home', [[20, 'up']]);
    expect(await only('skm-home')).toMatchObject({ status: 'resolved', serviceRestoredAt: at(20) });

    // Healthy for verifyFor (15 min): the close form offers only "verified by monitoring", and it closes so.
    await feed('skm-home', [
      [30, 'up'],
      [36, 'up'],
    ]);
    clock = at(37);
    const detail = await incidents.queries.get(vendor, opened.ref);
    expect(detail.closure?.verification.state).toBe('verified');
    await expect(act(37, opened.ref, { action: 'close', closureCode: 'monitoring_verified' })).resolves.toMatchObject({
      status: 'closed',
      closureCode: 'monitoring_verified',
      serviceRestoredAt: at(20),
    });
    const events = await db.stores.incidents.listEvents(opened.id);
    expect(events.map((e) => e.type)).toEqual(['opened', 'acknowledge', 'resolve', 'reopened', 'resolve', 'restored', 'close']);
    const [firstResolve, , secondResolve] = events.filter((e) => e.type === 'resolve' || e.type === 'reopened');
    expect(firstResolve!.data).toMatchObject({ stillFailing: { check: 'skm-home', state: 'down', since: at(1).toISOString() } });
    expect(secondResolve!.data).toMatchObject({ stillFailing: { check: 'skm-home', state: 'down' } });
    expect(events.find((e) => e.type === 'restored')!.data).toEqual({ check: 'skm-home', serviceRestoredAt: at(20).toISOString() });
  });

  it('a resolve after the recovery needs no confirmation, and the monitoring closure is refused where it would not be true', async () => {
    await feed('skm-home', [[3000, 'down']]);
    const second = (await db.stores.incidents.list({ openOnly: true }, 10, null)).items.find((i) => i.check === 'skm-home')!;
    await feed('skm-home', [[3001, 'up']]);
    await act(3002, second.ref, { action: 'acknowledge' });
    await expect(act(3002, second.ref, { action: 'resolve', resolutionCode: 'fixed', note: 'ok' })).resolves.toMatchObject({ status: 'resolved', serviceRestoredAt: at(3001) });
    // Not healthy for verifyFor yet: closing waits, whatever the code.
    await expect(act(3003, second.ref, { action: 'close', closureCode: 'monitoring_verified' })).rejects.toMatchObject({ code: 'not_verified' });
    const logged = await incidents.commands.logManual(vendor, {
      service: 'skm',
      title: 'Form pengaduan tidak terkirim',
      description: 'Dilaporkan lewat telepon',
      impact: 'medium',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Bu Sari', contact: null },
    });
    const ref = logged.incident.ref;
    await act(3004, ref, { action: 'acknowledge' });
    await act(3005, ref, { action: 'resolve', resolutionCode: 'fixed', note: 'fixed' });
    await expect(act(3006, ref, { action: 'close', closureCode: 'monitoring_verified' })).rejects.toMatchObject({
      code: 'validation_failed',
      details: [expect.objectContaining({ path: 'closureCode', message: expect.stringContaining('Bu Sari') })],
    });
  });

  it('a person’s reopen after the weekend on a business clock takes only the office hours spent resolved; a reprioritize to 24x7 measures them again', async () => {
    await feed('arsip-home', [
      [60, 'up'],
      [61, 'down'],
      [62, 'up'],
    ]);
    const incident = await only('arsip-home');
    expect(incident.priority).toBe('P3');
    expect(config.policy.targets.P3.clock).toBe('business');
    await act(90, incident.ref, { action: 'acknowledge' });
    await act(90, incident.ref, { action: 'resolve', resolutionCode: 'restarted', note: 'restarted' });

    // Resolved Friday 09:30, reopened Monday 08:30: Friday 09:30–16:30 and Monday 07:30–08:30 count.
    const monday0830 = 3 * 24 * 60 + 30;
    const reopened = await act(monday0830, incident.ref, { action: 'reopen', reason: 'the archive search fails again' });
    expect(reopened).toMatchObject({ status: 'assigned', resolveDueAt: due(incident, 8 * HOUR).resolveDueAt, responseDueAt: incident.responseDueAt });
    expect((await clockState(incident.ref)).pausedMs).toBe(8 * HOUR);
    const reopenEvent = (await db.stores.incidents.listEvents(incident.id)).at(-1)!;
    expect(reopenEvent).toMatchObject({
      type: 'reopen',
      data: { changes: { pausedMs: { from: 0, to: 8 * HOUR }, resolveDueAt: { to: due(incident, 8 * HOUR).resolveDueAt.toISOString() } } },
    });

    // Raised to P2 (24x7): the same spell is 71 hours on that clock, both due times from detection.
    const raised = await act(monday0830 + 30, incident.ref, { action: 'reprioritize', impact: 'medium', reason: 'the regent needs the archive' });
    const p2 = { detectedAt: incident.detectedAt, priority: 'P2' as const };
    expect(raised).toMatchObject({ priority: 'P2', responseDueAt: due(p2, 0).responseDueAt, resolveDueAt: due(p2, 71 * HOUR).resolveDueAt });
    expect((await clockState(incident.ref)).pausedMs).toBe(71 * HOUR);
    // And back to P3: office hours again.
    await act(monday0830 + 40, incident.ref, { action: 'reprioritize', impact: 'low', reason: 'back to normal' });
    expect((await clockState(incident.ref)).pausedMs).toBe(8 * HOUR);
  });
});
