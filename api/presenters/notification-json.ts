import type { OutboxRow } from '../../detector/notify/notification-types.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A delivery as people see it: no payload (it repeats the incident), the error as the channel said it. */
export function notificationJson(n: OutboxRow) {
  return {
    id: n.id,
    incident: n.incidentRef,
    event: n.event,
    channel: n.channelKey,
    recipient: n.recipient,
    status: n.status,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: iso(n.createdAt),
    sentAt: iso(n.sentAt),
    nextAttemptAt: n.status === 'pending' ? iso(n.nextAttemptAt) : null,
  };
}
