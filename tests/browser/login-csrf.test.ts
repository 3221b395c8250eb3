// Log-in CSRF in real Chromium: a page on another origin (another port of 127.0.0.1) posts the
// admin's credentials to Sigap as a form and as a no-cors fetch; neither leaves a session cookie
// in the browser. Sigap's own log-in form still logs in. SQLite only: the pages are the subject.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, logIn, startBrowserSigap, useBrowser, type StartedSigap } from './helpers.js';

describe('log-in from another site, in a browser', { timeout: 60_000 }, () => {
  const browser = useBrowser();
  let started: StartedSigap;
  let evil: Server;
  let evilUrl: string;

  beforeAll(async () => {
    started = await startBrowserSigap();
    const target = `${started.sigap.url}/api/session`;
    const credentials = JSON.stringify(ADMIN);
    evil = createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (req.url === '/form') {
        res.end(`<form id="f" method="post" action="${target}">
<input name="username" value="${ADMIN.username}"><input name="password" value="${ADMIN.password}"></form>
<script>document.getElementById('f').submit()</script>`);
      } else {
        res.end(`<p id="done"></p><script>
fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(credentials)} })
  .finally(() => { document.getElementById('done').textContent = 'sent'; });
</script>`);
      }
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await started?.stop();
    await new Promise((resolve) => evil?.close(resolve));
  });

  const sessionCookies = async (context: Awaited<ReturnType<typeof browser.context>>) => (await context.cookies(started.sigap.url)).filter((c) => c.name === 'sigap_session');

  it('keeps no session from a form posted to /api/session by another origin', async () => {
    const context = await browser.context();
    const page = await context.newPage();
    const answered = page.waitForResponse((res) => res.url().endsWith('/api/session'));
    await page.goto(`${evilUrl}/form`);
    expect((await answered).status()).toBe(403);
    expect(await sessionCookies(context)).toEqual([]);
  });

  it('keeps no session from a no-cors fetch of JSON as text/plain by another origin', async () => {
    const context = await browser.context();
    const page = await context.newPage();
    await page.goto(`${evilUrl}/fetch`);
    await page.locator('#done', { hasText: 'sent' }).waitFor();
    expect(await sessionCookies(context)).toEqual([]);
  });

  it('still logs in through its own form', async () => {
    const context = await browser.context();
    await logIn(context, started.sigap.url, ADMIN);
    expect(await sessionCookies(context)).toHaveLength(1);
  });
});
