// Real Chromium for the browser suites: Debian's `chromium` driven by playwright-core, one browser
// per test file, a fresh context (cookies, storage) per test, people logging in through the
// /login form as they would. Browser suites run on SQLite only: what the database does is covered
// by the store, API and integration suites on SQLite and PostgreSQL; here the pages are the subject.
// Nothing leaves 127.0.0.1: Sigap binds to it, and every other request the page makes is aborted.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { UserRole } from '../../detector/accounts/account-types.js';
import { startTestSigap, TEST_ADMIN_PASSWORD, type HarnessOptions } from '../helpers/sigap-harness.js';
import { testDatabaseKinds, type TestDatabase } from '../helpers/test-databases.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Fails (never skips) when Chromium is missing: a skipped browser suite would look like a pass. */
function assertChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  throw new Error(
    process.env.CI
      ? `${CHROMIUM_PATH} is missing although CI is set: .ci/run should have installed Debian's chromium package`
      : `the browser tests need Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium); never a browser download`,
  );
}

export interface BrowserHarness {
  /** A new context for this test (closed after it), every page in it watched for errors. */
  context(): Promise<BrowserContext>;
  /** Console errors and uncaught page errors seen in this test's pages so far. */
  readonly errors: string[];
}

/** One headless Chromium for the calling test file; contexts are closed after each test. */
export function useBrowser(viewport = { width: 1280, height: 800 }): BrowserHarness {
  let browser: Browser | null = null;
  let contexts: BrowserContext[] = [];
  const errors: string[] = [];

  let missing: Error | null = null;

  // A failing beforeAll would mark the tests skipped; failing each test says it louder.
  beforeAll(async () => {
    try {
      assertChromium();
    } catch (err) {
      missing = err as Error;
      return;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
  });
  beforeEach(() => {
    if (missing) throw missing;
  });
  afterEach(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
    errors.length = 0;
  });
  afterAll(async () => {
    await browser?.close();
  });

  return {
    errors,
    async context() {
      if (!browser) throw new Error('the browser did not start (see the beforeAll error)');
      const context = await browser.newContext({ viewport, locale: 'id-ID', timezoneId: 'Asia/Jakarta' });
      await context.route('**/*', (route) => {
        const { hostname } = new URL(route.request().url());
        return hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient');
      });
      context.setDefaultTimeout(10_000);
      context.on('page', (page) => watchErrors(page, errors));
      contexts.push(context);
      return context;
    },
  };
}

function watchErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
}

export type BrowserSigap = Awaited<ReturnType<typeof startTestSigap>> & { url: string };

export interface StartedSigap {
  sigap: BrowserSigap;
  /** Creates a person who logs in with `${username}-password`. */
  createUser(username: string, role: UserRole, displayName?: string): Promise<{ username: string; password: string }>;
  stop(): Promise<void>;
}

/** Sigap on a fresh SQLite database and 127.0.0.1 port 0, the admin's password TEST_ADMIN_PASSWORD. */
export async function startBrowserSigap(options: Omit<HarnessOptions, 'databaseUrl'> = {}): Promise<StartedSigap> {
  const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;
  const database: TestDatabase = await sqlite.create();
  const sigap = await startTestSigap({ ...options, databaseUrl: database.url });
  if (!sigap.url?.startsWith('http://127.0.0.1:')) throw new Error(`Sigap should listen on 127.0.0.1, not ${sigap.url}`);
  return {
    sigap: sigap as BrowserSigap,
    async createUser(username, role, displayName = username) {
      const password = `${username}-password`;
      await sigap.accounts.createUser({ username, displayName, role, password });
      return { username, password };
    },
    async stop() {
      await sigap.stop();
      await database.drop();
    },
  };
}

export const ADMIN = { username: 'admin', password: TEST_ADMIN_PASSWORD };

/** Opens /login in a new page, types the name and password and presses the button; lands on the queue. */
export async function logIn(context: BrowserContext, baseUrl: string, who: { username: string; password: string }): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.locator('input[name="username"]').pressSequentially(who.username);
  await page.locator('input[name="password"]').pressSequentially(who.password);
  await submitAndWait(page, page.locator('form[action="/login"] button[type="submit"]'));
  expect(new URL(page.url()).pathname).toBe('/');
  expect(await page.locator('header .who').count(), `${who.username} is logged in`).toBe(1);
  return page;
}

/**
 * Opens an action's form on the incident page (the primary one is open already; the others sit in
 * collapsed groups), fills its fields (a checkbox ticked by 'true') and submits it; waits for the page again.
 */
export async function act(page: Page, action: string, fields: Record<string, string> = {}): Promise<void> {
  const form = await openActionForm(page, action);
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`);
    const kind = await field.evaluate((el) => (el.tagName === 'INPUT' ? String(el.getAttribute('type')) : el.tagName));
    if (kind === 'SELECT') await field.selectOption(value);
    else if (kind === 'checkbox') await field.setChecked(value === 'true');
    else await field.fill(value);
  }
  await submitAndWait(page, form.locator('button[type="submit"]'));
  const refused = page.locator('section.actions .form-error');
  if ((await refused.count()) > 0) throw new Error(`the ${action} form was refused: ${await refused.textContent()}`);
}

/** The action's form, its collapsed group and its own `<details>` opened by clicking their summaries as a person would. */
export async function openActionForm(page: Page, action: string): Promise<Locator> {
  const box = page.locator(`section.actions .action-${action}`);
  const group = page.locator('section.actions details.actions-group', { has: page.locator(`.action-${action}`) });
  if ((await group.count()) > 0 && (await group.getAttribute('open')) === null) await group.locator('> summary').click();
  if ((await box.evaluate((el) => el.tagName)) === 'DETAILS' && (await box.getAttribute('open')) === null) await box.locator('> summary').click();
  return box.locator('form');
}

/** Clicks a submit button and waits for the page the server answers with to load. */
export async function submitAndWait(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

/** Reloads `page` until `test` holds (bounded): for what the detector does in the background. */
export async function reloadUntil(page: Page, what: string, test: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} on ${page.url()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await page.reload();
  }
}

/** A stand-in site on 127.0.0.1 that the test can stop (connections refused from then on). */

/** A stand-in site on 127.0.0.1 that the test can stop (connections refused from then on). */
export { StandInSite as LocalSite } from '../helpers/sigap-process.js';
