// The integrity probe against real local sites: a stand-in DPMPTSP site on 127.0.0.1 under a fake
// host name (the injected lookup answers it), serving what each row needs — clean, defaced,
// with hidden or foreign links, cloaked to crawlers, with an injected sitemap, hostile in size.
// Nothing leaves the machine; the link-local refusal uses a server on 127.0.0.3 declared
// link-local by the injected classifier, as in outbound-address-policy.test.ts.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAddress, type AddressClass } from '../../probes/address-policy.js';
import { probeIntegrity } from '../../probes/integrity.js';
import { SHIPPED_TERMS } from '../../probes/integrity-terms.js';
import type { IntegrityBaseline, IntegrityFinding, IntegrityTarget, LookupFunction, ProbeDeps, ProbeResult } from '../../probes/probe-types.js';
import { startHttpServer, stopAllServers } from '../helpers/local-servers.js';

const HOST = 'dpmptsp.example.go.id';
const FOREIGN = 'slot-gacor-88.example';

interface Answer {
  status?: number;
  body?: string;
  type?: string;
  location?: string;
  /** Stream this many bytes of `fill` (with backpressure) instead of `body`. */
  stream?: { head: string; fill: string; total: number };
  /** Send headers, then nothing more. */
  hang?: boolean;
}

interface SeenRequest {
  host: string;
  path: string;
  userAgent: string;
  referer: string;
}

interface Site {
  port: number;
  url: string;
  origin: string;
  requests: SeenRequest[];
  /** Bytes the server handed to the socket, per path. */
  served: Map<string, number>;
}

type Route = (request: SeenRequest) => Answer | undefined;

const extraServers: http.Server[] = [];
afterEach(async () => {
  await stopAllServers();
  await Promise.all(
    extraServers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

function handlerFor(route: Route, site: Pick<Site, 'requests' | 'served'>): http.RequestListener {
  return (req, res) => {
    const seen: SeenRequest = {
      host: (req.headers.host ?? '').replace(/:\d+$/, ''),
      path: req.url ?? '/',
      userAgent: req.headers['user-agent'] ?? '',
      referer: String(req.headers.referer ?? ''),
    };
    site.requests.push(seen);
    const answer = route(seen) ?? { status: 404, body: 'not found' };
    const count = (bytes: number) => site.served.set(seen.path, (site.served.get(seen.path) ?? 0) + bytes);
    if (answer.location) {
      res.writeHead(answer.status ?? 302, { location: answer.location });
      res.end();
      return;
    }
    res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'text/html; charset=utf-8' });
    if (answer.hang) {
      res.write('<?xml version="1.0"?><urlset>');
      return;
    }
    if (answer.stream) {
      const { head, fill, total } = answer.stream;
      let sent = 0;
      let closed = false;
      res.on('close', () => (closed = true));
      const pump = (): void => {
        if (sent === 0) {
          res.write(head);
          sent += head.length;
          count(head.length);
        }
        while (!closed && sent < total) {
          const ok = res.write(fill);
          sent += fill.length;
          count(fill.length);
          if (!ok) {
            res.once('drain', pump);
            return;
          }
        }
        if (!closed) res.end();
      };
      pump();
      return;
    }
    const body = answer.body ?? '';
    count(Buffer.byteLength(body));
    res.end(body);
  };
}

async function startSite(route: Route): Promise<Site> {
  const site = { requests: [] as SeenRequest[], served: new Map<string, number>() };
  const server = await startHttpServer(handlerFor(route, site));
  return { ...site, port: server.port, origin: `http://${HOST}:${server.port}`, url: `http://${HOST}:${server.port}/` };
}

/** The injected resolver: every name in `zone` answers its address, others are not found. */
function resolver(zone: Record<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = zone[hostname];
    if (!address) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }), '');
    const family = net.isIP(address);
    return options.all ? callback(null, [{ address, family }]) : callback(null, address, family);
  };
}

