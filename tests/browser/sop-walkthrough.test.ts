// The SOPs walked by people in real Chromium, on the Indonesian pages: a clerk logs a phone call,
// acknowledges and escalates it to the vendor, who sees only what is escalated to it and resolves
// it; the clerk closes it. A probe opens an incident when a local site stops. A script typed into
// every free-text field stays text, and a form without its CSRF token is refused.
// SQLite only: the database behaviour is covered by the other suites on both databases.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, ADMIN, LocalSite, logIn, openActionForm, reloadUntil, startBrowserSigap, submitAndWait, useBrowser, type StartedSigap } from './helpers.js';

const SERVICES_YAML = `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
`;

/** The clerk logs what a caller reports through /incidents/new; answers the new incident's ref. */
async function logPhoneCall(page: Page, baseUrl: string, call: Record<string, string>): Promise<string> {
  await page.goto(`${baseUrl}/incidents/new`);
  const form = page.locator('form.incident-new');
  for (const name of ['service', 'impact', 'urgency', 'category', 'subcategory']) {
    if (call[name] !== undefined) await form.locator(`select[name="${name}"]`).selectOption(call[name]!);
  }
  for (const name of ['title', 'reporterName', 'reporterContact']) {
    if (call[name] !== undefined) await form.locator(`input[name="${name}"]`).fill(call[name]!);
  }
  await form.locator('select[name="reportedVia"]').selectOption(call.reportedVia ?? 'phone');
  await form.locator('textarea[name="description"]').fill(call.description ?? '');
  await submitAndWait(page, form.locator('button[type="submit"]'));
  const match = /\/incidents\/(INC-\d{4}-\d{5})$/.exec(new URL(page.url()).pathname);
  if (!match)
    throw new Error(
      `logging the call landed on ${page.url()}: ${await page
        .locator('.form-error')
        .textContent({ timeout: 1000 })
        .catch(() => '')}`,
    );
  return match![1]!;
}

const statusOf = (page: Page) => page.locator('dl.fields dt:text-is("Status") + dd').first().textContent();
const queueRefs = async (page: Page) => page.locator('table.queue tbody td:nth-child(2) a').allTextContents();

