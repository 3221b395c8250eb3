// The incident queue: open work first, by priority, then the resolution due time; filters and
// keyset pagination (the cursor carries the last row's sort key).
import type { Knex } from 'knex';
import type { Incident, IncidentFilter, Page } from '../incidents/incident-types.js';
import { OPEN_STATUSES } from '../incidents/lifecycle.js';
import { toIncident, type Row } from './incident-rows.js';
import { whereSearchMatches } from './incident-search.js';

// The queue's order: open work first, then resolved, then finished; by priority, then the
// resolution due time. The cursor carries the last row's sort key (keyset pagination). The
// index incidents_queue_order (migration 1900) is this expression: keep them the same, or every
// page of the queue sorts all incidents again.
const RANK_SQL = `CASE WHEN i.status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')}) THEN 0 WHEN i.status = 'resolved' THEN 1 ELSE 2 END`;

interface Cursor {
  rank: number;
  priority: string;
  due: number;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.priority, c.due, c.id])).toString('base64url');
}

/** Undefined when the cursor is not one this store issued. */
function decodeCursor(text: string): Cursor | undefined {
  try {
    const [rank, priority, due, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof rank === 'number' && typeof priority === 'string' && typeof due === 'number' && typeof id === 'number') {
      return { rank, priority, due, id };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** One page of the queue from `q` (the store's select of incidents), filtered, after `cursor`. */
export async function queuePage(
  db: Knex,
  dialect: 'sqlite' | 'postgres',
  q: Knex.QueryBuilder,
  filter: IncidentFilter,
  limit: number,
  cursor: string | null,
): Promise<Page<Incident>> {
  q.select(db.raw(`${RANK_SQL} as queue_rank`));
  if (filter.openOnly) q.whereIn('i.status', OPEN_STATUSES);
  if (filter.status?.length) q.whereIn('i.status', filter.status);
  if (filter.priority?.length) q.whereIn('i.priority', filter.priority);
  if (filter.service) q.where('s.key', filter.service);
  if (filter.category) q.where('i.category', filter.category);
  if (filter.minEscalationLevel !== undefined) q.where('i.escalation_level', '>=', filter.minEscalationLevel);
  if (filter.assignee) q.where('i.assignee', filter.assignee);
  if (filter.assignedGroup) q.where('i.assigned_group', filter.assignedGroup);
  if (filter.reportedVia) q.where('i.reported_via', filter.reportedVia);
  if (filter.breached === true) q.where((w) => w.where('i.response_breached', true).orWhere('i.resolution_breached', true));
  if (filter.breached === false) q.where({ 'i.response_breached': false, 'i.resolution_breached': false });
  if (filter.q) await whereSearchMatches(db, q, dialect, filter.q);
  const after = cursor ? decodeCursor(cursor) : undefined;
  if (after) {
    // A row-value comparison, which both databases answer from the index in order.
    q.whereRaw(`(${RANK_SQL}, i.priority, i.resolve_due_at, i.id) > (?, ?, ?, ?)`, [after.rank, after.priority, after.due, after.id]);
  }
  const rows = (await q
    .orderByRaw(`${RANK_SQL} asc`)
    .orderBy('i.priority', 'asc')
    .orderBy('i.resolve_due_at', 'asc')
    .orderBy('i.id', 'asc')
    .limit(limit + 1)) as Row[];
  const items = rows.slice(0, limit).map(toIncident);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const nextCursor = last ? encodeCursor({ rank: Number(last.queue_rank), priority: last.priority as string, due: Number(last.resolve_due_at), id: last.id as number }) : null;
  return { items, nextCursor };
}
