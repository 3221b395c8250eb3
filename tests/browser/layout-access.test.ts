// Accessibility of every page in real Chromium: each page has its own tab title in its language,
// a skip link is the first thing the keyboard reaches, text contrast (badges, help text, links,
// the menu, buttons, tags) is at least 4.5:1 as WCAG 2.2 AA asks, tap targets are at least 44 px
// for the menu and buttons (24 px for every other control) on a phone, and focus is visible.
// Colours are the computed styles of the real elements, the background the first opaque one behind.
// SQLite only: the database behaviour is covered by the other suites on both databases.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, logIn, useBrowser } from './helpers.js';
import { startLayoutSigap, type DomElement, type LayoutData, type PageGlobals } from './layout-fixture.js';

const pagesOf = (d: LayoutData) => [
  '/',
  '/?all=1',
  '/?view=mine',
  '/?view=group',
  `/incidents/${d.refs[0]}`,
  `/incidents/${d.refs[1]}`,
  '/incidents/new',
  '/services',
  '/maintenance',
  '/known-errors',
  '/notifications',
  '/sop',
  '/reports',
  '/users',
  '/audit',
  '/me',
  '/status',
  '/incidents/INC-2026-99999',
];

/** Text elements whose contrast is measured: what the page says, in every colour it uses. */
const TEXT = [
  '.badge',
  '.muted',
  'main a',
  'header.top a',
  'header.top .who',
  'header.top .tagline',
  'button',
  '.button',
  '.tag',
  '.state',
  '.svc-state',
  '.due',
  '.status-summary',
  'th',
  'td',
  'summary',
  'label',
  'footer',
  '.error',
  '.field-error',
];

interface Measured {
  what: string;
  text: string;
  ratio: number;
}

/** The WCAG contrast ratio of each visible element's text against the first opaque background behind it. */
async function contrasts(page: Page): Promise<Measured[]> {
  return page.evaluate((selectors) => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
    const rgba = (css: string): [number, number, number, number] => {
      const m = css.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const parts = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0]!, parts[1]!, parts[2]!, parts.length > 3 ? parts[3]! : 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const f = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: DomElement): number[] => {
      for (let node: DomElement | null = el; node; node = node.parentElement) {
        const [r, g, b, a] = rgba(getComputedStyle(node).backgroundColor);
        if (a >= 0.99) return [r, g, b];
      }
      return [255, 255, 255];
    };
    const out: { what: string; text: string; ratio: number }[] = [];
    for (const selector of selectors) {
      for (const el of Array.from(document.querySelectorAll(selector))) {
        const text = (el.textContent ?? '').trim();
        if (!text || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
        const [r, g, b, a] = rgba(getComputedStyle(el).color);
        const bg = background(el);
        // A translucent text colour is blended onto its background first.
        const fg = [r * a + bg[0]! * (1 - a), g * a + bg[1]! * (1 - a), b * a + bg[2]! * (1 - a)];
        const [l1, l2] = [luminance(fg), luminance(bg)];
        const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
        out.push({ what: `${selector} ${el.className ? `(${String(el.className)})` : ''}`, text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100 });
      }
    }
    return out;
  }, TEXT);
}

