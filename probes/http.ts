import type { LookupFunction as NetLookupFunction, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, Client, errors, type Dispatcher } from 'undici';
import { guardLookup, policyOf, refusalOfLiteral } from './address-guard.js';
import { judgeCertificateExpiry, type CertificateExpiry } from './certificate.js';
import { beginProbe, connectionProgress, connectionTimings, createTracedLookup, roundMs, traceSocket, type ConnectionTrace } from './connection-trace.js';
import { findFormWithFields } from './html-form.js';
import { createExchange, exchangeHttp, isOriginalOrigin, type Exchange, type OpenHop } from './http-exchange.js';
import { classifyProbeError, describeProbeError } from './probe-errors.js';
import type { FailureKind, HttpTarget, PhaseTimings, ProbeDeps, ProbeEvidence, ProbeFunction, ProbeResult, ProbeStatus } from './probe-types.js';

const EXCERPT_BYTES = 4096;

type Finish = (status: ProbeStatus, failureKind: FailureKind | null, evidence: ProbeEvidence) => ProbeResult;

export const probeHttp: ProbeFunction<HttpTarget> = async (target, deps) => {
  const probe = beginProbe(target, deps);
  const { start, trace, deadline } = probe;
  const exchange = createExchange(target.url);
  const hops = createHopDispatchers(deps, target, trace);
  const finish: Finish = (status, failureKind, evidence) =>
    probe.finish(status, failureKind, { ...evidence, redirects: exchange.redirects.length > 0 ? exchange.redirects : undefined }, phaseTimings(start, trace, exchange));
  try {
    // undici only honours an abort once a socket is connected, so the deadline is raced, not just passed on.
    await Promise.race([exchangeHttp(target, hops.open, deadline.signal, exchange), deadline.expired]);
    const certificate = judgeCertificateExpiry(trace.certificateValidTo, deps.now(), target.minDaysValid);
    return judgeResponse(target, exchange, performance.now() - start, trace, certificate, finish);
  } catch (err) {
    const kind = classifyProbeError(err, connectionProgress(trace));
    return finish('down', kind, {
      url: exchange.url,
      statusCode: exchange.statusCode,
      ...responseEvidence(target, exchange, exchange.bodyBytes > 0 ? bodyExcerptOf(exchange) : undefined),
      resolvedAddress: trace.resolvedAddress,
      ...judgeCertificateExpiry(trace.certificateValidTo, deps.now(), null).evidence,
      ...describeProbeError(err, kind, target.timeoutMs),
    });
  } finally {
    deadline.dispose();
    await hops.destroy();
  }
};

/** Given to a hop's dispatcher when the probe is done with it: one error for all, none built per probe. */
const PROBE_DONE = new errors.ClientDestroyedError();

/**
 * One undici Client per hop (an Agent where the hop's URL has no origin to bind one to), each
 * with a tracing connector whose lookup the address policy guards (and which judges an address
 * literal before connecting): no connection is reused across hops, so each hop is judged by the
 * address it connects to.
 */
export function createHopDispatchers(deps: ProbeDeps, target: { timeoutMs: number; allowPrivate?: boolean }, trace: ConnectionTrace) {
  const dispatchers: Dispatcher[] = [];
  const policy = policyOf(target, deps);
  const open: OpenHop = (hop) => {
    let connectedAddress: string | undefined;
    const connector = buildConnector({
      timeout: target.timeoutMs,
      // Node's type also allows family 'IPv4' | 'IPv6'; net only ever passes numbers to a lookup.
      lookup: createTracedLookup(guardLookup(deps.lookup, hop, policy), trace) as unknown as NetLookupFunction,
      ...(deps.ca === undefined ? {} : { ca: deps.ca }),
    });
    const connect: buildConnector.connector = (options, callback) => {
      const refusal = refusalOfLiteral(options.hostname, hop, policy);
      if (refusal) return callback(refusal, null);
      // undici's connector returns its socket although its type says void; the events need it early.
      const socket = connector(options, callback) as unknown as Socket | TLSSocket | undefined;
      if (!socket) return;
      traceSocket(socket, options.hostname, trace);
      socket.once('connect', () => {
        connectedAddress = socket.remoteAddress;
      });
    };
    // A Client is what an Agent would make for the hop's origin anyway, without its Agent and Pool.
    const origin = originOf(hop.url);
    const dispatcher = origin === null ? new Agent({ connect }) : new Client(origin, { connect });
    dispatchers.push(dispatcher);
    return { dispatcher, connectedAddress: () => connectedAddress };
  };
  // destroy, not close: close would wait for a server that never answers.
  const destroy = async (): Promise<void> => {
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy(PROBE_DONE).catch(() => undefined)));
  };
  return { open, destroy };
}

/** `scheme://host:port` of an http(s) URL, or null (undici then refuses the request itself, as before). */
function originOf(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const { protocol, origin } = new URL(url);
  return protocol === 'http:' || protocol === 'https:' ? origin : null;
}

/**
 * The judged response's headers and body excerpt, kept only when it came from the check's own
 * origin: what another origin answered (an internal page a redirect reached) is not stored.
 */
function responseEvidence(target: HttpTarget, exchange: Exchange, bodyExcerpt: string | undefined): Pick<ProbeEvidence, 'headers' | 'bodyExcerpt'> {
  return isOriginalOrigin(target, exchange.url) ? { headers: exchange.headers, bodyExcerpt } : {};
}

/** Checked in this order: status, content, form, latency, certificate expiry — the first that fails decides. */
function judgeResponse(target: HttpTarget, exchange: Exchange, elapsedMs: number, trace: ConnectionTrace, certificate: CertificateExpiry, finish: Finish): ProbeResult {
  const { expect } = target;
  const statusCode = exchange.statusCode ?? 0;
  const body = Buffer.concat(exchange.chunks).toString('utf8');
  const seen = { url: exchange.url, statusCode, resolvedAddress: trace.resolvedAddress, ...certificate.evidence };
  const failed = (status: ProbeStatus, kind: FailureKind, reason: string): ProbeResult =>
    finish(status, kind, { ...seen, ...responseEvidence(target, exchange, bodyExcerptOf(exchange)), reason });

  if (exchange.tooManyRedirects) return failed('down', 'http_4xx', `too many redirects (${target.maxRedirects})`);
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
  if (certificate.expiringReason !== undefined) return failed('degraded', 'tls_expiring', certificate.expiringReason);
  return finish('up', null, seen);
}

/**
 * resolve / connect / tls are the first connection's (the checked host's own); processing and
 * transfer are the judged response's, processing counted from when its request was sent or its
 * connection was ready, whichever is later. Earlier redirect hops show only in the total duration.
 */
function phaseTimings(start: number, trace: ConnectionTrace, exchange: Exchange): PhaseTimings {
  const timings = connectionTimings(start, trace);
  const readyAt = trace.secureAt ?? trace.connectAt;
  if (exchange.headersAt !== undefined && readyAt !== undefined) {
    timings.processing = roundMs(exchange.headersAt - Math.max(readyAt, exchange.requestAt ?? readyAt));
  }
  if (exchange.bodyAt !== undefined && exchange.headersAt !== undefined) timings.transfer = roundMs(exchange.bodyAt - exchange.headersAt);
  return timings;
}

function bodyExcerptOf(exchange: Exchange): string {
  const head = Buffer.concat(exchange.chunks).subarray(0, EXCERPT_BYTES);
  // stream: true holds back a multi-byte character cut at the edge instead of widening it to U+FFFD.
  return new TextDecoder('utf-8').decode(head, { stream: true });
}
