// The monthly report as the head of division uses it, in real Chromium: every download link on
// /reports is followed and answers 200 with its file (the right type, a file that parses); the
// page printed to PDF carries the letterhead, the signature block (Mengetahui, title, name, NIP,
// place and date), the print date and "Halaman n dari m" on every page. With SCREENSHOTS=1 the
// first screen of the page is saved at 390 and 1366 px wide, in Indonesian, to docs/screenshots.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, drive, logIncident } from '../helpers/incident-api.js';
import { parseCsv } from '../helpers/csv.js';
import { pdfPageTexts } from '../helpers/pdf-text.js';
import { PROJECT_ROOT } from '../helpers/sigap-process.js';
import { logIn, startBrowserSigap, useBrowser, type StartedSigap } from './helpers.js';

// A 1×1 PNG: the letterhead's logo, inlined into the page as a data URI.
const LOGO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const logoDir = mkdtempSync(join(tmpdir(), 'sigap-logo-'));
writeFileSync(join(logoDir, 'logo.png'), LOGO);

const YAML = `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat
    impact: medium
    checks:
      - { key: skm-web, type: http, url: "http://127.0.0.1:9/skm", interval: 1h, timeout: 10s }
  - key: pengaduan
    name: Pengaduan Masyarakat
    impact: high
reports:
  letterhead:
    office: Dinas Penanaman Modal dan PTSP Kabupaten Contoh
    address: Jl. Merdeka No. 1, Contoh 12345
    logo: ${join(logoDir, 'logo.png')}
  signature:
    title: Kepala Bidang Pengaduan
    name: Dra. Siti Rahmawati, M.Si.
    nip: 19700101 199503 2 001
    place: Contoh
`;

const screenshots = process.env.SCREENSHOTS === '1' ? join(PROJECT_ROOT, 'docs', 'screenshots') : null;

describe('the monthly report in Chromium: downloads and print', () => {
  const browser = useBrowser({ width: 1366, height: 900 });
  let started: StartedSigap;
  let month: string;

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { slaSweepMs: 0, dispatchMs: 0 } });
    month = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7); // this month in WIB
    const admin = await callerFor(started.sigap, 'admin', 'admin');
    // Enough incidents that the list runs onto a second printed page.
    for (let n = 0; n < 30; n++) {
      const ref = await logIncident(admin, { title: `Formulir SKM gagal dikirim ${n}`, description: 'Pelapor menelepon; formulir ditolak, "coba lagi" tidak membantu.' });
      await drive(admin, ref, n % 3 === 0 ? [['acknowledge']] : [['acknowledge'], ['resolve', { resolutionCode: 'fixed', note: 'diperbaiki' }]]);
    }
    await started.createUser('kabid', 'manager', 'Kepala Bidang');
    if (screenshots) mkdirSync(screenshots, { recursive: true });
  });

  afterAll(async () => {
    await started?.stop();
  });

  it('follows each download link on /reports to a 200 with its file', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, { username: 'kabid', password: 'kabid-password' });
    await page.goto(`${started.sigap.url}/reports?month=${month}`);
    const links = page.locator('p.downloads a');
    expect(await links.count()).toBe(4);
    for (let i = 0; i < 4; i++) {
      const link = links.nth(i);
      const href = (await link.getAttribute('href'))!;
      const csv = href.includes('format=csv');
      const [download] = await Promise.all([csv ? page.waitForEvent('download') : Promise.resolve(null), csv ? link.click() : Promise.resolve()]);
      // The browser's own request, with the session cookie, as a click sends it.
      const answer = await page.request.get(new URL(href, started.sigap.url).toString());
      expect(answer.status(), href).toBe(200);
      if (csv) {
        expect(answer.headers()['content-type']).toBe('text/csv; charset=utf-8');
        expect(download!.suggestedFilename()).toMatch(new RegExp(`^sigap-(availability|incidents)-${month}-01-to-\\d{4}-\\d{2}-01\\.csv$`));
        const text = (await answer.text()).replace(/^\uFEFF/, '');
        const rows = parseCsv(text, ';');
        expect(rows.length, href).toBeGreaterThan(1);
        expect(rows.every((r) => r.length === rows[0]!.length)).toBe(true);
        expect(rows[0]![0]).toMatch(/^(Tanggal|Nomor)$/);
      } else {
        expect(answer.headers()['content-type']).toBe('application/json; charset=utf-8');
        const json = await answer.json();
        expect(json.from).toBeDefined();
        expect(json.error).toBeUndefined();
      }
    }
    expect(browser.errors).toEqual([]);
  });

  it('prints with the letterhead, the signature block, the print date and page numbers', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, { username: 'kabid', password: 'kabid-password' });
    await page.goto(`${started.sigap.url}/reports?month=${month}`);
    expect(await page.locator('.letterhead-office').textContent()).toBe('Dinas Penanaman Modal dan PTSP Kabupaten Contoh');
    // No DOM types in the tests' tsconfig: the page's objects are read loosely.
    expect(await page.locator('img.letterhead-logo').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    // Chromium places glyphs one by one: compare the printed text without its spacing.
    const pages = pdfPageTexts(pdf).map((text) => text.replace(/\s+/g, ''));
    const squash = (text: string) => text.replace(/\s+/g, '');
    expect(pages.length).toBeGreaterThanOrEqual(2);
    pages.forEach((text, i) => {
      expect(text, `page ${i + 1}`).toContain(`Halaman${i + 1}dari${pages.length}`);
      expect(text, `page ${i + 1}`).toMatch(/Dicetak\d{1,2}\w+\d{4}/);
    });
    expect(pages[0]).toContain(squash('DINAS PENANAMAN MODAL DAN PTSP KABUPATEN CONTOH'));
    const last = pages.at(-1)!;
    expect(last).toMatch(/Contoh,\d{1,2}\w+\d{4}/);
    for (const line of ['Mengetahui,', 'Kepala Bidang Pengaduan', 'Dra. Siti Rahmawati, M.Si.', 'NIP. 19700101 199503 2 001']) expect(last).toContain(squash(line));
    expect(browser.errors).toEqual([]);
  });

  it('reads well at 390 and 1366 px, in Indonesian', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, { username: 'kabid', password: 'kabid-password' });
    for (const width of [390, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${started.sigap.url}/reports?month=${month}`);
      // Wide tables scroll inside their box; nothing else of the report runs off the screen.
      const wider = await page.locator('article.report *').evaluateAll((elements, viewport) => {
        type Box = { getBoundingClientRect(): { right: number }; closest(selector: string): unknown; tagName: string; className: string };
        return (elements as unknown as Box[])
          .filter((el) => el.getBoundingClientRect().right > viewport + 1 && !el.closest('.table-scroll'))
          .map((el) => `${el.tagName}.${el.className}`);
      }, width);
      expect(wider, `${width} px`).toEqual([]);
      if (screenshots) await page.screenshot({ path: join(screenshots, `reports-${width}.png`) });
    }
    expect(browser.errors).toEqual([]);
  });
});