describe('SOP-Insiden-001/-002/-003 in the browser: a phone call from logging to closure', { timeout: 90_000 }, () => {
  const browser = useBrowser();
  let started: StartedSigap;
  let baseUrl: string;
  let clerk: { username: string; password: string };
  let vendor: { username: string; password: string };

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: SERVICES_YAML, env: { SIGAP_ROLE: 'web' } });
    baseUrl = started.sigap.url;
    clerk = await started.createUser('dewi', 'service_desk', 'Dewi (service desk)');
    vendor = await started.createUser('vendorskm', 'vendor', 'PT Vendor SKM');
  });
  afterAll(async () => {
    await started?.stop();
  });

  it('the clerk logs, acknowledges and escalates to the vendor; the vendor sees only that one, notes and resolves; the clerk closes it confirmed', async () => {
    const desk = await logIn(await browser.context(), baseUrl, clerk);
    const ref = await logPhoneCall(desk, baseUrl, {
      service: 'skm',
      title: 'Formulir SKM tidak bisa dikirim',
      description: 'Pelapor menelepon pukul 09.10: tombol Kirim tidak merespons di ponsel.',
      impact: 'medium',
      urgency: 'high',
      category: 'application',
      subcategory: 'form-submission',
      reporterName: 'Budi Santoso',
      reporterContact: '0812-3456-7890',
    });
    await expect.poll(() => desk.locator('h1').textContent()).toContain('Formulir SKM tidak bisa dikirim');
    expect(await statusOf(desk)).toBe('Baru');
    expect(await desk.locator('dl.fields').textContent()).toContain('Budi Santoso · 0812-3456-7890');
    expect(await desk.locator('dl.fields').textContent()).toContain('aplikasi / pengiriman formulir');

    await act(desk, 'acknowledge', { note: 'Diterima, dicek dari sisi service desk.' });
    expect(await statusOf(desk)).toBe('Ditangani');
    await act(desk, 'escalate', { level: '2', note: 'Tombol Kirim gagal di aplikasi vendor; mohon ditangani.' });
    expect(await statusOf(desk)).toBe('Dieskalasi');
    expect(await desk.locator('dl.fields').textContent()).toContain('L2');
    expect(await desk.locator('ol.timeline').textContent()).toContain('Tombol Kirim gagal di aplikasi vendor; mohon ditangani.');

    // a second call that stays at the service desk (level 0)
    const deskOnly = await logPhoneCall(desk, baseUrl, {
      service: 'pengaduan',
      title: 'Pelapor lupa kata sandi Pengaduan',
      description: 'Minta dibantu masuk.',
      impact: 'low',
      urgency: 'low',
      category: 'other',
      subcategory: 'other',
      reporterName: 'Siti',
    });
    await desk.goto(`${baseUrl}/`);
    expect(await queueRefs(desk)).toEqual(expect.arrayContaining([ref, deskOnly]));

    const vendorPage = await logIn(await browser.context(), baseUrl, vendor);
    expect(await queueRefs(vendorPage)).toEqual([ref]);
    await submitAndWait(vendorPage, vendorPage.locator(`a[href="/incidents/${ref}"]`));
    expect(await vendorPage.locator('h1').textContent()).toContain(ref);
    const notFound = await vendorPage.goto(`${baseUrl}/incidents/${deskOnly}`);
    expect(notFound?.status()).toBe(404);
    expect(await vendorPage.locator('h1').textContent()).toBe('404');
    expect(await vendorPage.content()).not.toContain('Pelapor lupa kata sandi');
    // the browser reports the 404 the test asked for as a console error; nothing else may
    expect(browser.errors.splice(0)).toEqual([expect.stringContaining('404')]);

    await vendorPage.goto(`${baseUrl}/incidents/${ref}`);
    await act(vendorPage, 'note', { note: 'Vendor: validasi JavaScript di halaman formulir diperbaiki.' });
    await act(vendorPage, 'resolve', { resolutionCode: 'vendor_fixed', note: 'Perbaikan dipasang 10.05, formulir terkirim normal.' });
    expect(await statusOf(vendorPage)).toBe('Diselesaikan');
    expect(await vendorPage.locator('ol.timeline').textContent()).toContain('Vendor: validasi JavaScript di halaman formulir diperbaiki.');

    await desk.goto(`${baseUrl}/incidents/${ref}`);
    expect(await desk.locator('section.closure h2').textContent()).toBe('Daftar periksa penutupan');
    await act(desk, 'close', { closureCode: 'confirmed', note: 'Pelapor mengonfirmasi lewat telepon.' });
    expect(await statusOf(desk)).toBe('Ditutup');
    expect(await desk.locator('section.actions').textContent()).not.toContain('Tutup');
    expect(browser.errors).toEqual([]);
  });

  const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';

  /** The payload is on the page as text, and nothing of it ran or became an element. */
  async function expectInert(page: Page, times: number): Promise<void> {
    expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('script').evaluateAll((scripts) => scripts.filter((s) => s.textContent?.includes('__xss')).length)).toBe(0);
    const text = (await page.locator('main, body').first().textContent()) ?? '';
    expect(text.split(XSS).length - 1).toBeGreaterThanOrEqual(times);
  }

  it('a script typed into every free-text field is shown as text and never runs', async () => {
    const desk = await logIn(await browser.context(), baseUrl, clerk);
    const ref = await logPhoneCall(desk, baseUrl, {
      service: 'skm',
      title: XSS,
      description: XSS,
      impact: 'low',
      urgency: 'low',
      category: 'other',
      subcategory: 'other',
      reporterName: XSS,
      reporterContact: XSS,
    });
    await expectInert(desk, 4);
    await act(desk, 'acknowledge', { note: XSS });
    await act(desk, 'note', { note: XSS });
    await act(desk, 'reprioritize', { impact: 'medium', reason: XSS });
    await act(desk, 'pending', { reason: XSS });
    await act(desk, 'resume', { note: XSS });
    await act(desk, 'escalate', { level: '1', note: XSS });
    await act(desk, 'escalate_management', { note: XSS });
    await act(desk, 'resolve', { resolutionCode: 'fixed', note: XSS });
    expect(await statusOf(desk)).toBe('Diselesaikan');
    // title, description, reporter name and contact, and eight notes or reasons in the timeline
    await expectInert(desk, 12);

    const knownError = desk.locator('details.known-error-form');
    await knownError.locator('summary').click();
    for (const name of ['title', 'symptoms', 'cause', 'workaround', 'resolution']) await knownError.locator(`[name="${name}"]`).fill(XSS);
    await submitAndWait(desk, knownError.locator('button[type="submit"]'));
    await desk.goto(`${baseUrl}/known-errors`);
    await expectInert(desk, 5);

    await desk.goto(`${baseUrl}/maintenance`);
    const maintenance = desk.locator('section.add-maintenance form');
    await maintenance.locator('input[name="title"]').fill(XSS);
    await maintenance.locator('input[name="startsAt"]').fill('2030-01-05T22:00');
    await maintenance.locator('input[name="endsAt"]').fill('2030-01-05T23:00');
    await submitAndWait(desk, maintenance.locator('button[type="submit"]'));
    await desk.goto(`${baseUrl}/maintenance`);
    await expectInert(desk, 1);

    await desk.goto(`${baseUrl}/incidents/${ref}`);
    await act(desk, 'reopen', { reason: XSS });
    await act(desk, 'resolve', { resolutionCode: 'fixed', note: XSS });
    await act(desk, 'close', { closureCode: 'unconfirmed', note: XSS });
    expect(await statusOf(desk)).toBe('Ditutup');
    await expectInert(desk, 15);
    await desk.goto(`${baseUrl}/?all=1`);
    await expectInert(desk, 1);
    expect(browser.errors).toEqual([]);
  });

  it('refuses an action form whose CSRF token was removed (403) and leaves the incident as it was', async () => {
    const desk = await logIn(await browser.context(), baseUrl, clerk);
    const ref = await logPhoneCall(desk, baseUrl, {
      service: 'skm',
      title: 'Halaman SKM kosong',
      description: 'Pelapor melihat halaman putih.',
      impact: 'medium',
      urgency: 'medium',
      category: 'availability',
      subcategory: 'outage',
      reporterName: 'Rina',
    });
    const admin = await started.sigap.accounts.findUser('admin');
    const events = async () => (await started.sigap.incidents.queries.get(admin, ref)).events.length;
    const before = await events();

    const form = await openActionForm(desk, 'acknowledge');
    await form.evaluate((f) => f.querySelector('input[name="_csrf"]')!.remove());
    expect(await form.locator('input[name="_csrf"]').count()).toBe(0);
    const answer = desk.waitForResponse((r) => r.request().method() === 'POST');
    await submitAndWait(desk, form.locator('button[type="submit"]'));
    expect((await answer).status()).toBe(403);
    expect(await desk.locator('h1').textContent()).toBe('403');

    await desk.goto(`${baseUrl}/incidents/${ref}`);
    expect(await statusOf(desk)).toBe('Baru');
    expect(await events()).toBe(before);
  });
});

