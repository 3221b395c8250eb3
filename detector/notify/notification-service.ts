// What people do with the outbox: see the deliveries that keep failing (with their last error)
// and send one again by hand. The dispatcher does everything else by itself.
import type { User, UserRole } from '../accounts/account-types.js';
import type { AuditTrail } from '../audit/audit-service.js';
import type { AuditOrigin } from '../audit/audit-types.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Database } from '../store/store-types.js';
import type { OutboxRow } from './notification-types.js';

/** Who may see the failing deliveries and retry them (a vendor sees none: they concern every incident). */
export const NOTIFICATION_READERS: readonly UserRole[] = ['service_desk', 'support', 'manager', 'admin'];
export const NOTIFICATION_RETRIERS: readonly UserRole[] = ['service_desk', 'support', 'admin'];

export class NotificationService {
  /** `audit` records who retried a delivery, in the retry's transaction. */
  constructor(private readonly deps: { db: Database; clock: () => Date; audit?: AuditTrail }) {}

  /** Deliveries that failed at least once and are not delivered yet, newest first. */
  async undelivered(user: Pick<User, 'role'>, limit = 200): Promise<OutboxRow[]> {
    if (!NOTIFICATION_READERS.includes(user.role)) throw new ForbiddenError(`failing notifications are shown to ${NOTIFICATION_READERS.join(', ')}`);
    return this.deps.db.stores.notifications.listUndelivered(limit);
  }

  /** Make an undelivered row due now (a failed one included); 409 when it was delivered already. */
  async retry(user: Pick<User, 'id' | 'username' | 'role'>, id: number, origin?: AuditOrigin): Promise<OutboxRow> {
    if (!NOTIFICATION_RETRIERS.includes(user.role)) throw new ForbiddenError(`retrying a notification needs the role ${NOTIFICATION_RETRIERS.join(' or ')}`);
    const retried = await this.deps.db.transaction(async (stores) => {
      const row = await stores.notifications.retryNow(id, this.deps.clock());
      if (row) {
        const detail = { incident: row.incidentRef, channel: row.channelKey, event: row.event, attempts: row.attempts };
        await this.deps.audit?.recordChange(stores, user, origin, { action: 'notification.retried', target: `notification ${row.id}`, detail });
      }
      return row;
    });
    if (retried) return retried;
    const { notifications } = this.deps.db.stores;
    const existing = await notifications.get(id);
    if (!existing) throw new NotFoundError(`notification ${id}`);
    throw new ConflictError(`notification ${id} was delivered already`);
  }
}
