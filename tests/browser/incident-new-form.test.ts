// The new-incident form in real Chromium: the subcategory list offers only the chosen category's
// subcategories (views/static/incident-new.js, CSP 'self'), the time of the report defaults to now
// in office time, and the help under impact and urgency is in plain Indonesian.
// SQLite only: the database behaviour is covered by tests/api/reporter-loop.test.ts on both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, logIn, startBrowserSigap, submitAndWait, useBrowser, type StartedSigap } from './helpers.js';

const YAML = `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
`;

describe('the new-incident form in a browser', { timeout: 60_000 }, () => {
  const browser = useBrowser({ width: 1280, height: 800 });
  let started: StartedSigap;

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: YAML });
  });
  afterAll(async () => {
    await started?.stop();
  });

  it("offers only the chosen category's subcategories, and logs a walk-in report with its reporter switch", async () => {
    const page = await logIn(await browser.context(), started.sigap.url, ADMIN);
    await page.goto(`${started.sigap.url}/incidents/new`);
    const form = page.locator('form.incident-new');
    expect(await form.locator('.help', { hasText: 'banyak warga' }).count()).toBe(1);
    expect(await form.locator('input[name="reportedAt"]').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);

    await form.locator('select[name="category"]').selectOption('network');
    const offered = () => form.locator('select[name="subcategory"] optgroup:not([hidden]) option').evaluateAll((options) => options.map((o) => o.getAttribute('value')));
    expect(await offered()).toEqual(['dns', 'connection']);
    await form.locator('select[name="subcategory"]').selectOption('connection');
    // A new category drops a subcategory that is not one of its own.
    await form.locator('select[name="category"]').selectOption('performance');
    expect(await offered()).toEqual(['slow-response']);
    expect(await form.locator('select[name="subcategory"]').inputValue()).toBe('');

    await form.locator('select[name="subcategory"]').selectOption('slow-response');
    await form.locator('select[name="service"]').selectOption('skm');
    await form.locator('select[name="impact"]').selectOption('low');
    await form.locator('select[name="urgency"]').selectOption('low');
    await form.locator('select[name="reportedVia"]').selectOption('walk_in');
    await form.locator('input[name="title"]').fill('Situs SKM lambat');
    await form.locator('textarea[name="description"]').fill('Warga datang ke loket.');
    await form.locator('input[name="reporterName"]').fill('Pak Ali');
    await form.locator('input[name="reporterContact"]').fill('ali@example.org');
    await submitAndWait(page, form.locator('button[type="submit"]'));
    expect(new URL(page.url()).pathname).toMatch(/^\/incidents\/INC-\d{4}-\d{5}$/);
    expect(await page.locator('.reported-via').textContent()).toContain('datang langsung');
    expect(await page.locator('.reporter-informed').textContent()).toContain('pelapor akan dikabari');
    expect(browser.errors).toEqual([]);
  });
});