const LINK_LOCAL_STAND_IN = '127.0.0.3';
const classifyStandIns = (address: string): AddressClass => (address === LINK_LOCAL_STAND_IN ? 'link-local' : classifyAddress(address));

function depsFor(baseline: IntegrityBaseline | null = null, extra: Partial<ProbeDeps> = {}): ProbeDeps {
  return {
    now: () => new Date(),
    lookup: resolver({ [HOST]: '127.0.0.1', [FOREIGN]: '127.0.0.1', ['www.' + HOST]: '127.0.0.1' }),
    classifyAddress: classifyStandIns,
    integrityBaseline: async () => baseline,
    ...extra,
  };
}

function targetFor(site: Site, overrides: Partial<IntegrityTarget> = {}): IntegrityTarget {
  return {
    type: 'integrity',
    checkKey: 'dpmptsp-integrity',
    url: site.url,
    timeoutMs: 20_000,
    allowDomains: ['lapor.go.id'],
    terms: [...SHIPPED_TERMS],
    sitemap: true,
    sample: 20,
    ...overrides,
  };
}

const page = (body: string, head = '<title>DPMPTSP Kabupaten Contoh</title><meta name="description" content="Layanan perizinan terpadu satu pintu">') =>
  `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

const CLEAN_BODY =
  '<h1>Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu</h1>' +
  '<p>Selamat datang di layanan perizinan berusaha. Silakan isi survei kepuasan masyarakat setelah menerima layanan kami di kantor.</p>' +
  '<p>Jam layanan Senin sampai Jumat pukul delapan pagi hingga pukul empat sore, kecuali hari libur nasional.</p>' +
  '<a href="/skm">Survei Kepuasan Masyarakat</a> <a href="https://www.lapor.go.id/">SP4N-LAPOR!</a> ' +
  '<a href="https://oss.lapor.go.id/izin">OSS</a> <a href="mailto:dpmptsp@example.go.id">Surel</a>' +
  '<script src="/js/app.js"></script><ul style="display:none"><li><a href="/menu">Menu</a></li></ul>';
const CLEAN_PAGE = page(CLEAN_BODY);

/** A site whose `/` is `home` for every viewer, `/sitemap.xml` is `sitemap` (404 when absent), and `pages` by path. */
function plainSite(home: string, sitemap?: string, pages: Record<string, string> = {}): Route {
  return (r) => {
    if (r.path === '/') return { body: home };
    if (r.path === '/sitemap.xml') return sitemap === undefined ? undefined : { body: sitemap, type: 'application/xml' };
    const found = pages[r.path];
    return found === undefined ? undefined : { body: found };
  };
}

const urlset = (entries: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">${entries.join('')}</urlset>`;

function only(result: ProbeResult, kind: IntegrityFinding['kind']): IntegrityFinding[] {
  return (result.evidence.integrity?.findings ?? []).filter((f) => f.kind === kind);
}

