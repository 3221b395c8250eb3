// The shared vocabulary of every probe. Probes are leaves: they know targets and results,
// nothing of incidents, storage or metrics.
import type { AddressClassifier } from './address-policy.js';

/**
 * Why a probe did not pass, by failing layer (DESIGN §4); `blocked`: the outbound address policy
 * refused the address (`address-policy.ts`), nothing was sent there. The integrity probe's three:
 * `defacement` (forbidden terms a visitor sees, or a page drifted from its accepted baseline),
 * `injected_content` (hidden or foreign links and embeds, forbidden terms in hidden elements or
 * the sitemap) and `cloaking` (a search crawler or a visitor from a search engine is served
 * something else).
 */
export type FailureKind =
  'dns' | 'connect' | 'tls' | 'tls_expiring' | 'timeout' | 'http_5xx' | 'http_4xx' | 'content' | 'slow' | 'blocked' | 'defacement' | 'injected_content' | 'cloaking';

/**
 * `up` passed; `degraded` answered but too slowly (or a certificate expires soon);
 * `down` failed; `unknown` could not be judged (the probing host itself is offline).
 */
export type ProbeStatus = 'up' | 'degraded' | 'down' | 'unknown';

/** Phase timings in milliseconds, with blackbox_exporter's meaning of each phase. */
export interface PhaseTimings {
  resolve?: number;
  connect?: number;
  tls?: number;
  processing?: number;
  transfer?: number;
}

/** What is kept of a probe to show why it failed (DESIGN §4 "Logging"). */
export interface ProbeEvidence {
  url?: string;
  statusCode?: number;
  headers?: Record<string, string>;
  /** The first 4 KB of the body, as text. */
  bodyExcerpt?: string;
  resolvedAddress?: string;
  tlsExpiresAt?: string;
  errorCode?: string;
  errorMessage?: string;
  /** Human-readable reason for a `content` failure or a refused status. */
  reason?: string;
  /** Redirects followed, in order. */
  redirects?: Array<{ url: string; statusCode: number }>;
  /** Whole days the certificate is still valid. */
  tlsDaysLeft?: number;
  /** DNS answers, as text. */
  answers?: string[];
  /** The integrity probe's findings, the page as it was seen and the baseline it was compared with. */
  integrity?: IntegrityEvidence;
}

/**
 * What an integrity check can find: a forbidden term (gambling, defacement phrases), a hidden link
 * or a visible link to a domain not allowed, a script/iframe/embed from a domain not allowed, a
 * sitemap entry with a forbidden term, a page served differently to a crawler (cloaking), a change
 * from the accepted baseline (drift).
 */
export type IntegrityFindingKind = 'forbidden_term' | 'hidden_link' | 'foreign_link' | 'foreign_embed' | 'sitemap_entry' | 'cloaking' | 'drift';

/** Who fetched the page: a browser, Googlebot, Bingbot, or a browser arriving from a search results page. */
export type IntegrityViewer = 'browser' | 'googlebot' | 'bingbot' | 'search_referer';

/** Where on a page (or in a sitemap) a finding was seen. */
export type IntegrityPlace = 'text' | 'title' | 'meta' | 'alt' | 'link' | 'script' | 'iframe' | 'sitemap_url' | 'sitemap_title' | 'page';

/**
 * A piece of the source around what was found, as plain text exactly as it was in the source (it
 * may contain markup: `<a href=… style="display:none">slot gacor</a>`). Never HTML to render:
 * pages print the three parts escaped, `match` highlighted.
 */
export interface IntegritySnippet {
  before: string;
  match: string;
  after: string;
}

export interface IntegrityFinding {
  kind: IntegrityFindingKind;
  /** The page, or the sitemap, it was found on. */
  url: string;
  viewer: IntegrityViewer;
  /** The User-Agent header of the request that saw it. */
  userAgent: string;
  where: IntegrityPlace;
  /** forbidden_term, sitemap_entry, cloaking by terms: the terms of the list that matched, comma-separated (one finding per place on the page, all its terms named). */
  term?: string;
  /** hidden_link, foreign_link, foreign_embed: the domain linked to. */
  domain?: string;
  /** hidden_link: why the element is hidden (`display:none`, `visibility:hidden`, `font-size:0`, `zero size`, `off-screen`, `hidden attribute`). */
  hidden?: string;
  /** drift: which part of the page changed. */
  field?: 'title' | 'description' | 'domains' | 'text';
  /** drift: the baseline's value and the value now (domains as a comma list; text as the fingerprint distance). */
  before?: string;
  after?: string;
  /** In English, for the API and logs; pages word it through probe-words. */
  detail?: string;
  snippet?: IntegritySnippet;
}

/** What identifies the page as it should be: the baseline a person accepted, and what each check saw. */
export interface IntegritySnapshot {
  /** The page the snapshot is of (the check's URL after redirects). */
  url: string;
  title: string;
  /** `<meta name="description">`, '' when there is none. */
  description: string;
  /** Outbound domains of links, scripts, iframes and embeds (not the site's own), sorted, at most 200. */
  domains: string[];
  /** 64-bit SimHash of the visible text's word shingles, 16 hex digits: close pages have close fingerprints. */
  fingerprint: string;
}