describe('SOP-Insiden-001 in the browser: a probe incident when a local site stops', { timeout: 90_000 }, () => {
  const browser = useBrowser();
  const site = new LocalSite();
  let started: StartedSigap;

  beforeAll(async () => {
    await site.start();
    started = await startBrowserSigap({
      yaml: `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - key: skm-form
        type: http
        url: http://127.0.0.1:${site.port}/
        interval: 300ms
        timeout: 200ms
        retryInterval: 100ms
        failureThreshold: 2
        successThreshold: 2
        expect: { status: [200], contains: ["Survei Kepuasan"] }
`,
    });
  });
  afterAll(async () => {
    await started?.stop();
    await site.stop();
  });

  it('shows the incident on the queue once the site refuses connections, with its evidence and the probe results in the timeline', async () => {
    const page = await logIn(await browser.context(), started.sigap.url, ADMIN);
    await page.goto(`${started.sigap.url}/services`);
    const checkState = page.locator('tr', { has: page.locator('code:text-is("skm-form")') }).locator('span.state');
    await reloadUntil(page, 'the check to be up', async () => (await checkState.textContent()) === 'Normal');
    await page.goto(`${started.sigap.url}/`);
    expect(await page.locator('table.queue').count()).toBe(0);

    await site.stop();
    await reloadUntil(page, 'the incident on the queue', async () => (await page.locator('table.queue tbody tr').count()) > 0);
    const row = page.locator('table.queue tbody tr').first();
    expect(await row.textContent()).toContain('Survei Kepuasan Masyarakat');
    await submitAndWait(page, row.locator('td:nth-child(2) a'));

    expect(await page.locator('h1').textContent()).toMatch(/INC-\d{4}-\d{5}/);
    expect(await statusOf(page)).toBe('Baru');
    // The evidence is long: it waits collapsed below the history until opened.
    const evidenceBox = page.locator('details.evidence', { has: page.locator('h2:text-is("Bukti kegagalan")') });
    expect(await evidenceBox.getAttribute('open')).toBeNull();
    await evidenceBox.locator('> summary').click();
    const evidence = evidenceBox.locator('dl.fields');
    expect(await evidence.textContent()).toContain('ECONNREFUSED');
    expect(await evidence.textContent()).toContain(`http://127.0.0.1:${site.port}/`);
    const timeline = page.locator('ol.timeline');
    expect(await timeline.locator('li.event').count()).toBeGreaterThanOrEqual(1);
    expect(await timeline.locator('li.probe-result').count()).toBeGreaterThanOrEqual(2);
    expect(await timeline.locator('li.probe-result').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('sambungan ditolak')]));
    expect(browser.errors).toEqual([]);
  });
});
