// The audit trail (`audit_events`): inserts and reads, never an update or a delete. Pages are
// newest first by (at, id), continued by a keyset cursor that carries the last row's key.
import type { Knex } from 'knex';
import type { AuditEntry, AuditEvent, AuditFilter, AuditPage } from '../audit/audit-types.js';
import { decodeTimeIdCursor, encodeTimeIdCursor } from './keyset-cursor.js';
import { parseJson, toDate } from './row-mapping.js';
import type { AuditStore } from './store-types.js';

interface AuditRow {
  id: number | string;
  at: number | string;
  action: string;
  actor_user_id: number | null;
  actor_username: string | null;
  ip: string | null;
  target: string | null;
  detail_json: string;
}

function toEvent(row: AuditRow): AuditEvent {
  return {
    id: Number(row.id),
    at: toDate(row.at)!,
    action: row.action,
    actor: { userId: row.actor_user_id, username: row.actor_username },
    ip: row.ip,
    target: row.target,
    detail: parseJson<Record<string, unknown>>(row.detail_json) ?? {},
  };
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (m) => `\\${m}`);

export class KnexAuditStore implements AuditStore {
  constructor(private readonly db: Knex) {}

  async insert(entry: AuditEntry, at: Date): Promise<void> {
    await this.db('audit_events').insert({
      at: at.getTime(),
      action: entry.action,
      actor_user_id: entry.actor.userId,
      actor_username: entry.actor.username,
      ip: entry.ip,
      target: entry.target ?? null,
      detail_json: JSON.stringify(entry.detail ?? {}),
    });
  }

  async list(filter: AuditFilter, limit: number, cursor: string | null): Promise<AuditPage> {
    const q = this.db('audit_events').select('*');
    if (filter.from) q.where('at', '>=', filter.from.getTime());
    if (filter.to) q.where('at', '<', filter.to.getTime());
    if (filter.action) {
      const prefix = !filter.action.includes('.') || filter.action.endsWith('.');
      if (prefix) q.whereRaw(`action like ? escape '\\'`, [`${escapeLike(filter.action.replace(/\.$/, ''))}.%`]);
      else q.where('action', filter.action);
    }
    if (filter.actor) q.where('actor_username', filter.actor);
    if (filter.target) q.where('target', filter.target);
    // A cursor this store did not issue starts from the newest entry.
    const after = cursor ? decodeTimeIdCursor(cursor) : undefined;
    if (after) q.whereRaw('(at, id) < (?, ?)', [after.at, after.id]);
    const rows = (await q
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)) as AuditRow[];
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { items: rows.slice(0, limit).map(toEvent), nextCursor: last ? encodeTimeIdCursor({ at: Number(last.at), id: Number(last.id) }) : null };
  }
}
