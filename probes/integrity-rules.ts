// The integrity probe's judging rules, pure functions of what was read: which domains are
// allowed, which findings a page gives, when a crawler's page is cloaking, the text fingerprint
// and drift from a baseline, and how the findings make one result. Thresholds are documented in
// docs/integrity.md.
import type { TermMatcher } from './integrity-match.js';
import type { PageReading, PageText } from './integrity-page.js';
import type { FailureKind, IntegrityBaseline, IntegrityFinding, IntegrityFindingKind, IntegritySnapshot, IntegritySnippet, IntegrityViewer } from './probe-types.js';

/** Snippet bounds: characters of source before, of the match, after. */
export const SNIPPET_BEFORE = 120;
export const SNIPPET_MATCH = 300;
export const SNIPPET_AFTER = 120;
/** At most this many findings are kept (the most serious); `counts` has them all. */
export const MAX_FINDINGS = 50;
/** A snapshot keeps at most this many outbound domains. */
export const MAX_SNAPSHOT_DOMAINS = 200;
/** Words per shingle for the text comparison and the fingerprint. */
export const SHINGLE_WORDS = 3;
/** A crawler's visible text sharing less than this (Jaccard of word shingles) with the browser's is cloaking. */
export const CLOAKING_SIMILARITY = 0.5;
/** Pages with fewer words than this on both sides are not compared by text (too little to judge). */
export const CLOAKING_MIN_WORDS = 20;
/** Text fingerprints more than this many of 64 bits apart are drift. */
export const DRIFT_DISTANCE = 12;

