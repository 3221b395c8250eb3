// The monthly report page for the head of division: a month in WIB (an incident at 23:30 WIB on
// 30 November is November's, one at 00:30 WIB on 1 December is December's), the incident figures
// the report service computes, the chart and the download links; vendors may not read it and
// anonymous callers are sent to log in. On SQLite and PostgreSQL, with a clock the test moves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, drive, logIncident, type Caller } from '../helpers/incident-api.js';
import { logIn, startTestSigap } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

const YAML = `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - { key: skm-home, type: http, url: "http://127.0.0.1:9/", interval: 60s }
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
`;

const minutes = (n: number) => n * 60_000;
const LATE_NOVEMBER = new Date('2026-11-30T16:30:00Z'); // 23:30 WIB, 30 November
const EARLY_DECEMBER = new Date('2026-11-30T17:30:00Z'); // 00:30 WIB, 1 December
const MID_NOVEMBER = new Date('2026-11-10T03:00:00Z'); // 10:00 WIB
const TODAY = new Date('2026-12-05T03:00:00Z');

/** The table row carrying this attribute, up to its end. */
function rowOf(html: string, attribute: string): string {
  const start = html.indexOf(attribute);
  expect(start, `a row with ${attribute}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
}
const cells = (row: string) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());

describe.each(testDatabaseKinds())('the monthly report page, on $name', (kind) => {
  let database: TestDatabase;
  let sigap: Awaited<ReturnType<typeof startTestSigap>>;
  let now = TODAY;
  let admin: Caller;
  const refs: Record<string, string> = {};
  const page = async (path: string, who: string | null = 'manager') => {
    const headers: Record<string, string> = who ? { cookie: (await logIn(sigap.url!, who, who === 'admin' ? undefined : `${who}-password`)).cookie } : {};
    const res = await fetch(`${sigap.url}${path}`, { headers, redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };

  beforeAll(async () => {
    database = await kind.create();
    sigap = await startTestSigap({ databaseUrl: database.url, yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { clock: () => now, slaSweepMs: 0, dispatchMs: 0 } });
    admin = await callerFor(sigap, 'admin', 'admin');
    for (const role of ['manager', 'vendor', 'support', 'service_desk'] as const) await callerFor(sigap, role, role);

    // November, P1: acknowledged after 10 minutes, resolved after 2 hours.
    now = LATE_NOVEMBER;
    refs.late = await logIncident(admin, { service: 'pengaduan', title: 'Situs pengaduan mati', impact: 'high', urgency: 'high', category: 'availability', subcategory: 'outage' });
    now = new Date(LATE_NOVEMBER.getTime() + minutes(10));
    await drive(admin, refs.late, [['acknowledge']]);
    now = new Date(LATE_NOVEMBER.getTime() + minutes(120));
    await drive(admin, refs.late, [['resolve', { resolutionCode: 'restarted', note: 'layanan dijalankan ulang' }]]);

    // November, P3: acknowledged after 30 minutes, resolved after 4 hours.
    now = MID_NOVEMBER;
    refs.mid = await logIncident(admin, {
      service: 'skm',
      title: 'Formulir SKM error',
      impact: 'medium',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
    });
    now = new Date(MID_NOVEMBER.getTime() + minutes(30));
    await drive(admin, refs.mid, [['acknowledge']]);
    now = new Date(MID_NOVEMBER.getTime() + minutes(240));
    await drive(admin, refs.mid, [['resolve', { resolutionCode: 'fixed', note: 'validasi diperbaiki' }]]);

    // December (00:30 WIB on the 1st), still open.
    now = EARLY_DECEMBER;
    refs.early = await logIncident(admin, { service: 'skm', title: 'SKM lambat', impact: 'medium', urgency: 'low', category: 'performance', subcategory: 'slow-response' });
    now = TODAY;
  });

  afterAll(async () => {
    await sigap?.stop();
    await database?.drop();
  });

  it('shows the previous month in WIB by default, with the incidents detected in it', async () => {
    const { status, html } = await page('/reports');
    expect(status).toBe(200);
    expect(html).toContain('November 2026');
    expect(html).toContain(refs.late);
    expect(html).toContain(refs.mid);
    expect(html).not.toContain(refs.early);
    expect(html).toMatch(/<strong class="total-incidents">2<\/strong>/);
  });

  it('puts an incident at 00:30 WIB on 1 December in December', async () => {
    const { status, html } = await page('/reports?month=2026-12');
    expect(status).toBe(200);
    expect(html).toContain('Desember 2026');
    expect(html).toContain(refs.early);
    expect(html).not.toContain(refs.late);
    expect(cells(rowOf(html, 'data-category="performance"'))).toEqual(['Kinerja', '1']);
  });

  it('shows MTTA and MTTR per priority on its clock with wall time beside, SLA met by each incident’s due times', async () => {
    const { html } = await page('/reports?month=2026-11');
    const p1 = cells(rowOf(html, 'data-priority="P1"'));
    // priority, count, clock, MTTA, MTTR restore, MTTR resolve, response target, resolution target, SLA met
    expect(p1.slice(0, 4)).toEqual(['P1', '1', '24 jam', '10 menitkalender: 10 menit']);
    expect(p1[4]).toBe('—kalender: —');
    expect(p1[5]).toBe('2 jamkalender: 2 jam');
    expect(p1.slice(6)).toEqual(['1 terpenuhi, 0 terlampaui', '1 terpenuhi, 0 terlampaui', '1 / 1 (100%)']);
    const p3 = cells(rowOf(html, 'data-priority="P3"'));
    expect(p3.slice(0, 4)).toEqual(['P3', '1', 'jam kerja', '30 menitkalender: 30 menit']);
    expect(p3[5]).toBe('4 jam 0 menitkalender: 4 jam');
    expect(cells(rowOf(html, 'data-priority="P2"')).slice(0, 4)).toEqual(['P2', '0', '24 jam', '—kalender: —']);
    expect(html).toContain('MTTR pemulihan layanan');
    expect(html).toContain('MTTR penyelesaian');
    expect(cells(rowOf(html, 'data-category="availability"'))).toEqual(['Ketersediaan', '1']);
    expect(cells(rowOf(html, 'data-category="application"'))).toEqual(['Aplikasi', '1']);
    expect(cells(rowOf(html, 'data-source="manual"'))).toEqual(['Dicatat petugas', '2']);
    expect(html).toMatch(/<strong class="known-errors-added">0<\/strong>/);
  });

  it('draws a daily availability chart per service and links the month’s CSV and JSON', async () => {
    const { html } = await page('/reports?month=2026-11');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html.match(/<rect class="bar ratio-[a-z]+"/g)).toHaveLength(2 * 30);
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&'));
    // Whole office days, as the API reads them: November's first day to December's.
    const range = 'from=2026-11-01&to=2026-12-01';
    for (const path of ['/api/reports/availability', '/api/reports/incidents']) {
      for (const format of ['csv', 'json']) expect(hrefs).toContain(`${path}?${range}&format=${format}`);
    }
    expect(html).not.toMatch(/<script/);
  });

  it('is open to the manager, service desk, support and admin, with a nav link; not to a vendor', async () => {
    for (const who of ['manager', 'service_desk', 'support', 'admin']) {
      const { status, html } = await page('/reports', who);
      expect(status, who).toBe(200);
      expect(html, who).toMatch(/<a href="\/reports"[^>]*>Laporan<\/a>/);
    }
    const vendor = await page('/reports', 'vendor');
    expect(vendor.status).toBe(403);
    expect(vendor.html).not.toContain(refs.late);
    expect((await page('/', 'vendor')).html).not.toContain('href="/reports"');
  });

  it('sends an anonymous caller to log in, and refuses a malformed month', async () => {
    const anonymous = await page('/reports?month=2026-11', null);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe(`/login?next=${encodeURIComponent('/reports?month=2026-11')}`);
    expect((await page('/reports?month=2026-13')).status).toBe(422);
  });
});
