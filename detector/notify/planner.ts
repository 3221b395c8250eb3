// Decides who hears of an incident event and writes one outbox row per recipient, in the
// transaction that appended the event (a transactional outbox: the notification exists exactly
// when the event does). The IncidentWriter calls `plan` for every event it appends. Routes match by event, priority and service and name channels or roles;
// a restored, resolved or reminder message also goes to everyone who got the `opened` one, even
// if the routes changed since. The reporter of a manual incident gets rows of their own
// (`audience: 'reporter'`, `notifications.reporters`), never the staff's.
import type { NotificationRoute, NotificationsConfig } from '../../config.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import { CATCH_ALL_SERVICE } from '../detection/check-types.js';
import type { Incident } from '../incidents/incident-types.js';
import { contactKind, normalizePhoneNumber } from '../incidents/reporter.js';
import type { IncidentEvent, IncidentEventType } from '../incidents/incident-events.js';
import type { Stores } from '../store/store-types.js';
import type { ChannelConfig, MessageLanguage, NewOutboxRow, NotificationEvent, NotificationPayload, NotifiedIncident } from './notification-types.js';

/** Every incident event type (actions and Sigap's own) → the notification event of DESIGN §3 it sends, if any. */
const EVENT_FOR: Readonly<Record<IncidentEventType, NotificationEvent | null>> = {
  opened: 'opened',
  acknowledge: 'acknowledged',
  assign: null,
  note: null,
  reprioritize: null,
  escalate: 'escalated',
  escalate_management: 'escalated',
  pending: null,
  resume: null,
  resolve: 'resolved',
  close: 'closed',
  reopen: 'reopened',
  cancel: null,
  reopened: 'reopened',
  restored: 'restored',
  failed_again: null,
  flapping: null,
  stable: null,
  alert_refreshed: null,
  warning: 'warning',
  breached: 'breached',
  reminder: 'reminder',
  known_error_recorded: null,
  suggestion_helped: null,
  reporter_informed: null,
  inform_reporter_changed: null,
  baseline_accepted: null,
};

/** These follow the `opened` message wherever it went. */
const FOLLOWS_OPENED: readonly NotificationEvent[] = ['restored', 'resolved', 'reminder'];

/** The channel key of people reached by e-mail through their role. */
export const roleChannelKey = (role: string) => `role:${role}`;

export function notificationEventFor(eventType: IncidentEventType): NotificationEvent | null {
  return EVENT_FOR[eventType];
}

export function routeMatches(route: NotificationRoute, event: NotificationEvent, incident: Pick<Incident, 'priority' | 'service'>): boolean {
  return (
    route.events.includes(event) &&
    (route.priorities === null || route.priorities.includes(incident.priority)) &&
    (route.services === null || route.services.includes(incident.service))
  );
}

interface Recipient {
  channelKey: string;
  recipient: string | null;
  language: MessageLanguage;
}

export interface PlannerDeps {
  config: NotificationsConfig;
  timezone: string;
  checks: Pick<CheckLookup, 'service'>;
}

export class NotificationPlanner {
  private readonly channels: Map<string, ChannelConfig>;

  constructor(private readonly deps: PlannerDeps) {
    this.channels = new Map(deps.config.channels.map((c) => [c.key, c]));
  }

  /** The incident-event listener: plan and write the event's outbox rows in its transaction (the incident as the event leaves it). */
  readonly plan = async (stores: Stores, incident: Incident, event: IncidentEvent): Promise<void> => {
    const kind = notificationEventFor(event.type);
    if (!kind) return;
    await this.planReporter(stores, incident, event, kind);
    const incidentId = incident.id;
    const recipients = await this.recipients(stores, kind, incident);
    if (recipients.length === 0) return;
    const snapshot = this.snapshot(incident);
    const rows: NewOutboxRow[] = recipients.map((r) => ({
      incidentId,
      eventId: event.id,
      event: kind,
      channelKey: r.channelKey,
      recipient: r.recipient,
      idempotencyKey: `${incident.ref}/${event.id}/${r.channelKey}/${r.recipient ?? '-'}`.slice(0, 200),
      payload: this.payload(kind, event, snapshot, r.language),
    }));
    await stores.notifications.insert(rows, event.at);
  };

  /**
   * The reporter's own rows (SOP-Insiden-003): on the events `notifications.reporters` names, for
   * an incident whose reporter left a contact and whose desk has not switched telling them off,
   * one row per configured channel that can reach that contact. Never a staff message: these rows
   * carry `audience: 'reporter'` and only what the reporter's text needs.
   */
  private async planReporter(stores: Stores, incident: Incident, event: IncidentEvent, kind: NotificationEvent): Promise<void> {
    const settings = this.deps.config.reporters;
    const contact = incident.reporter?.contact?.trim();
    if (!settings || !contact || !incident.informReporter || (kind !== 'resolved' && kind !== 'closed') || !settings.events.includes(kind)) return;
    const snapshot: NotifiedIncident = { ...this.snapshot(incident), resolutionNotes: null, failureReason: null, assignee: null };
    const rows: NewOutboxRow[] = [];
    for (const key of settings.notify) {
      const recipient = this.reporterAddress(key, contact);
      if (recipient === null) continue;
      const payload: NotificationPayload = {
        ...this.payload(kind, event, snapshot, this.languageOf(key)),
        audience: 'reporter',
      };
      // The person's words in the event's note (an internal resolution note) are not theirs to read,
      // and the dashboard is not theirs to open: their link is the public status page.
      payload.cause = { ...payload.cause, note: null, data: null };
      payload.link = `${this.deps.config.baseUrl}/status`;
      rows.push({
        incidentId: incident.id,
        eventId: event.id,
        event: kind,
        channelKey: key,
        recipient,
        idempotencyKey: `${incident.ref}/${event.id}/${key}/reporter`.slice(0, 200),
        payload,
      });
    }
    if (rows.length > 0) await stores.notifications.insert(rows, event.at);
  }

