import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE, INCIDENT_STATES } from '../../detector/incidents/lifecycle.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

type Steps = ReadonlyArray<readonly [string, unknown?]>;

// How to bring a freshly logged incident into each state.
const REACH: Record<string, Steps> = {
  new: [],
  assigned: [['acknowledge']],
  escalated: [['escalate', { note: 'needs system support' }]],
  'pending (from assigned)': [['acknowledge'], ['pending', { reason: 'waiting for the hosting provider' }]],
  'pending (from escalated)': [
    ['escalate', { note: 'n' }],
    ['pending', { reason: 'waiting for the reporter' }],
  ],
  resolved: [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'restarted php-fpm' }]],
  closed: [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'n' }], ['close', { closureCode: 'confirmed' }]],
  canceled: [['cancel', { reason: 'duplicate of another report' }]],
};

// Every transition of the lifecycle table, through the action that takes it.
const ALLOWED: ReadonlyArray<readonly [string, string, unknown, string]> = [
  ['new', 'acknowledge', {}, 'assigned'],
  ['new', 'assign', { assignee: 'desk2' }, 'assigned'],
  ['new', 'escalate', { note: 'n' }, 'escalated'],
  ['new', 'cancel', { reason: 'test call' }, 'canceled'],
  ['assigned', 'escalate', { level: 2, note: 'vendor' }, 'escalated'],
  ['assigned', 'pending', { reason: 'waiting' }, 'pending'],
  ['assigned', 'resolve', { resolutionCode: 'workaround', note: 'n' }, 'resolved'],
  ['assigned', 'cancel', { reason: 'false alarm' }, 'canceled'],
  ['escalated', 'escalate', { note: 'to the vendor' }, 'escalated'],
  ['escalated', 'acknowledge', {}, 'assigned'],
  ['escalated', 'pending', { reason: 'waiting' }, 'pending'],
  ['escalated', 'resolve', { resolutionCode: 'restarted', note: 'n' }, 'resolved'],
  ['pending (from assigned)', 'resume', {}, 'assigned'],
  ['pending (from escalated)', 'resume', { note: 'the reporter answered' }, 'escalated'],
  ['pending (from assigned)', 'escalate', { note: 'n' }, 'escalated'],
  ['pending (from assigned)', 'resolve', { resolutionCode: 'vendor_fixed', note: 'n' }, 'resolved'],
  ['resolved', 'reopen', { reason: 'it failed again' }, 'assigned'],
  ['resolved', 'close', { closureCode: 'confirmed', note: 'the reporter confirmed' }, 'closed'],
];

const REFUSED: ReadonlyArray<readonly [string, string, unknown, string]> = [
  ['new', 'resolve', { resolutionCode: 'fixed', note: 'n' }, 'assigned, escalated, canceled'],
  ['new', 'pending', { reason: 'r' }, 'assigned, escalated, canceled'],
  ['new', 'resume', {}, 'assigned, escalated, canceled'],
  ['assigned', 'acknowledge', {}, 'escalated, pending, resolved, canceled'],
  ['assigned', 'close', { closureCode: 'confirmed' }, 'escalated, pending, resolved, canceled'],
  ['escalated', 'cancel', { reason: 'r' }, 'escalated, assigned, pending, resolved'],
  ['pending (from assigned)', 'pending', { reason: 'r' }, 'assigned, escalated, resolved'],
  ['pending (from assigned)', 'reopen', { reason: 'r' }, 'assigned, escalated, resolved'],
  ['resolved', 'cancel', { reason: 'r' }, 'assigned, closed'],
  ['resolved', 'assign', { assignee: 'desk2' }, 'assigned, closed'],
  ['closed', 'reopen', { reason: 'r' }, 'none'],
  ['canceled', 'acknowledge', {}, 'none'],
];