describe('integrity probe: what a visitor and a crawler are served', () => {
  it('passes a clean page whose external links are on the allowlist, with its snapshot', async () => {
    const site = await startSite(plainSite(CLEAN_PAGE, urlset([])));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.status).toBe('up');
    expect(result.failureKind).toBeNull();
    const integrity = result.evidence.integrity!;
    expect(integrity.findings).toEqual([]);
    expect(integrity.counts).toEqual({});
    expect(integrity.snapshot).toMatchObject({
      url: site.url,
      title: 'DPMPTSP Kabupaten Contoh',
      description: 'Layanan perizinan terpadu satu pintu',
      domains: ['lapor.go.id', 'oss.lapor.go.id'],
    });
    expect(integrity.snapshot!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(integrity.scanned).toMatchObject({ pages: 4, sitemaps: 1, sitemapUrls: 0, limits: [] });
    // Four viewers, each with its own User-Agent; the search visitor with Google's Referer.
    const home = site.requests.filter((r) => r.path === '/');
    expect(home.map((r) => r.userAgent).sort()).toEqual(
      expect.arrayContaining([expect.stringContaining('Googlebot/2.1'), expect.stringContaining('bingbot/2.0'), expect.stringContaining('Chrome/')]),
    );
    expect(home.map((r) => r.referer)).toContain(`https://www.google.com/search?q=${HOST}`);
  });

  it('calls visible gambling terms on the page defacement, with the source around them', async () => {
    const site = await startSite(plainSite(page(CLEAN_BODY + '<p>Daftar sekarang di SLOT-GACOR terpercaya, bonus new member 100%</p>'), urlset([])));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.status).toBe('degraded');
    expect(result.failureKind).toBe('defacement');
    expect(result.evidence.url).toBe(site.url);
    // Both terms are in one paragraph: one finding naming both, the first one's words highlighted.
    expect(result.evidence.reason).toBe('integrity findings: 1 forbidden_term');
    const terms = only(result, 'forbidden_term');
    expect(terms.map((f) => f.term)).toEqual(['slot gacor, bonus new member']);
    const slot = terms[0]!;
    expect(slot).toMatchObject({ viewer: 'browser', where: 'text', url: site.url });
    expect(slot.hidden).toBeUndefined();
    expect(slot.userAgent).toContain('Chrome/');
    expect(slot.snippet!.match).toBe('SLOT-GACOR');
    expect(slot.snippet!.before.endsWith('Daftar sekarang di ')).toBe(true);
  });

  it.each([
    ['title', page(CLEAN_BODY, '<title>Slot Gacor Maxwin Hari Ini</title>'), 'title'],
    ['meta description', page(CLEAN_BODY, '<title>DPMPTSP</title><meta name="description" content="Situs judi online terpercaya">'), 'meta'],
    ['og:title', page(CLEAN_BODY, '<title>DPMPTSP</title><meta property="og:title" content="TOGEL hari ini">'), 'meta'],
    ['image alt text', page(CLEAN_BODY + '<img src="/b.png" alt="Sbobet resmi">'), 'alt'],
    ['link text', page(CLEAN_BODY + '<a href="/berita/1">Agen Judi terbaik</a>'), 'link'],
    ['full-width letters (NFKC)', page(CLEAN_BODY + '<p>ｓｌｏｔ ｇａｃｏｒ</p>'), 'text'],
  ])('finds a forbidden term in the %s', async (_name, html, where) => {
    const site = await startSite(plainSite(html, urlset([])));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.failureKind).toBe('defacement');
    expect(only(result, 'forbidden_term').map((f) => f.where)).toContain(where);
  });

  it.each([
    ['display:none', '<div style="display: none"><a href="https://slot-gacor-88.example/">slot gacor</a></div>', 'display:none'],
    ['visibility:hidden', '<span style="visibility:hidden"><a href="https://slot-gacor-88.example/">judi online</a></span>', 'visibility:hidden'],
    ['font-size:0', '<p style="font-size:0px"><a href="https://slot-gacor-88.example/">togel</a></p>', 'font-size:0'],
    ['zero size', '<div style="height:0;overflow:hidden"><a href="https://slot-gacor-88.example/">sbobet</a></div>', 'zero size'],
    ['off-screen position', '<div style="position:absolute;left:-9999px"><a href="https://slot-gacor-88.example/">maxwin</a></div>', 'off-screen'],
    ['text-indent', '<div style="text-indent:-9999px"><a href="https://slot-gacor-88.example/">rtp live</a></div>', 'off-screen'],
    ['the hidden attribute', '<div hidden><a href="https://slot-gacor-88.example/">situs slot</a></div>', 'hidden attribute'],
    ['an implied close inside a hidden paragraph', '<p style="display:none">iklan<a href="https://slot-gacor-88.example/">slot88</a><p>Tampil</p>', 'display:none'],
    ['the link itself', '<a href="https://slot-gacor-88.example/" style="display:none">link alternatif</a>', 'display:none'],
  ])('flags a hidden gambling link hidden by %s as injected content, with the raw <a> as snippet', async (_name, injected, hidden) => {
    const site = await startSite(plainSite(page(CLEAN_BODY + injected), urlset([])));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.status).toBe('degraded');
    expect(result.failureKind).toBe('injected_content');
    const links = only(result, 'hidden_link');
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ domain: FOREIGN, hidden, viewer: 'browser', where: 'link', url: site.url });
    expect(links[0]!.snippet!.match).toMatch(/^<a href="https:\/\/slot-gacor-88\.example\/"[^>]*>[^<]+<\/a>$/);
    // The terms in hidden elements are findings too, marked hidden: injected, not defacement.
    expect(only(result, 'forbidden_term').every((f) => f.hidden === hidden)).toBe(true);
  });

  it.each([
    ['script', '<script src="https://cdn.slot-gacor-88.example/inject.js"></script>', 'script', 'cdn.slot-gacor-88.example'],
    ['iframe', '<iframe src="https://slot-gacor-88.example/frame" width="0" height="0"></iframe>', 'iframe', FOREIGN],
    ['object', '<object data="https://slot-gacor-88.example/x.swf"></object>', 'iframe', FOREIGN],
  ])('flags a foreign %s as injected content', async (_name, injected, where, domain) => {
    const site = await startSite(plainSite(page(CLEAN_BODY + injected), urlset([])));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.failureKind).toBe('injected_content');
    expect(only(result, 'foreign_embed')).toEqual([expect.objectContaining({ where, domain, viewer: 'browser' })]);
    expect(only(result, 'foreign_embed')[0]!.snippet!.match).toContain(domain);
  });

  it('flags a visible link to a domain not on the allowlist as a foreign link', async () => {
    const site = await startSite(plainSite(page(CLEAN_BODY + '<a href="https://mitra.example.com/">Mitra</a>'), urlset([])));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.failureKind).toBe('injected_content');
    expect(only(result, 'foreign_link')).toEqual([expect.objectContaining({ domain: 'mitra.example.com', where: 'link' })]);
  });

  const GAMBLING_PAGE = page(
    '<h1>SLOT GACOR MAXWIN</h1><p>Situs judi online terpercaya, daftar sekarang.</p><a href="https://slot-gacor-88.example/daftar">Daftar</a>',
    '<title>Slot Gacor</title>',
  );

  it.each([
    ['Googlebot', (r: SeenRequest) => r.userAgent.includes('Googlebot'), 'googlebot', 'Googlebot/2.1'],
    ['Bingbot', (r: SeenRequest) => r.userAgent.includes('bingbot'), 'bingbot', 'bingbot/2.0'],
    ['a search engine Referer', (r: SeenRequest) => r.referer.includes('google.com/search'), 'search_referer', 'Chrome/'],
  ])('calls a gambling page served only to %s cloaking, naming the user agent that saw it', async (_name, cloaked, viewer, agent) => {
    const site = await startSite((r) => {
      if (r.path === '/') return { body: cloaked(r) ? GAMBLING_PAGE : CLEAN_PAGE };
      return r.path === '/sitemap.xml' ? { body: urlset([]) } : undefined;
    });
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.status).toBe('degraded');
    expect(result.failureKind).toBe('cloaking');
    const cloaking = only(result, 'cloaking');
    expect(new Set(cloaking.map((f) => f.viewer))).toEqual(new Set([viewer]));
    expect(cloaking.every((f) => f.userAgent.includes(agent))).toBe(true);
    const slot = cloaking.find((f) => f.term?.split(', ').includes('slot gacor'));
    expect(slot?.snippet!.match).toMatch(/slot gacor/i);
    expect(cloaking.map((f) => f.domain)).toContain(FOREIGN);
    // The browser saw a clean page: nothing else is found, and cloaking comes first.
    expect(only(result, 'forbidden_term')).toEqual([]);
    expect(result.evidence.integrity!.findings[0]!.kind).toBe('cloaking');
  });

  it('calls a redirect of crawlers only to a foreign domain cloaking', async () => {
    const site = await startSite((r) => {
      if (r.host === FOREIGN) return { body: GAMBLING_PAGE };
      if (r.path === '/') return r.userAgent.includes('Googlebot') ? { location: `http://${FOREIGN}:${site.port}/` } : { body: CLEAN_PAGE };
      return r.path === '/sitemap.xml' ? { body: urlset([]) } : undefined;
    });
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.failureKind).toBe('cloaking');
    expect(only(result, 'cloaking')).toContainEqual(expect.objectContaining({ viewer: 'googlebot', where: 'page', domain: FOREIGN }));
  });

  it('calls a crawler page with entirely different text cloaking, even without forbidden terms', async () => {
    const other = page('<p>' + 'Konten khusus mesin pencari tentang produk kesehatan herbal dan suplemen murah meriah '.repeat(3) + '</p>');
    const site = await startSite((r) => {
      if (r.path === '/') return { body: r.userAgent.includes('bingbot') ? other : CLEAN_PAGE };
      return r.path === '/sitemap.xml' ? { body: urlset([]) } : undefined;
    });
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.failureKind).toBe('cloaking');
    expect(only(result, 'cloaking')).toEqual([
      expect.objectContaining({ viewer: 'bingbot', where: 'page', detail: expect.stringMatching(/^text differs from the browser's: similarity 0\.\d\d, under 0\.5$/) }),
    ]);
  });
});

