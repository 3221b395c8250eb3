// The site integrity probe (DESIGN §9): the check's page fetched as a browser, Googlebot, Bingbot
// and a browser arriving from a search engine; judged for forbidden terms, hidden and foreign
// links and embeds, cloaking (what only a crawler is served) and drift from the accepted
// baseline; then `/sitemap.xml` (and the sitemaps it indexes) scanned for injected entries and a
// sample of its pages judged like the page. Nothing is executed: pages are read as text. Every
// fetch goes through the http probe's connection machinery (the address policy on each hop, a
// dispatcher per hop, redirects, capped bodies) inside the target's one deadline.
import { performance } from 'node:perf_hooks';
import { findAddressBlocked } from './address-guard.js';
import { beginProbe, connectionProgress } from './connection-trace.js';
import { BODY_CAP_BYTES, createExchange, exchangeHttp, type Exchange } from './http-exchange.js';
import { createHopDispatchers } from './http.js';
import { compileTerms, type TermMatcher } from './integrity-match.js';
import { domainOf, readPage, type PageReading } from './integrity-page.js';
import {
  allowedRoots,
  countsText,
  failureKindOf,
  judgeCloaking,
  judgeDrift,
  judgePage,
  rankFindings,
  searchReferer,
  snapshotOf,
  USER_AGENTS,
  type ViewedPage,
} from './integrity-rules.js';
import { readSitemap, SAMPLE_CANDIDATES, SITEMAP_FILE_BYTES, SITEMAP_FILES, SITEMAP_TOTAL_BYTES, SITEMAP_URLS, spreadSample } from './integrity-sitemap.js';
import { classifyProbeError, describeProbeError } from './probe-errors.js';
import type { HttpTarget, IntegrityBaseline, IntegrityEvidence, IntegrityFinding, IntegrityTarget, IntegrityViewer, ProbeFunction } from './probe-types.js';

/** Bytes read of a page (the check's own, as each viewer, and each sampled one). */
export const PAGE_BYTES = BODY_CAP_BYTES;
/** Redirects followed per fetch. */
export const MAX_REDIRECTS = 5;
/** Share of the timeout the sitemap and the sample may use; the rest is kept to judge and answer. */
export const OPTIONAL_SHARE = 0.85;
/** Sampled pages fetched at once. */
const SAMPLE_CONCURRENCY = 4;
const VIEWERS: readonly IntegrityViewer[] = ['browser', 'googlebot', 'bingbot', 'search_referer'];
const CRAWLERS: readonly IntegrityViewer[] = ['googlebot', 'bingbot', 'search_referer'];

interface Fetched {
  exchange: Exchange;
  /** The body as text, when a 2xx arrived. */
  body: string | null;
  error: unknown;
}

type Fetch = (url: string, viewer: IntegrityViewer, capBytes: number, signal: AbortSignal, expired: Promise<never>) => Promise<Fetched>;