describe('every page, for people using a keyboard, a screen reader or a phone in the sun', { timeout: 180_000 }, () => {
  const browser = useBrowser({ width: 1366, height: 768 });
  let data: LayoutData;

  beforeAll(async () => {
    data = await startLayoutSigap();
  });
  afterAll(async () => {
    await data?.started.stop();
  });

  it('gives every page a title of its own, in its language', async () => {
    const context = await browser.context();
    const anonymous = await context.newPage();
    await anonymous.goto(`${data.baseUrl}/login`);
    const titles = new Map<string, string>([['/login', await anonymous.title()]]);
    const page = await logIn(context, data.baseUrl, ADMIN);
    // An admin belongs to no support group: /?view=group is the same page as / for them.
    for (const path of pagesOf(data).filter((p) => p !== '/?view=group')) {
      await page.goto(`${data.baseUrl}${path}`);
      titles.set(path, await page.title());
    }
    for (const [path, title] of titles) {
      expect(title, path).toMatch(/^.+ · Sigap$/);
      expect(title, path).not.toBe('Sigap');
    }
    const seen = new Map<string, string>();
    for (const [path, title] of titles) {
      expect(seen.get(title), `${path} and ${seen.get(title)} share the title "${title}"`).toBeUndefined();
      seen.set(title, path);
    }
    expect(titles.get('/')).toBe('Antrean insiden · Sigap');
    expect(titles.get('/status')).toBe('Status layanan · Sigap');
    expect(titles.get(`/incidents/${data.refs[1]}`)).toBe(`${data.refs[1]} · Lampiran pengaduan gagal diunggah · Sigap`);
    await page.goto(`${data.baseUrl}/?lang=en`);
    expect(await page.title()).toBe('Incident queue · Sigap');
    await page.goto(`${data.baseUrl}/status`);
    expect(await page.title()).toBe('Service status · Sigap');
    await page.goto(`${data.baseUrl}/?lang=id`);
  });

  it('offers a skip link to the content as the first thing the keyboard can reach', async () => {
    const context = await browser.context();
    for (const who of [null, ADMIN]) {
      const page = who ? await logIn(context, data.baseUrl, who) : await context.newPage();
      for (const path of who ? ['/', `/incidents/${data.refs[0]}`, '/services', '/incidents/INC-2026-99999'] : ['/login', '/status']) {
        await page.goto(`${data.baseUrl}${path}`);
        const first = await page.evaluate(() => {
          const { document } = globalThis as unknown as PageGlobals;
          const focusable = Array.from(document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]')).filter(
            (el) => el.getAttribute('tabindex') !== '-1',
          );
          return { text: focusable[0]?.textContent?.trim(), href: focusable[0]?.getAttribute('href') };
        });
        expect(first, path).toEqual({ text: 'Langsung ke isi', href: '#main' });
        const skip = page.locator('a.skip-link');
        await skip.focus();
        const box = (await skip.boundingBox())!;
        expect(box.y, `${path}: the focused skip link is on screen`).toBeGreaterThanOrEqual(0);
        await page.keyboard.press('Enter');
        expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id), path).toBe('main');
        expect(await page.locator('main#main').count()).toBe(1);
      }
    }
  });

  it('hides the skip link until it has the focus', async () => {
    const page = await (await browser.context()).newPage();
    await page.goto(`${data.baseUrl}/status`);
    const box = (await page.locator('a.skip-link').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(0);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.className)).toBe('skip-link');
  });

  it('draws a visible outline around what has the keyboard focus', async () => {
    const page = await logIn(await browser.context(), data.baseUrl, ADMIN);
    await page.goto(`${data.baseUrl}/`);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      const outline = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
        const style = getComputedStyle(document.activeElement!);
        return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), tag: document.activeElement!.tagName };
      });
      expect(outline.style, outline.tag).not.toBe('none');
      expect(outline.width, outline.tag).toBeGreaterThanOrEqual(2);
    }
  });

  for (const width of [1366, 390]) {
    it(`keeps text contrast at least 4.5:1 at ${width} px: badges, help text, links, the menu, buttons`, async () => {
      const context = await browser.context();
      const login = await context.newPage();
      await login.setViewportSize({ width, height: 844 });
      await login.goto(`${data.baseUrl}/login`);
      const measured: (Measured & { path: string })[] = (await contrasts(login)).map((m) => ({ ...m, path: '/login' }));
      const page = await logIn(context, data.baseUrl, ADMIN);
      await page.setViewportSize({ width, height: 844 });
      for (const path of pagesOf(data)) {
        await page.goto(`${data.baseUrl}${path}`);
        const summary = page.locator('header details.menu > summary');
        if (await summary.isVisible()) await summary.click();
        measured.push(...(await contrasts(page)).map((m) => ({ ...m, path })));
      }
      const badges = new Set(measured.filter((m) => m.what.startsWith('.badge')).map((m) => m.text));
      expect([...badges].sort()).toEqual(['P1', 'P2', 'P3', 'P4', 'P5']);
      for (const kind of ['.muted', 'header.top a', 'button', 'main a'])
        expect(
          measured.some((m) => m.what.startsWith(kind)),
          kind,
        ).toBe(true);
      const low = measured.filter((m) => m.ratio < 4.5);
      expect(low.map((m) => `${m.path} ${m.what} "${m.text}": ${m.ratio}:1`)).toEqual([]);
    });
  }

  it('makes the menu and the buttons at least 44 px and every other control at least 24 px on a phone', async () => {
    const context = await browser.context();
    const page = await logIn(context, data.baseUrl, ADMIN);
    await page.setViewportSize({ width: 390, height: 844 });
    const small: string[] = [];
    // The error page has no menu (it is rendered without the person); it is measured by layout-pages.
    for (const path of pagesOf(data).filter((p) => !p.includes('99999'))) {
      await page.goto(`${data.baseUrl}${path}`);
      const summary = page.locator('header details.menu > summary');
      await summary.click();
      const logout = page.locator('header form[action="/logout"] button');
      expect(await logout.isVisible(), `${path}: log-out is reachable from the menu`).toBe(true);
      const box = (await logout.boundingBox())!;
      expect(box.x + box.width, `${path}: log-out is on screen`).toBeLessThanOrEqual(390);
      small.push(
        ...(
          await page.evaluate(() => {
            const { document } = globalThis as unknown as PageGlobals;
            const found: string[] = [];
            const check = (selector: string, min: number) => {
              for (const el of Array.from(document.querySelectorAll(selector))) {
                if (!el.checkVisibility()) continue;
                const r = el.getBoundingClientRect();
                if (r.height < min - 0.5 || r.width < min - 0.5)
                  found.push(`${selector} "${(el.textContent ?? el.getAttribute('name') ?? '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)} < ${min}`);
              }
            };
            check('header.top a, header.top button, header.top summary', 44);
            check('main button, main a.button, main summary', 44);
            check('main select, main input:not([type="hidden"]):not([type="checkbox"]):not([type="radio"]), main textarea', 24);
            check('.cell-ref a, .pager a, p.filters a, .report-nav a', 44);
            return found;
          })
        ).map((s) => `${path}: ${s}`),
      );
    }
    expect(small).toEqual([]);
  });
});
