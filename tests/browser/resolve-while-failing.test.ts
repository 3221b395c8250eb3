// Restoration that sticks, in real Chromium: the resolve form warns while the probes still see the
// failure and needs its box ticked; the confirmation shows on the timeline; the probes reopen it;
// once the site is back and verified, a probe incident without a reporter closes as "verified by
// monitoring".
// SQLite only: the database behaviour is covered by tests/detector/incidents on both databases.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act, ADMIN, LocalSite, logIn, openActionForm, reloadUntil, startBrowserSigap, submitAndWait, useBrowser, type StartedSigap } from './helpers.js';

const yaml = (port: number) => `
timezone: Asia/Jakarta
services:
  - key: skm
    name: Survei Kepuasan Masyarakat (SKM)
    impact: medium
    checks:
      - { key: skm-form, type: http, url: "http://127.0.0.1:${port}/skm", interval: 500ms, timeout: 300ms, retryInterval: 200ms, failureThreshold: 2, successThreshold: 2 }
policy:
  verifyFor: 2s
  flapping: { changes: 20 }
`;

describe('resolving while the probes still see the failure, in a browser', { timeout: 90_000 }, () => {
  const browser = useBrowser({ width: 1280, height: 800 });
  let started: StartedSigap;
  let page: Page;
  const site = new LocalSite();

  beforeAll(async () => {
    await site.start();
    started = await startBrowserSigap({ yaml: yaml(site.port) });
  });
  afterAll(async () => {
    await started?.stop();
    await site.stop();
  });

  it('warns, refuses without the tick, records the confirmation, and closes as verified by monitoring once the site is back', async () => {
    page = await logIn(await browser.context(), started.sigap.url, ADMIN);
    await site.stop();
    const row = page.locator('table.queue tbody tr', { hasText: 'skm-form' });
    await reloadUntil(page, 'the probe incident', async () => (await row.count()) > 0);
    const ref = (await row.first().locator('td:nth-child(2) a').textContent())!;
    await page.goto(`${started.sigap.url}/incidents/${ref}`);
    await act(page, 'acknowledge', {});

    // Acknowledged by the admin, resolving is the next step: its form is the open, primary one.
    const resolve = page.locator('section.actions .action-resolve.primary');
    await openActionForm(page, 'resolve');
    expect(await resolve.locator('.warning').textContent()).toContain('skm-form');
    await resolve.locator('[name="resolutionCode"]').selectOption('vendor_fixed');
    await resolve.locator('[name="note"]').fill('Vendor memulai ulang server.');
    await submitAndWait(page, resolve.locator('button[type="submit"]'));
    const refusal = await page.locator('section.actions .form-error').textContent();
    expect(refusal).toContain('Tetap selesaikan');
    expect(refusal).toContain('centang untuk tetap menyelesaikan');
    // the browser reports the 409 page as a console error; nothing else may
    expect(browser.errors.splice(0)).toEqual([expect.stringContaining('409')]);
    // The refused form comes back with what was typed; tick the box there.
    expect(await resolve.locator('[name="note"]').inputValue()).toBe('Vendor memulai ulang server.');
    await resolve.locator('[name="confirmStillFailing"]').check();
    await submitAndWait(page, resolve.locator('button[type="submit"]'));
    expect(await page.locator('section.actions .form-error').count()).toBe(0);

    expect(await page.locator('ol.timeline').textContent()).toContain('dikonfirmasi walau pemeriksaan skm-form masih gagal');

    // The probes still see it down: Sigap reopens it. The site comes back; resolving needs no tick now.
    const resolveForm = page.locator('section.actions .action-resolve');
    await reloadUntil(page, 'the reopen', async () => (await resolveForm.count()) > 0);
    await site.start();
    await reloadUntil(page, 'the reopened, restored incident', async () => (await resolveForm.count()) > 0 && (await resolveForm.locator('.warning').count()) === 0, 30_000);
    await act(page, 'resolve', { resolutionCode: 'vendor_fixed', note: 'Server stabil setelah dimulai ulang.' });
    const closeOptions = () => page.locator('section.actions .action-close select[name="closureCode"] option').evaluateAll((os) => os.map((o) => String(o.getAttribute('value'))));
    await reloadUntil(page, 'verification by monitoring', async () => (await closeOptions()).join() === 'monitoring_verified', 30_000);
    await act(page, 'close', { closureCode: 'monitoring_verified' });
    const closed = (await started.sigap.db.stores.incidents.findByRef(ref))!;
    expect(closed).toMatchObject({ status: 'closed', closureCode: 'monitoring_verified' });
    expect(closed.serviceRestoredAt).not.toBeNull();
    expect(browser.errors).toEqual([]);
  });
});
