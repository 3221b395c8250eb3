// The shared vocabulary of every probe. Probes are leaves: they know targets and results,
// nothing of incidents, storage or metrics.

/** Why a probe did not pass, by failing layer (DESIGN §4). */
export type FailureKind = 'dns' | 'connect' | 'tls' | 'tls_expiring' | 'timeout' | 'http_5xx' | 'http_4xx' | 'content' | 'slow';

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
}

export interface TcpTarget {
  type: 'tcp';
  checkKey: string;
  host: string;
  port: number;
  timeoutMs: number;
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
}

/** Every probe has this shape: it never throws, it returns a result. */
export type ProbeFunction<T extends ProbeTarget = ProbeTarget> = (target: T, deps: ProbeDeps) => Promise<ProbeResult>;
