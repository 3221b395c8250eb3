// E-mail channel: one message per outbox row to the row's recipient, through the configured SMTP
// relay. Used for configured e-mail channels and for people reached by role alike: the address
// comes from the delivery, not from the channel's `to` list.
import { createHash } from 'node:crypto';
import nodemailer, { type NodemailerError } from 'nodemailer';
import { renderMessage } from '../messages.js';
import { reporterEmail } from '../reporter-message.js';
import { DeliveryError, type Channel, type ChannelConfig, type MessageLanguage, type OutboxDelivery, type SmtpConfig } from '../notification-types.js';

export type EmailChannelConfig = Extract<ChannelConfig, { type: 'email' }>;

export class EmailChannel implements Channel {
  readonly type = 'email' as const;
  readonly key: string;
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(
    config: EmailChannelConfig,
    private readonly smtp: SmtpConfig,
  ) {
    this.key = config.key;
    this.transport = smtpTransport(smtp);
  }

  async send(delivery: OutboxDelivery): Promise<void> {
    if (!delivery.recipient) throw new DeliveryError(`email ${this.key}: delivery ${delivery.id} has no recipient`, true);
    const message = delivery.payload.audience === 'reporter' ? reporterEmail(delivery.payload) : renderMessage(delivery.payload);
    try {
      await this.transport.sendMail({
        from: this.smtp.from,
        to: delivery.recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(delivery.idempotencyKey, this.smtp.from),
        headers: { 'X-Sigap-Idempotency-Key': delivery.idempotencyKey },
      });
    } catch (error) {
      throw deliveryErrorOf(error, `email ${this.key}`);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

function smtpTransport(smtp: SmtpConfig): ReturnType<typeof nodemailer.createTransport> {
  // No pool: notifications are few, and a fresh connection per message never holds a dead one.
  // STARTTLS is used whenever the relay offers it (nodemailer's default, not ignoreTLS).
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.pass ?? '' } } : {}),
  });
}

function deliveryErrorOf(error: unknown, label: string): DeliveryError {
  const smtpError = error as NodemailerError;
  // The server's reply when there is one (it starts with its code), else the socket's failure.
  const reply = smtpError.response ?? (smtpError.responseCode ? String(smtpError.responseCode) : `${smtpError.code ?? 'failed'}: ${smtpError.message}`);
  // A 5xx reply (nodemailer's `permanent`) will not change on a retry: mailbox unknown, relay denied.
  return new DeliveryError(`${label}: ${reply.slice(0, 200)}`, smtpError.permanent === true);
}

/** A mail that belongs to no incident (the monthly report), with its attachments. */
export interface StandaloneMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: ReadonlyArray<{ filename: string; content: Buffer | string; contentType: string }>;
  /** The same on every attempt: it makes the Message-ID, so a re-sent duplicate is recognisable. */
  idempotencyKey: string;
}

/** Sends mails that are not incident notifications through the same SMTP relay; failures are DeliveryErrors (5xx permanent). */
export class SmtpMailer {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(private readonly smtp: SmtpConfig) {
    this.transport = smtpTransport(smtp);
  }

  async send(mail: StandaloneMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.smtp.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments.map((a) => ({ ...a })),
        messageId: messageIdFor(mail.idempotencyKey, this.smtp.from),
        headers: { 'X-Sigap-Idempotency-Key': mail.idempotencyKey },
      });
    } catch (error) {
      throw deliveryErrorOf(error, 'email');
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** An e-mail channel for people reached by role: any recipient, no fixed list. */
export function emailChannelFor(key: string, smtp: SmtpConfig, language: MessageLanguage = 'id'): EmailChannel {
  return new EmailChannel({ key, type: 'email', to: [], language }, smtp);
}

/** The same Message-ID on every attempt of one row, so a re-sent duplicate is recognisable. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'sigap.invalid';
  const id = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<sigap.${id}@${domain}>`;
}