  /** How a channel reaches this contact, or null when it cannot: e-mail needs an address, WhatsApp a phone number, http takes any. */
  private reporterAddress(key: string, contact: string): string | null {
    const channel = this.channels.get(key);
    if (!channel) return null;
    const type: string = channel.type;
    const kind = contactKind(contact);
    if (type === 'email') return kind === 'email' ? contact : null;
    if (type === 'whatsapp') return kind === 'phone' ? normalizePhoneNumber(contact) : null;
    if (type === 'http') return kind === 'phone' ? normalizePhoneNumber(contact) : contact;
    return null;
  }

  private async recipients(stores: Stores, kind: NotificationEvent, incident: Incident): Promise<Recipient[]> {
    const found = new Map<string, Recipient>();
    const add = (r: Recipient) => found.set(`${r.channelKey}\u0000${r.recipient ?? ''}`, r);
    const routes = this.deps.config.routes.filter((route) => routeMatches(route, kind, incident));
    for (const route of routes) {
      for (const key of route.notify) for (const r of this.channelRecipients(key)) add(r);
    }
    const roles = [...new Set(routes.flatMap((r) => r.roles))];
    for (const user of await stores.accounts.listReachableUsers(roles)) {
      add({ channelKey: roleChannelKey(user.role), recipient: user.email, language: user.language });
    }
    if (FOLLOWS_OPENED.includes(kind)) {
      for (const r of await stores.notifications.recipientsOf(incident.id, 'opened')) {
        add({ channelKey: r.channelKey, recipient: r.recipient, language: this.languageOf(r.channelKey) });
      }
    }
    return [...found.values()];
  }

  /** A configured channel's recipients: one per address of an e-mail channel (per number of a whatsapp or http one), else the channel itself. */
  private channelRecipients(key: string): Recipient[] {
    const channel = this.channels.get(key);
    if (!channel) return [];
    if (channel.type === 'email' || channel.type === 'whatsapp' || channel.type === 'http')
      return channel.to.map((to) => ({ channelKey: key, recipient: to, language: channel.language }));
    return [{ channelKey: key, recipient: null, language: channel.type === 'telegram' ? channel.language : 'id' }];
  }

  private languageOf(channelKey: string): MessageLanguage {
    const channel = this.channels.get(channelKey);
    return channel && channel.type !== 'webhook' ? channel.language : 'id';
  }

  private snapshot(i: Incident): NotifiedIncident {
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const e = i.evidence;
    const failureReason = e ? (e.reason ?? e.errorCode ?? (e.statusCode ? `HTTP ${e.statusCode}` : null) ?? e.errorMessage ?? null) : null;
    const serviceName = this.deps.checks.service(i.service)?.name ?? (i.service === CATCH_ALL_SERVICE.key ? CATCH_ALL_SERVICE.name : i.service);
    return {
      ref: i.ref,
      title: i.title,
      description: i.description,
      service: i.service,
      serviceName,
      check: i.check,
      source: i.source,
      category: i.category,
      subcategory: i.subcategory,
      failureKind: i.failureKind,
      failureReason: failureReason ? String(failureReason) : null,
      priority: i.priority,
      status: i.status,
      escalationLevel: i.escalationLevel,
      assignedGroup: i.assignedGroup,
      assignee: i.assignee,
      reporter: i.reporter,
      detectedAt: i.detectedAt.toISOString(),
      acknowledgedAt: iso(i.acknowledgedAt),
      responseDueAt: i.responseDueAt.toISOString(),
      resolveDueAt: i.resolveDueAt.toISOString(),
      serviceRestoredAt: iso(i.serviceRestoredAt),
      resolvedAt: iso(i.resolvedAt),
      closedAt: iso(i.closedAt),
      responseBreached: i.responseBreached,
      resolutionBreached: i.resolutionBreached,
      resolutionCode: i.resolutionCode,
      resolutionNotes: i.resolutionNotes,
      closureCode: i.closureCode,
      reopenCount: i.reopenCount,
    };
  }

  private payload(kind: NotificationEvent, event: IncidentEvent, incident: NotifiedIncident, language: MessageLanguage): NotificationPayload {
    return {
      event: kind,
      cause: { id: event.id, type: event.type, at: event.at.toISOString(), actor: event.actor, note: event.note, data: event.data },
      incident,
      link: `${this.deps.config.baseUrl}/incidents/${encodeURIComponent(incident.ref)}`,
      timezone: this.deps.timezone,
      language,
    };
  }
}