describe('integrity probe: the sitemap', () => {
  it('flags an injected sitemap entry (URL and image title) as injected content', async () => {
    const sitemap = (origin: string) =>
      urlset([
        `<url><loc>${origin}/skm</loc></url>`,
        `<url><loc>${origin}/wp-content/uploads/slot-gacor-maxwin-2026/</loc></url>`,
        `<url><loc>${origin}/galeri/1</loc><image:image><image:loc>${origin}/g.png</image:loc><image:title>Bandar Togel Resmi</image:title></image:image></url>`,
      ]);
    let origin = '';
    const site = await startSite((r) =>
      r.path === '/sitemap.xml' ? { body: sitemap(origin), type: 'application/xml' } : r.path === '/' ? { body: CLEAN_PAGE } : { body: CLEAN_PAGE },
    );
    origin = site.origin;
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.status).toBe('degraded');
    expect(result.failureKind).toBe('injected_content');
    const entries = only(result, 'sitemap_entry');
    expect(entries.map((f) => [f.where, f.term])).toEqual([
      ['sitemap_url', 'slot gacor'],
      ['sitemap_title', 'bandar togel'],
    ]);
    expect(entries[0]).toMatchObject({ url: `${origin}/sitemap.xml`, viewer: 'googlebot' });
    expect(entries[0]!.snippet!.match).toBe(`<url><loc>${origin}/wp-content/uploads/slot-gacor-maxwin-2026/</loc></url>`);
    expect(result.evidence.integrity!.scanned).toMatchObject({ sitemaps: 1, sitemapUrls: 3 });
  });

  it('judges sampled sitemap pages like the page: a gambling page behind an innocent URL', async () => {
    let origin = '';
    const site = await startSite((r) => {
      if (r.path === '/sitemap.xml') return { body: urlset([`<url><loc>${origin}/skm</loc></url>`, `<url><loc>${origin}/berita/2026/pengumuman</loc></url>`]) };
      if (r.path === '/berita/2026/pengumuman') return { body: page('<p>Link slot gacor hari ini, judi online aman</p>') };
      return { body: CLEAN_PAGE };
    });
    origin = site.origin;
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.failureKind).toBe('injected_content');
    const terms = only(result, 'forbidden_term');
    expect(terms.length).toBeGreaterThan(0);
    expect(terms.every((f) => f.url === `${origin}/berita/2026/pengumuman` && f.viewer === 'browser')).toBe(true);
    expect(result.evidence.integrity!.scanned.pages).toBe(6);
  });

  it('reads no sitemap when there is none (404 is not a finding) and none when the check says so', async () => {
    const site = await startSite(plainSite(CLEAN_PAGE));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result.status).toBe('up');
    expect(result.evidence.integrity!.scanned).toMatchObject({ sitemaps: 0, sitemapUrls: 0 });
    const off = await startSite(plainSite(CLEAN_PAGE, urlset([])));
    await probeIntegrity(targetFor(off, { sitemap: false }), depsFor());
    expect(off.requests.map((r) => r.path)).not.toContain('/sitemap.xml');
  });
});