/** The real User-Agent strings of the four viewers; `search_referer` is the browser arriving from Google. */
export const USER_AGENTS: Readonly<Record<IntegrityViewer, string>> = {
  browser: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  search_referer: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

/** The Referer of the `search_referer` viewer: a Google results page for the site's host. */
export function searchReferer(pageUrl: string): string {
  return 'https://www.google.com/search?q=' + encodeURIComponent(new URL(pageUrl).hostname);
}

/** Is `domain` one of `roots` or a subdomain of one? */
export function underAny(domain: string, roots: readonly string[]): boolean {
  return roots.some((root) => domain === root || domain.endsWith('.' + root));
}

/**
 * The domains links and embeds may point to: the site's own (a leading www. dropped) with its
 * subdomains, the check's `allowDomains`, and a baseline's domains when a person accepted it.
 */
export function allowedRoots(siteDomain: string, allowDomains: readonly string[], baseline: IntegrityBaseline | null): string[] {
  const fromBaseline = baseline !== null && baseline.acceptedBy !== null ? baseline.domains : [];
  return [...new Set([siteDomain, ...allowDomains.map((d) => d.toLowerCase().replace(/^www\./, '')), ...fromBaseline])];
}

/** The source around [start, end): each part capped. */
export function snippetOf(source: string, start: number, end: number): IntegritySnippet {
  const from = Math.max(0, Math.min(start, source.length));
  const to = Math.max(from, Math.min(end, source.length, from + SNIPPET_MATCH));
  return { before: source.slice(Math.max(0, from - SNIPPET_BEFORE), from), match: source.slice(from, to), after: source.slice(to, to + SNIPPET_AFTER) };
}

/** The source range of a term inside a text piece: the exact words when they can be found in the source, else the whole piece. */
function termRange(reading: PageReading, piece: PageText, index: number, length: number): [number, number] {
  if (piece.where === 'text' && piece.text.normalize('NFKC').toLowerCase().length === piece.text.length) {
    const words = piece.text.slice(index, index + length);
    const at = reading.source.indexOf(words, piece.start);
    if (at >= 0 && at + words.length <= piece.end) return [at, at + words.length];
  }
  return [piece.start, piece.end];
}

export interface PageContext {
  url: string;
  viewer: IntegrityViewer;
  matcher: TermMatcher;
  allowed: readonly string[];
}

/**
 * Forbidden terms found in one piece of a page (a text run, the title, a meta tag, an alt text):
 * every term of the piece not already seen at that place and hiding, with the piece's snippet
 * (the first term's words highlighted). One piece stuffed with terms is one finding, not one per
 * term, so the evidence shows different places rather than the same meta tag fifteen times.
 */
export interface TermSeen {
  terms: string[];
  where: PageText['where'];
  hidden: string | null;
  snippet: IntegritySnippet;
}

export function termsOnPage(reading: PageReading, matcher: TermMatcher): TermSeen[] {
  const seenAt = new Set<string>();
  const found: TermSeen[] = [];
  for (const piece of reading.texts) {
    const place = piece.where + '|' + (piece.hidden ?? '');
    const fresh = matcher.find(piece.text, 20).filter((match) => !seenAt.has(match.term + '|' + place));
    if (fresh.length === 0) continue;
    const terms = [...new Set(fresh.map((match) => match.term))];
    for (const term of terms) seenAt.add(term + '|' + place);
    const [start, end] = termRange(reading, piece, fresh[0]!.index, fresh[0]!.length);
    found.push({ terms, where: piece.where, hidden: piece.hidden, snippet: snippetOf(reading.source, start, end) });
  }
  return found;
}

/** The findings of one page as one viewer saw it: forbidden terms, hidden and foreign links, foreign embeds. */
export function judgePage(reading: PageReading, context: PageContext): IntegrityFinding[] {
  const { url, viewer } = context;
  const userAgent = USER_AGENTS[viewer];
  const findings: IntegrityFinding[] = [];
  for (const seen of termsOnPage(reading, context.matcher)) {
    findings.push({
      kind: 'forbidden_term',
      url,
      viewer,
      userAgent,
      where: seen.where,
      term: seen.terms.join(', '),
      ...(seen.hidden === null ? {} : { hidden: seen.hidden }),
      snippet: seen.snippet,
    });
  }
  const linked = new Set<string>();
  for (const link of reading.links) {
    const foreign = !underAny(link.domain, context.allowed);
    // A hidden link of the site's own (a folded menu) is ordinary; hidden and foreign, or hidden with a forbidden term, is not.
    const hiddenSpam = link.hidden !== null && (foreign || context.matcher.find(link.text + ' ' + link.url, 1).length > 0);
    if (!foreign && !hiddenSpam) continue;
    const kind: IntegrityFindingKind = hiddenSpam ? 'hidden_link' : 'foreign_link';
    const key = kind + '|' + link.domain + '|' + (link.hidden ?? '');
    if (linked.has(key)) continue;
    linked.add(key);
    findings.push({
      kind,
      url,
      viewer,
      userAgent,
      where: 'link',
      domain: link.domain,
      ...(link.hidden === null ? {} : { hidden: link.hidden }),
      snippet: snippetOf(reading.source, link.start, link.end),
    });
  }
  for (const embed of reading.embeds) {
    if (underAny(embed.domain, context.allowed)) continue;
    const key = 'embed|' + embed.where + '|' + embed.domain;
    if (linked.has(key)) continue;
    linked.add(key);
    findings.push({
      kind: 'foreign_embed',
      url,
      viewer,
      userAgent,
      where: embed.where,
      domain: embed.domain,
      ...(embed.hidden === null ? {} : { hidden: embed.hidden }),
      snippet: snippetOf(reading.source, embed.start, embed.end),
    });
  }
  return findings;
}

/** Words of visible text, normalised, for shingles. */
export function wordsOf(text: string): string[] {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

export function shinglesOf(words: readonly string[]): Set<string> {
  const shingles = new Set<string>();
  if (words.length > 0 && words.length < SHINGLE_WORDS) shingles.add(words.join(' '));
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i += 1) shingles.add(words.slice(i, i + SHINGLE_WORDS).join(' '));
  return shingles;
}

/** Jaccard similarity of two shingle sets (1 when both are empty). */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const shingle of a) if (b.has(shingle)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** FNV-1a, 32 bits, from a given basis: two bases give the two halves of a 64-bit hash. */
function fnv1a(text: string, basis: number): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** 64-bit SimHash of the text's word shingles, as 16 hex digits; close texts have close fingerprints. */
export function fingerprintOf(text: string): string {
  const weights = new Array<number>(64).fill(0);
  for (const shingle of shinglesOf(wordsOf(text))) {
    const halves = [fnv1a(shingle, 0x811c9dc5), fnv1a(shingle, 0x050c5d1f)];
    for (let bit = 0; bit < 64; bit += 1) {
      const set = (halves[bit >> 5]! >>> (bit & 31)) & 1;
      weights[bit]! += set ? 1 : -1;
    }
  }
  let hex = '';
  for (let nibble = 15; nibble >= 0; nibble -= 1) {
    let value = 0;
    for (let k = 3; k >= 0; k -= 1) value = (value << 1) | (weights[nibble * 4 + k]! > 0 ? 1 : 0);
    hex += value.toString(16);
  }
  return hex;
}

/** Bits in which two fingerprints differ (64 when one is unreadable). */
export function fingerprintDistance(a: string, b: string): number {
  if (!/^[0-9a-f]{16}$/i.test(a) || !/^[0-9a-f]{16}$/i.test(b)) return 64;
  let distance = 0;
  for (let i = 0; i < 16; i += 1) {
    let x = parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16);
    while (x) {
      distance += x & 1;
      x >>= 1;
    }
  }
  return distance;
}

