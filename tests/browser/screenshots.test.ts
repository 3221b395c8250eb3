// The main pages in real Chromium at 1280×800, in Indonesian: each renders its heading with no
// console error. With SCREENSHOTS=1 it also saves the PNGs the README shows (docs/screenshots/);
// they are committed documentation, so an ordinary test run never rewrites them.
// SQLite only: the database behaviour is covered by the other suites on both databases.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, ADMIN, LocalSite, logIn, reloadUntil, startBrowserSigap, useBrowser, type StartedSigap } from './helpers.js';

const SCREENSHOT_DIR = join(import.meta.dirname, '../../docs/screenshots');
const SAVE = process.env.SCREENSHOTS === '1';

// The SKM form is a local site the test stops and starts again, so the pages show a real probe
// incident with its evidence, the probe results around it and the restoration check's progress.
const yaml = (port: number) => `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:${port}/skm", interval: 500ms, timeout: 300ms, retryInterval: 200ms, failureThreshold: 2, successThreshold: 2 }
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
  - key: ppid
    name: PPID — Permohonan Informasi Publik
    impact: low
`;

describe('the main pages, as the README shows them', { timeout: 90_000 }, () => {
  const browser = useBrowser({ width: 1280, height: 800 });
  let started: StartedSigap;
  let baseUrl: string;
  let page: Page;
  let probeRef = '';
  const site = new LocalSite();

  beforeAll(async () => {
    if (SAVE) mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await site.start();
    started = await startBrowserSigap({ yaml: yaml(site.port) });
    baseUrl = started.sigap.url;
    const admin = await started.sigap.accounts.findUser('admin');
    const log = (input: Record<string, unknown>) => started.sigap.incidents.commands.logManual(admin, input as never);
    await log({
      service: 'pengaduan',
      title: 'Lampiran pengaduan gagal diunggah',
      description: 'Warga menelepon: unggah foto KTP berhenti di 90%.',
      impact: 'high',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Budi Santoso', contact: '0812-3456-7890' },
    });
    await log({
      service: 'ppid',
      title: 'Tautan unduhan dokumen PPID salah',
      description: 'Tautan mengarah ke dokumen tahun lalu.',
      impact: 'low',
      urgency: 'low',
      category: 'data',
      subcategory: 'data-quality',
      reporter: { name: 'Siti Aminah' },
    });
  });
  afterAll(async () => {
    await started?.stop();
    await site.stop();
  });

  async function show(path: string, heading: RegExp | string, file: string, fullPage = false): Promise<void> {
    await page.goto(`${baseUrl}${path}`);
    expect(await page.locator('h1').first().textContent()).toMatch(heading);
    if (SAVE) await page.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage });
    expect(browser.errors).toEqual([]);
  }

  it('shows the queue with a probe incident and two logged by hand', async () => {
    page = await logIn(await browser.context(), baseUrl, ADMIN);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await site.stop();
    const probeRow = page.locator('table.queue tbody tr', { hasText: 'skm-form' });
    await reloadUntil(page, 'the probe incident', async () => (await probeRow.count()) > 0);
    probeRef = (await probeRow.first().locator('td:nth-child(2) a').textContent())!;
    expect(probeRef).toMatch(/^INC-\d{4}-\d{5}$/);
    await site.start();
    await reloadUntil(page, 'the restoration', async () => (await probeRow.locator('.tag.restored').count()) > 0);
    await show('/', 'Insiden terbuka', 'queue.png');
  });

  it('shows an incident with its evidence, timeline and closure checklist', async () => {
    page = await logIn(await browser.context(), baseUrl, ADMIN);
    await page.goto(`${baseUrl}/incidents/${probeRef}`);
    await act(page, 'acknowledge', { note: 'Dicek: server formulir SKM tidak menerima koneksi.' });
    await act(page, 'resolve', { resolutionCode: 'restarted', note: 'Layanan web dimulai ulang.' });
    expect(await page.locator('section.closure').count()).toBe(1);
    await show(`/incidents/${probeRef}`, probeRef, 'incident.png', true);
  });

  it('shows the form to log an incident', async () => {
    page = await logIn(await browser.context(), baseUrl, ADMIN);
    await show('/incidents/new', 'Catat insiden', 'incident-new.png');
  });

  it('shows services and checks', async () => {
    page = await logIn(await browser.context(), baseUrl, ADMIN);
    await show('/services', 'Layanan dan pemeriksaan', 'services.png');
  });

  it('links nowhere broken from the navigation and the queue', async () => {
    page = await logIn(await browser.context(), baseUrl, ADMIN);
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    const local = [...new Set(hrefs.filter((h) => h.startsWith('/') || h.startsWith('?')))];
    expect(local.length).toBeGreaterThan(10);
    for (const href of local) {
      const res = await page.request.get(new URL(href, page.url()).toString());
      expect(res.status(), href).toBe(200);
    }
  });

  it('shows the SOPs as configured', async () => {
    page = await logIn(await browser.context(), baseUrl, ADMIN);
    await show('/sop', 'Standar Operasional Prosedur Manajemen Insiden', 'sop.png');
  });
});
