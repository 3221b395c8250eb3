// Escalation (SOP-Insiden-002) and closure (SOP-Insiden-003) on real SQLite and PostgreSQL with an
// injected clock: warnings and breaches from stored due times, automatic escalation, the head of
// division brought in, exactly once across a restart and across two processes; verification
// before closure, auto-close (never P1), reopening and terminal states.
import { dataOf } from '../../helpers/events.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import type { IncidentEvent } from '../../../detector/incidents/incident-events.js';
import type { User } from '../../../detector/accounts/account-types.js';
import type { ActionInput } from '../../../detector/incidents/incident-actions.js';
import type { ManualIncidentInput } from '../../../detector/incidents/incident-commands.js';
import { createIncidentServices, type IncidentServices } from '../../../detector/incidents/incident-services.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

// One failure confirms, one success restores. P1 and P2 run on the 24x7 clock, so minutes are minutes.
const YAML = `
timezone: Asia/Jakarta
policy:
  flapping: { changes: 50 }
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
${['skm-form', 'skm-verify', 'skm-stale', 'skm-auto'].map((key) => `      - { key: ${key}, type: http, url: "http://127.0.0.1:9/${key}", interval: 60s, failureThreshold: 1, successThreshold: 1 }`).join('\n')}
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
`;
const config: SigapConfig = parseConfig(YAML, 'test.yaml', {});
const T0 = Date.parse('2026-11-27T01:00:00.000Z'); // Friday 08:00 WIB
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0 + ms);

const desk: User = { id: 1, username: 'desk1', displayName: 'Service desk', role: 'service_desk', language: 'id', active: true, email: null };
const vendor: User = { id: 2, username: 'vendor1', displayName: 'Vendor', role: 'vendor', language: 'id', active: true, email: null };

const REPORT: ManualIncidentInput = {
  service: 'skm',
  title: 'Formulir SKM tidak bisa dikirim',
  description: 'Pelapor menelepon.',
  impact: 'medium',
  urgency: 'high', // medium × high = P2: respond 30 min, resolve 8 h, 24x7
  category: 'availability',
  subcategory: 'outage',
  reporter: { name: 'Bu Sri', contact: '0812' },
};

