// Notification deliveries as pages show them: the failing ones on /notifications, an incident's own on its page.
import type { OutboxRow } from '../../detector/notify/notification-types.js';
import type { Formatters } from './formatters.js';

/** One delivery as a table row: channel, recipient, status (with its class), attempts, last error. */
function deliveryRow(n: OutboxRow, fmt: Formatters) {
  return {
    id: n.id,
    incidentRef: n.incidentRef,
    href: `/incidents/${encodeURIComponent(n.incidentRef)}`,
    event: n.event,
    channel: n.channelKey,
    recipient: n.recipient,
    status: n.status,
    statusClass: `delivery-${n.status}${n.status === 'pending' && n.attempts > 0 ? ' delivery-retrying' : ''}`,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: fmt.dateTime(n.createdAt),
    sentAt: n.sentAt ? fmt.dateTime(n.sentAt) : null,
    nextAttemptAt: n.status === 'pending' ? fmt.dateTime(n.nextAttemptAt) : null,
  };
}

export function deliveriesView(rows: OutboxRow[], fmt: Formatters) {
  return rows.map((n) => deliveryRow(n, fmt));
}

export function notificationsView(rows: OutboxRow[], fmt: Formatters) {
  return { title: 'Notifikasi', deliveries: deliveriesView(rows, fmt), empty: rows.length === 0 };
}
