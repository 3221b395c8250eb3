import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config.js';
import { DEMO_WHATSAPP, startStandInSites, type SiteMode, type SiteName, type StandInSites } from '../../demo/stand-in-sites.js';
import { projectRoot } from '../../main.js';
import { probeHttp } from '../../probes/http.js';
import { WhatsappChannel } from '../../detector/notify/channels/index.js';
import type { NotificationPayload } from '../../detector/notify/notification-types.js';
import type { FailureKind, HttpTarget, ProbeDeps, ProbeResult, ProbeStatus } from '../../probes/probe-types.js';

const deps: ProbeDeps = { now: () => new Date() };
const CHECK_OF: Record<SiteName, string> = { skm: 'skm-form', pengaduan: 'pengaduan-form' };

/** The demo's real checks, with their URLs moved to the port-0 stand-ins. */
function demoTargets(sites: StandInSites): Record<SiteName, HttpTarget> {
  const yaml = readFileSync(join(projectRoot(), 'demo', 'sigap.demo.yaml'), 'utf8');
  const config = parseConfig(yaml, 'demo/sigap.demo.yaml', { ...process.env, PORT: '0' });
  const checks = config.services.flatMap((service) => service.checks);
  const target = (site: SiteName, url: string): HttpTarget => {
    const check = checks.find((c) => c.key === CHECK_OF[site]);
    if (!check) throw new Error(`demo/sigap.demo.yaml has no check ${CHECK_OF[site]}`);
    if (check.target.type !== 'http') throw new Error(`${check.key} is not an http check`);
    return { ...check.target, url };
  };
  return { skm: target('skm', sites.skmUrl), pengaduan: target('pengaduan', sites.pengaduanUrl) };
}

