// The channel registry: a channel's configured type → its implementation.
import type { Channel, ChannelConfig, SmtpConfig } from '../notification-types.js';
import { EmailChannel } from './email.js';
import { HttpChannel } from './http.js';
import { TelegramChannel } from './telegram.js';
import { WebhookChannel } from './webhook.js';
import { WhatsappChannel } from './whatsapp.js';

export { EmailChannel, emailChannelFor, SmtpMailer } from './email.js';
export { TelegramChannel } from './telegram.js';
export { WebhookChannel } from './webhook.js';
export { WhatsappChannel } from './whatsapp.js';
export { HttpChannel } from './http.js';

export function createChannel(config: ChannelConfig, smtp: SmtpConfig | null): Channel {
  switch (config.type) {
    case 'webhook':
      return new WebhookChannel(config);
    case 'telegram':
      return new TelegramChannel(config);
    case 'whatsapp':
      return new WhatsappChannel(config);
    case 'http':
      return new HttpChannel(config);
    case 'email':
      if (!smtp) throw new Error(`channel ${config.key}: an e-mail channel needs notifications.smtp`);
      return new EmailChannel(config, smtp);
  }
}
