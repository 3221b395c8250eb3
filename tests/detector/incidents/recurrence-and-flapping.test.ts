// Recurrence and flapping (DESIGN §4), the detector driven by sequences of probe results on real
// SQLite and PostgreSQL, with an injected clock. Times are minutes after a Friday 08:00 WIB.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type SigapConfig } from '../../../config.js';
import { fixedCheckLookup } from '../../../detector/detection/check-catalog.js';
import { Detector } from '../../../detector/detection/detector.js';
import type { Incident } from '../../../detector/incidents/incident-types.js';
import type { User } from '../../../detector/accounts/account-types.js';
import { createIncidentServices, type IncidentServices } from '../../../detector/incidents/incident-services.js';
import { openDatabase } from '../../../detector/store/database.js';
import type { Database } from '../../../detector/store/store-types.js';
import type { ProbeResult, ProbeStatus } from '../../../probes/probe-types.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

// One failure confirms, one success restores: every result of a sequence is a confirmed state.
const check = (key: string) => `      - { key: ${key}, type: http, url: "http://${key}.test/", failureThreshold: 1, successThreshold: 1 }`;
const YAML = `
services:
  - key: portal
    name: Portal Layanan
    impact: medium
    checks:
${['portal-home', 'portal-login', 'portal-search', 'flappy-up', 'flappy-down', 'flappy-batch'].map(check).join('\n')}
`;
const config: SigapConfig = parseConfig(YAML, 'test.yaml', {});
const T0 = Date.parse('2026-11-27T01:00:00.000Z');
const MIN = 60_000;
const DAY = 24 * 60;
const at = (minutes: number) => new Date(T0 + minutes * MIN);
const desk: User = { id: 1, username: 'desk', displayName: 'Service desk', role: 'service_desk', language: 'id', active: true, email: null };

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