describe('integrity probe: drift from the baseline', () => {
  async function snapshotOfCleanSite(site: Site) {
    const first = await probeIntegrity(targetFor(site), depsFor());
    expect(first.status).toBe('up');
    return first.evidence.integrity!.snapshot!;
  }
  const accepted = (snapshot: object, acceptedBy: string | null = 'admin'): IntegrityBaseline =>
    ({ ...snapshot, acceptedAt: '2026-12-01T00:00:00.000Z', acceptedBy }) as IntegrityBaseline;

  it.each([
    ['title', { title: 'Dinas Lama' }, 'Dinas Lama', 'DPMPTSP Kabupaten Contoh'],
    ['description', { description: 'Deskripsi lama' }, 'Deskripsi lama', 'Layanan perizinan terpadu satu pintu'],
    ['domains', { domains: ['lapor.go.id'] }, 'lapor.go.id', 'lapor.go.id, oss.lapor.go.id'],
  ] as const)('reports a changed %s as drift with before and after (defacement)', async (field, change, before, after) => {
    const site = await startSite(plainSite(CLEAN_PAGE, urlset([])));
    const baseline = accepted({ ...(await snapshotOfCleanSite(site)), ...change });
    const result = await probeIntegrity(targetFor(site), depsFor(baseline));
    expect(result.failureKind).toBe('defacement');
    expect(only(result, 'drift')).toEqual([expect.objectContaining({ field, before, after, viewer: 'browser' })]);
    expect(result.evidence.integrity!.baseline).toEqual(baseline);
  });

  it('reports a page whose text was replaced as text drift, by its fingerprint', async () => {
    const site = await startSite(plainSite(CLEAN_PAGE, urlset([])));
    const snapshot = await snapshotOfCleanSite(site);
    const replaced = await startSite(
      plainSite(
        page(
          '<h1>Situs ini sedang dalam perbaikan</h1><p>Mohon maaf atas ketidaknyamanan, silakan kembali lagi nanti untuk mengakses layanan perizinan.</p>' +
            CLEAN_BODY.slice(CLEAN_BODY.indexOf('<a ')),
        ),
        urlset([]),
      ),
    );
    const result = await probeIntegrity(targetFor(replaced), depsFor(accepted({ ...snapshot, url: replaced.url })));
    expect(only(result, 'drift')).toEqual([
      expect.objectContaining({ field: 'text', before: snapshot.fingerprint, detail: expect.stringMatching(/^text fingerprint \d+ of 64 bits away, over 12$/) }),
    ]);
    // The same page again is no drift at all.
    const again = await probeIntegrity(targetFor(site), depsFor(accepted(snapshot)));
    expect(again.status).toBe('up');
  });

  it('allows the domains of a baseline a person accepted, not those of one recorded automatically', async () => {
    const site = await startSite(plainSite(page(CLEAN_BODY + '<a href="https://mitra.example.com/">Mitra</a>'), urlset([])));
    const firstRun = await probeIntegrity(targetFor(site), depsFor());
    const snapshot = firstRun.evidence.integrity!.snapshot!;
    expect(snapshot.domains).toContain('mitra.example.com');
    const byPerson = await probeIntegrity(targetFor(site), depsFor(accepted(snapshot, 'admin')));
    expect(byPerson.status).toBe('up');
    const automatic = await probeIntegrity(targetFor(site), depsFor(accepted(snapshot, null)));
    expect(automatic.failureKind).toBe('injected_content');
    expect(only(automatic, 'foreign_link').map((f) => f.domain)).toEqual(['mitra.example.com']);
  });
});

