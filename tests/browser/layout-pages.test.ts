// Every page on a phone (390×844) and a desktop (1366×768), as an admin and as a vendor, with
// demo-like data (long titles, long URLs, maintenance windows, a known error, several people):
// no sideways scrolling, and the page's primary action lies inside the screen's width. With
// SCREENSHOTS=1 the main pages are saved as docs/screenshots/<page>-<width>.png.
// SQLite only: the database behaviour is covered by the other suites on both databases.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, logIn, useBrowser } from './helpers.js';
import { overflow, startLayoutSigap, type DomElement, type LayoutData, type PageGlobals } from './layout-fixture.js';

const SCREENSHOT_DIR = join(import.meta.dirname, '../../docs/screenshots');
const SAVE = process.env.SCREENSHOTS === '1';

interface PageCase {
  name: string;
  path: string;
  /** The page's status code. */
  status?: number;
  /** The primary action: its first visible match must lie inside the screen's width. */
  primary?: string;
  /** Saved as docs/screenshots/<name>-<width>.png with SCREENSHOTS=1. */
  shot?: boolean;
}

const adminPages = (d: LayoutData): PageCase[] => [
  { name: 'queue', path: '/', primary: 'main a.button[href="/incidents/new"]', shot: true },
  { name: 'queue-all', path: '/?all=1', primary: 'form.queue-filters button[type="submit"]' },
  { name: 'queue-mine', path: '/?view=mine', primary: 'form.queue-filters button[type="submit"]' },
  { name: 'queue-group', path: '/?view=group' },
  { name: 'queue-filtered', path: '/?priority=P1&q=izin', primary: 'form.queue-filters button[type="submit"]' },
  { name: 'incident', path: `/incidents/${d.refs[0]}`, primary: 'section.actions button.primary, section.actions summary', shot: true },
  { name: 'incident-resolved', path: `/incidents/${d.refs[2]}`, primary: 'section.actions button.primary, section.actions summary' },
  { name: 'incident-new', path: '/incidents/new', primary: 'main form button[type="submit"]', shot: true },
  { name: 'status', path: '/status', shot: true },
  { name: 'services', path: '/services', shot: true },
  { name: 'users', path: '/users', primary: 'section.add-user button[type="submit"]' },
  { name: 'maintenance', path: '/maintenance', primary: 'main form[action="/maintenance"] button[type="submit"]' },
  { name: 'known-errors', path: '/known-errors', primary: 'main form button[type="submit"]' },
  { name: 'notifications', path: '/notifications' },
  { name: 'sop', path: '/sop' },
  { name: 'reports', path: '/reports', shot: true },
  { name: 'audit', path: '/audit', primary: 'main form button[type="submit"]' },
  { name: 'me', path: '/me', primary: 'main form button[type="submit"]' },
  { name: 'not-found', path: '/incidents/INC-2026-99999', status: 404 },
];

const vendorPages = (d: LayoutData): PageCase[] => [
  { name: 'vendor-queue', path: '/' },
  { name: 'vendor-incident', path: `/incidents/${d.vendorRef}`, primary: 'section.actions button.primary, section.actions summary' },
  { name: 'vendor-services', path: '/services' },
  { name: 'vendor-maintenance', path: '/maintenance' },
  { name: 'vendor-known-errors', path: '/known-errors' },
  { name: 'vendor-notifications-forbidden', path: '/notifications', status: 403 },
  { name: 'vendor-sop', path: '/sop' },
  { name: 'vendor-reports-forbidden', path: '/reports', status: 403 },
  { name: 'vendor-me', path: '/me' },
];

