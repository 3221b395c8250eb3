// The bootstrap admin's first log-in in a real browser: Sigap generated the password and printed it
// once, so the admin lands on /me, is told to set their own, and can go nowhere else until they do.
import { describe, expect, it } from 'vitest';
import { startBrowserSigap, submitAndWait, useBrowser } from './helpers.js';

describe('the first log-in with a generated password', () => {
  const browser = useBrowser();

  it('leads the admin to set their own password before anything else', async () => {
    const started = await startBrowserSigap({ env: { BOOTSTRAP_ADMIN_PASSWORD: undefined as unknown as string } });
    try {
      const generated = started.sigap.announced.join('\n').match(/password: (\S+)/)![1]!;
      const page = await (await browser.context()).newPage();
      await page.goto(`${started.sigap.url}/login`);
      await page.locator('input[name="username"]').pressSequentially('admin');
      await page.locator('input[name="password"]').pressSequentially(generated);
      await submitAndWait(page, page.locator('form[action="/login"] button[type="submit"]'));

      expect(new URL(page.url()).pathname).toBe('/me');
      await expect(page.getByRole('alert').textContent()).resolves.toContain('Buat kata sandi Anda sendiri untuk melanjutkan.');
      expect(await page.locator('form[action="/me"]').count()).toBe(0);
      await page.goto(`${started.sigap.url}/services`);
      expect(new URL(page.url()).pathname).toBe('/me');

      await page.locator('input[name="currentPassword"]').fill(generated);
      await page.locator('input[name="newPassword"]').fill('the-admins-own-1');
      await page.locator('input[name="newPasswordAgain"]').fill('the-admins-own-1');
      await submitAndWait(page, page.locator('form[action="/me/password"] button[type="submit"]'));
      expect(await page.getByRole('alert').count()).toBe(0);

      await page.goto(`${started.sigap.url}/services`);
      expect(new URL(page.url()).pathname).toBe('/services');
      expect(browser.errors).toEqual([]);
    } finally {
      await started.stop();
    }
  });
});
