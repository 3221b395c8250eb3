// The incident page guides a person through the SOPs in real Chromium, at a desk (1366×768) and on
// a phone (390×844): the clerk acknowledges with the primary button and hands the incident to the
// vendor, after which the page offers the clerk only a note; the vendor resolves with its primary
// button; the clerk closes it. After every action a confirmation box says what was done.
// With GUIDE_SCREENSHOTS=<dir> it also saves what it saw, for a person to look at.
// SQLite only: the database behaviour is covered by the other suites on both databases.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, logIn, startBrowserSigap, submitAndWait, useBrowser, type StartedSigap } from './helpers.js';

const SHOTS = process.env.GUIDE_SCREENSHOTS;

const YAML = `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
`;

const VIEWPORTS = [
  { name: 'desk', width: 1366, height: 768 },
  { name: 'phone', width: 390, height: 844 },
] as const;

describe.each(VIEWPORTS)('the incident page guides at $width×$height', { timeout: 90_000 }, (viewport) => {
  const browser = useBrowser({ width: viewport.width, height: viewport.height });
  let started: StartedSigap;
  let baseUrl: string;
  let clerk: { username: string; password: string };
  let vendor: { username: string; password: string };

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: YAML, env: { SIGAP_ROLE: 'web' } });
    baseUrl = started.sigap.url;
    clerk = await started.createUser('dewi', 'service_desk', 'Dewi');
    vendor = await started.createUser('vendorskm', 'vendor', 'PT Vendor SKM');
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await started?.stop();
  });

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `incident-guide-${viewport.name}-${name}.png`), fullPage: false });
  };
  const flash = (page: Page) => page.locator('.flash[role="status"]').textContent();
  const primary = (page: Page) => page.locator('section.actions .next-step button.primary');

  /** The primary button is on screen within the page's width: reachable without scrolling sideways. */
  async function expectPrimary(page: Page, label: string): Promise<void> {
    const button = primary(page);
    expect(await button.textContent()).toBe(label);
    const box = (await button.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  }

  it('acknowledge → escalate to the vendor → the vendor resolves → the clerk closes, each confirmed, the primary button the next step', async () => {
    const dewi = (await started.sigap.accounts.findUser('dewi'))!;
    const { ref } = (
      await started.sigap.incidents.commands.logManual(dewi, {
        service: 'skm',
        title: 'Formulir SKM tidak bisa dikirim',
        description: 'Pelapor menelepon pukul 09.10: tombol Kirim tidak merespons di ponsel.',
        impact: 'medium',
        urgency: 'high',
        category: 'application',
        subcategory: 'form-submission',
        reporter: { name: 'Budi Santoso', contact: '0812-3456-7890' },
      })
    ).incident;

    const desk = await logIn(await browser.context(), baseUrl, clerk);
    await desk.goto(`${baseUrl}/incidents/${ref}`);
    expect(await desk.locator('.next-step-text').textContent()).toBe('Langkah berikutnya: terima insiden dan mulai diagnosis (SOP-Insiden-001 langkah 5).');
    await expectPrimary(desk, 'Terima (ambil alih)');
    // Cancelling sits apart, collapsed, and asks for a confirmation.
    expect(await desk.locator('details.danger-zone').getAttribute('open')).toBeNull();
    expect(await desk.locator('details.danger-zone input[type="checkbox"][name="confirm"]').count()).toBe(1);
    await shot(desk, '1-new');

    await submitAndWait(desk, primary(desk));
    expect(await flash(desk)).toBe(`Insiden ${ref} diterima; Anda pemiliknya sekarang.`);
    await expectPrimary(desk, 'Selesaikan');
    // The newest history entry is at the top of the history.
    expect(await desk.locator('ol.timeline li.event strong').first().textContent()).toBe('Diterima');
    await shot(desk, '2-acknowledged');

    await act(desk, 'escalate', { level: '2', note: 'Tombol Kirim gagal di aplikasi vendor; mohon ditangani.' });
    expect(await flash(desk)).toBe(`Insiden ${ref} dieskalasi.`);
    // Handed on: the clerk may add a note, no longer take or resolve it.
    await expectPrimary(desk, 'Tambah catatan');
    expect(await desk.locator('.next-step-text').textContent()).toContain('sudah diserahkan ke vendor');
    expect(await desk.locator('section.actions .action-acknowledge, section.actions .action-resolve').count()).toBe(0);
    await shot(desk, '3-with-vendor');

    const vendorPage = await logIn(await browser.context(), baseUrl, vendor);
    await vendorPage.goto(`${baseUrl}/incidents/${ref}`);
    await expectPrimary(vendorPage, 'Selesaikan');
    await act(vendorPage, 'resolve', { resolutionCode: 'vendor_fixed', note: 'Perbaikan dipasang 10.05, formulir terkirim normal.' });
    expect(await flash(vendorPage)).toBe(`Insiden ${ref} diselesaikan.`);
    expect(await vendorPage.locator('section.actions .next-step button.primary').count()).toBe(0);
    await shot(vendorPage, '4-resolved-vendor');

    await desk.goto(`${baseUrl}/incidents/${ref}`);
    await expectPrimary(desk, 'Tutup');
    await shot(desk, '5-resolved-desk');
    await act(desk, 'close', { closureCode: 'confirmed', note: 'Pelapor mengonfirmasi lewat telepon.' });
    expect(await flash(desk)).toBe(`Insiden ${ref} ditutup.`);
    expect(await desk.locator('.next-step-text').textContent()).toContain('insiden sudah ditutup');
    expect(await primary(desk).count()).toBe(0);
    expect(await desk.locator('ol.timeline li.event strong').first().textContent()).toBe('Ditutup');
    await shot(desk, '6-closed');
    expect(browser.errors).toEqual([]);
  });
});
