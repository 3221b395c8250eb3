// Reading a sitemap for the integrity probe: `<urlset>` entries (their `<loc>`, path and query
// decoded, and their image/news/video titles) judged against the terms, `<sitemapindex>` entries
// handed back to be followed. Parsed in pieces (htmlparser2 in xmlMode) and stopped as soon as a
// bound is reached; nothing of the file is kept but the findings and the sample candidates.
import { Parser } from 'htmlparser2';
import type { TermMatcher } from './integrity-match.js';
import { domainOf } from './integrity-page.js';
import { snippetOf, underAny } from './integrity-rules.js';
import type { IntegrityPlace, IntegritySnippet } from './probe-types.js';

/** Bytes read of one sitemap file. */
export const SITEMAP_FILE_BYTES = 2 * 1024 * 1024;
/** Bytes read of all sitemap files of one run together. */
export const SITEMAP_TOTAL_BYTES = 8 * 1024 * 1024;
/** Sitemap files read in one run (`/sitemap.xml` and those indexes list). */
export const SITEMAP_FILES = 10;
/** Sitemap URLs looked at in one run (the sitemap protocol's limit per file). */
export const SITEMAP_URLS = 50_000;
/** Same-origin URLs kept as candidates for the sample. */
export const SAMPLE_CANDIDATES = 5_000;

const TITLES = new Set(['image:title', 'news:title', 'video:title']);
const PIECE = 64 * 1024;

export interface SitemapEntryMatch {
  term: string;
  where: Extract<IntegrityPlace, 'sitemap_url' | 'sitemap_title'>;
  /** The entry's `<loc>`. */
  loc: string;
  snippet: IntegritySnippet;
}

export interface SitemapReading {
  /** Entries with forbidden terms, one per entry. */
  matches: SitemapEntryMatch[];
  /** `<loc>` of `<sitemap>` entries of an index. */
  children: string[];
  /** Same-origin page URLs, for the sample. */
  candidates: string[];
  /** `<url>` entries looked at. */
  urls: number;
  /** The URL bound was reached in this file. */
  stoppedAtUrls: boolean;
}

/** A URL as words: its path and query decoded (`+` as a space), for the terms. */
export function urlWords(loc: string): string {
  try {
    const url = new URL(loc);
    const raw = (url.pathname + ' ' + url.search.slice(1)).replace(/\+/g, ' ');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  } catch {
    return loc;
  }
}

/**
 * Reads one sitemap file's text. `urlsLeft`: how many more `<url>` entries may be looked at;
 * `origin`: the check page's origin, whose URLs are sample candidates; `site`: the site's domain.
 */
export function readSitemap(source: string, options: { matcher: TermMatcher; origin: string; site: string; urlsLeft: number; candidatesLeft: number }): SitemapReading {
  const reading: SitemapReading = { matches: [], children: [], candidates: [], urls: 0, stoppedAtUrls: false };
  const path: string[] = [];
  let entryStart = 0;
  let loc = '';
  let titles: string[] = [];
  let text = '';
  let stopped = false;
  const parser: Parser = new Parser(
    {
      onopentag(name) {
        if (stopped) return;
        path.push(name);
        text = '';
        if (name === 'url' || name === 'sitemap') {
          entryStart = parser.startIndex;
          loc = '';
          titles = [];
        }
      },
      ontext(chunk) {
        if (!stopped) text += chunk.length + text.length > 4096 ? '' : chunk;
      },
      onclosetag(name) {
        if (stopped) return;
        const parent = path[path.length - 2];
        path.pop();
        if (name === 'loc' && (parent === 'url' || parent === 'sitemap')) loc = text.trim();
        else if (TITLES.has(name)) titles.push(text.trim());
        else if (name === 'sitemap' && loc !== '') reading.children.push(loc);
        else if (name === 'url') closeUrl(parser.endIndex + 1);
        text = '';
      },
    },
    { xmlMode: true, decodeEntities: true },
  );

  function closeUrl(end: number): void {
    if (reading.urls >= options.urlsLeft) {
      reading.stoppedAtUrls = true;
      stopped = true;
      return;
    }
    reading.urls += 1;
    const inUrl = options.matcher.find(urlWords(loc), 1)[0];
    const inTitle = inUrl === undefined ? titles.map((t) => options.matcher.find(t, 1)[0]).find((m) => m !== undefined) : undefined;
    const match = inUrl ?? inTitle;
    if (match !== undefined) reading.matches.push({ term: match.term, where: inUrl ? 'sitemap_url' : 'sitemap_title', loc, snippet: snippetOf(source, entryStart, end) });
    else if (reading.candidates.length < options.candidatesLeft && sameOrigin(loc, options.origin)) reading.candidates.push(loc);
  }

  for (let at = 0; at < source.length && !stopped; at += PIECE) parser.write(source.slice(at, at + PIECE));
  if (!stopped) parser.end();
  reading.children = reading.children.filter((child) => {
    const domain = domainOf(child);
    return domain !== null && underAny(domain, [options.site]);
  });
  return reading;
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** `count` of `items` spread evenly (the first and the last among them), in order. */
export function spreadSample<T>(items: readonly T[], count: number): T[] {
  if (count <= 0) return [];
  if (items.length <= count) return [...items];
  if (count === 1) return [items[0]!];
  const picked: T[] = [];
  for (let i = 0; i < count; i += 1) picked.push(items[Math.round((i * (items.length - 1)) / (count - 1))]!);
  return picked;
}
