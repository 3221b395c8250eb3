// The monthly report and the public status page in real Chromium: the head of division opens
// /reports and sees the server-drawn SVG chart and the tables; a citizen opens /status without
// logging in and sees every service's state and its 90 daily bars; neither page logs a console
// error. With SCREENSHOTS=1 both pages are saved (1280×800) to docs/screenshots for the README.
// SQLite only, like every browser suite.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { callerFor, drive, logIncident } from '../helpers/incident-api.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';
import { logIn, startBrowserSigap, useBrowser, type StartedSigap } from './helpers.js';

const HOUR = 3_600_000;
const check = (key: string) => `      - { key: ${key}, type: http, url: "http://127.0.0.1:9/${key}", interval: 1h, timeout: 10s }`;
const YAML = `
timezone: Asia/Jakarta
services:
  - key: perizinan
    name: Perizinan Online
    impact: high
    checks:
${check('izin-web')}
${check('izin-api')}
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
    checks:
${check('pengaduan-web')}
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
${check('skm-web')}
`;

/** Hourly results for the last `days` days: a few bad hours on some days, so the bars differ. */
async function recordHistory(started: StartedSigap, days: number, now: number): Promise<void> {
  const { db } = started.sigap;
  const checks = await db.stores.checks.listChecks();
  const firstHour = Math.floor(now / HOUR) * HOUR - days * 24 * HOUR;
  for (const [n, c] of checks.entries()) {
    const rows = [];
    for (let t = firstHour; t < now; t += HOUR) {
      const hour = (t - firstHour) / HOUR;
      const day = Math.floor(hour / 24);
      const status: ProbeStatus = (day + n) % 11 === 3 && hour % 24 < 3 ? 'down' : (day + n) % 7 === 5 && hour % 24 === 9 ? 'degraded' : 'up';
      rows.push({
        checkId: c.id,
        instance: 'test',
        result: { checkKey: c.key, startedAt: new Date(t), durationMs: 120, status, failureKind: status === 'down' ? ('connect' as const) : null, timings: {}, evidence: {} },
      });
    }
    for (let i = 0; i < rows.length; i += 200) await db.stores.checks.insertResults(rows.slice(i, i + 200));
    const state: ProbeStatus = c.key === 'izin-api' ? 'down' : 'up';
    await db.stores.checks.updateCheckState(c.id, {
      state,
      consecutiveFailures: 0,
      consecutiveSuccesses: 3,
      streakStartedAt: new Date(now - HOUR),
      lastResultAt: new Date(now - 60_000),
      lastStateChangeAt: null,
    });
  }
}

const screenshots = process.env.SCREENSHOTS === '1' ? join(PROJECT_ROOT, 'docs', 'screenshots') : null;

describe('the report and status pages in Chromium', () => {
  const browser = useBrowser({ width: 1280, height: 800 });
  let started: StartedSigap;
  let month: string;

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { slaSweepMs: 0, dispatchMs: 0 } });
    const now = Date.now();
    month = new Date(now + 7 * HOUR).toISOString().slice(0, 7); // this month in WIB
    await recordHistory(started, 40, now);
    const admin = await callerFor(started.sigap, 'admin', 'admin');
    const open = await logIncident(admin, {
      service: 'perizinan',
      title: 'API perizinan menolak koneksi',
      impact: 'high',
      urgency: 'high',
      category: 'availability',
      subcategory: 'outage',
    });
    await drive(admin, open, [['acknowledge']]);
    const done = await logIncident(admin, {
      service: 'skm',
      title: 'Formulir SKM lambat',
      impact: 'medium',
      urgency: 'low',
      category: 'performance',
      subcategory: 'slow-response',
    });
    await drive(admin, done, [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'indeks basis data ditambah' }]]);
    await started.createUser('kabid', 'manager', 'Kepala Bidang');
    if (screenshots) mkdirSync(screenshots, { recursive: true });
  });

  afterAll(async () => {
    await started?.stop();
  });

  it('shows the head of division the month’s chart and tables', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, { username: 'kabid', password: 'kabid-password' });
    await page.getByRole('link', { name: 'Laporan' }).click();
    await page.waitForURL(/\/reports$/);
    await page.goto(`${started.sigap.url}/reports?month=${month}`);

    await expect.poll(() => page.locator('svg.chart').count()).toBe(3);
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    const bars = page.locator('svg.chart').first().locator('rect.bar');
    expect(await bars.count()).toBeGreaterThanOrEqual(28);
    expect((await bars.first().boundingBox())!.height).toBeGreaterThan(0);
    for (const table of ['availability-table', 'priority-table', 'category-table', 'source-table', 'incident-table']) {
      expect(await page.locator(`table.${table}`).isVisible(), table).toBe(true);
    }
    expect(await page.locator('table.priority-table tr[data-priority="P1"] td').nth(1).textContent()).toBe('1');
    expect(await page.locator('table.category-table tr[data-category="performance"] td').first().textContent()).toBe('Kinerja');
    if (screenshots) await page.screenshot({ path: join(screenshots, 'reports.png') });
    // Printed (the PDF is the browser's "print to PDF"): no navigation, the chart still there.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.locator('.report-nav').isVisible()).toBe(false);
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('shows a citizen every service’s state and 90 daily bars without a log-in', async () => {
    const context = await browser.context();
    const page = await context.newPage();
    await page.goto(`${started.sigap.url}/status`);
    expect(await page.locator('h1').textContent()).toBe('Status layanan');
    expect(await page.locator('article.status-service').count()).toBe(3);
    expect(await page.locator('article[data-service="perizinan"] .svc-state').textContent()).toBe('Gangguan sebagian');
    expect(await page.locator('article[data-service="skm"] .svc-state').textContent()).toBe('Beroperasi normal');
    const bars = page.locator('article[data-service="skm"] ol.day-bars li');
    expect(await bars.count()).toBe(90);
    expect(await bars.last().isVisible()).toBe(true);
    expect(await bars.last().getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2}: \d/);
    // the one ongoing disruption: perizinan, with its incident under it
    expect(await page.locator('.status-incidents.current li.status-disruption').evaluateAll((items) => items.map((li) => li.getAttribute('data-service')))).toEqual(['perizinan']);
    expect(await page.locator('.status-incidents.current li.status-incident').count()).toBe(1);
    expect(await page.locator('header .who').count()).toBe(0);
    if (screenshots) await page.screenshot({ path: join(screenshots, 'status.png') });
    expect(browser.errors).toEqual([]);
  });
});
