// What an integrity check's desk side keeps and reads: the accepted baseline, and what the check's
// latest integrity result saw.
import type { IntegrityBaseline, IntegrityEvidence, IntegrityFindingKind, IntegritySnapshot } from '../../probes/probe-types.js';

/** Every kind of finding, in the order the metric and the pages list them. */
export const INTEGRITY_FINDING_KINDS: readonly IntegrityFindingKind[] = ['forbidden_term', 'hidden_link', 'foreign_link', 'foreign_embed', 'sitemap_entry', 'cloaking', 'drift'];

/** A baseline as it is kept: who accepted it also by user id (null: recorded automatically). */
export interface StoredBaseline extends IntegrityBaseline {
  acceptedByUserId: number | null;
}

/** A baseline to write: the snapshot, when, and by whom (null: Sigap, from the first clean result). */
export interface NewBaseline {
  snapshot: IntegritySnapshot;
  acceptedAt: Date;
  acceptedBy: { id: number; username: string } | null;
}

/** The newest probe result of a check that carries integrity evidence. */
export interface LatestIntegrity {
  startedAt: Date;
  status: string;
  integrity: IntegrityEvidence;
}

/** An active integrity check's latest findings by kind (empty when it has no result yet), for /metrics. */
export interface IntegrityCounts {
  checkKey: string;
  serviceKey: string;
  counts: Partial<Record<IntegrityFindingKind, number>>;
}
