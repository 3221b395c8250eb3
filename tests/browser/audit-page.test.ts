// The audit log page in real Chromium, as an admin: reached from the navigation, filtered with its
// GET form, and on a phone (390 px) every entry — long check definitions included — stays on the
// screen. SQLite only: the database behaviour is covered by the API suite (tests/api/audit.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, logIn, startBrowserSigap, submitAndWait, useBrowser, type StartedSigap } from './helpers.js';

const YAML = `
services:
  - { key: skm, name: Survei Kepuasan Masyarakat, impact: medium }
`;

describe('the audit log page in Chromium', () => {
  const browser = useBrowser();
  let started: StartedSigap;

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: YAML, start: { slaSweepMs: 0, dispatchMs: 0, reportMailMs: 0 } });
    const { sigap } = started;
    const admin = (await sigap.accounts.userNamed('admin'))!;
    const origin = { ip: '203.0.113.250' };
    const long = `http://127.0.0.1:9/${'layanan-perizinan-terpadu-satu-pintu/'.repeat(4)}formulir`;
    await sigap.catalog.define(admin, 'skm', { key: 'skm-formulir-pengaduan-masyarakat-panjang', type: 'http', url: long, interval: '60s' }, undefined, origin);
    await sigap.catalog.setEnabled(admin, 'skm-formulir-pengaduan-masyarakat-panjang', false, origin);
    await started.createUser('rina', 'support');
  });

  afterAll(async () => {
    await started?.stop();
  });

  it('is linked from the navigation, filters with its form and fits a 390 px screen', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, ADMIN);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('header details.menu > summary').click(); // on a phone the menu is folded
    await submitAndWait(page, page.locator('header nav a[href="/audit"]'));
    expect(new URL(page.url()).pathname).toBe('/audit');
    await expect(page.locator('h1').textContent()).resolves.toBe('Log audit');

    await page.locator('input[name="action"]').fill('check');
    await submitAndWait(page, page.locator('form.audit-filters button[type="submit"]'));
    expect(new URL(page.url()).searchParams.get('action')).toBe('check');
    await expect(page.locator('table.audit tbody tr td:nth-child(2)').allTextContents()).resolves.toEqual(['check.disabled', 'check.defined']);

    const offScreen = await page.locator('main *').evaluateAll((elements, viewport) => {
      type Box = { getBoundingClientRect(): { right: number }; tagName: string; className: string };
      return (elements as unknown as Box[]).filter((el) => el.getBoundingClientRect().right > viewport + 1).map((el) => `${el.tagName}.${el.className}`);
    }, 390);
    expect(offScreen).toEqual([]);
    // Each cell says what it is once the table's head is hidden.
    await expect(page.locator('table.audit thead').isVisible()).resolves.toBe(false);
    expect(browser.errors).toEqual([]);
  });
});