describe.each(testDatabaseKinds())('recurrence and flapping on $name', (kind) => {
  let testDb: TestDatabase;
  let db: Database;
  let clock = at(0);
  let detector: Detector;
  let incidents: IncidentServices;

  /** Feed results one by one, each at its own time: [minutes, status]. */
  async function feed(checkKey: string, steps: Array<[number, ProbeStatus]>) {
    const verdicts = [];
    for (const [minutes, status] of steps) {
      clock = at(minutes);
      verdicts.push(await detector.handleResult(result(checkKey, status, minutes)));
    }
    return verdicts;
  }
  async function act(minutes: number, ref: string, ...inputs: Parameters<IncidentServices['commands']['act']>[2][]) {
    clock = at(minutes);
    for (const input of inputs) await incidents.commands.act(desk, ref, input);
  }
  const resolve = (minutes: number, ref: string) => act(minutes, ref, { action: 'acknowledge' }, { action: 'resolve', resolutionCode: 'restarted', note: 'php-fpm restarted' });
  /** Every incident of the check, open or not, oldest first. */
  async function incidentsOf(checkKey: string): Promise<Incident[]> {
    const { items } = await db.stores.incidents.list({}, 100, null);
    return items.filter((i) => i.check === checkKey).sort((a, b) => a.id - b.id);
  }
  const eventsOf = async (incident: Incident) => db.stores.incidents.listEvents(incident.id);
  const typesOf = async (incident: Incident) => (await eventsOf(incident)).map((e) => e.type);

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

  describe('recurrence', () => {
    it('a failure within reopenWindow of resolution reopens the same incident instead of opening another', async () => {
      await feed('portal-home', [
        [0, 'up'],
        [1, 'down'],
        [2, 'up'],
      ]);
      const [first] = await incidentsOf('portal-home');
      await resolve(3, first!.ref);

      await feed('portal-home', [[60, 'down']]);
      const all = await incidentsOf('portal-home');
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({
        ref: first!.ref,
        status: 'assigned',
        reopenCount: 1,
        resolvedAt: null,
        resolutionCode: null,
        resolutionNotes: null,
        serviceRestoredAt: null,
        relatedRef: null,
      });
      const events = await eventsOf(all[0]!);
      expect(events.map((e) => e.type)).toEqual(['opened', 'restored', 'acknowledge', 'resolve', 'reopened']);
      expect(events.at(-1)).toMatchObject({
        actor: 'sigap',
        fromStatus: 'resolved',
        toStatus: 'assigned',
        at: at(60),
        data: {
          failureKind: 'connect',
          reopenCount: 1,
          resolvedAt: at(3).toISOString(),
          resolutionCode: 'restarted',
          resolutionNotes: 'php-fpm restarted',
          serviceRestoredAt: at(2).toISOString(),
        },
      });
    });

    it('after the window a new incident opens, linked to the resolved one, which is left as it is', async () => {
      await feed('portal-home', [[61, 'up']]);
      const [first] = await incidentsOf('portal-home');
      await act(62, first!.ref, { action: 'resolve', resolutionCode: 'fixed', note: 'disk cleaned up' });

      await feed('portal-home', [[62 + DAY + 1, 'down']]);
      const [earlier, recurrence] = await incidentsOf('portal-home');
      expect(earlier).toMatchObject({ ref: first!.ref, status: 'resolved', resolvedAt: at(62), reopenCount: 1 });
      expect(recurrence).toMatchObject({ status: 'new', relatedRef: first!.ref, reopenCount: 0, detectedAt: at(62 + DAY + 1) });
      expect((await eventsOf(recurrence!))[0]).toMatchObject({ type: 'opened', data: { relatedRef: first!.ref } });
      expect(await typesOf(earlier!)).toEqual(['opened', 'restored', 'acknowledge', 'resolve', 'reopened', 'restored', 'resolve']);
    });

    it('after closure a failure, even minutes later, opens a new incident linked to the closed one', async () => {
      await feed('portal-login', [
        [0, 'up'],
        [1, 'down'],
        [2, 'up'],
      ]);
      const [first] = await incidentsOf('portal-login');
      await resolve(3, first!.ref);
      // healthy for verifyFor (15 minutes) before it may close
      await feed('portal-login', [[17, 'up']]);
      await act(17, first!.ref, { action: 'close', closureCode: 'confirmed' });

      await feed('portal-login', [[20, 'down']]);
      const [closed, next] = await incidentsOf('portal-login');
      expect(closed).toMatchObject({ ref: first!.ref, status: 'closed', reopenCount: 0 });
      expect(next).toMatchObject({ status: 'new', relatedRef: first!.ref });
      expect(await db.stores.incidents.findOpenForCheck((await db.stores.checks.getCheck('portal-login'))!.id)).toMatchObject({ ref: next!.ref });
    });

    it('a canceled incident is ignored: the failure links to the incident before it', async () => {
      await feed('portal-search', [
        [0, 'up'],
        [1, 'down'],
        [2, 'up'],
      ]);
      const [first] = await incidentsOf('portal-search');
      await resolve(3, first!.ref);
      await feed('portal-search', [[17, 'up']]);
      await act(17, first!.ref, { action: 'close', closureCode: 'confirmed' });
      await feed('portal-search', [
        [20, 'down'],
        [21, 'up'],
      ]);
      const [, falseAlarm] = await incidentsOf('portal-search');
      await act(22, falseAlarm!.ref, { action: 'cancel', reason: 'test alarm' });

      await feed('portal-search', [[30, 'down']]);
      const all = await incidentsOf('portal-search');
      expect(all.map((i) => i.status)).toEqual(['closed', 'canceled', 'new']);
      expect(all[2]).toMatchObject({ relatedRef: first!.ref });
    });
  });

  describe('flapping', () => {
    // Six state changes within fifteen minutes: down, up, down, up, down, up.
    const flapping: Array<[number, ProbeStatus]> = [
      [0, 'up'],
      [3, 'down'],
      [6, 'up'],
      [9, 'down'],
      [12, 'up'],
      [15, 'down'],
      [18, 'up'],
    ];

    it('a check going up and down six times in twenty minutes keeps one incident, marked flapping, never restored meanwhile', async () => {
      const verdicts = await feed('flappy-up', flapping);
      expect(verdicts.map((v) => v.outcome)).toEqual([
        'none',
        'failure_confirmed',
        'recovery_confirmed',
        'failure_confirmed',
        'recovery_confirmed',
        'failure_confirmed',
        'recovery_confirmed',
      ]);
      const all = await incidentsOf('flappy-up');
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ status: 'new', flapping: true, serviceRestoredAt: null, detectedAt: at(3) });
      // The fourth change (up at minute 12) marks it; from then on no restored / failed_again storm.
      const events = await eventsOf(all[0]!);
      expect(events.map((e) => e.type)).toEqual(['opened', 'restored', 'failed_again', 'flapping']);
      expect(events[3]).toMatchObject({ actor: 'sigap', at: at(12), data: { changes: [3, 6, 9, 12].map((m) => at(m).toISOString()), windowMs: 30 * MIN } });
    });

    it('once the check has been up for a whole window, flapping is cleared and the service recorded restored at its last change', async () => {
      await feed('flappy-up', [
        [23, 'up'],
        [33, 'up'],
        [47, 'up'],
      ]);
      let [incident] = await incidentsOf('flappy-up');
      expect(incident).toMatchObject({ flapping: true, serviceRestoredAt: null });

      await feed('flappy-up', [[48, 'up']]);
      [incident] = await incidentsOf('flappy-up');
      expect(incident).toMatchObject({ status: 'new', flapping: false, serviceRestoredAt: at(18) });
      const events = await eventsOf(incident!);
      expect(events.map((e) => e.type)).toEqual(['opened', 'restored', 'failed_again', 'flapping', 'stable', 'restored']);
      expect(events[4]).toMatchObject({ at: at(48), data: { state: 'up', lastChangeAt: at(18).toISOString() } });
      expect((await db.stores.checks.getCheck('flappy-up'))!.recentChanges).toEqual([]);

      // Stable results after that cost nothing and change nothing.
      await feed('flappy-up', [[53, 'up']]);
      expect(await typesOf(incident!)).toHaveLength(6);
    });

    it('a flapping check that stays down for a whole window is no longer flapping, and not restored', async () => {
      await feed('flappy-down', [
        [0, 'up'],
        [3, 'down'],
        [6, 'up'],
        [9, 'down'],
        [12, 'up'],
        [15, 'down'],
        [25, 'down'],
        [44, 'down'],
      ]);
      let [incident] = await incidentsOf('flappy-down');
      expect(incident).toMatchObject({ flapping: true, serviceRestoredAt: null });

      await feed('flappy-down', [[45, 'down']]);
      [incident] = await incidentsOf('flappy-down');
      expect(incident).toMatchObject({ flapping: false, serviceRestoredAt: null });
      expect(await typesOf(incident!)).toEqual(['opened', 'restored', 'failed_again', 'flapping', 'stable']);
    });

    it('handled in one batch, the same results give the same incident and events', async () => {
      const steps: Array<[number, ProbeStatus]> = [...flapping, [23, 'up'], [33, 'up'], [47, 'up'], [48, 'up'], [53, 'up']];
      clock = at(53);
      await detector.handleBatch(steps.map(([minutes, status]) => result('flappy-batch', status, minutes)));
      const all = await incidentsOf('flappy-batch');
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ flapping: false, serviceRestoredAt: at(18) });
      expect(await typesOf(all[0]!)).toEqual(['opened', 'restored', 'failed_again', 'flapping', 'stable', 'restored']);
    });
  });
});
