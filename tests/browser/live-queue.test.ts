// The live queue and incident page on a phone (390×844) in real Chromium: an incident logged
// elsewhere appears on an open queue without a reload, the tab title counts it until the person
// looks, "Diperbarui" moves on, and nobody's typing is disturbed; an incident page shows a note
// written by someone else by itself; a session that ended stops the updates and says so.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, drive, INCIDENT_TEST_YAML, logIncident, type Caller } from '../helpers/incident-api.js';
import { ADMIN, logIn, openActionForm, startBrowserSigap, useBrowser, type StartedSigap } from './helpers.js';

const UPDATE_WAIT = { timeout: 15_000 };

/** Every navigation and load of the page's main frame from now on: a live update makes none. */
function watchNavigations(page: Page): string[] {
  const seen: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.push(`navigated to ${frame.url()}`);
  });
  page.on('load', () => seen.push('load'));
  return seen;
}

const updatedAt = (page: Page) => page.locator('[data-live-updated]').textContent();
const hasFocus = (field: Locator) => field.evaluate((el) => el.ownerDocument.activeElement === el);

describe('the live queue and incident page at 390 px', () => {
  const browser = useBrowser({ width: 390, height: 844 });
  let started: StartedSigap;
  let desk: Caller;

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: INCIDENT_TEST_YAML });
    desk = await callerFor(started.sigap, 'desk', 'service_desk');
  });

  afterAll(async () => {
    await started?.stop();
  });

  it('shows an incident logged elsewhere without a reload, counts it in the title until the person looks, and keeps what they type', async () => {
    const page = await logIn(await browser.context(), started.sigap.url, ADMIN);
    const navigations = watchNavigations(page);
    const notModified: string[] = [];
    page.on('response', (res) => {
      if (res.status() === 304) notModified.push(res.url());
    });
    const queue = page.locator('[data-live-region="queue"]');
    const firstUpdate = await updatedAt(page);
    expect(firstUpdate).toMatch(/^\d\d:\d\d:\d\d$/);

    const ref = await logIncident(desk, { title: 'Listrik loket pelayanan padam' });
    await queue.getByText(ref).waitFor(UPDATE_WAIT);
    await expect.poll(() => page.title(), UPDATE_WAIT).toMatch(/^\(1\) .*Sigap$/);
    expect(await page.locator(`[data-live-key="${ref}"].live-new`).count(), 'the new row is highlighted').toBe(1);
    await expect.poll(() => page.locator('[data-live-status]').textContent(), UPDATE_WAIT).toContain('1 insiden baru');
    await expect.poll(() => updatedAt(page), UPDATE_WAIT).not.toBe(firstUpdate);
    await expect.poll(() => notModified.length, UPDATE_WAIT).toBeGreaterThan(0);

    // Typing in the filter is looking at the page: the count goes. The list goes on updating, and
    // the field keeps its text and focus.
    // On a phone the filters are folded under "Saring antrean": the clerk opens them first.
    await page.locator('details.queue-filter-box > summary').click();
    const search = page.locator('input[name="q"]');
    await search.click();
    await search.pressSequentially('Gen');
    await expect.poll(() => page.title()).not.toMatch(/^\(\d+\)/);
    const second = await logIncident(desk, { title: 'Genset kantor tidak menyala' });
    await queue.getByText(second).waitFor(UPDATE_WAIT);
    expect(await search.inputValue()).toBe('Gen');
    expect(await hasFocus(search)).toBe(true);
    await search.pressSequentially('set');
    expect(await search.inputValue()).toBe('Genset');

    expect(navigations).toEqual([]);
    expect(notModified.every((url) => new URL(url).pathname === '/')).toBe(true);
    expect(browser.errors).toEqual([]);
  });

  it('shows what someone else did on an open incident page, and holds back the part where the person is typing until they are done', async () => {
    const ref = await logIncident(desk, { title: 'Aplikasi antrean tidak bisa dibuka' });
    const page = await logIn(await browser.context(), started.sigap.url, ADMIN);
    await page.goto(`${started.sigap.url}/incidents/${ref}`);
    const navigations = watchNavigations(page);
    const acknowledgeForms = page.locator('form[action$="/actions/acknowledge"]');
    expect(await acknowledgeForms.count()).toBe(1);

    const note = (await openActionForm(page, 'note')).locator('[name="note"]');
    await note.click();
    await note.pressSequentially('Sedang saya cek di ruang server');

    // The desk accepts it and writes a note: the history shows both by itself; the actions, where
    // the person is typing, wait (they would lose "Terima" and keep the note form).
    await drive(desk, ref, [['acknowledge'], ['note', { note: 'Teknisi vendor sudah dihubungi' }]]);
    const timeline = page.locator('[data-live-region="timeline"]');
    await timeline.getByText('Teknisi vendor sudah dihubungi').waitFor(UPDATE_WAIT);
    expect(await timeline.getByText('Diterima').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-live-status]').textContent(), UPDATE_WAIT).toContain('setelah Anda selesai');
    expect(await note.inputValue()).toBe('Sedang saya cek di ruang server');
    expect(await hasFocus(note)).toBe(true);
    expect(await acknowledgeForms.count()).toBe(1);

    // Once the note field is emptied and left, the held actions catch up.
    await note.fill('');
    await page.locator('h1').click();
    await expect.poll(() => acknowledgeForms.count(), UPDATE_WAIT).toBe(0);
    expect(await note.isVisible(), 'the note form the person opened stays open').toBe(true);

    expect(navigations).toEqual([]);
    expect(browser.errors).toEqual([]);
  });

  it('stops updating when the session ends and asks the person to log in again, instead of showing the log-in page inside the queue', async () => {
    const context = await browser.context();
    const page = await logIn(context, started.sigap.url, ADMIN);
    const navigations = watchNavigations(page);
    await context.clearCookies();

    await page.locator('[data-live-login]').waitFor({ state: 'visible', ...UPDATE_WAIT });
    expect(await page.locator('[data-live-status]').textContent()).toContain('Sesi berakhir');
    expect(await page.locator('[data-live-region="queue"] form[action="/login"]').count()).toBe(0);
    expect(await page.locator('[data-live-login]').getAttribute('href')).toBe('/login?next=%2F');
    expect(navigations).toEqual([]);
  });
});