describe.each(testDatabaseKinds())('escalation and closure on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let now = at(0);
  let incidents: IncidentServices;
  let detector: Detector;
  const others: Database[] = [];

  const serviceOn = (database: Database) =>
    createIncidentServices({ db: database, checks: fixedCheckLookup(config.services), policy: config.policy, calendar: config.calendar, clock: () => now });
  /** Another Sigap process on the same database, as after a restart: its own connections and service objects. */
  const anotherProcess = () => {
    const database = openDatabase(testDb.url);
    others.push(database);
    return serviceOn(database);
  };
  /**
   * A second sweeper racing this one. On PostgreSQL it has its own connections, so the row locks
   * decide. better-sqlite3 blocks the whole thread while it waits for SQLite's lock, so two
   * connections in one process cannot wait on each other: there the racers share one connection
   * and interleave at every await (real processes on SQLite: tests/integration/sla-processes).
   */
  const racer = () => (kind.name === 'postgres' ? anotherProcess() : serviceOn(db));

  async function logAt(ms: number, input: Partial<ManualIncidentInput> = {}): Promise<string> {
    now = at(ms);
    return (await incidents.commands.logManual(desk, { ...REPORT, ...input })).incident.ref;
  }
  async function act(ms: number, ref: string, ...inputs: ActionInput[]) {
    now = at(ms);
    let detail;
    for (const input of inputs) detail = await incidents.commands.act(desk, ref, input);
    return detail!;
  }
  async function sweepAt(ms: number, service = incidents) {
    now = at(ms);
    return service.sla.sweep();
  }
  const detail = (ref: string) => incidents.queries.get(desk, ref);
  const events = async (ref: string) => (await detail(ref)).events;
  const sigapEvents = async (ref: string) => (await events(ref)).filter((e) => e.actor === 'sigap');
  const ofType = (list: IncidentEvent[], type: string) => list.filter((e) => e.type === type);

  /** A probe result of a check at a time (ms after T0); the detector opens, restores and reopens. */
  async function probe(check: string, ms: number, status: ProbeStatus) {
    now = at(ms);
    await detector.handleResult({
      checkKey: check,
      startedAt: at(ms),
      durationMs: 3,
      status,
      failureKind: status === 'up' ? null : 'connect',
      timings: { connect: 1 },
      evidence: status === 'up' ? { statusCode: 200 } : { errorCode: 'ECONNREFUSED' },
    });
  }
  /** Healthy results every minute from `fromMs` to `toMs`. */
  async function healthy(check: string, fromMs: number, toMs: number) {
    for (let t = fromMs; t <= toMs; t += MIN) await probe(check, t, 'up');
  }
  async function openRefOf(check: string): Promise<string> {
    const { items } = await incidents.queries.list(desk, {}, 200, null);
    return items.filter((i) => i.check === check).sort((a, b) => b.id - a.id)[0]!.ref;
  }

  beforeAll(async () => {
    testDb = await kind.create();
    db = openDatabase(testDb.url);
    await db.migrate();
    await db.stores.checks.syncConfig(config.services, at(0));
    incidents = serviceOn(db);
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
    for (const other of others) await other.close();
    await db?.close();
    await testDb?.drop();
  });

  describe('warnings and breaches', () => {
    it('warns once at three quarters of the response target, and not before', async () => {
      const ref = await logAt(0);
      await sweepAt(22 * MIN);
      expect(await sigapEvents(ref)).toEqual([]);
      expect(await sweepAt(22.5 * MIN)).toMatchObject({ warnings: 1, breaches: 0 });
      await sweepAt(23 * MIN);
      const warnings = ofType(await sigapEvents(ref), 'warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({
        at: at(22.5 * MIN),
        fromStatus: 'new',
        toStatus: 'new',
        data: { target: 'response', warnAt: at(22.5 * MIN).toISOString(), dueAt: at(30 * MIN).toISOString(), leftMs: 7.5 * MIN },
      });
      expect((await detail(ref)).incident).toMatchObject({ status: 'new', responseBreached: false });
    });

    it('at the response due time marks the breach, moves a level-0 incident to system support and brings in the head of division', async () => {
      const ref = await logAt(0);
      await sweepAt(22.5 * MIN);
      const report = await sweepAt(30 * MIN + 1_000);
      expect(report.failures).toEqual([]);
      const { incident } = await detail(ref);
      expect(incident).toMatchObject({
        status: 'escalated',
        escalationLevel: 1,
        assignedGroup: 'support',
        assignee: null,
        responseBreached: true,
        resolutionBreached: false,
        managementEscalated: true,
        // nobody answered: the response is still missing, not stopped by Sigap's escalation
        acknowledgedAt: null,
      });
      const sigap = (await sigapEvents(ref)).map((e) => [e.type, e.fromStatus, e.toStatus, dataOf(e).reason ?? dataOf(e).target]);
      expect(sigap).toEqual([
        ['warning', 'new', 'new', 'response'],
        ['breached', 'new', 'new', 'response'],
        ['escalate', 'new', 'escalated', 'response_breach'],
        ['escalate_management', 'escalated', 'escalated', 'response_breach'],
      ]);
      expect(ofType(await events(ref), 'breached')[0]!.data).toEqual({ target: 'response', dueAt: at(30 * MIN).toISOString(), lateMs: 1_000 });
      expect(ofType(await events(ref), 'escalate')[0]!.data).toMatchObject({
        automatic: true,
        changes: { escalationLevel: { from: 0, to: 1 }, assignedGroup: { from: 'service_desk', to: 'support' } },
      });
    });

    it('a breach that nobody swept is acted on before the next person’s action, and the late acknowledgement still counts', async () => {
      const ref = await logAt(0);
      const after = await act(31 * MIN, ref, { action: 'acknowledge' });
      expect(after.incident).toMatchObject({ status: 'assigned', assignee: 'desk1', escalationLevel: 1, responseBreached: true, acknowledgedAt: at(31 * MIN) });
      expect(after.events.map((e) => `${e.actor}:${e.type}`)).toEqual(['desk1:opened', 'sigap:breached', 'sigap:escalate', 'sigap:escalate_management', 'desk1:acknowledge']);
      await sweepAt(32 * MIN);
      expect(ofType(await events(ref), 'breached')).toHaveLength(1);
    });

    it('the resolution target warns and breaches while the incident is worked; an incident already at level 1 stays there', async () => {
      const atLevel0 = await logAt(0);
      await act(5 * MIN, atLevel0, { action: 'acknowledge' });
      const atLevel1 = await logAt(0);
      await act(5 * MIN, atLevel1, { action: 'escalate', level: 1, note: 'database host' });

      await sweepAt(6 * HOUR);
      for (const ref of [atLevel0, atLevel1]) expect((await sigapEvents(ref)).map((e) => [e.type, dataOf(e).target])).toEqual([['warning', 'resolution']]);
      await sweepAt(8 * HOUR);

      expect((await detail(atLevel0)).incident).toMatchObject({
        status: 'escalated',
        escalationLevel: 1,
        assignee: null,
        resolutionBreached: true,
        responseBreached: false,
        managementEscalated: true,
      });
      expect((await sigapEvents(atLevel0)).map((e) => e.type)).toEqual(['warning', 'breached', 'escalate', 'escalate_management']);
      expect((await detail(atLevel1)).incident).toMatchObject({ status: 'escalated', escalationLevel: 1, resolutionBreached: true, managementEscalated: true });
      expect((await sigapEvents(atLevel1)).map((e) => e.type)).toEqual(['warning', 'breached', 'escalate_management']);
    });

    it('pending pauses the resolution target: no breach while paused, and the due time moves by the pause', async () => {
      const ref = await logAt(0);
      await act(5 * MIN, ref, { action: 'acknowledge' }, { action: 'pending', reason: 'waiting for the hosting provider' });
      await sweepAt(9 * HOUR);
      expect(await sigapEvents(ref)).toEqual([]);
      const resumed = await act(10 * HOUR, ref, { action: 'resume' });
      // paused from 0:05 to 10:00: due 8:00 + 9:55
      expect(resumed.incident).toMatchObject({ status: 'assigned', resolveDueAt: at(8 * HOUR + 9 * HOUR + 55 * MIN), resolutionBreached: false });
      await sweepAt(17 * HOUR + 54 * MIN);
      expect(ofType(await sigapEvents(ref), 'breached')).toEqual([]);
      await sweepAt(17 * HOUR + 55 * MIN);
      expect(ofType(await sigapEvents(ref), 'breached').map((e) => e.data)).toEqual([{ target: 'resolution', dueAt: at(17 * HOUR + 55 * MIN).toISOString(), lateMs: 0 }]);
    });

    it('a resolved incident breaches nothing, however late it is', async () => {
      const ref = await logAt(0);
      await act(5 * MIN, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'cache cleared' });
      await sweepAt(2 * DAY - MIN);
      expect((await detail(ref)).incident).toMatchObject({ status: 'resolved', resolutionBreached: false });
      expect(await sigapEvents(ref)).toEqual([]);
    });

    it('raising the priority re-arms a warning that the new target has not reached yet; the old breach stays recorded', async () => {
      const ref = await logAt(0, { urgency: 'low' }); // P4: respond 8 business hours
      await act(MIN, ref, { action: 'acknowledge' });
      await act(2 * MIN, ref, { action: 'reprioritize', urgency: 'high', reason: 'the regent’s office complained' });
      // P2 now: resolve 8 h from detection, warning at 6 h
      await sweepAt(6 * HOUR - MIN);
      expect(ofType(await sigapEvents(ref), 'warning')).toEqual([]);
      await sweepAt(6 * HOUR);
      expect(ofType(await sigapEvents(ref), 'warning').map((e) => dataOf(e).target)).toEqual(['resolution']);
    });
  });

  describe('exactly once', () => {
    it('a restarted process finds the breach already acted on and acts again on nothing', async () => {
      const ref = await logAt(0);
      await sweepAt(31 * MIN);
      const restarted = anotherProcess();
      await sweepAt(32 * MIN, restarted);
      await sweepAt(2 * HOUR, restarted);
      expect((await sigapEvents(ref)).map((e) => e.type)).toEqual(['breached', 'escalate', 'escalate_management']);
    });

    it('a process that was down across the due time acts on it when it starts again', async () => {
      const ref = await logAt(0);
      // nothing swept for an hour (Sigap was stopped); the first sweep after start acts
      const restarted = anotherProcess();
      await sweepAt(HOUR, restarted);
      const [breach] = ofType(await events(ref), 'breached');
      expect(breach!.data).toMatchObject({ target: 'response', lateMs: 30 * MIN });
      // the warning would come after the breach: it is not sent at all
      expect(ofType(await events(ref), 'warning')).toHaveLength(0);
    });

    it('two processes sweeping the same breaches at once act on each exactly once', async () => {
      const refs = [];
      for (let n = 0; n < 8; n += 1) refs.push(await logAt(0));
      const [a, b] = [racer(), racer()];
      now = at(31 * MIN);
      const reports = await Promise.all([a.sla.sweep(), b.sla.sweep(), a.sla.sweep(), b.sla.sweep()]);
      expect(reports.flatMap((r) => r.failures)).toEqual([]);
      for (const ref of refs) {
        const list = await events(ref);
        expect(ofType(list, 'breached'), ref).toHaveLength(1);
        expect(ofType(list, 'escalate'), ref).toHaveLength(1);
        expect(ofType(list, 'escalate_management'), ref).toHaveLength(1);
      }
    });
  });

  describe('hierarchical escalation', () => {
    it('a P1 brings in the head of division when it is logged', async () => {
      const ref = await logAt(0, { service: 'pengaduan', impact: 'high' });
      const { incident, events: list } = await detail(ref);
      expect(incident).toMatchObject({ priority: 'P1', managementEscalated: true, status: 'new' });
      expect(list.map((e) => [e.actor, e.type, dataOf(e).reason ?? null])).toEqual([
        ['desk1', 'opened', null],
        ['sigap', 'escalate_management', 'priority_P1'],
      ]);
    });

    it('raising an incident to P1 brings in the head of division once', async () => {
      const ref = await logAt(0);
      await act(MIN, ref, { action: 'reprioritize', impact: 'high', reason: 'every district office affected' });
      await act(2 * MIN, ref, { action: 'reprioritize', urgency: 'medium', reason: 'workaround found' });
      await act(3 * MIN, ref, { action: 'reprioritize', urgency: 'high', reason: 'workaround failed' });
      const list = ofType(await events(ref), 'escalate_management');
      expect(list.map((e) => e.data)).toEqual([{ reason: 'priority_P1' }]);
    });

    it('the service desk may bring in the head of division on request, with a note; a vendor may not', async () => {
      const ref = await logAt(0);
      const after = await act(MIN, ref, { action: 'escalate_management', note: 'the regent asked for a briefing' });
      expect(after.incident).toMatchObject({ status: 'new', managementEscalated: true, escalationLevel: 0 });
      expect(after.events.at(-1)).toMatchObject({ actor: 'desk1', type: 'escalate_management', note: 'the regent asked for a briefing', data: { reason: 'request' } });
      await act(2 * MIN, ref, { action: 'escalate', level: 2, note: 'vendor' });
      await expect(incidents.commands.act(vendor, ref, { action: 'escalate_management', note: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
    });
  });

  describe('closure', () => {
    it('a resolved probe incident may close only after its check has been healthy for verifyFor; the 409 says how long remains', async () => {
      await probe('skm-verify', 0, 'down');
      const ref = await openRefOf('skm-verify');
      await healthy('skm-verify', 5 * MIN, 6 * MIN);
      await act(6 * MIN, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'restarted', note: 'php-fpm restarted' });
      expect((await detail(ref)).incident).toMatchObject({ serviceRestoredAt: at(5 * MIN), resolvedAt: at(6 * MIN) });

      now = at(10 * MIN);
      const refused = incidents.commands.act(desk, ref, { action: 'close', closureCode: 'confirmed' });
      await expect(refused).rejects.toMatchObject({ code: 'not_verified', message: expect.stringContaining('10 min remain') });
      expect((await detail(ref)).closure?.verification).toMatchObject({ state: 'waiting', reason: 'no_recent_results' });

      await healthy('skm-verify', 7 * MIN, 19 * MIN);
      now = at(19 * MIN);
      await expect(incidents.commands.act(desk, ref, { action: 'close', closureCode: 'confirmed' })).rejects.toMatchObject({
        code: 'not_verified',
        message: expect.stringContaining('1 min remain'),
      });
      expect((await detail(ref)).closure).toMatchObject({
        verification: { state: 'waiting', reason: 'healthy_too_briefly', healthyForMs: 14 * MIN, remainingMs: MIN },
        checklist: [
          { item: 'resolution_documented', done: true },
          { item: 'service_verified', done: false },
          { item: 'reporter_informed', done: null },
        ],
      });

      await healthy('skm-verify', 20 * MIN, 20 * MIN);
      const closed = await act(20 * MIN, ref, { action: 'close', closureCode: 'confirmed', note: 'verified by probes' });
      expect(closed.incident).toMatchObject({ status: 'closed', closureCode: 'confirmed', closedAt: at(20 * MIN) });
      expect(closed.events.at(-1)!.data).toMatchObject({ verification: { state: 'verified', healthyForMs: 15 * MIN } });
      expect(closed.closure?.checklist.find((c) => c.item === 'service_verified')).toEqual({ item: 'service_verified', done: true });
    });

    it('probe results that stopped coming verify nothing', async () => {
      await probe('skm-stale', 0, 'down');
      const ref = await openRefOf('skm-stale');
      await healthy('skm-stale', MIN, 30 * MIN);
      await act(30 * MIN, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'n' });
      now = at(40 * MIN);
      await expect(incidents.commands.act(desk, ref, { action: 'close', closureCode: 'confirmed' })).rejects.toMatchObject({
        code: 'not_verified',
        message: expect.stringContaining('no recent probe results'),
      });
    });

    it('a manual incident closes on the reporter’s confirmation, or unconfirmed when the reporter cannot be reached; auto_closed is Sigap’s own', async () => {
      const confirmed = await logAt(0);
      await act(MIN, confirmed, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'workaround', note: 'form moved to the backup host' });
      const before = await detail(confirmed);
      expect(before.closure).toMatchObject({
        verification: { state: 'not_required' },
        checklist: [
          { item: 'resolution_documented', done: true },
          { item: 'service_verified', done: true },
          { item: 'reporter_informed', done: false },
        ],
        autoCloseAt: at(MIN + 3 * DAY),
      });
      await expect(incidents.commands.act(desk, confirmed, { action: 'close', closureCode: 'auto_closed' })).rejects.toMatchObject({
        code: 'validation_failed',
        details: [expect.objectContaining({ path: 'closureCode' })],
      });
      const closedConfirmed = await act(2 * MIN, confirmed, { action: 'close', closureCode: 'confirmed', note: 'Bu Sri confirmed by phone' });
      expect(closedConfirmed.incident).toMatchObject({ status: 'closed', closureCode: 'confirmed' });
      // The desk spoke with the reporter: informed.
      expect(closedConfirmed.closure?.checklist.find((c) => c.item === 'reporter_informed')).toEqual({ item: 'reporter_informed', done: true });

      const unreachable = await logAt(0);
      await act(MIN, unreachable, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'n' });
      const closed = await act(HOUR, unreachable, { action: 'close', closureCode: 'unconfirmed', note: 'no answer after three calls' });
      expect(closed.incident).toMatchObject({ status: 'closed', closureCode: 'unconfirmed' });
      // Nobody reached the reporter and no message was delivered: not informed, though closed.
      expect(closed.closure?.checklist.find((c) => c.item === 'reporter_informed')).toEqual({ item: 'reporter_informed', done: false });
    });

    it('auto-closes a resolved incident after autoCloseAfter, once, with Sigap’s event — never a P1', async () => {
      const p2 = await logAt(0);
      await act(MIN, p2, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'n' });
      const p1 = await logAt(0, { service: 'pengaduan', impact: 'high' });
      await act(MIN, p1, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'n' });

      await sweepAt(MIN + 3 * DAY - 1_000);
      expect((await detail(p2)).incident.status).toBe('resolved');

      const [a, b] = [racer(), racer()];
      now = at(MIN + 3 * DAY);
      const reports = await Promise.all([a.sla.sweep(), b.sla.sweep()]);
      expect(reports.flatMap((r) => r.failures)).toEqual([]);
      const closed = await detail(p2);
      expect(closed.incident).toMatchObject({ status: 'closed', closureCode: 'auto_closed', closedAt: at(MIN + 3 * DAY) });
      const closes = ofType(closed.events, 'close');
      expect(closes).toHaveLength(1);
      expect(closes[0]).toMatchObject({ actor: 'sigap', fromStatus: 'resolved', toStatus: 'closed', data: { automatic: true } });

      await sweepAt(60 * DAY);
      expect((await detail(p1)).incident).toMatchObject({ status: 'resolved', priority: 'P1' });
      expect((await detail(p1)).closure?.autoCloseAt).toBeNull();
    });

    it('does not auto-close a probe incident until its check is verified', async () => {
      await probe('skm-auto', 0, 'down');
      const ref = await openRefOf('skm-auto');
      await healthy('skm-auto', MIN, 2 * MIN);
      await act(2 * MIN, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'n' });
      // three days later the check has not been probed for days: not verified, stays resolved
      await sweepAt(3 * DAY + 3 * MIN);
      expect((await detail(ref)).incident.status).toBe('resolved');
      await healthy('skm-auto', 3 * DAY + 4 * MIN, 3 * DAY + 5 * MIN);
      await sweepAt(3 * DAY + 5 * MIN);
      expect((await detail(ref)).incident).toMatchObject({ status: 'closed', closureCode: 'auto_closed' });
    });

    it('staff may reopen a resolved incident at any time with a reason; closed and canceled are terminal', async () => {
      const ref = await logAt(0);
      await act(MIN, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'fixed', note: 'n' });
      // long after reopenWindow (24 h), and before auto-close
      const reopened = await act(2 * DAY, ref, { action: 'reopen', reason: 'the reporter says it fails again' });
      expect(reopened.incident).toMatchObject({ status: 'assigned', reopenCount: 1, resolvedAt: null });

      await act(2 * DAY + MIN, ref, { action: 'resolve', resolutionCode: 'fixed', note: 'really fixed' }, { action: 'close', closureCode: 'confirmed' });
      for (const input of [
        { action: 'reopen', reason: 'r' },
        { action: 'note', note: 'late' },
        { action: 'cancel', reason: 'r' },
      ] as const) {
        const attempt = incidents.commands.act(desk, ref, input);
        if (input.action === 'note') await expect(attempt).resolves.toBeTruthy();
        else await expect(attempt).rejects.toMatchObject({ code: 'invalid_transition', message: expect.stringContaining('none (terminal state)') });
      }
      const canceled = await logAt(0);
      await act(MIN, canceled, { action: 'cancel', reason: 'test call' });
      await expect(incidents.commands.act(desk, canceled, { action: 'reopen', reason: 'r' })).rejects.toMatchObject({ code: 'invalid_transition' });
    });

    it('proposes a known error when the same check failed the same way three times in 30 days', async () => {
      await probe('skm-form', 0, 'down');
      const ref = await openRefOf('skm-form');
      await probe('skm-form', MIN, 'up');
      await act(2 * MIN, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'restarted', note: 'n' });
      expect((await detail(ref)).closure?.knownErrorHint).toBeNull();
      // twice again within reopenWindow: the same incident reopens (each reopening is a recurrence)
      for (const start of [HOUR, 2 * HOUR]) {
        await probe('skm-form', start, 'down');
        await probe('skm-form', start + MIN, 'up');
        await act(start + 2 * MIN, ref, { action: 'resolve', resolutionCode: 'restarted', note: 'n' });
      }
      expect((await detail(ref)).closure?.knownErrorHint).toEqual({ recurrences: 3, windowDays: 30 });
    });
  });
});
