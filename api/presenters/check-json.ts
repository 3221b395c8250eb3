// Checks and their raw probe results as the JSON API answers them.
import type { CheckListing } from '../../detector/detection/check-queries.js';
import type { StoredResult } from '../../detector/detection/check-types.js';
import type { User } from '../../detector/accounts/account-types.js';
import { redactEvidence, redactSecrets } from './secrets.js';

/**
 * A check with where it comes from (`file` ones are read-only) and, for a dashboard check, its
 * definition — header values and other secrets redacted unless the viewer is an admin (secrets.ts).
 */
export function checkJson({ record: r, intervalMs, definition, updatedBy }: CheckListing, viewer: Pick<User, 'role'>) {
  return {
    key: r.key,
    service: r.serviceKey,
    type: r.type,
    target: redactSecrets(r.target, viewer),
    source: r.source,
    enabled: r.active,
    readOnly: r.source === 'file',
    state: r.state,
    lastResultAt: r.lastResultAt?.toISOString() ?? null,
    intervalMs,
    definition: redactSecrets(definition, viewer),
    updatedBy,
  };
}

/** One raw probe result, without its row id. */
export function resultJson(r: StoredResult, viewer: Pick<User, 'role'>) {
  return { ...r, id: undefined, startedAt: r.startedAt.toISOString(), evidence: r.evidence ? redactEvidence(r.evidence, viewer) : null };
}
