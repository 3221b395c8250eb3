import type { Knex } from 'knex';
import { claimDelivery, markDeliveryFailed, markDeliverySent, whereDue, type DeliveryFailure } from './delivery-queue.js';
import type { NewOutboxRow, NotificationEvent, OutboxRow, OutboxStatus } from '../notify/notification-types.js';
import type { OutboxWritten } from './outbox-wake.js';
import { parseJson, toDate } from './row-mapping.js';
import type { NotificationStore } from './store-types.js';

type Row = Record<string, unknown>;

function toOutboxRow(r: Row): OutboxRow {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    incidentRef: r.incident_ref as string,
    eventId: r.event_id === null || r.event_id === undefined ? null : Number(r.event_id),
    event: r.event as NotificationEvent,
    channelKey: r.channel_key as string,
    recipient: (r.recipient as string | null) ?? null,
    idempotencyKey: r.idempotency_key as string,
    payload: parseJson(r.payload_json as string) as unknown as OutboxRow['payload'],
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at as number)!,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: toDate(r.created_at as number)!,
    sentAt: toDate(r.sent_at as number | null),
  };
}

export class KnexNotificationStore implements NotificationStore {
  /** `written`: rows were written or made due (a transaction's wakes its dispatchers when it commits). */
  constructor(
    private readonly db: Knex,
    private readonly written: OutboxWritten,
  ) {}

  private select() {
    return this.db('notification_outbox as o').join('incidents as i', 'i.id', 'o.incident_id').select('o.*', 'i.ref as incident_ref');
  }

  async insert(rows: readonly NewOutboxRow[], now: Date): Promise<void> {
    if (rows.length === 0) return;
    await this.db('notification_outbox')
      .insert(
        rows.map((r) => ({
          incident_id: r.incidentId,
          event_id: r.eventId,
          event: r.event,
          channel_key: r.channelKey,
          recipient: r.recipient,
          idempotency_key: r.idempotencyKey,
          payload_json: JSON.stringify(r.payload),
          status: 'pending',
          attempts: 0,
          next_attempt_at: now.getTime(),
          created_at: now.getTime(),
        })),
      )
      .onConflict('idempotency_key')
      .ignore();
    await this.written();
  }

  async recipientsOf(incidentId: number, event: NotificationEvent): Promise<Array<{ channelKey: string; recipient: string | null }>> {
    const rows = (await this.db('notification_outbox').where({ incident_id: incidentId, event }).distinct('channel_key', 'recipient')) as Row[];
    return rows.map((r) => ({ channelKey: r.channel_key as string, recipient: (r.recipient as string | null) ?? null }));
  }

  async listDue(now: Date, limit: number): Promise<OutboxRow[]> {
    const rows = (await whereDue(this.select(), now, 'o').limit(limit)) as Row[];
    return rows.map(toOutboxRow);
  }

  claim(id: number, owner: string, now: Date, lockedUntil: Date): Promise<boolean> {
    return claimDelivery(this.db, 'notification_outbox', id, owner, now, lockedUntil);
  }

  markSent(id: number, owner: string, attempts: number, now: Date): Promise<void> {
    return markDeliverySent(this.db, 'notification_outbox', id, owner, attempts, now);
  }

  markFailed(id: number, owner: string, failure: DeliveryFailure): Promise<void> {
    return markDeliveryFailed(this.db, 'notification_outbox', id, owner, failure);
  }

  async retryNow(id: number, now: Date): Promise<OutboxRow | null> {
    const changed = await this.db('notification_outbox')
      .where({ id })
      .whereNot('status', 'sent')
      .update({ status: 'pending', next_attempt_at: now.getTime(), locked_by: null, locked_until: null });
    if (Number(changed) !== 1) return null;
    await this.written();
    return this.get(id);
  }

  async get(id: number): Promise<OutboxRow | null> {
    const row = (await this.select().where('o.id', id).first()) as Row | undefined;
    return row ? toOutboxRow(row) : null;
  }

  async listForIncident(incidentId: number): Promise<OutboxRow[]> {
    const rows = (await this.select().where('o.incident_id', incidentId).orderBy('o.id', 'asc')) as Row[];
    return rows.map(toOutboxRow);
  }

  async listUndelivered(limit: number): Promise<OutboxRow[]> {
    const rows = (await this.select()
      .whereNot('o.status', 'sent')
      .where((w) => w.where('o.attempts', '>', 0).orWhere('o.status', 'failed'))
      .orderBy('o.id', 'desc')
      .limit(limit)) as Row[];
    return rows.map(toOutboxRow);
  }

  async backlog(): Promise<number> {
    const [row] = (await this.db('notification_outbox').whereNot('status', 'sent').count({ n: '*' })) as Row[];
    return Number(row?.n ?? 0);
  }
}
