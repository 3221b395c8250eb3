// The incident page's integrity evidence in real Chromium: an injected snippet full of markup — a
// hidden gambling link, a script, an image with an onerror handler — is shown as text inside the
// highlighted <mark>, never rendered: no link to the gambling domain exists in the page and
// neither script ran. The admin accepts the page as the new baseline from the same section.
// Screenshots at 390 px (the incident, /services) are kept under /tmp. SQLite only (the API suite covers both databases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finding, integrityEvidence, integrityResult, snapshot } from '../helpers/integrity-results.js';
import { ADMIN, logIn, startBrowserSigap, submitAndWait, useBrowser, type StartedSigap } from './helpers.js';
import { overflow } from './layout-fixture.js';

const YAML = `
services:
  - key: perizinan
    name: Perizinan Daring
    impact: high
    checks:
      - { key: site-integrity, type: integrity, url: "https://dpmptsp.example/" }
`;

const INJECTED = '<a href="https://slot.example/" style="display:none">slot gacor</a><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
export const INTEGRITY_SCREENSHOT = '/tmp/sigap-integrity-evidence-390.png';
export const SERVICES_SCREENSHOT = '/tmp/sigap-integrity-services-390.png';

describe('the integrity evidence on the incident page in Chromium', () => {
  const browser = useBrowser();
  let started: StartedSigap;
  let ref: string;

  beforeAll(async () => {
    // Web role: nothing probes by itself; the results below are the probe's, handed to the detector.
    started = await startBrowserSigap({ yaml: YAML, env: { SIGAP_ROLE: 'web' }, start: { slaSweepMs: 0, dispatchMs: 0, reportMailMs: 0 } });
    const { sigap } = started;
    const evidence = integrityEvidence(
      [
        finding('hidden_link', { domain: 'slot.example', hidden: 'display:none', snippet: { before: '<footer>Hak cipta ', match: INJECTED, after: '</footer>' } }),
        finding('forbidden_term', {
          viewer: 'googlebot',
          userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
          where: 'text',
          term: 'slot gacor',
          snippet: { before: '<p>', match: 'slot gacor', after: ' maxwin</p>' },
        }),
        finding('drift', { where: 'title', field: 'title', before: 'DPMPTSP Kabupaten', after: '<b>Slot Gacor</b>' }),
      ],
      {
        snapshot: snapshot({ title: '<b>Slot Gacor</b>', fingerprint: 'aaaabbbbccccdddd' }),
        baseline: { ...snapshot(), acceptedAt: '2026-12-01T01:00:00.000Z', acceptedBy: null },
      },
    );
    const start = Date.now() - 10 * 60_000;
    for (const minutes of [0, 1]) await sigap.detector.handleResult(integrityResult('site-integrity', new Date(start + minutes * 60_000), evidence));
    const check = (await sigap.db.stores.checks.getCheck('site-integrity'))!;
    ref = (await sigap.db.stores.incidents.findOpenForCheck(check.id))!.ref;
  });

  afterAll(async () => {
    await started?.stop();
  });

  it('shows the injected snippet as text, runs none of it, and accepts the page as the new baseline', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, ADMIN);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${started.sigap.url}/incidents/${ref}`);
    const section = page.locator('section.integrity-evidence');
    await expect(section.isVisible()).resolves.toBe(true);

    const marks = await section.locator('pre.snippet mark').allTextContents();
    expect(marks).toContain(INJECTED);
    await expect(section.locator('pre.snippet').first().textContent()).resolves.toBe(`<footer>Hak cipta ${INJECTED}</footer>`);
    await expect(page.locator('a[href*="slot.example"]').count()).resolves.toBe(0);
    await expect(section.locator('script, img, b').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    // Who saw it, with which user agent; the drift before → after, as text too.
    await expect(section.textContent()).resolves.toContain('Googlebot/2.1');
    await expect(section.locator('table.integrity-drift').textContent()).resolves.toContain('<b>Slot Gacor</b>');
    await expect(section.locator('.integrity-baseline').textContent()).resolves.toContain('Dicatat otomatis pada pemeriksaan bersih pertama');

    // Long user agents and source lines wrap: nothing pushes the page sideways on a phone.
    expect((await overflow(page)).scrollWidth).toBeLessThanOrEqual(390);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: INTEGRITY_SCREENSHOT, fullPage: true });

    await submitAndWait(page, section.locator('form.integrity-accept button[type="submit"]'));
    expect(new URL(page.url()).searchParams.get('done')).toBe('accept-baseline');
    await expect(page.locator('.flash').allTextContents()).resolves.toContain('Halaman disetujui sebagai acuan baru. Pemeriksaan berikutnya membandingkan dengan acuan ini.');
    await expect(page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();

    // /services names the baseline and who accepted it, the page as it is now being the baseline already.
    await page.goto(`${started.sigap.url}/services`);
    const line = page.locator('tr.integrity-line');
    await expect(line.textContent()).resolves.toContain('Disetujui oleh admin');
    await expect(line.textContent()).resolves.toContain('Halaman pada pemeriksaan terakhir sudah menjadi acuan.');
    expect((await overflow(page)).scrollWidth).toBeLessThanOrEqual(390);
    await page.screenshot({ path: SERVICES_SCREENSHOT, fullPage: true });
    expect(browser.errors).toEqual([]);
  });
});
