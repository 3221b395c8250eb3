// What the demo's compromised modes serve, and to whom: the stand-ins must be compromised the way
// real judi-online SEO spam compromises go.id sites (hidden links, pages only search engines see,
// injected sitemap entries), and clean in normal mode, so the demo's integrity checks have
// something real to find and nothing to find when all is well.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../config.js';
import { GAMBLING_DOMAIN } from '../../demo/stand-in-pages.js';
import { INJECTED_SITEMAP_PATH, SITE_MODES, startStandInSites, type SiteMode, type SiteName, type StandInSites } from '../../demo/stand-in-sites.js';
import { projectRoot } from '../../main.js';
import type { IntegrityTarget } from '../../probes/probe-types.js';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const BINGBOT = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)';
const INTEGRITY_CHECK_OF: Record<SiteName, string> = { skm: 'skm-integrity', pengaduan: 'pengaduan-integrity' };
const FORM_FIELDS: Record<SiteName, string[]> = { skm: ['nama', 'nilai'], pengaduan: ['nama', 'isi'] };

/** The demo's integrity checks as configured in demo/sigap.demo.yaml. */
function demoIntegrityTargets(): Record<SiteName, IntegrityTarget> {
  const yaml = readFileSync(join(projectRoot(), 'demo', 'sigap.demo.yaml'), 'utf8');
  const config = parseConfig(yaml, 'demo/sigap.demo.yaml', { ...process.env, PORT: '0' });
  const checks = config.services.flatMap((service) => service.checks);
  const target = (site: SiteName): IntegrityTarget => {
    const check = checks.find((c) => c.key === INTEGRITY_CHECK_OF[site]);
    if (check?.target.type !== 'integrity') throw new Error(`demo/sigap.demo.yaml has no integrity check ${INTEGRITY_CHECK_OF[site]}`);
    return check.target;
  };
  return { skm: target('skm'), pengaduan: target('pengaduan') };
}

/** The check's forbidden terms found in `source`, as written, hyphenated or joined ("slot-gacor", "slotgacor"). */
function termsIn(source: string, terms: readonly string[]): string[] {
  const text = source.toLowerCase();
  return terms.filter((term) => [term, term.replace(/ /g, '-'), term.replace(/ /g, '')].some((form) => text.includes(form)));
}

