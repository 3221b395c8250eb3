import type { Knex } from 'knex';
import { claimDelivery, markDeliveryFailed, markDeliverySent, whereDue, type DeliveryFailure } from './delivery-queue.js';
import { toDate } from './row-mapping.js';
import type { ReportMailing, ReportMailStore } from './store-types.js';

type Row = Record<string, unknown>;

function toMailing(r: Row): ReportMailing {
  return {
    id: Number(r.id),
    month: r.month as string,
    recipient: r.recipient as string,
    idempotencyKey: r.idempotency_key as string,
    status: r.status as ReportMailing['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: toDate(r.next_attempt_at as number)!,
    lastError: (r.last_error as string | null) ?? null,
    sentAt: toDate(r.sent_at as number | null),
  };
}

export class KnexReportMailStore implements ReportMailStore {
  constructor(private readonly db: Knex) {}

  async claimMonth(month: string, owner: string, recipients: number, now: Date): Promise<boolean> {
    // The primary key decides: of two processes inserting one month, exactly one row goes in.
    const inserted = (await this.db('report_months')
      .insert({ month, claimed_by: owner.slice(0, 200), claimed_at: now.getTime(), recipients })
      .onConflict('month')
      .ignore()
      .returning('month')) as unknown[];
    return inserted.length === 1;
  }

  async isClaimed(month: string): Promise<boolean> {
    return (await this.db('report_months').where({ month }).first()) !== undefined;
  }

  async queue(month: string, recipients: readonly string[], now: Date): Promise<void> {
    if (recipients.length === 0) return;
    await this.db('report_mailings')
      .insert(
        recipients.map((recipient) => ({
          month,
          recipient,
          idempotency_key: `report/${month}/${recipient.toLowerCase()}`.slice(0, 200),
          status: 'pending',
          attempts: 0,
          next_attempt_at: now.getTime(),
          created_at: now.getTime(),
        })),
      )
      .onConflict('idempotency_key')
      .ignore();
  }

  async listDue(now: Date, limit: number): Promise<ReportMailing[]> {
    const rows = (await whereDue(this.db('report_mailings'), now).limit(limit)) as Row[];
    return rows.map(toMailing);
  }

  claim(id: number, owner: string, now: Date, lockedUntil: Date): Promise<boolean> {
    return claimDelivery(this.db, 'report_mailings', id, owner, now, lockedUntil);
  }

  markSent(id: number, owner: string, attempts: number, now: Date): Promise<void> {
    return markDeliverySent(this.db, 'report_mailings', id, owner, attempts, now);
  }

  markFailed(id: number, owner: string, failure: DeliveryFailure): Promise<void> {
    return markDeliveryFailed(this.db, 'report_mailings', id, owner, failure);
  }

  async listForMonth(month: string): Promise<ReportMailing[]> {
    return ((await this.db('report_mailings').where({ month }).orderBy('id', 'asc')) as Row[]).map(toMailing);
  }
}
