import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessTimeBetween, parseBusinessHours, type BusinessCalendar } from '../../detector/sla/business-calendar.js';
import { DEFAULT_SLA_TARGETS, dueTimes } from '../../detector/sla/due-times.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, REPORT, type Caller } from '../helpers/incident-api.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);

// The calendar of INCIDENT_TEST_YAML.
const calendar: BusinessCalendar = {
  timezone: 'Asia/Jakarta',
  weekly: parseBusinessHours({ 'mon-thu': '07:30-12:00,13:00-16:00', fri: '07:30-11:30,13:00-16:30' }).weekly,
  holidays: new Set(['2026-12-25']),
};

describe.each(testDatabaseKinds())('logging incidents by hand, action validation and SLA clocks on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let now = wib('2026-11-27 10:00');

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML, start: { clock: () => now } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  describe('POST /api/incidents', () => {
    it('logs a phoned-in report as a new manual incident with computed priority, due times and an opened event', async () => {
      now = wib('2026-11-27 10:00');
      const { status, json } = await desk.call('POST', '/api/incidents', REPORT);
      expect(status).toBe(201);
      expect(json).toMatchObject({
        ref: expect.stringMatching(/^INC-2026-\d{5}$/),
        service: 'skm',
        check: null,
        source: 'manual',
        status: 'new',
        failureKind: null,
        category: 'application',
        subcategory: 'form-submission',
        impact: 'medium',
        urgency: 'medium',
        priority: 'P3',
        escalationLevel: 0,
        assignedGroup: 'service_desk',
        assignee: null,
        reporter: REPORT.reporter,
        detectedAt: now.toISOString(),
        // 2 business hours from Friday 10:00, across the Friday-prayer break
        responseDueAt: wib('2026-11-27 13:30').toISOString(),
        evidence: null,
      });
      expect(json.events).toEqual([
        {
          at: now.toISOString(),
          actor: 'desk1',
          type: 'opened',
          fromStatus: null,
          toStatus: 'new',
          note: null,
          data: { source: 'manual', reporter: REPORT.reporter, priority: 'P3', reportedVia: 'other', reportedAt: now.toISOString() },
        },
      ]);
    });

    it('takes refs from the same counter, one after the other, and computes P1 for high impact and urgency', async () => {
      const first = await logIncident(desk);
      const { json } = await desk.call('POST', '/api/incidents', { ...REPORT, service: 'pengaduan', impact: 'high', urgency: 'high', reporter: { name: 'Pak Budi' } });
      expect(Number(json.ref.slice(-5))).toBe(Number(first.slice(-5)) + 1);
      expect(json).toMatchObject({ priority: 'P1', reporter: { name: 'Pak Budi', contact: null } });
    });

    it.each([
      ['an unknown service', { service: 'nope' }, 'service'],
      ['a category outside the taxonomy', { category: 'weather' }, 'category'],
      ['a subcategory of another category', { subcategory: 'dns' }, 'subcategory'],
      ['an impact that is not high, medium or low', { impact: 'huge' }, 'impact'],
      ['an empty title', { title: '  ' }, 'title'],
      ['no reporter', { reporter: undefined }, 'reporter'],
      ['a reporter without a name', { reporter: { contact: '0812' } }, 'reporter.name'],
      ['a typed priority (it is always computed)', { priority: 'P1' }, 'priority'],
    ])('answers 422 to %s, naming %s', async (_name, overrides, field) => {
      const { status, json } = await desk.call('POST', '/api/incidents', { ...REPORT, ...overrides });
      expect(status).toBe(422);
      expect(json.error.code).toBe('validation_failed');
      expect(json.error.details.map((d: { path: string }) => d.path)).toContain(field);
    });
  });

  describe('action validation', () => {
    let ref: string;
    beforeAll(async () => {
      ref = await logIncident(desk);
    });

    it.each([
      ['acknowledge', { bogus: 1 }, 'bogus'],
      ['assign', {}, 'assignee'],
      ['assign', { assignee: 'nobody' }, 'assignee'],
      ['note', {}, 'note'],
      ['note', { note: '   ' }, 'note'],
      ['reprioritize', { reason: 'r' }, 'impact'],
      ['reprioritize', { urgency: 'urgent', reason: 'r' }, 'urgency'],
      ['reprioritize', { impact: 'high' }, 'reason'],
      ['escalate', {}, 'note'],
      ['escalate', { level: 3, note: 'n' }, 'level'],
      ['escalate', { level: '2', note: 'n' }, 'level'],
      ['pending', {}, 'reason'],
      ['resume', { note: 5 }, 'note'],
      ['resolve', { note: 'n' }, 'resolutionCode'],
      ['resolve', { resolutionCode: 'magic', note: 'n' }, 'resolutionCode'],
      ['resolve', { resolutionCode: 'fixed' }, 'note'],
      ['close', {}, 'closureCode'],
      ['close', { closureCode: 'maybe' }, 'closureCode'],
      ['close', { closureCode: 'auto_closed' }, 'closureCode'],
      ['escalate_management', {}, 'note'],
      ['reopen', {}, 'reason'],
      ['cancel', { reason: '' }, 'reason'],
    ])('%s with %j answers 422 naming %s and changes nothing', async (action, body, field) => {
      const { status, json } = await desk.act(ref, action, body);
      expect(status).toBe(422);
      expect(json.error.details.map((d: { path: string }) => d.path)).toContain(field);
      expect((await desk.call('GET', `/api/incidents/${ref}`)).json).toMatchObject({ status: 'new', events: [expect.anything()] });
    });

    it('answers 422 naming level to an escalation that does not go up', async () => {
      const escalated = await logIncident(desk);
      await drive(desk, escalated, [['escalate', { level: 2, note: 'straight to the vendor' }]]);
      const { status, json } = await desk.act(escalated, 'escalate', { note: 'again' });
      expect(status).toBe(422);
      expect(json.error.details[0].path).toBe('level');
    });

    it('answers 400 to a body that is not JSON, 404 to an unknown action or ref', async () => {
      expect((await desk.act(ref, 'note', '{"note": ')).status).toBe(400);
      expect((await desk.act(ref, 'note', [{ note: 'x' }])).status).toBe(400);
      const unknownAction = await desk.act(ref, 'teleport', {});
      expect(unknownAction.status).toBe(404);
      expect(unknownAction.json.error.message).toContain('acknowledge');
      expect((await desk.act('INC-2026-99999', 'note', { note: 'x' })).status).toBe(404);
    });

    it('accepts acknowledge without a body', async () => {
      expect((await desk.act(await logIncident(desk), 'acknowledge')).json.status).toBe('assigned');
    });
  });

  describe('the resolution clock', () => {
    const incidentClock = (ref: string) => sigap.db.transaction((s) => s.incidents.lockByRef(ref));
    const at = async (local: string, action: string, body: unknown) => {
      now = wib(local);
      const { status, json } = await desk.act(ref, action, body);
      expect(status, JSON.stringify(json)).toBe(200);
      return json;
    };
    let ref: string;

    it('a P3 pending over the weekend moves resolveDueAt by exactly the business time paused', async () => {
      now = wib('2026-11-27 10:00');
      ref = await logIncident(desk);
      const logged = await at('2026-11-27 10:05', 'acknowledge', {});
      await at('2026-11-27 16:00', 'pending', { reason: 'waiting for the hosting provider' });
      const resumed = await at('2026-11-30 08:30', 'resume', {});
      expect(resumed.status).toBe('assigned');
      // Friday 16:00-16:30 and Monday 07:30-08:30 count; the weekend does not.
      expect(businessTimeBetween(new Date(logged.resolveDueAt), new Date(resumed.resolveDueAt), calendar)).toBe(90 * MIN);
      const expected = dueTimes({ startedAt: wib('2026-11-27 10:00'), priority: 'P3', targets: DEFAULT_SLA_TARGETS, calendar, pausedMs: 90 * MIN });
      expect(resumed.resolveDueAt).toBe(expected.resolveDueAt.toISOString());
      expect(resumed.responseDueAt).toBe(logged.responseDueAt);
      expect(resumed.events.at(-1).data.changes.pausedMs).toEqual({ from: 0, to: 90 * MIN });
      const stored = (await incidentClock(ref))!;
      expect(stored).toMatchObject({ pausedMs: 90 * MIN, statusBeforePending: null });
      expect(await sigap.db.stores.incidents.listPauses(stored.id)).toEqual([
        {
          id: expect.any(Number),
          incidentId: stored.id,
          startedAt: wib('2026-11-27 16:00'),
          endedAt: wib('2026-11-30 08:30'),
          reason: 'waiting for the hosting provider',
          kind: 'pending',
        },
      ]);
    });

    it('a pause over lunch counts only the office minutes either side, and pauses accumulate', async () => {
      const before = await at('2026-11-30 11:45', 'pending', { reason: 'waiting for the reporter' });
      const resumed = await at('2026-11-30 13:15', 'resume', { note: 'reporter called back' });
      expect(businessTimeBetween(new Date(before.resolveDueAt), new Date(resumed.resolveDueAt), calendar)).toBe(30 * MIN);
      expect((await incidentClock(ref))!.pausedMs).toBe(120 * MIN);
    });

    it('raising the priority recomputes both due times from detection, the pauses measured again on the 24x7 clock', async () => {
      const raised = await at('2026-11-30 14:00', 'reprioritize', { urgency: 'high', reason: 'the regent’s office complained' });
      expect(raised).toMatchObject({
        priority: 'P2',
        responseDueAt: wib('2026-11-27 10:30').toISOString(),
        // P2: 8 hours on the 24x7 clock from Friday 10:00, plus the pauses on that clock: the
        // weekend one (Friday 16:00 → Monday 08:30, 64.5 h) and lunch (1.5 h), not 2 office hours
        resolveDueAt: wib('2026-11-30 12:00').toISOString(),
      });
      expect((await incidentClock(ref))!.pausedMs).toBe(66 * HOUR);
      expect(raised.events.at(-1)).toMatchObject({ type: 'reprioritize', note: 'the regent’s office complained', data: { changes: { priority: { from: 'P3', to: 'P2' } } } });
    });

    it('resolving straight from pending ends the pause on the new priority’s clock', async () => {
      await at('2026-11-30 14:00', 'pending', { reason: 'waiting for the vendor' });
      const resolved = await at('2026-11-30 19:00', 'resolve', { resolutionCode: 'vendor_fixed', note: 'certificate renewed' });
      expect(resolved).toMatchObject({ status: 'resolved', resolveDueAt: wib('2026-11-30 17:00').toISOString() });
      expect((await incidentClock(ref))!.pausedMs).toBe(71 * HOUR);
    });
  });
});