/** The page as it should be recognised: title, description, outbound domains (not the site's own), fingerprint. */
export function snapshotOf(reading: PageReading, url: string, siteDomain: string): IntegritySnapshot {
  const outbound = new Set<string>();
  for (const item of [...reading.links, ...reading.embeds]) if (!underAny(item.domain, [siteDomain])) outbound.add(item.domain);
  return {
    url,
    title: reading.title,
    description: reading.description,
    domains: [...outbound].sort().slice(0, MAX_SNAPSHOT_DOMAINS),
    fingerprint: fingerprintOf(reading.visibleText),
  };
}

/** One drift finding per field of the snapshot that differs from the baseline. */
export function judgeDrift(snapshot: IntegritySnapshot, baseline: IntegrityBaseline): IntegrityFinding[] {
  const base = { kind: 'drift' as const, url: snapshot.url, viewer: 'browser' as const, userAgent: USER_AGENTS.browser };
  const findings: IntegrityFinding[] = [];
  if (snapshot.title !== baseline.title) findings.push({ ...base, where: 'title', field: 'title', before: baseline.title, after: snapshot.title });
  if (snapshot.description !== baseline.description) findings.push({ ...base, where: 'meta', field: 'description', before: baseline.description, after: snapshot.description });
  const before = new Set(baseline.domains);
  const now = new Set(snapshot.domains);
  const added = snapshot.domains.filter((d) => !before.has(d));
  const removed = baseline.domains.filter((d) => !now.has(d));
  if (added.length > 0 || removed.length > 0) {
    findings.push({
      ...base,
      where: 'link',
      field: 'domains',
      before: baseline.domains.join(', '),
      after: snapshot.domains.join(', '),
      detail: `domains added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}`,
    });
  }
  const distance = fingerprintDistance(snapshot.fingerprint, baseline.fingerprint);
  if (distance > DRIFT_DISTANCE) {
    findings.push({
      ...base,
      where: 'text',
      field: 'text',
      before: baseline.fingerprint,
      after: snapshot.fingerprint,
      detail: `text fingerprint ${distance} of 64 bits away, over ${DRIFT_DISTANCE}`,
    });
  }
  return findings;
}

/** A viewer's page as read, for comparing with the browser's. */
export interface ViewedPage {
  viewer: IntegrityViewer;
  url: string;
  reading: PageReading;
}

/**
 * Cloaking: what a crawler (or a visitor from a search engine) is served and the browser is not —
 * a forbidden term, a link or embed to a domain not allowed, a redirect to a domain not allowed,
 * or visible text sharing less than CLOAKING_SIMILARITY of its shingles with the browser's.
 */