describe('integrity probe: what it cannot judge', () => {
  it('is unknown, not down, when the page answers an error', async () => {
    const site = await startSite((r) => (r.path === '/' ? { status: 500, body: 'error' } : undefined));
    const result = await probeIntegrity(targetFor(site), depsFor());
    expect(result).toMatchObject({ status: 'unknown', failureKind: null, evidence: { url: site.url, statusCode: 500, reason: 'page not readable: status 500' } });
    expect(result.evidence.integrity).toMatchObject({ findings: [], snapshot: null, baseline: null });
  });

  it('is unknown when the site cannot be reached', async () => {
    const result = await probeIntegrity({ ...targetFor({ url: 'http://nowhere.example.go.id/' } as Site) }, depsFor());
    expect(result).toMatchObject({ status: 'unknown', failureKind: null, evidence: { reason: 'page not readable: ENOTFOUND' } });
  });

  it('is unknown when the baseline cannot be read', async () => {
    const site = await startSite(plainSite(CLEAN_PAGE));
    const result = await probeIntegrity(targetFor(site), {
      ...depsFor(),
      integrityBaseline: async () => {
        throw new Error('database is locked');
      },
    });
    expect(result).toMatchObject({ status: 'unknown', failureKind: null, evidence: { reason: 'baseline not readable: database is locked' } });
  });

  it('refuses a link-local address by the outbound address policy and sends nothing there', async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end(CLEAN_PAGE);
    });
    extraServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, LINK_LOCAL_STAND_IN, resolve));
    const port = (server.address() as net.AddressInfo).port;
    const target: IntegrityTarget = { ...targetFor({ url: `http://metadata.example:${port}/` } as Site) };
    const result = await probeIntegrity(target, depsFor(null, { lookup: resolver({ 'metadata.example': LINK_LOCAL_STAND_IN }) }));
    expect(result.status).toBe('unknown');
    expect(result.evidence.errorCode).toBe('ERR_ADDRESS_BLOCKED');
    expect(result.evidence.reason).toMatch(/^page not readable: http:\/\/metadata\.example:\d+\/ refused: 127\.0\.0\.3 is a link-local address/);
    expect(requests).toEqual([]);
  });
});