describe.each(testDatabaseKinds())('incident lifecycle actions through the API on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let vendor: Caller;
  let manager: Caller;

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    await callerFor(sigap, 'desk2', 'service_desk');
    vendor = await callerFor(sigap, 'vendor1', 'vendor');
    manager = await callerFor(sigap, 'head1', 'manager');
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  async function incidentIn(state: string): Promise<string> {
    const ref = await logIncident(desk);
    await drive(desk, ref, REACH[state]!);
    return ref;
  }

  it('covers every transition of the lifecycle table', () => {
    const covered = new Set(ALLOWED.map(([from, , , to]) => `${from.split(' ')[0]}→${to}`));
    expect(covered).toEqual(new Set(INCIDENT_STATES.flatMap((s) => LIFECYCLE[s].next.map((to) => `${s}→${to}`))));
  });

  it.each(ALLOWED)('from %s, %s moves the incident to %s and records who did it', async (from, action, body, to) => {
    const ref = await incidentIn(from);
    const { status, json } = await desk.act(ref, action, body);
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ ref, status: to });
    expect(json.events.at(-1)).toMatchObject({ type: action, actor: 'desk1', fromStatus: from.split(' ')[0], toStatus: to });
    expect((await desk.call('GET', `/api/incidents/${ref}`)).json).toEqual(json);
  });

  it.each(REFUSED)('from %s, %s answers 409 naming the allowed transitions (%s)', async (from, action, body, allowed) => {
    const ref = await incidentIn(from);
    const before = (await desk.call('GET', `/api/incidents/${ref}`)).json;
    const { status, json } = await desk.act(ref, action, body);
    expect(status).toBe(409);
    expect(json.error.code).toBe('invalid_transition');
    expect(json.error.message).toContain(allowed);
    expect(json.error.details).toEqual([{ path: 'status', message: expect.stringContaining(allowed) }]);
    expect((await desk.call('GET', `/api/incidents/${ref}`)).json).toEqual(before);
  });

  it('acknowledging makes the caller the owner, stops the response clock and records what changed', async () => {
    const ref = await logIncident(desk);
    const { json } = await desk.act(ref, 'acknowledge', { note: 'on it' });
    expect(json).toMatchObject({ assignee: 'desk1', acknowledgedAt: expect.any(String) });
    expect(json.events.map((e: { type: string }) => e.type)).toEqual(['opened', 'acknowledge']);
    expect(json.events[1]).toMatchObject({ note: 'on it', data: { changes: { assignee: { from: null, to: 'desk1' }, acknowledgedAt: { from: null } } } });
  });

  it('escalating to the vendor hands the incident to its group; resolve and close record codes and notes', async () => {
    const ref = await incidentIn('assigned');
    const escalated = (await desk.act(ref, 'escalate', { note: 'hosting is down' })).json;
    expect(escalated).toMatchObject({ escalationLevel: 1, assignedGroup: 'support', assignee: null });
    expect((await desk.act(ref, 'escalate', { note: 'to the vendor' })).json).toMatchObject({ escalationLevel: 2, assignedGroup: 'vendor' });
    // With the vendor, resolving is the vendor's (the desk is refused: tests/api/incident-guide-page.test.ts).
    const resolved = (await vendor.act(ref, 'resolve', { resolutionCode: 'vendor_fixed', note: 'disk replaced' })).json;
    expect(resolved).toMatchObject({ status: 'resolved', resolutionCode: 'vendor_fixed', resolutionNotes: 'disk replaced', resolvedAt: expect.any(String) });
    const reopened = (await desk.act(ref, 'reopen', { reason: 'down again' })).json;
    expect(reopened).toMatchObject({ status: 'assigned', reopenCount: 1, resolvedAt: null, resolutionCode: null });
    await drive(vendor, ref, [['resolve', { resolutionCode: 'fixed', note: 'n' }]]);
    expect((await desk.act(ref, 'close', { closureCode: 'unconfirmed' })).json).toMatchObject({ status: 'closed', closureCode: 'unconfirmed', closedAt: expect.any(String) });
  });

  it('a note and a new owner leave the state alone', async () => {
    const ref = await incidentIn('escalated');
    expect((await desk.act(ref, 'note', { note: 'log shows OOM' })).json).toMatchObject({ status: 'escalated' });
    const assigned = (await desk.act(ref, 'assign', { assignee: 'desk2' })).json;
    expect(assigned).toMatchObject({ status: 'escalated', assignee: 'desk2' });
    expect(assigned.events.at(-2)).toMatchObject({ type: 'note', note: 'log shows OOM', fromStatus: 'escalated', toStatus: 'escalated' });
  });

  describe('roles', () => {
    it('lets a manager read but answers 403 to every action, notes included', async () => {
      const ref = await logIncident(desk);
      expect((await manager.call('GET', `/api/incidents/${ref}`)).status).toBe(200);
      for (const [action, body] of [
        ['acknowledge', {}],
        ['note', { note: 'please hurry' }],
      ] as const) {
        const { status, json } = await manager.act(ref, action, body);
        expect(status).toBe(403);
        expect(json.error.code).toBe('forbidden');
      }
      expect((await manager.call('POST', '/api/incidents', {})).status).toBe(403);
    });

    it('hides incidents below level 2 from a vendor and lets it work those escalated to it', async () => {
      const ref = await incidentIn('escalated');
      expect((await vendor.call('GET', `/api/incidents/${ref}`)).status).toBe(404);
      expect((await vendor.act(ref, 'note', { note: 'n' })).status).toBe(404);
      expect((await vendor.call('GET', '/api/incidents')).json.items.map((i: { ref: string }) => i.ref)).not.toContain(ref);

      await drive(desk, ref, [['escalate', { note: 'to the vendor' }]]);
      const taken = await vendor.act(ref, 'acknowledge', { note: 'we take it' });
      expect(taken.json).toMatchObject({ status: 'assigned', assignee: 'vendor1', escalationLevel: 2 });
      expect((await vendor.act(ref, 'cancel', { reason: 'not ours' })).status).toBe(403);
      expect((await vendor.act(ref, 'resolve', { resolutionCode: 'vendor_fixed', note: 'patched' })).json.status).toBe('resolved');
      expect((await vendor.act(ref, 'close', { closureCode: 'confirmed' })).status).toBe(403);
      expect((await vendor.call('POST', '/api/incidents', {})).status).toBe(403);
    });
  });

  describe('concurrent actions on one incident', () => {
    it('lets exactly one of two simultaneous acknowledges through; the other answers 409', async () => {
      for (let round = 0; round < 3; round++) {
        const ref = await logIncident(desk);
        const desk2 = await callerFor(sigap, `racer${round}`, 'service_desk');
        const answers = await Promise.all([desk.act(ref, 'acknowledge'), desk2.act(ref, 'acknowledge')]);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
        const { json } = await desk.call('GET', `/api/incidents/${ref}`);
        expect(json.events.filter((e: { type: string }) => e.type === 'acknowledge')).toHaveLength(1);
        expect(json.assignee).toBe(answers[0]!.status === 200 ? 'desk1' : `racer${round}`);
      }
    });

    it('lets only one of a simultaneous resolve and cancel through', async () => {
      const ref = await incidentIn('assigned');
      const answers = await Promise.all([desk.act(ref, 'resolve', { resolutionCode: 'fixed', note: 'n' }), desk.act(ref, 'cancel', { reason: 'r' })]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const { json } = await desk.call('GET', `/api/incidents/${ref}`);
      expect(json.events).toHaveLength(3);
    });
  });
});
