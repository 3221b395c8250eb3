// One HTTP exchange of the http probe: the request, the redirects it follows (if asked to), and
// the capped body of the response that is judged. What arrived is kept in `Exchange` even when a
// later step fails, so the failure's evidence shows how far it got.
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import type { Hop } from './address-guard.js';
import type { HttpTarget, ProbeEvidence } from './probe-types.js';

/** The most of a body any probe reads (1 MiB); a caller may ask for less or more per exchange. */
export const BODY_CAP_BYTES = 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * A dispatcher of its own for each hop, so every hop opens its own connection and the address
 * policy judges the address that hop actually connects to; `connectedAddress` is that address.
 */
export type OpenHop = (hop: Hop) => { dispatcher: Dispatcher; connectedAddress: () => string | undefined };

export interface Exchange {
  /** The URL whose response is (or was being) fetched: the target's, or the last redirect's. */
  url: string;
  redirects: NonNullable<ProbeEvidence['redirects']>;
  /** A redirect beyond `maxRedirects` arrived; its response is the one kept. */
  tooManyRedirects: boolean;
  /** performance.now() when the request whose response is judged was sent. */
  requestAt?: number;
  statusCode?: number;
  headers?: Record<string, string>;
  headersAt?: number;
  chunks: Buffer[];
  bodyBytes: number;
  bodyAt?: number;
}

export function createExchange(url: string): Exchange {
  return { url, redirects: [], tooManyRedirects: false, chunks: [], bodyBytes: 0 };
}

/**
 * Requests `target.url`, follows redirects when the target says so, and reads the last response's
 * body. The check's headers (credentials, API keys) go only to the check's own origin.
 */
export async function exchangeHttp(target: HttpTarget, openHop: OpenHop, signal: AbortSignal, exchange: Exchange, bodyCapBytes = BODY_CAP_BYTES): Promise<void> {
  let method: string = target.method;
  let previousAddress: string | undefined;
  // undici 7's request() follows redirects only through an interceptor, which hides the hops; the
  // loop records each one and keeps the whole chain inside the caller's one deadline.
  for (;;) {
    exchange.requestAt = performance.now();
    exchange.statusCode = undefined;
    exchange.headers = undefined;
    const hop: Hop = exchange.redirects.length === 0 ? { url: exchange.url, hop: 'target' } : { url: exchange.url, hop: 'redirect', previousAddress };
    const { dispatcher, connectedAddress } = openHop(hop);
    const headers = isOriginalOrigin(target, exchange.url) ? target.headers : {};
    const response = await request(exchange.url, { method, headers, dispatcher, signal });
    previousAddress = connectedAddress();
    exchange.headersAt = performance.now();
    exchange.statusCode = response.statusCode;
    exchange.headers = flattenHeaders(response.headers);
    const next = target.followRedirects ? redirectLocation(exchange.url, response.statusCode, response.headers.location) : undefined;
    if (next === undefined) return readBody(response.body, exchange, bodyCapBytes);
    exchange.redirects.push({ url: exchange.url, statusCode: response.statusCode });
    if (exchange.redirects.length > target.maxRedirects) {
      exchange.tooManyRedirects = true;
      return readBody(response.body, exchange, bodyCapBytes);
    }
    await response.body.dump();
    method = redirectMethod(response.statusCode, method);
    exchange.url = next;
  }
}

/** The absolute URL a redirect points to; undefined when the response is not a redirect one can follow. */
function redirectLocation(currentUrl: string, statusCode: number, header: string | string[] | undefined): string | undefined {
  const location = Array.isArray(header) ? header[0] : header;
  if (!REDIRECT_STATUSES.has(statusCode) || !location) return undefined;
  try {
    const next = new URL(location, currentUrl);
    return next.protocol === 'http:' || next.protocol === 'https:' ? next.href : undefined;
  } catch {
    return undefined; // an unreadable Location: the 3xx itself is judged
  }
}

/** As browsers do (WHATWG fetch): 303 turns anything but HEAD into GET, 301/302 turn POST into GET. */
function redirectMethod(statusCode: number, method: string): string {
  if (statusCode === 303 && method !== 'HEAD') return 'GET';
  if ((statusCode === 301 || statusCode === 302) && method === 'POST') return 'GET';
  return method;
}

/** Is `url` on the check's own origin (scheme, host and port)? Only there go its headers, and only its responses' headers and body are kept as evidence. */
export function isOriginalOrigin(target: HttpTarget, url: string): boolean {
  if (url === target.url) return true; // also an unreadable URL, which no request went to
  return URL.canParse(url) && URL.canParse(target.url) && new URL(url).origin === new URL(target.url).origin;
}

async function readBody(body: AsyncIterable<unknown>, exchange: Exchange, capBytes: number): Promise<void> {
  for await (const chunk of body) {
    const kept = (chunk as Buffer).subarray(0, capBytes - exchange.bodyBytes);
    exchange.chunks.push(kept);
    exchange.bodyBytes += kept.length;
    if (exchange.bodyBytes >= capBytes) break; // leaving the loop destroys the body stream
  }
  exchange.bodyAt = performance.now();
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
