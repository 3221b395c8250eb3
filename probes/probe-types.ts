// The shared vocabulary of every probe. Probes are leaves: they know targets and results,
// nothing of incidents, storage or metrics.
import type { AddressClassifier } from './address-policy.js';

/**
 * Why a probe did not pass, by failing layer (DESIGN §4); `blocked`: the outbound address policy
 * refused the address (`address-policy.ts`), nothing was sent there.
 */
export type FailureKind = 'dns' | 'connect' | 'tls' | 'tls_expiring' | 'timeout' | 'http_5xx' | 'http_4xx' | 'content' | 'slow' | 'blocked';

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

export type ProbeTarget = HttpTarget | TcpTarget | DnsTarget | TlsTarget;

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
}

/** Every probe has this shape: it never throws, it returns a result. */
export type ProbeFunction<T extends ProbeTarget = ProbeTarget> = (target: T, deps: ProbeDeps) => Promise<ProbeResult>;
