// Telegram channel: the Bot API's sendMessage in HTML parse mode. The bot token is a secret: it is
// in the URL and nowhere else, never in an error message.
import { telegramText } from '../messages.js';
import { DeliveryError, type Channel, type ChannelConfig, type OutboxDelivery } from '../notification-types.js';
import { HttpClientChannel, postJson, type HttpChannelOptions } from './webhook.js';

export type TelegramChannelConfig = Extract<ChannelConfig, { type: 'telegram' }>;

interface TelegramAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

export class TelegramChannel extends HttpClientChannel implements Channel {
  readonly type = 'telegram' as const;

  constructor(
    private readonly config: TelegramChannelConfig,
    options: HttpChannelOptions = {},
  ) {
    super(config.key, options);
  }

  async send(delivery: OutboxDelivery): Promise<void> {
    const url = `${this.config.apiBaseUrl.replace(/\/+$/, '')}/bot${this.config.botToken}/sendMessage`;
    const body = { chat_id: this.config.chatId, text: telegramText(delivery.payload), parse_mode: 'HTML', disable_web_page_preview: true };
    const label = `telegram ${this.key}`;
    const response = await postJson(url, body, { headers: {}, timeoutMs: this.config.timeoutMs, dispatcher: this.dispatcher, label });
    const answer = parseAnswer(response.text);
    if (response.statusCode >= 200 && response.statusCode <= 299 && answer?.ok === true) return;
    const code = answer?.error_code ?? response.statusCode;
    const description = answer?.description ?? response.text.slice(0, 200);
    const retryAfter = answer?.parameters?.retry_after;
    const wait = retryAfter !== undefined ? ` (retry after ${retryAfter} s)` : '';
    throw new DeliveryError(this.redact(`${label}: ${code} ${description}${wait}`));
  }

  /** Whatever the API echoes back, the token does not leave this class. */
  private redact(message: string): string {
    return this.config.botToken ? message.split(this.config.botToken).join('<token>') : message;
  }
}

function parseAnswer(text: string): TelegramAnswer | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as TelegramAnswer) : null;
  } catch {
    return null;
  }
}
