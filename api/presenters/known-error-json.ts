import type { KnownError } from '../../detector/incidents/incident-types.js';

export function knownErrorJson(k: KnownError) {
  return { ...k, createdAt: k.createdAt.toISOString() };
}