const hrefs = (html: string): string[] => [...html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!);
const locs = (xml: string): string[] => [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const formFields = (html: string): string[] => [...(/<form\b[\s\S]*?<\/form>/.exec(html)?.[0] ?? '').matchAll(/\bname="([^"]+)"/g)].map((m) => m[1]!);
/** The domain allowed for `host` by the check: the site itself, or an allowDomains entry or its subdomain. */
const allowedBy = (target: IntegrityTarget, url: URL, siteUrl: string): boolean =>
  url.host === new URL(siteUrl).host || target.allowDomains.some((d) => url.hostname.replace(/^www\./, '') === d || url.hostname.endsWith(`.${d}`));

describe('the demo stand-ins, as an integrity check sees them', () => {
  let sites: StandInSites;
  const targets = demoIntegrityTargets();
  const siteUrl = (site: SiteName) => (site === 'skm' ? sites.skmUrl : sites.pengaduanUrl);
  const get = async (url: string, headers: Record<string, string> = { 'user-agent': CHROME }) => {
    const response = await request(url, { headers });
    return { status: response.statusCode, type: String(response.headers['content-type']), body: await response.body.text() };
  };
  const viewers: Array<{ name: string; headers: () => Record<string, string> }> = [
    { name: 'a browser', headers: () => ({ 'user-agent': CHROME }) },
    { name: 'Googlebot', headers: () => ({ 'user-agent': GOOGLEBOT }) },
    { name: 'Bingbot', headers: () => ({ 'user-agent': BINGBOT }) },
    { name: 'a visitor from a Google search', headers: () => ({ 'user-agent': CHROME, referer: `https://www.google.com/search?q=${new URL(sites.skmUrl).host}` }) },
  ];

  beforeAll(async () => {
    sites = await startStandInSites({ skmPort: 0, pengaduanPort: 0, controlPort: 0 });
  });
  afterAll(() => sites.stop());

  it('configures one integrity check per site on its URL, allowing the domains the normal page links to', () => {
    expect(targets.skm.url).toBe('http://127.0.0.1:18081/');
    expect(targets.pengaduan.url).toBe('http://127.0.0.1:18082/');
    for (const target of Object.values(targets)) {
      expect(target.sitemap).toBe(true);
      expect(target.sample).toBeGreaterThan(0);
      expect(target.allowDomains).not.toContain(GAMBLING_DOMAIN);
    }
  });

  describe.each<SiteName>(['skm', 'pengaduan'])('the %s site in normal mode', (site) => {
    it('shows every viewer the same clean page, whose external links are all on the allowlist', async () => {
      const pages = await Promise.all(viewers.map((viewer) => get(siteUrl(site), viewer.headers())));
      for (const page of pages) {
        expect(page.status).toBe(200);
        expect(page.body).toBe(pages[0]!.body);
      }
      const html = pages[0]!.body;
      expect(termsIn(html, targets[site].terms)).toEqual([]);
      const external = hrefs(html)
        .map((href) => new URL(href, siteUrl(site)))
        .filter((url) => url.host !== new URL(siteUrl(site)).host);
      expect(external.length).toBeGreaterThanOrEqual(2);
      for (const url of external) expect(allowedBy(targets[site], url, siteUrl(site)), url.href).toBe(true);
      expect(html).not.toMatch(/display:\s*none|visibility:\s*hidden|font-size:\s*0/);
    });

    it('serves a sitemap of a few same-origin URLs, each a clean page', async () => {
      const sitemap = await get(new URL('/sitemap.xml', siteUrl(site)).href);
      expect(sitemap.status).toBe(200);
      expect(sitemap.type).toMatch(/xml/);
      const urls = locs(sitemap.body);
      expect(urls.length).toBeGreaterThanOrEqual(3);
      expect(urls).not.toContain(new URL(INJECTED_SITEMAP_PATH, siteUrl(site)).href);
      for (const url of urls) {
        expect(new URL(url).origin).toBe(new URL(siteUrl(site)).origin);
        const page = await get(url);
        expect(page.status, url).toBe(200);
        expect(termsIn(page.body, targets[site].terms), url).toEqual([]);
      }
    });

    it('has no page at the path the judi-sitemap mode injects', async () => {
      expect((await get(new URL(INJECTED_SITEMAP_PATH, siteUrl(site)).href)).status).toBe(404);
    });
  });

  describe.each<SiteName>(['skm', 'pengaduan'])('the %s site when compromised', (site) => {
    const inMode = async (mode: SiteMode, test: () => Promise<void>) => {
      await sites.setMode(site, mode);
      try {
        await test();
      } finally {
        await sites.setMode(site, 'normal');
      }
    };

    it('in judi-hidden-links mode keeps its form and adds a display:none block of gambling links to a foreign domain', () =>
      inMode('judi-hidden-links', async () => {
        const { status, body } = await get(siteUrl(site));
        expect(status).toBe(200);
        expect(formFields(body)).toEqual(expect.arrayContaining(FORM_FIELDS[site]));
        const hidden = /<div style="display:none">([\s\S]*?)<\/div>/.exec(body)?.[1] ?? '';
        const links = hrefs(hidden).map((href) => new URL(href));
        expect(links.length).toBeGreaterThanOrEqual(2);
        for (const url of links) expect(allowedBy(targets[site], url, siteUrl(site)), url.href).toBe(false);
        expect(termsIn(hidden, targets[site].terms)).toEqual(expect.arrayContaining(['slot gacor', 'togel', 'maxwin']));
        // Outside the hidden block the page is the normal one: nothing a visitor would notice.
        expect(termsIn(body.replace(hidden, ''), targets[site].terms)).toEqual([]);
      }));

    it('in judi-crawler-only mode serves a gambling page to crawlers and search visitors, and the normal page to a browser', () =>
      inMode('judi-crawler-only', async () => {
        const normal = await get(siteUrl(site));
        expect(termsIn(normal.body, targets[site].terms)).toEqual([]);
        expect(formFields(normal.body)).toEqual(expect.arrayContaining(FORM_FIELDS[site]));
        for (const viewer of viewers.slice(1)) {
          const page = await get(siteUrl(site), viewer.headers());
          expect(page.status, viewer.name).toBe(200);
          expect(termsIn(page.body, targets[site].terms), viewer.name).toEqual(expect.arrayContaining(['slot gacor', 'togel']));
          expect(page.body, viewer.name).not.toContain('<form');
        }
        // A Bing search referer counts as well; a referer of the site itself does not.
        const fromBing = await get(siteUrl(site), { 'user-agent': CHROME, referer: 'https://www.bing.com/search?q=dpmptsp' });
        expect(termsIn(fromBing.body, targets[site].terms)).toContain('slot gacor');
        const fromSite = await get(siteUrl(site), { 'user-agent': CHROME, referer: siteUrl(site) });
        expect(fromSite.body).toBe(normal.body);
      }));

    it('in judi-sitemap mode lists an injected gambling page in its sitemap, and serves it, while the page itself stays clean', () =>
      inMode('judi-sitemap', async () => {
        const injected = new URL(INJECTED_SITEMAP_PATH, siteUrl(site)).href;
        const urls = locs((await get(new URL('/sitemap.xml', siteUrl(site)).href)).body);
        expect(urls).toContain(injected);
        expect(termsIn(injected, targets[site].terms)).toEqual(expect.arrayContaining(['slot gacor', 'maxwin']));
        const page = await get(injected);
        expect(page.status).toBe(200);
        expect(termsIn(page.body, targets[site].terms).length).toBeGreaterThanOrEqual(3);
        const home = await get(siteUrl(site));
        expect(termsIn(home.body, targets[site].terms)).toEqual([]);
        expect(formFields(home.body)).toEqual(expect.arrayContaining(FORM_FIELDS[site]));
      }));
  });

  it('offers every mode, the judi ones included, as a button for each site on the control page, with Indonesian labels', async () => {
    const html = (await get(sites.controlUrl)).body;
    for (const mode of SITE_MODES) expect(html.match(new RegExp(`name="mode" value="${mode}"`, 'g')), mode).toHaveLength(2);
    expect(html).toContain('Disusupi tautan judi online tersembunyi');
    expect(html).toContain('Halaman judi hanya untuk Googlebot/Bingbot');
    expect(html).toContain(`sitemap.xml berisi halaman judi sisipan (${INJECTED_SITEMAP_PATH})`);
  });
});
