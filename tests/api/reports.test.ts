// The availability and incident reports through the API, JSON and CSV, on real SQLite and
// PostgreSQL: incidents driven through the API with an injected clock, figures computed by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCsv } from '../../detector/reporting/csv.js';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';
import { parseCsv } from '../helpers/csv.js';

const MIN = 60_000;
const wib = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`);
const YAML = INCIDENT_TEST_YAML.replace(
  '    impact: medium\n',
  '    impact: medium\n    checks:\n      - { key: skm-form, type: http, url: "http://127.0.0.1:9/", interval: 60s }\n',
);

describe('CSV for spreadsheets', () => {
  it('starts with a BOM and quotes commas, quotes and line ends as RFC 4180 says', () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        ['x, y', 'say "hi"'],
        ['line\nbreak', null],
        [0.5, true],
      ],
    );
    expect(csv.startsWith('\uFEFFa,b\r\n')).toBe(true);
    expect(csv).toBe('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n0.5,true\r\n');
    expect(parseCsv(csv.slice(1))).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['line\nbreak', ''],
      ['0.5', 'true'],
    ]);
  });
});

describe.each(testDatabaseKinds())('reports through the API on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let desk: Caller;
  let manager: Caller;
  let vendor: Caller;
  let now = wib('2026-12-01 10:00');
  const refs: Record<string, string> = {};
  const P1 = { service: 'pengaduan', impact: 'high', urgency: 'high' };

  const at = async <T>(local: string, work: () => Promise<T>) => {
    now = wib(local);
    return work();
  };
  const raw = (path: string, headers: Record<string, string> = {}) => fetch(`${sigap.url}${path}`, { headers });

  beforeAll(async () => {
    database = await kind.create();
    // SIGAP_ROLE=web: nothing probes the placeholder URL; availability is read from the results below.
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    desk = await callerFor(sigap, 'desk1', 'service_desk');
    manager = await callerFor(sigap, 'head', 'manager');
    vendor = await callerFor(sigap, 'vendor1', 'vendor');

    // Tuesday 1 December 2026, WIB.
    refs.a = await at('2026-12-01 10:00', () => logIncident(desk, P1));
    await at('2026-12-01 10:10', () => drive(desk, refs.a!, [['acknowledge']]));
    await at('2026-12-01 11:00', () => drive(desk, refs.a!, [['resolve', { resolutionCode: 'restarted', note: 'layanan dijalankan ulang' }]]));
    refs.b = await at('2026-12-01 12:00', () => logIncident(desk, P1));
    // 30 minutes: past the 15-minute response target of P1
    await at('2026-12-01 12:30', () => drive(desk, refs.b!, [['acknowledge']]));
    await at('2026-12-01 13:00', () => drive(desk, refs.b!, [['resolve', { resolutionCode: 'fixed', note: 'diperbaiki' }]]));
    await at('2026-12-01 13:10', () => drive(desk, refs.b!, [['reopen', { reason: 'muncul lagi' }]]));
    await at('2026-12-01 13:40', () => drive(desk, refs.b!, [['resolve', { resolutionCode: 'fixed', note: 'diperbaiki lagi' }]]));
    refs.c = await at('2026-12-01 14:00', () => logIncident(desk));
    await at('2026-12-01 14:20', () => drive(desk, refs.c!, [['acknowledge']]));
    refs.d = await at('2026-12-01 14:30', () => logIncident(desk));
    await at('2026-12-01 14:40', () => drive(desk, refs.d!, [['cancel', { reason: 'duplikat' }]]));
    // 00:30 WIB on 2 December is still 1 December in UTC: not in a report of 1 December (WIB).
    refs.e = await at('2026-12-02 00:30', () => logIncident(desk));

    // skm-form every minute 08:00-08:59 WIB: down until 08:15, then up; the last result covers to 09:01.
    const check = (await sigap.db.stores.checks.getCheck('skm-form'))!;
    const results = Array.from({ length: 60 }, (_, i) => {
      const status: ProbeStatus = i < 15 ? 'down' : 'up';
      return {
        checkId: check.id,
        instance: 'test',
        result: {
          checkKey: 'skm-form',
          startedAt: new Date(wib('2026-12-01 08:00').getTime() + i * MIN),
          durationMs: 100,
          status,
          failureKind: status === 'up' ? null : ('connect' as const),
          timings: {},
          evidence: {},
        },
      };
    });
    await sigap.db.stores.checks.insertResults(results);
    // The failure was confirmed: the detector recorded it as an outage, first failed probe to restoration.
    await sigap.db.stores.outages.open(check.id, 'down', wib('2026-12-01 08:00'));
    await sigap.db.stores.outages.close(check.id, wib('2026-12-01 08:15'));
    now = wib('2026-12-02 12:00');
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('answers availability per service per WIB day with the down intervals, as JSON', async () => {
    const { status, json } = await manager.call('GET', '/api/reports/availability?from=2026-12-01&to=2026-12-03');
    expect(status).toBe(200);
    const empty = { observedMs: 0, upMs: 0, downMs: 0, degradedMs: 0, maintenanceMs: 0, unknownMs: 0, availability: null, probeDownMs: 0, probeDegradedMs: 0, probeSuccess: null };
    expect(json).toEqual({
      from: '2026-11-30T17:00:00.000Z',
      to: '2026-12-02T17:00:00.000Z',
      timezone: 'Asia/Jakarta',
      degradedCountsAs: 'up',
      businessHoursOnly: false,
      days: [
        { day: '2026-12-01', service: 'pengaduan', ...empty },
        // 08:00-09:01 observed, 08:00-08:15 down
        {
          day: '2026-12-01',
          service: 'skm',
          observedMs: 61 * MIN,
          upMs: 46 * MIN,
          downMs: 15 * MIN,
          degradedMs: 0,
          maintenanceMs: 0,
          unknownMs: 0,
          availability: 46 / 61,
          probeDownMs: 15 * MIN,
          probeDegradedMs: 0,
          probeSuccess: 46 / 61,
        },
        { day: '2026-12-02', service: 'pengaduan', ...empty },
        { day: '2026-12-02', service: 'skm', ...empty },
      ],
      downIntervals: [{ service: 'skm', check: 'skm-form', from: '2026-12-01T01:00:00.000Z', to: '2026-12-01T01:15:00.000Z', kind: 'down' }],
    });
    const one = await manager.call('GET', '/api/reports/availability?from=2026-12-01&to=2026-12-02&service=skm');
    expect(one.json.days.map((d: { service: string }) => d.service)).toEqual(['skm']);
  });

  it('answers the same availability as a CSV file an Indonesian spreadsheet opens: ; between fields, percent with a decimal comma, minutes', async () => {
    const res = await raw('/api/reports/availability?from=2026-12-01&to=2026-12-03&format=csv', {
      cookie: '',
      authorization: `Bearer ${(await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('head'))!, 'csv')).token}`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="sigap-availability-2026-12-01-to-2026-12-03.csv"');
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\r\n')[2]).toBe('2026-12-01;skm;75,41;75,41;61;46;15;0;0;0');
    expect(parseCsv(text.slice(1), ';')).toEqual([
      [
        'Tanggal',
        'Layanan',
        'Ketersediaan (%)',
        'Keberhasilan probe (%)',
        'Waktu terpantau (menit)',
        'Waktu normal (menit)',
        'Waktu gangguan (menit)',
        'Waktu menurun (menit)',
        'Waktu pemeliharaan (menit)',
        'Waktu tanpa data (menit)',
      ],
      ['2026-12-01', 'pengaduan', '', '', '0', '0', '0', '0', '0', '0'],
      ['2026-12-01', 'skm', '75,41', '75,41', '61', '46', '15', '0', '0', '0'], // 46 of 61 minutes
      ['2026-12-02', 'pengaduan', '', '', '0', '0', '0', '0', '0', '0'],
      ['2026-12-02', 'skm', '', '', '0', '0', '0', '0', '0', '0'],
    ]);
  });

  it('answers the CSV with commas and English headers on request (sep=, lang=en), a decimal dot', async () => {
    const token = (await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('head'))!, 'csv-en')).token;
    const res = await raw('/api/reports/availability?from=2026-12-01&to=2026-12-02&format=csv&sep=,&lang=en', { authorization: `Bearer ${token}` });
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
    expect(rows[0]!.slice(0, 5)).toEqual(['Day', 'Service', 'Availability (%)', 'Probe success (%)', 'Observed (min)']);
    expect(rows[2]).toEqual(['2026-12-01', 'skm', '75.41', '75.41', '61', '46', '15', '0', '0', '0']);
  });

  it('reports MTTA, mean time to restore and to resolve, SLA met by each incident’s due times and breaches per priority', async () => {
    const { status, json } = await manager.call('GET', '/api/reports/incidents?from=2026-12-01&to=2026-12-02');
    expect(status).toBe(200);
    expect(json.incidents.map((i: { ref: string }) => i.ref)).toEqual([refs.a, refs.b, refs.c, refs.d]);
    expect(json.byPriority.P1).toEqual({
      count: 2,
      clock: '24x7',
      mttaMs: 20 * MIN, // (10 + 30) / 2
      mttRestoreMs: null, // incidents logged by hand have no restoration time
      // (60 + 90) / 2: B was resolved again at 13:40 after its reopening; its 10 minutes resolved do not count
      mttResolveMs: 75 * MIN,
      wall: { mttaMs: 20 * MIN, mttRestoreMs: null, mttResolveMs: 80 * MIN }, // wall time: (60 + 100) / 2
      response: { met: 1, breached: 1, running: 0 }, // B acknowledged after 30 minutes, due after 15
      resolution: { met: 2, breached: 0, running: 0 },
      finished: 2,
      slaMet: 1,
      slaMetRatio: 0.5,
      breaches: { response: 1, resolution: 0 },
    });
    // C is still open, within its resolution target; the canceled D counts nowhere
    expect(json.byPriority.P3).toMatchObject({
      count: 1,
      clock: 'business',
      mttaMs: 20 * MIN,
      mttResolveMs: null,
      response: { met: 1, breached: 0, running: 0 },
      resolution: { met: 0, breached: 0, running: 1 },
      slaMet: 0,
      slaMetRatio: null,
      breaches: { response: 0, resolution: 0 },
    });
    expect(json.byPriority.P2).toMatchObject({ count: 0, mttaMs: null, slaMetRatio: null });
    expect(json).toMatchObject({ byCategory: { application: 3 }, bySource: { manual: 3 }, canceled: 1, reopenRate: 0.5, topRecurring: [], knownErrorsAdded: 0 });
    expect(json.definitions.mttaMs).toContain('acknowledgedAt');
    expect(json.incidents[1]).toMatchObject({
      priority: 'P1',
      timeToAcknowledgeMs: 30 * MIN,
      responseDueAt: wib('2026-12-01 12:15').toISOString(),
      response: 'breached',
      responseBreached: true,
      reopenCount: 1,
      status: 'resolved',
    });
  });

  it('answers the incident rows as CSV: Indonesian headers, times in WIB with the zone, whole minutes', async () => {
    const { json } = await manager.call('GET', '/api/reports/incidents?from=2026-12-01&to=2026-12-02');
    const token = (await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('desk1'))!, 'csv')).token;
    const res = await raw('/api/reports/incidents?from=2026-12-01&to=2026-12-02&format=csv', { authorization: `Bearer ${token}` });
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="sigap-incidents-2026-12-01-to-2026-12-02.csv"');
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''), ';');
    expect(rows[0]).toEqual([
      'Nomor',
      'Layanan',
      'Prioritas',
      'Kategori',
      'Sumber',
      'Status',
      'Jam SLA',
      'Terdeteksi',
      'Ditanggapi',
      'Layanan pulih',
      'Diselesaikan',
      'Ditutup',
      'Batas tanggap',
      'Batas penyelesaian',
      'Waktu tanggap (menit, jam SLA)',
      'Waktu pemulihan (menit, jam SLA)',
      'Waktu penyelesaian (menit, jam SLA, tanpa jeda)',
      'Waktu tanggap (menit, waktu kalender)',
      'Waktu pemulihan (menit, waktu kalender)',
      'Waktu penyelesaian (menit, waktu kalender)',
      'Target tanggap',
      'Target penyelesaian',
      'Dibuka kembali',
      'Masuk lewat',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(json.incidents.map((i: { ref: string }) => i.ref));
    expect(rows[1]).toEqual([
      refs.a,
      'pengaduan',
      'P1',
      'application',
      'manual',
      'Diselesaikan',
      '24 jam',
      '2026-12-01 10:00 WIB',
      '2026-12-01 10:10 WIB',
      '',
      '2026-12-01 11:00 WIB',
      '',
      '2026-12-01 10:15 WIB',
      '2026-12-01 14:00 WIB',
      '10',
      '',
      '60',
      '10',
      '',
      '60',
      'terpenuhi',
      'terpenuhi',
      '0',
      'lainnya',
    ]);
  });

  it('reads the current month up to now when from and to are left out', async () => {
    const { status, json } = await manager.call('GET', '/api/reports/incidents');
    expect(status).toBe(200);
    expect(json.from).toBe(wib('2026-12-01 00:00').toISOString());
    expect(json.to).toBe(wib('2026-12-02 12:00').toISOString());
    expect(json.incidents.map((i: { ref: string }) => i.ref)).toEqual([refs.a, refs.b, refs.c, refs.d, refs.e]);
    const availability = await manager.call('GET', '/api/reports/availability?service=skm');
    expect(availability.json).toMatchObject({ from: json.from, to: json.to });
    const token = (await sigap.accounts.createToken((await sigap.db.stores.accounts.findUserByUsername('head'))!, 'csv-default')).token;
    const csv = await raw('/api/reports/incidents?format=csv', { authorization: `Bearer ${token}` });
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="sigap-incidents-2026-12-01-to-2026-12-02.csv"');
  });

  it.each([
    ['a month 13', 'from=2026-13-01&to=2026-12-02', 'from'],
    ['a from after today (to defaults to now)', 'from=2026-12-03', 'from'],
    ['a to before the current month (from defaults to its first day)', 'to=2026-11-15', 'to'],
    ['a separator other than ; or ,', 'from=2026-12-01&to=2026-12-02&format=csv&sep=%7C', 'sep'],
    ['a CSV language other than id or en', 'from=2026-12-01&to=2026-12-02&format=csv&lang=fr', 'lang'],
    ['to before from', 'from=2026-12-02&to=2026-12-01', 'to'],
    ['more than 400 days', 'from=2025-01-01&to=2026-12-01', 'to'],
    ['an unknown format', 'from=2026-12-01&to=2026-12-02&format=xlsx', 'format'],
  ])('refuses %s with 422 naming the field', async (_what, query, field) => {
    for (const path of ['/api/reports/availability', '/api/reports/incidents']) {
      const { status, json } = await manager.call('GET', `${path}?${query}`);
      expect(status).toBe(422);
      expect(json.error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
  });

  it('refuses an unknown service with 422', async () => {
    const { status, json } = await manager.call('GET', '/api/reports/availability?from=2026-12-01&to=2026-12-02&service=nope');
    expect(status).toBe(422);
    expect(json.error.details).toEqual([{ path: 'service', message: 'no service "nope"' }]);
  });

  it('refuses vendors (403) and anonymous callers (401)', async () => {
    for (const path of ['/api/reports/availability', '/api/reports/incidents']) {
      expect((await vendor.call('GET', `${path}?from=2026-12-01&to=2026-12-02`)).status).toBe(403);
      expect((await raw(`${path}?from=2026-12-01&to=2026-12-02`)).status).toBe(401);
    }
  });
});
