import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction as NetLookupFunction, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, request } from 'undici';
import { findFormWithFields } from './html-form.js';
import { classifyProbeError, describeProbeError } from './probe-errors.js';
import type {
  FailureKind,
  HttpTarget,
  LookupFunction,
  PhaseTimings,
  ProbeDeps,
  ProbeEvidence,
  ProbeFunction,
  ProbeResult,
  ProbeStatus,
} from './probe-types.js';

const BODY_CAP_BYTES = 1024 * 1024;
const EXCERPT_BYTES = 4096;

/** performance.now() moments of the probe's one connection, filled in as its socket progresses. */
interface ConnectionTrace {
  lookupStartedAt?: number;
  lookupAt?: number;
  connectAt?: number;
  secureAt?: number;
  resolvedAddress?: string;
  tlsExpiresAt?: string;
}

/** What arrived of the response, kept even when reading it fails half-way. */
interface Exchange {
  statusCode?: number;
  headers?: Record<string, string>;
  headersAt?: number;
  chunks: Buffer[];
  bodyBytes: number;
  bodyAt?: number;
}

export const probeHttp: ProbeFunction<HttpTarget> = async (target, deps) => {
  const startedAt = deps.now();
  const start = performance.now();
  const trace: ConnectionTrace = {};
  const exchange: Exchange = { chunks: [], bodyBytes: 0 };
  const deadline = startDeadline(target.timeoutMs);
  let agent: Agent | undefined;
  const finish = (status: ProbeStatus, failureKind: FailureKind | null, evidence: ProbeEvidence): ProbeResult => ({
    checkKey: target.checkKey,
    startedAt,
    durationMs: roundMs(performance.now() - start),
    status,
    failureKind,
    timings: phaseTimings(start, trace, exchange),
    evidence: withoutUndefined(evidence),
  });
  try {
    agent = createTracingAgent(deps, target.timeoutMs, trace);
    // undici only honours an abort once a socket is connected, so the deadline is raced, not just passed on.
    await Promise.race([exchangeHttp(target, agent, deadline.signal, exchange), deadline.expired]);
    return judgeResponse(target, exchange, performance.now() - start, trace, finish);
  } catch (err) {
    const kind = classifyProbeError(err, {
      lookupPending: trace.lookupStartedAt !== undefined && trace.lookupAt === undefined,
      connected: trace.connectAt !== undefined,
    });
    return finish('down', kind, {
      url: target.url,
      statusCode: exchange.statusCode,
      headers: exchange.headers,
      bodyExcerpt: exchange.bodyBytes > 0 ? bodyExcerptOf(exchange) : undefined,
      resolvedAddress: trace.resolvedAddress,
      tlsExpiresAt: trace.tlsExpiresAt,
      ...describeProbeError(err, kind, target.timeoutMs),
    });
  } finally {
    deadline.dispose();
    // destroy, not close: close would wait for a server that never answers.
    await agent?.destroy().catch(() => undefined);
  }
};

function createTracingAgent(deps: ProbeDeps, timeoutMs: number, trace: ConnectionTrace): Agent {
  const resolve = deps.lookup ?? (dnsLookup as unknown as LookupFunction);
  // Timed here rather than on the socket's 'lookup' event: a resolver that answers synchronously
  // emits that event before the connector has handed the socket back to us.
  const tracedLookup: LookupFunction = (hostname, options, callback) => {
    trace.lookupStartedAt ??= performance.now();
    resolve(hostname, options, (err, address, family) => {
      trace.lookupAt ??= performance.now();
      if (!err) trace.resolvedAddress ??= typeof address === 'string' ? address : address[0]?.address;
      callback(err, address, family);
    });
  };
  const connector = buildConnector({
    timeout: timeoutMs,
    // Node's type also allows family 'IPv4' | 'IPv6'; net only ever passes numbers to a lookup.
    lookup: tracedLookup as unknown as NetLookupFunction,
    ...(deps.ca === undefined ? {} : { ca: deps.ca }),
  });
  return new Agent({
    connect(options, callback) {
      const literal = options.hostname.replace(/^\[(.*)\]$/, '$1');
      // An address literal needs no lookup (resolve ≈ 0, as blackbox_exporter reports it), and a
      // socket the peer closed at once has no remoteAddress to read later.
      if (isIP(literal) !== 0) {
        trace.lookupAt ??= performance.now();
        trace.resolvedAddress = literal;
      }
      // undici's connector returns its socket although its type says void; the events need it early.
      const socket = connector(options, callback) as unknown as Socket | TLSSocket | undefined;
      socket?.once('connect', () => {
        trace.connectAt = performance.now();
        trace.resolvedAddress = socket.remoteAddress ?? trace.resolvedAddress;
      });
      socket?.once('secureConnect', () => {
        trace.secureAt = performance.now();
        const validTo = new Date((socket as TLSSocket).getPeerCertificate().valid_to);
        if (!Number.isNaN(validTo.getTime())) trace.tlsExpiresAt = validTo.toISOString();
      });
    },
  });
}

