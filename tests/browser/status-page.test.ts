// The public status page in real Chromium, on a phone (390 px) and a desktop (1366 px), in
// Indonesian: the headline, the cards and the list of ongoing disruptions agree (an open incident
// on a service whose checks are up, a down check without an incident, maintenance), and nothing
// runs off the side of the screen. SQLite only: the database behaviour is covered by the API suites.
// With STATUS_SCREENSHOTS=<dir> it also saves what it saw, for a person to look at.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../probes/probe-types.js';
import { startBrowserSigap, useBrowser, type StartedSigap } from './helpers.js';

const SHOTS = process.env.STATUS_SCREENSHOTS;
const check = (key: string) => `      - { key: ${key}, type: http, url: "http://127.0.0.1:9/${key}", interval: 60s, timeout: 10s }\n`;
const YAML =
  'timezone: Asia/Jakarta\nservices:\n' +
  `  - key: pengaduan\n    name: Pengaduan Masyarakat\n    impact: high\n    checks:\n${check('pengaduan-web')}` +
  `  - key: skm\n    name: Survei Kepuasan Masyarakat (SKM)\n    impact: medium\n    checks:\n${check('skm-web')}` +
  `  - key: ppid\n    name: PPID — Permohonan Informasi Publik\n    impact: low\n    checks:\n${check('ppid-web')}` +
  `  - key: web\n    name: Website Dinas\n    impact: low\n    checks:\n${check('web-web')}`;

describe('the public status page in a browser', { timeout: 60_000 }, () => {
  const browser = useBrowser({ width: 1366, height: 900 });
  let started: StartedSigap;

  beforeAll(async () => {
    started = await startBrowserSigap({ yaml: YAML, env: { SIGAP_ROLE: 'web' } });
    const { sigap } = started;
    const now = new Date();
    const setCheck = async (key: string, state: ProbeStatus) => {
      const id = (await sigap.db.stores.checks.getCheck(key))!.id;
      await sigap.db.stores.checks.updateCheckState(id, {
        state,
        consecutiveFailures: state === 'up' ? 0 : 3,
        consecutiveSuccesses: state === 'up' ? 3 : 0,
        streakStartedAt: now,
        lastResultAt: now,
        lastStateChangeAt: now,
      });
    };
    for (const key of ['pengaduan-web', 'ppid-web', 'web-web']) await setCheck(key, 'up');
    await setCheck('skm-web', 'down');
    const admin = await sigap.accounts.findUser('admin');
    await sigap.incidents.commands.logManual(admin, {
      service: 'pengaduan',
      title: 'Lampiran pengaduan gagal diunggah',
      description: 'Warga menelepon: unggah foto KTP berhenti di 90%.',
      impact: 'medium',
      urgency: 'medium',
      category: 'application',
      subcategory: 'form-submission',
      reporter: { name: 'Warga', contact: null },
    } as never);
    const web = (await sigap.db.stores.checks.listServices()).find((s) => s.key === 'web')!;
    await sigap.db.stores.maintenance.insert(
      {
        title: 'Pemindahan server',
        serviceId: web.id,
        checkId: null,
        schedule: { recurrence: 'none', startsAt: new Date(now.getTime() - 3_600_000), endsAt: new Date(now.getTime() + 3_600_000) },
        createdBy: 'admin',
      },
      now,
    );
  });
  afterAll(async () => {
    await started?.stop();
  });

  for (const width of [390, 1366]) {
    it(`agrees with itself at ${width} px, and fits the screen`, async () => {
      const page = await (await browser.context()).newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${started.sigap.url}/status`);
      await expect(page.locator('.status-summary').textContent()).resolves.toBe('Sebagian layanan sedang mengalami gangguan.');
      const listed = await page
        .locator('li.status-disruption')
        .evaluateAll((items) => items.map((li) => [li.getAttribute('data-service'), li.querySelector(':scope > .svc-state')?.className.replace('svc-state ', '')]));
      expect(listed).toEqual([
        ['pengaduan', 'svc-partial_outage'],
        ['skm', 'svc-major_outage'],
        ['web', 'svc-maintenance'],
      ]);
      for (const [key, cls] of listed)
        await expect(page.locator(`article.status-service[data-service="${key}"] h3 .svc-state`).getAttribute('class')).resolves.toBe(`svc-state ${cls}`);
      await expect(page.locator('article.status-service[data-service="ppid"] h3 .svc-state').textContent()).resolves.toBe('Beroperasi normal');
      if (SHOTS) await page.screenshot({ path: join(SHOTS, `status-${width}.png`), fullPage: true });
      expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(width);
      expect(browser.errors).toEqual([]);
    });
  }
});
