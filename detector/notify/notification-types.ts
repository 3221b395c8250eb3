// What the notification outbox carries and what a channel must do with it. The planner writes one
// outbox row per recipient in the transaction of the incident event that causes it; the
// dispatcher hands each due row to its channel, at least once, with retries.
import type { FailureKind } from '../../probes/probe-types.js';
import type { IncidentEvent, IncidentEventType } from '../incidents/incident-events.js';
import type { IncidentStatus } from '../incidents/lifecycle.js';
import type { Priority } from '../incidents/priority.js';

/** DESIGN §3: the events a route may name. */
export const NOTIFICATION_EVENTS = ['opened', 'acknowledged', 'escalated', 'warning', 'breached', 'restored', 'resolved', 'closed', 'reopened', 'reminder'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const CHANNEL_TYPES = ['webhook', 'email', 'telegram', 'whatsapp', 'http'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export type MessageLanguage = 'id' | 'en';

/** The incident as it was when the event happened: everything a message needs, nothing internal. */
export interface NotifiedIncident {
  ref: string;
  title: string;
  description: string;
  service: string;
  serviceName: string;
  check: string | null;
  source: 'probe' | 'manual' | 'alertmanager';
  category: string;
  subcategory: string;
  failureKind: FailureKind | null;
  /** The probe's own words for what failed (`ECONNREFUSED`, `HTTP 500`, …), when there is one. */
  failureReason: string | null;
  priority: Priority;
  status: IncidentStatus;
  escalationLevel: number;
  assignedGroup: string;
  assignee: string | null;
  reporter: { name: string; contact: string | null } | null;
  /** ISO-8601 UTC. */
  detectedAt: string;
  acknowledgedAt: string | null;
  responseDueAt: string;
  resolveDueAt: string;
  serviceRestoredAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  responseBreached: boolean;
  resolutionBreached: boolean;
  resolutionCode: string | null;
  resolutionNotes: string | null;
  closureCode: string | null;
  reopenCount: number;
}

/** Written into the outbox row (as JSON) when the event happens; channels render it. */
export interface NotificationPayload {
  event: NotificationEvent;
  /** The incident event that caused it (its id, time, actor, note and data). */
  cause: { id: number; type: IncidentEventType; at: string; actor: string; note: string | null; data: IncidentEvent['data'] | null };
  incident: NotifiedIncident;
  /** The incident's page in the dashboard. */
  link: string;
  /** The office time zone, for the times in messages. */
  timezone: string;
  language: MessageLanguage;
  /** Who reads it: the office's staff (absent), or the reporter of a manual incident (`recipient` is their contact). */
  audience?: 'staff' | 'reporter';
}

/** One row of the outbox as a channel receives it. */
export interface OutboxDelivery {
  id: number;
  channelKey: string;
  /** An e-mail address for e-mail, a phone number (or a gateway's contact) for whatsapp and http; null for webhook and Telegram (the channel knows where). */
  recipient: string | null;
  /** The same on every attempt of this row: receivers use it to drop duplicates. */
  idempotencyKey: string;
  /** 1 on the first attempt. */
  attempt: number;
  payload: NotificationPayload;
}

/** A failed delivery. `permanent` ones (a channel that no longer exists) are not retried by themselves. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface Channel {
  readonly key: string;
  readonly type: ChannelType;
  /** Deliver once; resolve when the receiver accepted it, throw (DeliveryError preferred) when not. */
  send(delivery: OutboxDelivery): Promise<void>;
  /** Release connections (SMTP pools, HTTP agents). */
  close?(): Promise<void>;
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | null;
  pass: string | null;
  from: string;
  timeoutMs: number;
}

export type ChannelConfig =
  | { key: string; type: 'webhook'; url: string; timeoutMs: number; headers: Record<string, string> }
  | { key: string; type: 'email'; to: string[]; language: MessageLanguage }
  | { key: string; type: 'telegram'; botToken: string; chatId: string; apiBaseUrl: string; timeoutMs: number; language: MessageLanguage }
  | {
      key: string;
      type: 'whatsapp';
      phoneNumberId: string;
      accessToken: string;
      /** International digits (6281234567890), already normalised. */
      to: string[];
      apiBaseUrl: string;
      /** A business-initiated template message instead of free text (outside the 24-hour window). */
      template: { name: string; language: string } | null;
      timeoutMs: number;
      language: MessageLanguage;
    }
  | {
      key: string;
      type: 'http';
      method: HttpGatewayMethod;
      /** May use `{{recipient}}` (URL-encoded). */
      url: string;
      headers: Record<string, string>;
      /** A Handlebars template; values are escaped for the Content-Type header. Null: no body. */
      body: string | null;
      to: string[];
      timeoutMs: number;
      language: MessageLanguage;
    };

export const HTTP_GATEWAY_METHODS = ['POST', 'GET', 'PUT', 'PATCH'] as const;
export type HttpGatewayMethod = (typeof HTTP_GATEWAY_METHODS)[number];

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** A stored outbox row, as the dashboard and the dispatcher see it. */
export interface OutboxRow {
  id: number;
  incidentId: number;
  incidentRef: string;
  eventId: number | null;
  event: NotificationEvent;
  channelKey: string;
  recipient: string | null;
  idempotencyKey: string;
  payload: NotificationPayload;
  /** `pending` until delivered (`sent`); `failed` only when it cannot be retried by itself. */
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

export interface NewOutboxRow {
  incidentId: number;
  eventId: number;
  event: NotificationEvent;
  channelKey: string;
  recipient: string | null;
  idempotencyKey: string;
  payload: NotificationPayload;
}