async function exchangeHttp(target: HttpTarget, agent: Agent, signal: AbortSignal, exchange: Exchange): Promise<void> {
  // Redirects are not followed: undici 7's request() only follows them through an interceptor.
  const response = await request(target.url, { method: target.method, headers: target.headers, dispatcher: agent, signal });
  exchange.headersAt = performance.now();
  exchange.statusCode = response.statusCode;
  exchange.headers = flattenHeaders(response.headers);
  for await (const chunk of response.body) {
    const kept = (chunk as Buffer).subarray(0, BODY_CAP_BYTES - exchange.bodyBytes);
    exchange.chunks.push(kept);
    exchange.bodyBytes += kept.length;
    if (exchange.bodyBytes >= BODY_CAP_BYTES) break; // leaving the loop destroys the body stream
  }
  exchange.bodyAt = performance.now();
}

function judgeResponse(
  target: HttpTarget,
  exchange: Exchange,
  elapsedMs: number,
  trace: ConnectionTrace,
  finish: (status: ProbeStatus, kind: FailureKind | null, evidence: ProbeEvidence) => ProbeResult,
): ProbeResult {
  const { expect } = target;
  const statusCode = exchange.statusCode ?? 0;
  const body = Buffer.concat(exchange.chunks).toString('utf8');
  const failed = (status: ProbeStatus, kind: FailureKind, reason: string): ProbeResult =>
    finish(status, kind, {
      url: target.url,
      statusCode,
      headers: exchange.headers,
      bodyExcerpt: bodyExcerptOf(exchange),
      resolvedAddress: trace.resolvedAddress,
      tlsExpiresAt: trace.tlsExpiresAt,
      reason,
    });

  const accepted = expect.status.length > 0 ? expect.status.includes(statusCode) : statusCode >= 200 && statusCode < 300;
  if (!accepted) {
    const expected = expect.status.length > 0 ? `[${expect.status.join(', ')}]` : '2xx';
    return failed('down', statusCode >= 500 ? 'http_5xx' : 'http_4xx', `status ${statusCode} not in ${expected}`);
  }
  const missing = expect.contains.find((text) => !body.includes(text));
  if (missing !== undefined) return failed('down', 'content', `body does not contain "${missing}"`);
  const present = expect.notContains.find((text) => body.includes(text));
  if (present !== undefined) return failed('down', 'content', `body contains "${present}"`);
  if (expect.form.length > 0 && !findFormWithFields(body, expect.form)) {
    return failed('down', 'content', `form with fields ${expect.form.join(', ')} not found`);
  }
  if (expect.maxLatencyMs !== null && elapsedMs > expect.maxLatencyMs) {
    return failed('degraded', 'slow', `response took ${Math.round(elapsedMs)} ms, over the ${expect.maxLatencyMs} ms limit`);
  }
  return finish('up', null, {
    url: target.url,
    statusCode,
    resolvedAddress: trace.resolvedAddress,
    tlsExpiresAt: trace.tlsExpiresAt,
  });
}

function startDeadline(timeoutMs: number): { signal: AbortSignal; expired: Promise<never>; dispose: () => void } {
  // AbortSignal.timeout() throws on a negative or non-finite delay, and a probe must not throw.
  const signal = AbortSignal.timeout(Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.ceil(timeoutMs) : 0);
  let onAbort = (): void => undefined;
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { signal, expired, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function phaseTimings(start: number, trace: ConnectionTrace, exchange: Exchange): PhaseTimings {
  const timings: PhaseTimings = {};
  const resolvedAt = trace.lookupAt;
  const readyAt = trace.secureAt ?? trace.connectAt;
  if (resolvedAt !== undefined) timings.resolve = roundMs(resolvedAt - start);
  if (trace.connectAt !== undefined && resolvedAt !== undefined) timings.connect = roundMs(trace.connectAt - resolvedAt);
  if (trace.secureAt !== undefined && trace.connectAt !== undefined) timings.tls = roundMs(trace.secureAt - trace.connectAt);
  if (exchange.headersAt !== undefined && readyAt !== undefined) timings.processing = roundMs(exchange.headersAt - readyAt);
  if (exchange.bodyAt !== undefined && exchange.headersAt !== undefined) timings.transfer = roundMs(exchange.bodyAt - exchange.headersAt);
  return timings;
}

function bodyExcerptOf(exchange: Exchange): string {
  const head = Buffer.concat(exchange.chunks).subarray(0, EXCERPT_BYTES);
  // stream: true holds back a multi-byte character cut at the edge instead of widening it to U+FFFD.
  return new TextDecoder('utf-8').decode(head, { stream: true });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
