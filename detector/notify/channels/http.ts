// HTTP channel: a request template for any WhatsApp/SMS gateway (Fonnte, Wablas, an office's own):
// the configured method, URL, headers and Handlebars body, one request per recipient, values
// escaped for the body's Content-Type (gateway-template.ts). A 2xx answer is delivered; anything
// else is an error with the status and a short excerpt of the answer, the configured secrets
// (header values, the URL's query and password) cut out. Sends the row's Idempotency-Key unless
// the template sets its own.
import { phoneText } from '../messages.js';
import { DeliveryError, type Channel, type ChannelConfig, type MessageLanguage, type OutboxDelivery } from '../notification-types.js';
import { bodyEncodingOf, compileGatewayTemplate, contentTypeOf, type GatewayFields, type GatewayTemplate } from './gateway-template.js';
import { normalizePhoneNumber } from '../../incidents/reporter.js';
import { HttpClientChannel, sendRequest, type HttpChannelOptions } from './webhook.js';

export type HttpChannelConfig = Extract<ChannelConfig, { type: 'http' }>;

const WORDS: Record<MessageLanguage, { noRecipient: string; refused: (status: number) => string }> = {
  id: { noRecipient: 'baris ini tidak punya penerima', refused: (status) => `gateway menolak (HTTP ${status})` },
  en: { noRecipient: 'this row has no recipient', refused: (status) => `the gateway refused it (HTTP ${status})` },
};

/** A gateway's 4xx other than these means the request is wrong: retrying the same one cannot help. */
const RETRYABLE_4XX = new Set([408, 409, 425, 429]);

/** Headers whose values are no secret (and would only make the excerpt unreadable if cut out). */
const PLAIN_HEADERS = new Set(['content-type', 'accept', 'user-agent']);

export class HttpChannel extends HttpClientChannel implements Channel {
  readonly type = 'http' as const;
  private readonly body: GatewayTemplate | null;
  private readonly url: GatewayTemplate;
  private readonly setsIdempotencyKey: boolean;

  constructor(
    private readonly config: HttpChannelConfig,
    options: HttpChannelOptions = {},
  ) {
    super(config.key, options);
    this.body = config.body === null ? null : compileGatewayTemplate(config.body, bodyEncodingOf(contentTypeOf(config.headers)));
    this.url = compileGatewayTemplate(config.url, 'url');
    this.setsIdempotencyKey = Object.keys(config.headers).some((name) => name.toLowerCase() === 'idempotency-key');
  }

  async send(delivery: OutboxDelivery): Promise<void> {
    const words = WORDS[this.config.language];
    const label = `http ${this.key}`;
    if (!delivery.recipient) throw new DeliveryError(`${label}: ${words.noRecipient}`, true);
    const fields = gatewayFields(delivery);
    const headers = this.setsIdempotencyKey ? { ...this.config.headers } : { ...this.config.headers, 'idempotency-key': delivery.idempotencyKey };
    const response = await sendRequest(this.url(fields), {
      method: this.config.method,
      headers,
      body: this.body ? this.body(fields) : null,
      timeoutMs: this.config.timeoutMs,
      dispatcher: this.dispatcher,
      label,
      language: this.config.language,
    });
    if (response.statusCode >= 200 && response.statusCode <= 299) return;
    const excerpt = this.redact(response.text.replace(/\s+/g, ' ').trim()).slice(0, 200);
    const permanent = response.statusCode >= 400 && response.statusCode <= 499 && !RETRYABLE_4XX.has(response.statusCode);
    throw new DeliveryError(`${label}: ${words.refused(response.statusCode)}${excerpt ? `: ${excerpt}` : ''}`, permanent);
  }

  /** A gateway may echo the request: its header values, the URL's query (Wablas-style ?token=) and password never reach the error people read. */
  private redact(text: string): string {
    const url = new URL(this.config.url.replace(/\{\{[^}]*\}\}/g, ''));
    const query = [...url.searchParams.values()];
    const headerValues = Object.entries(this.config.headers)
      .filter(([name]) => !PLAIN_HEADERS.has(name.toLowerCase()))
      .map(([, value]) => value);
    const secrets = [...headerValues, url.search.slice(1), ...query, url.password].filter((s) => s.length >= 4);
    return secrets.sort((a, b) => b.length - a.length).reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  }
}

/** The template's fields for one delivery; a phone-like recipient is written in international digits. */
export function gatewayFields(delivery: OutboxDelivery): GatewayFields {
  const { payload } = delivery;
  const recipient = delivery.recipient ?? '';
  return {
    recipient: normalizePhoneNumber(recipient) ?? recipient.trim(),
    text: phoneText(payload),
    event: payload.event,
    link: payload.link,
    incident: {
      ref: payload.incident.ref,
      title: payload.incident.title,
      priority: payload.incident.priority,
      service: payload.incident.serviceName,
      status: payload.incident.status,
    },
  };
}
