// Checks and their raw probe results as the JSON API answers them.
import type { CheckListing } from '../../detector/detection/check-queries.js';
import type { StoredResult } from '../../detector/detection/check-types.js';

/** A check with where it comes from (`file` ones are read-only) and, for a dashboard check, its definition. */
export function checkJson({ record: r, intervalMs, definition, updatedBy }: CheckListing) {
  return {
    key: r.key,
    service: r.serviceKey,
    type: r.type,
    target: r.target,
    source: r.source,
    enabled: r.active,
    readOnly: r.source === 'file',
    state: r.state,
    lastResultAt: r.lastResultAt?.toISOString() ?? null,
    intervalMs,
    definition,
    updatedBy,
  };
}

/** One raw probe result, without its row id. */
export function resultJson(r: StoredResult) {
  return { ...r, id: undefined, startedAt: r.startedAt.toISOString() };
}