describe('the demo stand-in sites', () => {
  let sites: StandInSites;
  let targets: Record<SiteName, HttpTarget>;
  const probe = (site: SiteName): Promise<ProbeResult> => probeHttp(targets[site], deps);

  beforeAll(async () => {
    sites = await startStandInSites({ skmPort: 0, pengaduanPort: 0, controlPort: 0, dashboardUrl: 'http://127.0.0.1:3000/' });
    targets = demoTargets(sites);
  });
  afterAll(() => sites.stop());

  it('answer on the real ports they were given when asked for port 0', () => {
    for (const url of [sites.skmUrl, sites.pengaduanUrl, sites.controlUrl]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(new URL(url).port).not.toBe('0');
    }
  });

  it('refuse to bind anywhere but loopback', async () => {
    await expect(startStandInSites({ host: '0.0.0.0', skmPort: 0, pengaduanPort: 0, controlPort: 0 })).rejects.toThrow(/loopback/);
  });

  describe.each<SiteName>(['skm', 'pengaduan'])('the %s site', (site) => {
    const cases: Array<{ mode: SiteMode; status: ProbeStatus; failureKind: FailureKind | null; errorCode?: string }> = [
      { mode: 'normal', status: 'up', failureKind: null },
      { mode: 'error', status: 'down', failureKind: 'http_5xx' },
      { mode: 'maintenance', status: 'down', failureKind: 'content' },
      { mode: 'slow', status: 'degraded', failureKind: 'slow' },
      { mode: 'broken-form', status: 'down', failureKind: 'content' },
      { mode: 'stopped', status: 'down', failureKind: 'connect', errorCode: 'ECONNREFUSED' },
      // The compromised modes keep the right text and form: the http check cannot see them (the integrity check does).
      { mode: 'judi-hidden-links', status: 'up', failureKind: null },
      { mode: 'judi-crawler-only', status: 'up', failureKind: null },
      { mode: 'judi-sitemap', status: 'up', failureKind: null },
    ];

    for (const { mode, status, failureKind, errorCode } of cases) {
      const judged = failureKind ? `${status} (${failureKind}${errorCode ? `, ${errorCode}` : ''})` : status;
      it(`in ${mode} mode is judged ${judged} by the demo check`, async () => {
        await sites.setMode(site, mode);
        const result = await probe(site);
        expect({ status: result.status, failureKind: result.failureKind }).toEqual({ status, failureKind });
        if (errorCode) expect(result.evidence.errorCode).toBe(errorCode);
        await sites.setMode(site, 'normal');
      });
    }

    it('comes back up on the same port after being stopped', async () => {
      const url = site === 'skm' ? sites.skmUrl : sites.pengaduanUrl;
      await sites.setMode(site, 'stopped');
      expect((await probe(site)).evidence.errorCode).toBe('ECONNREFUSED');
      await sites.setMode(site, 'normal');
      const result = await probe(site);
      expect(result.status).toBe('up');
      expect(result.evidence.url).toBe(url);
    });
  });

  describe('control page', () => {
    const origin = () => new URL(sites.controlUrl).origin;
    const postMode = (body: string, headers: Record<string, string>) =>
      request(new URL('/mode', sites.controlUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });

    it('lists both sites with their current mode and links to the dashboard', async () => {
      const response = await request(sites.controlUrl);
      const html = await response.body.text();
      expect(response.statusCode).toBe(200);
      expect(html).toContain(sites.skmUrl);
      expect(html).toContain(sites.pengaduanUrl);
      expect(html).toContain('href="http://127.0.0.1:3000/"');
      expect(html.match(/name="mode" value="broken-form"/g)).toHaveLength(2);
    });

    it("changes a site's mode on a same-origin POST and redirects back with 303", async () => {
      const response = await postMode('site=pengaduan&mode=maintenance', { origin: origin() });
      await response.body.dump();
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/');
      expect(sites.mode('pengaduan')).toBe('maintenance');
      expect(await (await request(sites.controlUrl)).body.text()).toMatch(/<strong>maintenance<\/strong>/);
      expect((await probe('pengaduan')).failureKind).toBe('content');
      await sites.setMode('pengaduan', 'normal');
    });

    it('accepts a POST whose Referer is the control page when no Origin is sent', async () => {
      const response = await postMode('site=skm&mode=error', { referer: sites.controlUrl });
      await response.body.dump();
      expect(response.statusCode).toBe(303);
      expect(sites.mode('skm')).toBe('error');
      await sites.setMode('skm', 'normal');
    });

    it.each<{ name: string; headers: Record<string, string> }>([
      { name: 'a foreign Origin', headers: { origin: 'http://evil.example' } },
      { name: 'a foreign Referer', headers: { referer: 'http://evil.example/page' } },
      { name: 'neither Origin nor Referer', headers: {} },
      { name: 'the opaque Origin "null"', headers: { origin: 'null' } },
    ])('refuses a POST with $name and leaves the mode alone', async ({ headers }) => {
      const response = await postMode('site=skm&mode=stopped', headers);
      await response.body.dump();
      expect(response.statusCode).toBe(403);
      expect(sites.mode('skm')).toBe('normal');
      expect((await probe('skm')).status).toBe('up');
    });

    it('refuses requests that name another host (DNS rebinding)', async () => {
      const response = await request(sites.controlUrl, { headers: { host: 'rebind.example' } });
      await response.body.dump();
      expect(response.statusCode).toBe(403);
    });

    it('rejects an unknown site or mode with 400', async () => {
      const response = await postMode('site=skm&mode=%3Cscript%3E', { origin: origin() });
      expect(response.statusCode).toBe(400);
      expect(await response.body.text()).not.toContain('<script>');
      expect(sites.mode('skm')).toBe('normal');
    });
  });
  describe('stand-in WhatsApp Cloud API', () => {
    const messagesUrl = () => new URL('/whatsapp/v21.0/1234567890/messages', sites.controlUrl);
    const post = (body: unknown, token: string = DEMO_WHATSAPP.accessToken) =>
      request(messagesUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });

    it('answers a text message with a message id and shows it, escaped, on the control page', async () => {
      const response = await post({ messaging_product: 'whatsapp', to: '6281234567890', type: 'text', text: { body: 'INC-1 <b>P1</b> pulih' } });
      const answer = (await response.body.json()) as { messages: Array<{ id: string }> };
      expect(response.statusCode).toBe(200);
      expect(answer.messages[0]!.id).toMatch(/^wamid\./);
      expect(sites.whatsappMessages()[0]).toMatchObject({ phoneNumberId: '1234567890', to: '6281234567890', text: 'INC-1 <b>P1</b> pulih' });
      const html = await (await request(sites.controlUrl)).body.text();
      expect(html).toContain('INC-1 &lt;b&gt;P1&lt;/b&gt; pulih');
      expect(html).not.toContain('<b>P1</b>');
    });

    it('refuses a wrong access token with the Cloud API error 190 and records nothing', async () => {
      const before = sites.whatsappMessages().length;
      const response = await post({ messaging_product: 'whatsapp', to: '6281234567890', type: 'text', text: { body: 'x' } }, 'wrong');
      expect(response.statusCode).toBe(401);
      expect(((await response.body.json()) as { error: { code: number } }).error.code).toBe(190);
      expect(sites.whatsappMessages()).toHaveLength(before);
    });

    it('refuses a body that is not a WhatsApp message with error 100', async () => {
      const response = await post({ to: '6281234567890' });
      expect(response.statusCode).toBe(400);
      expect(((await response.body.json()) as { error: { code: number } }).error.code).toBe(100);
    });
    it("takes a message from the demo configuration's whatsapp channel, sent by the real channel", async () => {
      const yaml = readFileSync(join(projectRoot(), 'demo', 'sigap.demo.yaml'), 'utf8');
      const config = parseConfig(yaml, 'demo/sigap.demo.yaml', { ...process.env, PORT: '0' });
      const channel = config.notifications.channels.find((c) => c.type === 'whatsapp');
      if (channel?.type !== 'whatsapp') throw new Error('demo/sigap.demo.yaml has no whatsapp channel');
      expect(channel.accessToken).toBe(DEMO_WHATSAPP.accessToken);
      // The demo's channel points at the fixed control port; this suite's stand-in listens on port 0.
      const apiBaseUrl = channel.apiBaseUrl.replace(/^http:\/\/127\.0\.0\.1:\d+/, new URL(sites.controlUrl).origin);
      const payload = {
        event: 'opened',
        cause: { id: 1, type: 'opened', at: '2026-12-03T01:00:00.000Z', actor: 'sigap', note: null, data: null },
        incident: { ref: 'INC-2026-00001', title: 'Situs SKM tidak dapat dihubungi', serviceName: 'Survei Kepuasan Masyarakat (SKM)', service: 'skm', priority: 'P2' },
        link: 'http://127.0.0.1:3000/incidents/INC-2026-00001',
        timezone: 'Asia/Jakarta',
        language: 'id',
      } as unknown as NotificationPayload;
      const sent = new WhatsappChannel({ ...channel, apiBaseUrl });
      await sent.send({ id: 1, channelKey: channel.key, recipient: channel.to[0]!, idempotencyKey: 'demo/1', attempt: 1, payload });
      await sent.close?.();
      expect(sites.whatsappMessages()[0]).toMatchObject({ phoneNumberId: channel.phoneNumberId, to: '6281200000001' });
      expect(sites.whatsappMessages()[0]!.text).toContain('INC-2026-00001');
    });
  });
});
