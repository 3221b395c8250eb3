// A check's raw probe results as rows ⇄ domain, and their keyset pages: newest first, the cursor
// carrying the last row's sort key (started_at, id), as the incident queue's does.
import type { Knex } from 'knex';
import type { ProbeStatus } from '../../probes/probe-types.js';
import type { StoredResult } from '../detection/check-types.js';
import { ValidationError } from '../errors.js';
import type { Page } from '../incidents/incident-types.js';
import { decodeTimeIdCursor, encodeTimeIdCursor, type TimeIdKey } from './keyset-cursor.js';
import { parseJson, toDate } from './row-mapping.js';

export function toStoredResult(r: Record<string, unknown>, checkKey: string): StoredResult {
  return {
    id: Number(r.id),
    checkKey,
    startedAt: toDate(r.started_at as number)!,
    durationMs: r.duration_ms as number,
    status: r.status as ProbeStatus,
    failureKind: (r.failure_kind as StoredResult['failureKind']) ?? null,
    httpStatus: (r.http_status as number | null) ?? null,
    errorCode: (r.error_code as string | null) ?? null,
    timings: parseJson(r.timings_json as string | null) ?? {},
    evidence: parseJson(r.evidence_json as string | null),
    instance: r.instance as string,
  };
}

function decodeCursor(text: string): TimeIdKey {
  const key = decodeTimeIdCursor(text);
  if (key) return key;
  // Unlike the queue, which starts over, a results reader walking back in time would silently
  // read the newest page again: refuse instead.
  throw new ValidationError('the cursor is not one this endpoint gave', [{ path: 'cursor', message: 'must be the nextCursor of an earlier answer' }]);
}

/** One page of the check's results started in [from, to), newest first, after `cursor`. */
export async function resultsPage(db: Knex, checkKey: string, from: Date, to: Date, limit: number, cursor: string | null): Promise<Page<StoredResult>> {
  const before = cursor === null ? null : decodeCursor(cursor);
  const q = db('check_results as r')
    .join('checks as c', 'c.id', 'r.check_id')
    .where('c.key', checkKey)
    .where('r.started_at', '>=', from.getTime())
    .where('r.started_at', '<', to.getTime());
  // A row-value comparison, which both databases answer from the (check_id, started_at) index.
  if (before) q.whereRaw('(r.started_at, r.id) < (?, ?)', [before.at, before.id]);
  const rows = (await q
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(limit + 1)
    .select('r.*')) as Record<string, unknown>[];
  const items = rows.slice(0, limit).map((r) => toStoredResult(r, checkKey));
  const last = rows.length > limit ? items[limit - 1] : undefined;
  return { items, nextCursor: last ? encodeTimeIdCursor({ at: last.startedAt.getTime(), id: last.id }) : null };
}