describe('integrity probe: bounded against hostile sites', () => {
  const MB = 1024 * 1024;

  it('reads a bounded part of a 50 MB page, for every viewer, and says so', async () => {
    const site = await startSite((r) =>
      r.path === '/' ? { stream: { head: '<html><head><title>Besar</title></head><body>', fill: '<p>' + 'isi halaman '.repeat(500) + '</p>', total: 50 * MB } } : undefined,
    );
    const result = await probeIntegrity(targetFor(site, { sitemap: false }), depsFor());
    expect(result.status).toBe('up');
    expect(result.evidence.integrity!.scanned.limits).toContain(`page: read the first ${MB} bytes of ${site.url} as browser`);
    expect(result.evidence.integrity!.scanned.limits).toContain(`page: read the first ${MB} bytes of ${site.url} as googlebot`);
    // Four viewers read 1 MiB each; what the server managed to hand over (socket buffers included) is a fraction of 4 × 50 MB.
    expect(site.requests.filter((r) => r.path === '/')).toHaveLength(4);
    expect(site.served.get('/')!).toBeLessThan(4 * 10 * MB);
  });

  it('reads a bounded part of a sitemap of 100,000 URLs', async () => {
    const site = await startSite((r) => {
      if (r.path === '/') return { body: CLEAN_PAGE };
      if (r.path !== '/sitemap.xml') return { body: CLEAN_PAGE };
      const fill = Array.from({ length: 100 }, (_, i) => `<url><loc>${site.origin}/arsip/${i}/${'dokumen-perizinan-'.repeat(20)}</loc><lastmod>2026-12-01</lastmod></url>`).join(
        '',
      );
      return {
        stream: { head: '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', fill, total: 100_000 * (fill.length / 100) },
        type: 'application/xml',
      };
    });
    const result = await probeIntegrity(targetFor(site, { sample: 2 }), depsFor());
    expect(result.status).toBe('up');
    const scanned = result.evidence.integrity!.scanned;
    expect(scanned.limits).toContain(`sitemap: read the first ${2 * MB} bytes of ${site.origin}/sitemap.xml`);
    expect(scanned.sitemapUrls).toBeGreaterThan(1000);
    expect(scanned.sitemapUrls).toBeLessThan(100_000);
    expect(site.served.get('/sitemap.xml')!).toBeLessThan(12 * MB);
    // The sample is the bounded one asked for.
    expect(site.requests.filter((r) => r.path.startsWith('/arsip/'))).toHaveLength(2);
  });

  it('follows a bounded number of the sitemaps an index lists, and a bounded number of URLs', async () => {
    const site = await startSite((r) => {
      if (r.path === '/') return { body: CLEAN_PAGE };
      if (r.path === '/sitemap.xml') {
        const children = Array.from({ length: 1000 }, (_, i) => `<sitemap><loc>${site.origin}/sitemap-${i}.xml</loc></sitemap>`).join('');
        return { body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${children}</sitemapindex>`, type: 'application/xml' };
      }
      const child = /^\/sitemap-(\d+)\.xml$/.exec(r.path);
      if (child) return { body: urlset(Array.from({ length: 20_000 }, (_, i) => `<url><loc>${site.origin}/p/${child[1]}/${i}</loc></url>`)), type: 'application/xml' };
      return undefined;
    });
    const result = await probeIntegrity(targetFor(site, { sample: 0 }), depsFor());
    expect(result.status).toBe('up');
    const scanned = result.evidence.integrity!.scanned;
    expect(scanned.sitemapUrls).toBe(50_000);
    expect(scanned.limits).toContain('sitemap: stopped at 50000 URLs');
    expect(site.requests.filter((r) => /^\/sitemap-\d+\.xml$/.test(r.path)).length).toBeLessThanOrEqual(9);
  });

  it('stops at the index bound when the listed sitemaps are many and small', async () => {
    const site = await startSite((r) => {
      if (r.path === '/') return { body: CLEAN_PAGE };
      if (r.path === '/sitemap.xml') {
        const children = Array.from({ length: 5000 }, (_, i) => `<sitemap><loc>${site.origin}/sitemap-${i}.xml</loc></sitemap>`).join('');
        return { body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${children}</sitemapindex>`, type: 'application/xml' };
      }
      return /^\/sitemap-\d+\.xml$/.test(r.path) ? { body: urlset([`<url><loc>${site.origin}/skm</loc></url>`]) } : undefined;
    });
    const result = await probeIntegrity(targetFor(site, { sample: 0 }), depsFor());
    expect(result.evidence.integrity!.scanned.limits).toContain('sitemap: fetched 10 sitemap files of 5001 listed');
    expect(site.requests.filter((r) => /^\/sitemap-\d+\.xml$/.test(r.path))).toHaveLength(9);
  });

  it('stops the sitemap at the deadline and still judges the page', async () => {
    const site = await startSite((r) =>
      r.path === '/' ? { body: page(CLEAN_BODY + '<div style="display:none"><a href="https://slot-gacor-88.example/">slot</a></div>') } : { hang: true },
    );
    const result = await probeIntegrity(targetFor(site, { timeoutMs: 2000 }), depsFor());
    expect(result.failureKind).toBe('injected_content');
    expect(result.evidence.integrity!.scanned.limits).toEqual([expect.stringMatching(/^time: sitemap and sample stopped after \d+ ms, at the check's deadline$/)]);
  });
});
