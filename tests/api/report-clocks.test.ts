// Every report on the incident's own clock, against a month of incidents computed by hand: a P3
// logged Friday 17:00 WIB after office hours and acknowledged Monday 08:00 met its 2-hour business
// response target; a P3 that waited (pending) three office hours has them taken off its time to
// resolve; a 24x7 P1 counts every minute of a Saturday night; a P3 left unanswered past its due
// times is breached. The incident report (JSON and CSV), the monthly report page and /metrics
// give the same figures: they are one computation. Real SQLite and PostgreSQL, real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { parseCsv } from '../helpers/csv.js';

const MIN = 60_000;
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
// Targets in hours and minutes only: on a business clock those are office hours and minutes.
const YAML = `${INCIDENT_TEST_YAML}policy:
  targets:
    P1: { respond: 15m, resolve: 4h, clock: 24x7 }
    P3: { respond: 2h, resolve: 8h, clock: business }
`;

/** One histogram's _sum and _count per priority, read from the exposition text. */
function histogram(text: string, name: string, priority: string): { sum: number; count: number } {
  const value = (suffix: string) => Number(new RegExp(`^${name}_${suffix}\\{priority="${priority}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return { sum: value('sum'), count: value('count') };
}

describe.each(testDatabaseKinds())('the incident figures on each incident’s own clock on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let manager: Caller;
  let now = wib('2026-12-04 17:00');
  const refs: Record<string, string> = {};
  const P1 = { service: 'pengaduan', impact: 'high', urgency: 'high' };

  const at = async <T>(local: string, work: () => Promise<T>) => {
    now = wib(local);
    return work();
  };

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    manager = await callerFor(sigap, 'head', 'manager');

    // A: Friday 4 December 17:00, after office hours; Monday 07:30 the clock starts.
    refs.a = await at('2026-12-04 17:00', () => logIncident(desk));
    await at('2026-12-07 08:00', () => drive(desk, refs.a!, [['acknowledge']]));
    await at('2026-12-07 10:00', () => drive(desk, refs.a!, [['resolve', { resolutionCode: 'fixed', note: 'formulir diperbaiki' }]]));
    // B: Tuesday 8 December, waits for the vendor 10:00-14:00 (3 office hours: lunch is 12:00-13:00).
    refs.b = await at('2026-12-08 09:00', () => logIncident(desk));
    await at('2026-12-08 09:30', () => drive(desk, refs.b!, [['acknowledge']]));
    await at('2026-12-08 10:00', () => drive(desk, refs.b!, [['pending', { reason: 'menunggu vendor' }]]));
    await at('2026-12-08 14:00', () => drive(desk, refs.b!, [['resume']]));
    await at('2026-12-08 15:00', () => drive(desk, refs.b!, [['resolve', { resolutionCode: 'fixed', note: 'vendor memperbaiki' }]]));
    // C: a P1 on Saturday night: 24x7, every minute counts.
    refs.c = await at('2026-12-12 22:00', () => logIncident(desk, P1));
    await at('2026-12-12 22:20', () => drive(desk, refs.c!, [['acknowledge']]));
    await at('2026-12-13 01:00', () => drive(desk, refs.c!, [['resolve', { resolutionCode: 'restarted', note: 'server dijalankan ulang' }]]));
    // D: Wednesday 30 December 10:00, never answered: due 12:00 (response) and Thursday 10:30 (resolution).
    refs.d = await at('2026-12-30 10:00', () => logIncident(desk));
    // E: canceled, counted nowhere.
    refs.e = await at('2026-12-30 11:00', () => logIncident(desk));
    await at('2026-12-30 11:05', () => drive(desk, refs.e!, [['cancel', { reason: 'duplikat' }]]));
    now = wib('2027-01-04 12:00');
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('measures each incident on its priority’s clock, wall time beside it, and judges it by its own due times', async () => {
    const { status, json } = await manager.call('GET', '/api/reports/incidents?from=2026-12-01&to=2027-01-01');
    expect(status).toBe(200);
    const row = (ref: string) => json.incidents.find((i: { ref: string }) => i.ref === ref);
    expect(row(refs.a!)).toMatchObject({
      clock: 'business',
      responseDueAt: wib('2026-12-07 09:30').toISOString(),
      resolveDueAt: wib('2026-12-08 08:00').toISOString(),
      timeToAcknowledgeMs: 30 * MIN,
      timeToResolveMs: 150 * MIN,
      wall: { timeToAcknowledgeMs: 63 * 60 * MIN, timeToRestoreMs: null, timeToResolveMs: 65 * 60 * MIN },
      response: 'met',
      resolution: 'met',
    });
    expect(row(refs.b!)).toMatchObject({
      pausedMs: 180 * MIN,
      timeToAcknowledgeMs: 30 * MIN,
      timeToResolveMs: 120 * MIN,
      wall: { timeToResolveMs: 360 * MIN },
      response: 'met',
      resolution: 'met',
    });
    expect(row(refs.c!)).toMatchObject({ clock: '24x7', timeToAcknowledgeMs: 20 * MIN, timeToResolveMs: 180 * MIN, response: 'breached', resolution: 'met' });
    expect(row(refs.d!)).toMatchObject({ timeToAcknowledgeMs: null, response: 'breached', resolution: 'breached', resolveDueAt: wib('2026-12-31 10:30').toISOString() });

    expect(json.byPriority.P3).toEqual({
      count: 3,
      clock: 'business',
      mttaMs: 30 * MIN,
      mttRestoreMs: null,
      mttResolveMs: 135 * MIN, // (150 + 120) / 2
      wall: { mttaMs: 1905 * MIN, mttRestoreMs: null, mttResolveMs: 2130 * MIN }, // (3780 + 30) / 2, (3900 + 360) / 2
      response: { met: 2, breached: 1, running: 0 },
      resolution: { met: 2, breached: 1, running: 0 },
      finished: 2,
      slaMet: 2,
      slaMetRatio: 1,
      breaches: { response: 1, resolution: 1 },
    });
    expect(json.byPriority.P1).toMatchObject({
      count: 1,
      clock: '24x7',
      mttaMs: 20 * MIN,
      mttResolveMs: 180 * MIN,
      wall: { mttaMs: 20 * MIN, mttResolveMs: 180 * MIN },
      slaMet: 0,
      slaMetRatio: 0,
      breaches: { response: 1, resolution: 0 },
    });
    expect(json.canceled).toBe(1);
  });

  it('gives /metrics the same figures: histogram means and breaches equal the report’s', async () => {
    const { json } = await manager.call('GET', '/api/reports/incidents?from=2026-12-01&to=2027-01-01');
    const text = await (await fetch(`${sigap.url}/metrics`)).text();
    for (const priority of ['P1', 'P3']) {
      const figures = json.byPriority[priority];
      const acknowledge = histogram(text, 'sigap_incident_time_to_acknowledge_seconds', priority);
      const resolve = histogram(text, 'sigap_incident_time_to_resolve_seconds', priority);
      expect((acknowledge.sum / acknowledge.count) * 1000).toBe(figures.mttaMs);
      expect((resolve.sum / resolve.count) * 1000).toBe(figures.mttResolveMs);
      for (const target of ['response', 'resolution']) {
        const breaches = Number(new RegExp(`^sigap_sla_breaches_total\\{target="${target}",priority="${priority}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
        expect(breaches).toBe(figures.breaches[target]);
      }
    }
    // The P3 of Friday evening took 30 office minutes to acknowledge, not 63 hours: in the first bucket above it.
    expect(text).toMatch(/^sigap_incident_time_to_acknowledge_seconds_bucket\{le="1800",priority="P3"\} 2$/m);
  });

  it('shows the same figures on the monthly report page, both clocks labelled', async () => {
    const { cookie } = await logIn(sigap.url!);
    const html = await (await fetch(`${sigap.url}/reports?month=2026-12`, { headers: { cookie } })).text();
    const p3 = /<tr data-priority="P3">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(p3).toContain('jam kerja');
    expect(p3).toContain('<span class="on-clock">30 menit</span><span class="wall">kalender: 1 hari 7 jam</span>');
    expect(p3).toContain('<span class="on-clock">2 jam 15 menit</span>');
    expect(p3).toContain('2 terpenuhi, 1 terlampaui');
    const p1 = /<tr data-priority="P1">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(p1).toContain('24 jam');
    expect(p1).toContain('0 terpenuhi, 1 terlampaui');
    const en = await (await fetch(`${sigap.url}/reports?month=2026-12&lang=en`, { headers: { cookie } })).text();
    expect(/<tr data-priority="P3">([\s\S]*?)<\/tr>/.exec(en)![1]).toContain('office hours');
    expect(en).toContain('wall:');
  });

  it('writes the same figures into the CSV, in whole minutes and WIB', async () => {
    const token = (await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('head'))!, 'csv')).token;
    const res = await fetch(`${sigap.url}/api/reports/incidents?from=2026-12-01&to=2027-01-01&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''), ';');
    const header = rows[0]!;
    const a = Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[0] === refs.a)![i]]));
    expect(a).toMatchObject({
      'Jam SLA': 'jam kerja',
      Terdeteksi: '2026-12-04 17:00 WIB',
      'Batas tanggap': '2026-12-07 09:30 WIB',
      'Waktu tanggap (menit, jam SLA)': '30',
      'Waktu tanggap (menit, waktu kalender)': '3780',
      'Waktu penyelesaian (menit, jam SLA, tanpa jeda)': '150',
      'Target tanggap': 'terpenuhi',
    });
  });

  // Last: it acknowledges D, which the tests above count as unanswered.
  it('measures an incident again on the next scrape once it is acknowledged', async () => {
    const scrape = async () => histogram(await (await fetch(`${sigap.url}/metrics`)).text(), 'sigap_incident_time_to_acknowledge_seconds', 'P3');
    expect(await scrape()).toEqual({ sum: 3600, count: 2 });
    await drive(desk, refs.d!, [['acknowledge']]);
    // D: Wednesday 10:00-12:00 and 13:00-16:00, Thursday 31 December, Monday 4 January 07:30-12:00 (1 January is no holiday here)
    const officeMinutes = 120 + 180 + (270 + 180) + (240 + 210) + 270;
    expect(await scrape()).toEqual({ sum: 3600 + officeMinutes * 60, count: 3 });
  });
});