export const probeIntegrity: ProbeFunction<IntegrityTarget> = async (target, deps) => {
  const probe = beginProbe(target, deps);
  const { trace, deadline } = probe;
  const hops = createHopDispatchers(deps, target, trace);
  const optional = AbortSignal.any([deadline.signal, AbortSignal.timeout(Math.max(1, Math.floor(target.timeoutMs * OPTIONAL_SHARE)))]);
  const optionalExpired = new Promise<never>((_, reject) => optional.addEventListener('abort', () => reject(optional.reason), { once: true }));
  optionalExpired.catch(() => undefined);

  const fetchPage: Fetch = async (url, viewer, capBytes, signal, expired) => {
    const headers: Record<string, string> = {
      'user-agent': USER_AGENTS[viewer],
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
      'accept-language': 'id,en;q=0.8',
    };
    if (viewer === 'search_referer') headers.referer = searchReferer(target.url);
    const request: HttpTarget = {
      type: 'http',
      checkKey: target.checkKey,
      url,
      method: 'GET',
      headers,
      timeoutMs: target.timeoutMs,
      followRedirects: true,
      maxRedirects: MAX_REDIRECTS,
      expect: { status: [], contains: [], notContains: [], form: [], maxLatencyMs: null },
      minDaysValid: null,
      allowPrivate: target.allowPrivate,
    };
    const exchange = createExchange(url);
    try {
      await Promise.race([exchangeHttp(request, hops.open, signal, exchange, capBytes), expired]);
      const ok = exchange.statusCode !== undefined && exchange.statusCode >= 200 && exchange.statusCode < 300 && !exchange.tooManyRedirects;
      return { exchange, body: ok ? new TextDecoder('utf-8').decode(Buffer.concat(exchange.chunks)) : null, error: undefined };
    } catch (error) {
      return { exchange, body: null, error };
    }
  };

  try {
    let baseline: IntegrityBaseline | null = null;
    try {
      baseline = deps.integrityBaseline === undefined ? null : await deps.integrityBaseline(target.checkKey);
    } catch (err) {
      return probe.finish('unknown', null, { url: target.url, reason: `baseline not readable: ${err instanceof Error ? err.message : String(err)}` });
    }
    const site = domainOf(target.url) ?? '';
    const allowed = allowedRoots(site, target.allowDomains, baseline);
    const matcher = compileTerms(target.terms);
    const scanned: IntegrityEvidence['scanned'] = { pages: 0, sitemaps: 0, sitemapUrls: 0, limits: [] };

    const fetched = await Promise.all(VIEWERS.map((viewer) => fetchPage(target.url, viewer, PAGE_BYTES, deadline.signal, deadline.expired)));
    const browserFetch = fetched[0]!;
    if (browserFetch.body === null) return unreadable(browserFetch, baseline);
    const views: ViewedPage[] = [];
    fetched.forEach((f, i) => {
      if (f.body === null) {
        // A crawler sent to another domain is judged by where it was sent, even when that page did not answer.
        const landed = domainOf(f.exchange.url);
        if (i > 0 && f.exchange.redirects.length > 0 && landed !== null && landed !== site)
          views.push({ viewer: VIEWERS[i]!, url: f.exchange.url, reading: readPage('', f.exchange.url) });
        return;
      }
      scanned.pages += 1;
      if (f.exchange.bodyBytes >= PAGE_BYTES) scanned.limits.push(pageLimit(f.exchange.url, VIEWERS[i]!));
      views.push({ viewer: VIEWERS[i]!, url: f.exchange.url, reading: readPage(f.body, f.exchange.url) });
    });
    const browser = views[0]!;
    const snapshot = snapshotOf(browser.reading, browser.url, site);
    const findings: IntegrityFinding[] = [...judgePage(browser.reading, { url: browser.url, viewer: 'browser', matcher, allowed })];
    for (const other of views.slice(1)) if (CRAWLERS.includes(other.viewer)) findings.push(...judgeCloaking(browser, other, matcher, allowed));
    if (baseline !== null) findings.push(...judgeDrift(snapshot, baseline));

    if (target.sitemap) {
      const sitemapFindings = await scanSitemap(target, browser.url, site, matcher, allowed, fetchPage, optional, optionalExpired, scanned);
      findings.push(...sitemapFindings);
    }

    scanned.limits = [...new Set(scanned.limits)];
    const ranked = rankFindings(findings, browser.url);
    const integrity: IntegrityEvidence = { findings: ranked.findings, counts: ranked.counts, snapshot, baseline, scanned };
    const failureKind = failureKindOf(findings, browser.url);
    if (failureKind === null) return probe.finish('up', null, { url: target.url, statusCode: browserFetch.exchange.statusCode, integrity });
    return probe.finish('degraded', failureKind, {
      url: target.url,
      statusCode: browserFetch.exchange.statusCode,
      reason: `integrity findings: ${countsText(ranked.counts)}`,
      integrity,
    });
  } catch (err) {
    // Nothing above should throw; if it does, the page was not judged.
    return probe.finish('unknown', null, { url: target.url, reason: `page not readable: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    deadline.dispose();
    await hops.destroy();
  }

  /** The page could not be read: unknown, with the baseline it would have been judged against and no snapshot. */
  function unreadable(f: Fetched, baseline: IntegrityBaseline | null) {
    const integrity: IntegrityEvidence = { findings: [], counts: {}, snapshot: null, baseline, scanned: { pages: 0, sitemaps: 0, sitemapUrls: 0, limits: [] } };
    const base = { url: target.url, statusCode: f.exchange.statusCode, integrity };
    if (f.error === undefined) {
      const why = f.exchange.tooManyRedirects ? 'too many redirects' : 'status ' + String(f.exchange.statusCode);
      return probe.finish('unknown', null, { ...base, reason: `page not readable: ${why}` });
    }
    const blocked = findAddressBlocked(f.error);
    if (blocked) return probe.finish('unknown', null, { ...base, errorCode: blocked.code, reason: `page not readable: ${blocked.reason}` });
    const kind = classifyProbeError(f.error, connectionProgress(trace));
    const described = describeProbeError(f.error, kind, target.timeoutMs);
    return probe.finish('unknown', null, { ...base, ...described, reason: `page not readable: ${described.errorCode ?? kind}` });
  }
};

function pageLimit(url: string, viewer: IntegrityViewer): string {
  return `page: read the first ${PAGE_BYTES} bytes of ${url} as ${viewer}`;
}

/** `/sitemap.xml` of the page's origin and the sitemaps it indexes, within the bounds; then the sample. */
async function scanSitemap(
  target: IntegrityTarget,
  pageUrl: string,
  site: string,
  matcher: TermMatcher,
  allowed: readonly string[],
  fetchPage: Fetch,
  signal: AbortSignal,
  expired: Promise<never>,
  scanned: IntegrityEvidence['scanned'],
): Promise<IntegrityFinding[]> {
  const findings: IntegrityFinding[] = [];
  const origin = new URL(target.url).origin;
  const queue = [origin + '/sitemap.xml'];
  const seen = new Set(queue);
  const candidates: string[] = [];
  let bytes = 0;
  let attempts = 0;
  const started = performance.now();
  const outOfTime = (): boolean => {
    if (!signal.aborted) return false;
    scanned.limits.push(`time: sitemap and sample stopped after ${Math.round(performance.now() - started)} ms, at the check's deadline`);
    return true;
  };

  while (queue.length > 0) {
    if (attempts >= SITEMAP_FILES) {
      scanned.limits.push(`sitemap: fetched ${SITEMAP_FILES} sitemap files of ${seen.size} listed`);
      break;
    }
    if (bytes >= SITEMAP_TOTAL_BYTES) {
      scanned.limits.push(`sitemap: stopped at ${SITEMAP_TOTAL_BYTES} bytes of sitemaps in all`);
      break;
    }
    if (scanned.sitemapUrls >= SITEMAP_URLS) {
      scanned.limits.push(`sitemap: stopped at ${SITEMAP_URLS} URLs`);
      break;
    }
    if (outOfTime()) return findings;
    const url = queue.shift()!;
    attempts += 1;
    const cap = Math.min(SITEMAP_FILE_BYTES, SITEMAP_TOTAL_BYTES - bytes);
    const fetched = await fetchPage(url, 'googlebot', cap, signal, expired);
    bytes += fetched.exchange.bodyBytes;
    if (fetched.body === null) {
      if (outOfTime()) return findings;
      continue; // 404: no sitemap, not a finding; other failures are not the page's
    }
    scanned.sitemaps += 1;
    if (fetched.exchange.bodyBytes >= cap) scanned.limits.push(`sitemap: read the first ${cap} bytes of ${fetched.exchange.url}`);
    const reading = readSitemap(fetched.body, {
      matcher,
      origin: new URL(pageUrl).origin,
      site,
      urlsLeft: SITEMAP_URLS - scanned.sitemapUrls,
      candidatesLeft: SAMPLE_CANDIDATES - candidates.length,
    });
    scanned.sitemapUrls += reading.urls;
    if (reading.stoppedAtUrls) scanned.limits.push(`sitemap: stopped at ${SITEMAP_URLS} URLs`);
    candidates.push(...reading.candidates);
    for (const match of reading.matches) {
      findings.push({
        kind: 'sitemap_entry',
        url: fetched.exchange.url,
        viewer: 'googlebot',
        userAgent: USER_AGENTS.googlebot,
        where: match.where,
        term: match.term,
        detail: match.loc,
        snippet: match.snippet,
      });
    }
    for (const child of reading.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      queue.push(child);
    }
  }

  const sample = spreadSample(
    [...new Set(candidates)].filter((u) => u !== pageUrl && u !== target.url),
    target.sample,
  );
  for (let i = 0; i < sample.length; i += SAMPLE_CONCURRENCY) {
    if (outOfTime()) return findings;
    const batch = await Promise.all(sample.slice(i, i + SAMPLE_CONCURRENCY).map((url) => fetchPage(url, 'browser', PAGE_BYTES, signal, expired)));
    for (const page of batch) {
      if (page.body === null) continue;
      scanned.pages += 1;
      if (page.exchange.bodyBytes >= PAGE_BYTES) scanned.limits.push(pageLimit(page.exchange.url, 'browser'));
      const reading: PageReading = readPage(page.body, page.exchange.url);
      findings.push(...judgePage(reading, { url: page.exchange.url, viewer: 'browser', matcher, allowed }));
    }
  }
  if (signal.aborted) outOfTime();
  return findings;
}