export function judgeCloaking(browser: ViewedPage, other: ViewedPage, matcher: TermMatcher, allowed: readonly string[]): IntegrityFinding[] {
  const base = { kind: 'cloaking' as const, url: other.url, viewer: other.viewer, userAgent: USER_AGENTS[other.viewer] };
  const findings: IntegrityFinding[] = [];
  const browserDomain = new URL(browser.url).hostname.replace(/^www\./, '');
  const otherDomain = new URL(other.url).hostname.replace(/^www\./, '');
  if (!underAny(otherDomain, allowed) && underAny(browserDomain, allowed)) {
    findings.push({ ...base, where: 'page', domain: otherDomain, detail: `redirected to ${otherDomain}, the browser was not` });
  }
  const browserTerms = new Set(termsOnPage(browser.reading, matcher).flatMap((t) => t.terms));
  const reported = new Set<string>();
  for (const seen of termsOnPage(other.reading, matcher)) {
    const only = seen.terms.filter((term) => !browserTerms.has(term) && !reported.has(term));
    if (only.length === 0) continue;
    for (const term of only) reported.add(term);
    findings.push({ ...base, where: seen.where, term: only.join(', '), ...(seen.hidden === null ? {} : { hidden: seen.hidden }), snippet: seen.snippet });
  }
  const browserDomains = new Set([...browser.reading.links, ...browser.reading.embeds].map((l) => l.domain));
  for (const item of [...other.reading.links, ...other.reading.embeds]) {
    if (underAny(item.domain, allowed) || browserDomains.has(item.domain) || reported.has(item.domain)) continue;
    reported.add(item.domain);
    const where = 'where' in item ? item.where : 'link';
    findings.push({ ...base, where, domain: item.domain, snippet: snippetOf(other.reading.source, item.start, item.end) });
  }
  const browserWords = wordsOf(browser.reading.visibleText);
  const otherWords = wordsOf(other.reading.visibleText);
  if (Math.max(browserWords.length, otherWords.length) >= CLOAKING_MIN_WORDS) {
    const shared = similarity(shinglesOf(browserWords), shinglesOf(otherWords));
    if (shared < CLOAKING_SIMILARITY) {
      findings.push({ ...base, where: 'page', detail: `text differs from the browser's: similarity ${shared.toFixed(2)}, under ${CLOAKING_SIMILARITY}` });
    }
  }
  return findings;
}

/** Does a finding show what a visitor of the check's own page sees (defacement rather than injection)? */
function visibleOnCheckPage(finding: IntegrityFinding, checkPageUrl: string): boolean {
  return finding.kind === 'forbidden_term' && finding.viewer === 'browser' && finding.hidden === undefined && finding.url === checkPageUrl;
}

/** Seriousness, lower first: cloaking, visible terms, drift, then injected content. */
export function seriousness(finding: IntegrityFinding, checkPageUrl: string): number {
  if (finding.kind === 'cloaking') return 0;
  if (visibleOnCheckPage(finding, checkPageUrl)) return 1;
  const order: Record<IntegrityFindingKind, number> = { cloaking: 0, forbidden_term: 5, drift: 2, hidden_link: 3, foreign_embed: 4, sitemap_entry: 6, foreign_link: 7 };
  return order[finding.kind];
}

/**
 * cloaking > defacement (a term a visitor sees) > injected_content > defacement by drift alone;
 * null when there is nothing. Drift names the incident only when nothing more telling was found:
 * hidden gambling links also add an outbound domain, and they are injected content.
 */
export function failureKindOf(findings: readonly IntegrityFinding[], checkPageUrl: string): FailureKind | null {
  if (findings.length === 0) return null;
  if (findings.some((f) => f.kind === 'cloaking')) return 'cloaking';
  if (findings.some((f) => visibleOnCheckPage(f, checkPageUrl))) return 'defacement';
  if (findings.some((f) => f.kind !== 'drift')) return 'injected_content';
  return 'defacement';
}

/** The findings most serious first (stable), at most MAX_FINDINGS, and the complete counts. */
export function rankFindings(findings: readonly IntegrityFinding[], checkPageUrl: string) {
  const counts: Partial<Record<IntegrityFindingKind, number>> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  const ranked = findings
    .map((finding, i) => ({ finding, i, rank: seriousness(finding, checkPageUrl) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .slice(0, MAX_FINDINGS)
    .map((r) => r.finding);
  return { findings: ranked, counts };
}

const KIND_ORDER: readonly IntegrityFindingKind[] = ['cloaking', 'forbidden_term', 'drift', 'hidden_link', 'foreign_embed', 'foreign_link', 'sitemap_entry'];

/** "2 forbidden_term, 1 hidden_link": the counts in a fixed order, for the reason. */
export function countsText(counts: Partial<Record<IntegrityFindingKind, number>>): string {
  return KIND_ORDER.filter((k) => (counts[k] ?? 0) > 0)
    .map((k) => String(counts[k]) + ' ' + k)
    .join(', ');
}
