// /metrics keeps its incident figures from the incidents written since the previous scrape; after
// any sequence of changes (new incidents, acknowledgements, resolutions, pauses, cancellations,
// reopenings, reprioritising, and time passing due times with nothing written) its incident
// series must be exactly what a process scraping for the first time computes from every incident.
// On SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_STATUSES } from '../../../detector/incidents/lifecycle.js';
import { IncidentFigures, CHANGE_MARGIN_MS } from '../../../detector/reporting/incident-figures.js';
import { DURATION_BUCKETS, SigapMetrics } from '../../../detector/reporting/metrics.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../../helpers/incident-api.js';
import { startTestSigap } from '../../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../../helpers/test-databases.js';

// Monday 7 December 2026, 08:00 WIB: office hours.
const T0 = Date.parse('2026-12-07T01:00:00Z');
const MINUTE = 60_000;

describe.each(testDatabaseKinds())('the incident figures of /metrics on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let now = T0;
  const clock = () => new Date(now);

  const metrics = (pageSize?: number) =>
    new SigapMetrics({
      store: sigap.db.stores.metrics,
      outbox: sigap.db.stores.notifications,
      availability: { forServices: async () => new Map() },
      probing: null,
      measure: { targets: sigap.config.policy.targets, calendar: sigap.config.calendar },
      clock,
      incidentPageSize: pageSize,
    });
  /** The incident series of an exposition, sorted (the order of series carries no meaning). */
  const incidentSeries = (text: string) =>
    text
      .split('\n')
      .filter((line) => /^sigap_(incidents_|incident_time_|sla_breaches)/.test(line))
      .sort();
  const sample = (series: string[], prefix: string) => series.filter((line) => line.startsWith(prefix)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: INCIDENT_TEST_YAML, env: { SIGAP_ROLE: 'web' }, start: { clock } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('answer after every change exactly what a first scrape over every incident answers', async () => {
    // One long-lived registry reading a page of two incidents at a time at first, then only changes.
    const kept = metrics(2);
    const at = async (minutes: number, change: () => Promise<unknown>) => {
      now = T0 + minutes * MINUTE;
      await change();
      const scraped = incidentSeries(await kept.render());
      expect(scraped, `after minute ${minutes}`).toEqual(incidentSeries(await metrics().render()));
      return scraped;
    };

    await at(0, async () => {});
    const refs: string[] = [];
    await at(1, async () => {
      for (const overrides of [{}, { service: 'pengaduan', urgency: 'high', impact: 'high' }, { category: 'network', subcategory: 'dns' }, {}, {}])
        refs.push(await logIncident(desk, overrides));
    });
    const [a, b, c, d, e] = refs as [string, string, string, string, string];
    await at(10, () => drive(desk, a, [['acknowledge']]));
    await at(25, () => drive(desk, b, [['acknowledge'], ['resolve', { resolutionCode: 'restarted', note: 'dijalankan ulang' }]]));
    await at(40, () => drive(desk, c, [['acknowledge'], ['pending', { reason: 'menunggu vendor' }]]));
    const before = await at(50, () => drive(desk, d, [['cancel', { reason: 'duplikat' }]]));
    // Nothing written for hours: response and resolution targets pass by the clock alone.
    const late = await at(600, async () => {});
    expect(sample(late, 'sigap_sla_breaches_total{target="response"')).toBeGreaterThan(sample(before, 'sigap_sla_breaches_total{target="response"'));
    await at(610, () => sigap.incidents.sla.sweep());
    await at(620, () => drive(desk, a, [['resolve', { resolutionCode: 'restarted', note: 'pulih' }]]));
    await at(630, () => drive(desk, b, [['reopen', { reason: 'muncul lagi' }]]));
    await at(640, () => drive(desk, c, [['resume']]));
    await at(650, () => drive(desk, e, [['reprioritize', { impact: 'high', urgency: 'high', reason: 'meluas' }]]));
    const last = await at(700, () => drive(desk, c, [['resolve', { resolutionCode: 'restarted', note: 'pulih' }]]));
    // The figures are not empty: five opened, durations measured, one canceled and counted only as opened.
    expect(sample(last, 'sigap_incidents_opened_total')).toBe(5);
    expect(sample(last, 'sigap_incident_time_to_resolve_seconds_count')).toBe(2);
    expect(sample(last, 'sigap_incident_time_to_acknowledge_seconds_count')).toBe(3);
  });

  it('count the open and canceled incidents a first read pages through, whatever the page size', async () => {
    now = T0 + 800 * MINUTE;
    const whole = incidentSeries(await metrics().render());
    for (const pageSize of [1, 3, 1000]) expect(incidentSeries(await metrics(pageSize).render()), `pages of ${pageSize}`).toEqual(whole);
  });

  it('read again only the incidents written since the previous read, less a margin', async () => {
    const reads: Array<number | null> = [];
    const store = sigap.db.stores.metrics;
    const figures = new IncidentFigures({
      store: {
        incidentsAfter: (after, limit) => (reads.push(null), store.incidentsAfter(after, limit)),
        incidentsChangedSince: (since) => (reads.push(since.getTime()), store.incidentsChangedSince(since)),
      },
      measure: { targets: sigap.config.policy.targets, calendar: sigap.config.calendar },
      openStatuses: OPEN_STATUSES,
      buckets: DURATION_BUCKETS,
      clock,
    });
    now = T0 + 900 * MINUTE;
    await figures.refresh();
    now = T0 + 901 * MINUTE;
    await figures.refresh();
    expect(reads).toEqual([null, T0 + 900 * MINUTE - CHANGE_MARGIN_MS]);
  });
});
