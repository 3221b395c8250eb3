// What every connecting probe (http, tcp, tls) measures the same way: when the name was resolved,
// when the socket connected and finished its TLS handshake, which address it reached, and the
// one deadline that bounds the whole probe.
import { lookup as dnsLookup } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { parseCertificateDate } from './certificate.js';
import type { ConnectionProgress } from './probe-errors.js';
import type { FailureKind, LookupFunction, PhaseTimings, ProbeEvidence, ProbeResult, ProbeStatus } from './probe-types.js';

/**
 * performance.now() moments of the probe's first connection (a redirect may open more; their
 * moments are not kept), and counters of what is still in flight to judge a deadline.
 */
export interface ConnectionTrace {
  lookupStartedAt?: number;
  lookupAt?: number;
  connectAt?: number;
  secureAt?: number;
  resolvedAddress?: string;
  /** The earliest `valid_to` of any peer certificate seen on a completed handshake. */
  certificateValidTo?: Date;
  lookupsPending: number;
  connectsPending: number;
}

export function createTrace(): ConnectionTrace {
  return { lookupsPending: 0, connectsPending: 0 };
}

/** `deps.lookup` (or the system's) wrapped to time the resolution and note the address found. */
export function createTracedLookup(lookup: LookupFunction | undefined, trace: ConnectionTrace): LookupFunction {
  const resolve = lookup ?? (dnsLookup as unknown as LookupFunction);
  // Timed here rather than on the socket's 'lookup' event: a resolver that answers synchronously
  // emits that event before the connector has handed the socket back to us.
  return (hostname, options, callback) => {
    trace.lookupStartedAt ??= performance.now();
    trace.lookupsPending += 1;
    resolve(hostname, options, (err, address, family) => {
      trace.lookupsPending -= 1;
      trace.lookupAt ??= performance.now();
      if (!err) trace.resolvedAddress ??= typeof address === 'string' ? address : address[0]?.address;
      callback(err, address, family);
    });
  };
}

/** Follows one socket's progress; call it as soon as the socket exists, before it can connect. */
export function traceSocket(socket: Socket | TLSSocket, host: string, trace: ConnectionTrace): void {
  const literal = host.replace(/^\[(.*)\]$/, '$1');
  // An address literal needs no lookup (resolve ≈ 0, as blackbox_exporter reports it), and a
  // socket the peer closed at once has no remoteAddress to read later.
  if (isIP(literal) !== 0) {
    trace.lookupAt ??= performance.now();
    trace.resolvedAddress ??= literal;
  }
  trace.connectsPending += 1;
  let settled = false;
  const settle = (): void => {
    if (!settled) trace.connectsPending -= 1;
    settled = true;
  };
  socket.once('connect', () => {
    settle();
    if (trace.connectAt !== undefined) return;
    trace.connectAt = performance.now();
    trace.resolvedAddress = socket.remoteAddress ?? trace.resolvedAddress;
  });
  socket.once('close', settle);
  socket.once('secureConnect', () => {
    trace.secureAt ??= performance.now();
    const validTo = parseCertificateDate((socket as TLSSocket).getPeerCertificate().valid_to);
    if (validTo && (!trace.certificateValidTo || validTo < trace.certificateValidTo)) trace.certificateValidTo = validTo;
  });
}

/** How far the connections got, for `classifyProbeError` to tell a slow resolver from a slow server. */
export function connectionProgress(trace: ConnectionTrace): ConnectionProgress {
  return { lookupPending: trace.lookupsPending > 0, connected: trace.connectAt !== undefined && trace.connectsPending === 0 };
}

/** resolve, connect and tls of the first connection, from the probe's start. */
export function connectionTimings(start: number, trace: ConnectionTrace): PhaseTimings {
  const timings: PhaseTimings = {};
  if (trace.lookupAt !== undefined) timings.resolve = roundMs(trace.lookupAt - start);
  if (trace.connectAt !== undefined && trace.lookupAt !== undefined) timings.connect = roundMs(trace.connectAt - trace.lookupAt);
  if (trace.secureAt !== undefined && trace.connectAt !== undefined) timings.tls = roundMs(trace.secureAt - trace.connectAt);
  return timings;
}

export interface Deadline {
  signal: AbortSignal;
  /** Rejects with the signal's reason when the time is up; race the probe's work against it. */
  expired: Promise<never>;
  dispose: () => void;
}

export function startDeadline(timeoutMs: number): Deadline {
  // AbortSignal.timeout() throws on a negative or non-finite delay, and a probe must not throw.
  const signal = AbortSignal.timeout(Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.ceil(timeoutMs) : 0);
  let onAbort = (): void => undefined;
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // Nobody may be racing it when it fires (the work won); that is not an unhandled rejection.
  expired.catch(() => undefined);
  return { signal, expired, dispose: () => signal.removeEventListener('abort', onAbort) };
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** The start of one probe: its clocks, connection trace and deadline, and how to finish its result. */
export function beginProbe(target: { checkKey: string; timeoutMs: number }, deps: { now: () => Date }) {
  const startedAt = deps.now();
  const start = performance.now();
  const trace = createTrace();
  const deadline = startDeadline(target.timeoutMs);
  const finish = (status: ProbeStatus, failureKind: FailureKind | null, evidence: ProbeEvidence, timings: PhaseTimings = connectionTimings(start, trace)): ProbeResult => ({
    checkKey: target.checkKey,
    startedAt,
    durationMs: roundMs(performance.now() - start),
    status,
    failureKind,
    timings,
    evidence: withoutUndefined(evidence),
  });
  return { start, trace, deadline, finish };
}
