// Webhook channel: POSTs DESIGN §3's Alertmanager-shaped JSON with an Idempotency-Key header, so
// existing Alertmanager receivers work and duplicates from retries can be dropped.
import { Agent, request, type Dispatcher } from 'undici';
import { alertmanagerWebhookBody } from '../messages.js';
import { DeliveryError, type Channel, type ChannelConfig, type MessageLanguage, type OutboxDelivery } from '../notification-types.js';

export type WebhookChannelConfig = Extract<ChannelConfig, { type: 'webhook' }>;

export interface HttpChannelOptions {
  /** The undici dispatcher to send through; by default the channel owns an Agent it closes in close(). */
  dispatcher?: Dispatcher;
}

/** What the channels that speak HTTP share: their key, the dispatcher they send through, and closing it when it is their own. */
export abstract class HttpClientChannel {
  readonly key: string;
  protected readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(key: string, options: HttpChannelOptions) {
    this.key = key;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent();
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

export class WebhookChannel extends HttpClientChannel implements Channel {
  readonly type = 'webhook' as const;

  constructor(
    private readonly config: WebhookChannelConfig,
    options: HttpChannelOptions = {},
  ) {
    super(config.key, options);
  }

  async send(delivery: OutboxDelivery): Promise<void> {
    const body = alertmanagerWebhookBody(delivery.payload, this.key);
    const response = await postJson(this.config.url, body, {
      // Configured headers first: the contract's own headers are not theirs to override.
      headers: { ...this.config.headers, 'idempotency-key': delivery.idempotencyKey },
      timeoutMs: this.config.timeoutMs,
      dispatcher: this.dispatcher,
      label: `webhook ${this.key}`,
    });
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw new DeliveryError(`webhook ${this.key}: HTTP ${response.statusCode}: ${this.redact(response.text).slice(0, 200)}`);
    }
  }

  /**
   * A receiver may echo the request in its error page: the configured header values and the URL
   * (its path may be the secret, as in chat webhooks) never reach the error people read.
   */
  private redact(text: string): string {
    const url = new URL(this.config.url);
    const secrets = [...Object.values(this.config.headers), this.config.url, `${url.pathname}${url.search}`, url.password].filter((s) => s.length >= 4);
    return secrets.sort((a, b) => b.length - a.length).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

export interface PostJsonOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  dispatcher: Dispatcher;
  /** Names the channel in error messages; the URL never appears in them (it may hold a secret). */
  label: string;
  /** The language of the network failures' messages (default English). */
  language?: MessageLanguage;
}

export interface PostJsonResponse {
  statusCode: number;
  /** The start of the response body (at most ~4 KB); the rest is discarded. */
  text: string;
}

const READ_LIMIT = 4096;

/** POSTs JSON: `sendRequest` with the body serialised and `content-type: application/json`. */
export async function postJson(url: string, body: unknown, options: PostJsonOptions): Promise<PostJsonResponse> {
  return sendRequest(url, {
    ...options,
    method: 'POST',
    headers: { ...lowerCaseKeys(options.headers), 'content-type': 'application/json', 'user-agent': 'Sigap' },
    body: JSON.stringify(body),
  });
}

export interface SendRequestOptions extends PostJsonOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Sent as is; null sends none. */
  body: string | null;
}

const NETWORK_WORDS: Record<MessageLanguage, { timeout: (ms: number) => string; failed: (what: string) => string }> = {
  en: { timeout: (ms) => `no answer within ${ms} ms`, failed: (what) => what },
  id: { timeout: (ms) => `tidak ada jawaban dalam ${ms} ms (akan dicoba lagi)`, failed: (what) => `tidak tersambung (${what}; akan dicoba lagi)` },
};

/**
 * One HTTP request with undici, bounded as a whole by AbortSignal.timeout (undici's own
 * headersTimeout fires late); no redirect is followed. Network failures and timeouts become
 * (retryable) DeliveryErrors; every response body is read or discarded so no socket is left hanging.
 */
export async function sendRequest(url: string, options: SendRequestOptions): Promise<PostJsonResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const words = NETWORK_WORDS[options.language ?? 'en'];
  try {
    const response = await request(url, {
      method: options.method,
      dispatcher: options.dispatcher,
      signal,
      headers: { 'user-agent': 'Sigap', ...lowerCaseKeys(options.headers) },
      body: options.body ?? undefined,
    });
    let bytes = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= READ_LIMIT) break; // leaving the loop destroys the rest of the body
    }
    return { statusCode: response.statusCode, text: Buffer.concat(chunks).toString('utf8') };
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    if (signal.aborted) throw new DeliveryError(`${options.label}: ${words.timeout(options.timeoutMs)}`);
    throw new DeliveryError(`${options.label}: ${words.failed(describeNetworkError(error))}`);
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** The error's code (ECONNREFUSED, UND_ERR_SOCKET, …), and its cause's, without any URL. */
function describeNetworkError(error: unknown): string {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && !codes.includes(code)) codes.push(code);
    current = current.cause;
  }
  return codes.length > 0 ? codes.join(' / ') : error instanceof Error ? error.name : 'request failed';
}
