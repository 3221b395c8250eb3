// Secrets stay with admins: the one gate every presenter passes configuration through before it
// is answered or rendered. Admins configure checks and channels, so they see what they typed;
// every other role reads it with `redactConfigured` (redaction.ts: names stay, values read
// `[redacted]`).
import type { User } from '../../detector/accounts/account-types.js';
import { redactConfigured } from '../../redaction.js';

type Viewer = Pick<User, 'role'> | null | undefined;

/** Whether this reader sees configured secrets as typed: admins only. */
export function readsSecrets(viewer: Viewer): boolean {
  return viewer?.role === 'admin';
}

/** What this reader may see of configuration: as typed for an admin, redacted for anyone else. */
export function redactSecrets<T>(value: T, viewer: Viewer): T {
  return readsSecrets(viewer) ? value : redactConfigured(value);
}

/**
 * A probe's evidence: the response headers a site sent are no secret of ours and stay; the URLs
 * (the check's own, each redirect) are redacted like the check's target.
 */
export function redactEvidence<E extends { headers?: Record<string, string> }>(evidence: E, viewer: Viewer): E {
  if (readsSecrets(viewer)) return evidence;
  const { headers, ...rest } = evidence;
  return { ...redactConfigured(rest), ...(headers ? { headers } : {}) } as E;
}