async function expectFits(page: Page, baseUrl: string, c: PageCase, width: number): Promise<void> {
  const res = await page.goto(`${baseUrl}${c.path}`);
  expect(res?.status(), c.path).toBe(c.status ?? 200);
  const { scrollWidth, culprits } = await overflow(page);
  expect(scrollWidth, `${c.path} at ${width} px is ${scrollWidth} px wide: ${culprits.join(', ')}`).toBeLessThanOrEqual(width);
  if (c.primary) {
    const primary = page.locator(c.primary).filter({ visible: true }).first();
    const box = await primary.boundingBox();
    expect(box, `${c.path}: the primary action ${c.primary} is shown`).not.toBeNull();
    expect(box!.x, `${c.path}: ${c.primary} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${c.path}: ${c.primary} ends on screen`).toBeLessThanOrEqual(width);
  }
  if (SAVE && c.shot) {
    // A phone's page in full, cut at 2,000 px to keep the files small; a desktop's first screen.
    const height = await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollHeight);
    const clip = width < 1000 ? { x: 0, y: 0, width, height: Math.min(height, 2000) } : undefined;
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${c.name}-${width}.png`), fullPage: width < 1000, clip });
  }
}

for (const width of [390, 1366]) {
  describe(`every page at ${width} px`, { timeout: 180_000 }, () => {
    const browser = useBrowser({ width, height: width < 1000 ? 844 : 768 });
    let data: LayoutData;

    beforeAll(async () => {
      if (SAVE) mkdirSync(SCREENSHOT_DIR, { recursive: true });
      data = await startLayoutSigap();
    });
    afterAll(async () => {
      await data?.started.stop();
    });

    it('fits the screen for an admin, the primary action within reach', async () => {
      const page = await logIn(await browser.context(), data.baseUrl, ADMIN);
      for (const c of adminPages(data)) await expectFits(page, data.baseUrl, c, width);
      expect(browser.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    });

    it('fits the screen for a vendor', async () => {
      const page = await logIn(await browser.context(), data.baseUrl, data.vendor);
      for (const c of vendorPages(data)) await expectFits(page, data.baseUrl, c, width);
      // The menu offers a vendor only the pages a vendor may open.
      await page.goto(`${data.baseUrl}/`);
      const links = await page.locator('header nav a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      expect(links).not.toContain('/notifications');
      for (const href of links) expect((await page.request.get(`${data.baseUrl}${href}`)).status(), href).toBe(200);
      expect(browser.errors.filter((e) => !/status of 40[34]/.test(e))).toEqual([]);
    });

    it('fits the screen before logging in: the log-in page, the status page and an error', async () => {
      const page = await (await browser.context()).newPage();
      await expectFits(page, data.baseUrl, { name: 'login', path: '/login', primary: 'form[action="/login"] button[type="submit"]' }, width);
      await expectFits(page, data.baseUrl, { name: 'status-public', path: '/status' }, width);
      await expectFits(page, data.baseUrl, { name: 'status-en', path: '/status?lang=en' }, width);
    });

    it('shows the queue as one card per incident on a phone and as a table on a desktop', async () => {
      const page = await logIn(await browser.context(), data.baseUrl, ADMIN);
      await page.goto(`${data.baseUrl}/?all=1`);
      const rows = page.locator('table.queue tbody tr');
      expect(await rows.count()).toBe(data.refs.length);
      const display = await rows.first().evaluate((tr) => (globalThis as unknown as PageGlobals).getComputedStyle(tr as unknown as DomElement).display);
      const headerShown = await page.locator('table.queue thead th').first().isVisible();
      if (width < 768) {
        expect(display).not.toBe('table-row');
        // Each card shows the ref, the priority, the title, the service, the status and the due times, stacked within the screen.
        for (const ref of data.refs) {
          const card = rows.filter({ hasText: ref });
          const box = (await card.boundingBox())!;
          expect(box.x).toBeGreaterThanOrEqual(0);
          expect(box.x + box.width).toBeLessThanOrEqual(width);
          for (const cell of ['.cell-priority .badge', '.cell-ref a', '.cell-title', '.cell-service', '.cell-status', '.cell-due']) {
            const shown = (await card.locator(cell).first().boundingBox())!;
            expect(shown, `${ref} ${cell}`).not.toBeNull();
            expect(shown.x + shown.width, `${ref} ${cell}`).toBeLessThanOrEqual(box.x + box.width + 0.5);
          }
        }
        const [first, second] = [await rows.nth(0).boundingBox(), await rows.nth(1).boundingBox()];
        expect(second!.y, 'cards are stacked').toBeGreaterThanOrEqual(first!.y + first!.height);
      } else {
        expect(display).toBe('table-row');
        expect(headerShown).toBe(true);
      }
    });

    it("keeps the status page's 90 daily bars inside their card, today's included", async () => {
      const page = await (await browser.context()).newPage();
      await page.goto(`${data.baseUrl}/status`);
      const cards = page.locator('article.status-service');
      expect(await cards.count()).toBeGreaterThan(0);
      for (let i = 0; i < (await cards.count()); i++) {
        const fit = await cards.nth(i).evaluate((node) => {
          const article = node as unknown as DomElement;
          const card = article.getBoundingClientRect();
          const bars = Array.from(article.querySelectorAll('ol.day-bars > li')).map((li) => li.getBoundingClientRect());
          const today = bars[bars.length - 1]!;
          return { count: bars.length, cardRight: card.right, todayRight: today.right, todayWidth: today.width };
        });
        expect(fit.count).toBe(90);
        expect(fit.todayWidth, "today's bar is visible").toBeGreaterThan(0.9);
        expect(fit.todayRight, "today's bar lies inside its card").toBeLessThanOrEqual(fit.cardRight);
      }
    });
  });
}
