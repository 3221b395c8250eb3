// Incident events as a test inspects them: production code narrows an event's data by its type;
// a test comparing many events at once reads the data loosely.
import type { IncidentEventType } from '../../detector/incidents/incident-events.js';
import type { NotificationEvent } from '../../detector/notify/notification-types.js';

export const dataOf = (event: { data: unknown }): Record<string, unknown> => (event.data ?? {}) as Record<string, unknown>;

/** An incident event that sends each notification event, for payloads a test builds by hand. */
export const CAUSE_OF: Readonly<Record<NotificationEvent, IncidentEventType>> = {
  opened: 'opened',
  acknowledged: 'acknowledge',
  escalated: 'escalate',
  warning: 'warning',
  breached: 'breached',
  restored: 'restored',
  resolved: 'resolve',
  closed: 'close',
  reopened: 'reopen',
  reminder: 'reminder',
};