export interface IntegrityBaseline extends IntegritySnapshot {
  acceptedAt: string;
  /** The user name of the person who accepted it; null: recorded automatically from the first clean check. */
  acceptedBy: string | null;
}

export interface IntegrityEvidence {
  /** The findings, the most serious first, at most 50 (`counts` has them all). */
  findings: IntegrityFinding[];
  counts: Partial<Record<IntegrityFindingKind, number>>;
  /** The check's URL as the browser saw it; null when the page could not be read. */
  snapshot: IntegritySnapshot | null;
  /** The baseline it was compared with; null when the check has none yet. */
  baseline: IntegrityBaseline | null;
  /** How much was looked at, and which bounds were reached (in English, e.g. "sitemap: stopped at 50000 URLs"). */
  scanned: { pages: number; sitemaps: number; sitemapUrls: number; limits: string[] };
}

export interface ProbeResult {
  checkKey: string;
  startedAt: Date;
  durationMs: number;
  status: ProbeStatus;
  failureKind: FailureKind | null;
  timings: PhaseTimings;
  evidence: ProbeEvidence;
}

export interface HttpExpectations {
  /** Status codes that pass. */
  status: number[];
  /** Every string must be in the body. */
  contains: string[];
  /** None of these strings may be in the body. */
  notContains: string[];
  /** Field names of one `<form>` that must be on the page. */
  form: string[];
  /** Slower than this (ms) is `degraded` / `slow`, not down. */
  maxLatencyMs: number | null;
}

export interface HttpTarget {
  type: 'http';
  checkKey: string;
  url: string;
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  timeoutMs: number;
  /** Follow redirects (each one recorded in evidence), at most `maxRedirects`. */
  followRedirects: boolean;
  maxRedirects: number;
  expect: HttpExpectations;
  /** HTTPS only: a certificate valid for fewer days is `tls_expiring`; null: not checked. */
  minDaysValid: number | null;
  /** Lift the outbound address policy (link-local, unspecified, public → private redirects); absent: false. */
  allowPrivate?: boolean;
}

export interface TcpTarget {
  type: 'tcp';
  checkKey: string;
  host: string;
  port: number;
  timeoutMs: number;
  /** Allow a link-local or unspecified address; absent: false. */
  allowPrivate?: boolean;
}

export type DnsRecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'TXT';

export interface DnsTarget {
  type: 'dns';
  checkKey: string;
  /** The name to resolve. */
  name: string;
  recordType: DnsRecordType;
  /** Every listed answer must be among those returned (empty: any answer passes). */
  expectAnswers: string[];
  /** `ip` or `ip:port` of the resolver to ask; null: the system's resolvers. */
  server: string | null;
  timeoutMs: number;
}

export interface TlsTarget {
  type: 'tls';
  checkKey: string;
  host: string;
  port: number;
  /** SNI and the name the certificate must match; defaults to `host`. */
  serverName: string;
  timeoutMs: number;
  minDaysValid: number;
  /** Allow a link-local or unspecified address; absent: false. */
  allowPrivate?: boolean;
}

/** A site integrity check (DESIGN §9): judi-online and defacement terms, cloaking, foreign and hidden links, the sitemap, drift. */
export interface IntegrityTarget {
  type: 'integrity';
  checkKey: string;
  url: string;
  timeoutMs: number;
  /** Domains (each with its subdomains) links and embeds may point to, besides the site's own. */
  allowDomains: string[];
  /** The shipped term list with `add` added and `remove` taken out (lower case, as configured). */
  terms: string[];
  /** Read `/sitemap.xml` (and the sitemaps it indexes), bounded. */
  sitemap: boolean;
  /** How many sitemap URLs to fetch and judge like the page (0: none). */
  sample: number;
  /** Allow a link-local or unspecified address; absent: false. */
  allowPrivate?: boolean;
}

export type ProbeTarget = HttpTarget | TcpTarget | DnsTarget | TlsTarget | IntegrityTarget;

/** Resolve a host name the way `dns.lookup` does; injected so tests need no DNS. */
export type LookupFunction = (
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void,
) => void;

/** Ask a DNS server for one record type; injected so tests need no network. */
export type DnsResolveFunction = (name: string, recordType: DnsRecordType, server: string | null, signal: AbortSignal) => Promise<string[]>;

export interface ProbeDeps {
  now: () => Date;
  lookup?: LookupFunction;
  resolveDns?: DnsResolveFunction;
  /** Extra CA certificates to trust (tests with self-made certificates). */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * The address classes the outbound policy judges by; default `classifyAddress`. Tests that need
   * a public origin without leaving the machine declare one loopback address public here.
   */
  classifyAddress?: AddressClassifier;
  /**
   * The integrity check's accepted baseline, read where it is kept (the database); without it
   * there is no drift to judge and only the baseline's absence is reported.
   */
  integrityBaseline?: (checkKey: string) => Promise<IntegrityBaseline | null>;
}

/** Every probe has this shape: it never throws, it returns a result. */
export type ProbeFunction<T extends ProbeTarget = ProbeTarget> = (target: T, deps: ProbeDeps) => Promise<ProbeResult>;
