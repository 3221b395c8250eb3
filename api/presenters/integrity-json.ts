// An integrity check's baseline and latest snapshot as the API sends them (ISO-8601 UTC).
import type { IntegrityBaselineView } from '../../detector/integrity/baseline-service.js';

export function integrityBaselineJson(view: IntegrityBaselineView) {
  const { baseline, latest } = view;
  return {
    check: view.checkKey,
    baseline: baseline
      ? {
          url: baseline.url,
          title: baseline.title,
          description: baseline.description,
          domains: baseline.domains,
          fingerprint: baseline.fingerprint,
          acceptedAt: baseline.acceptedAt,
          acceptedBy: baseline.acceptedBy,
        }
      : null,
    latest: latest
      ? {
          checkedAt: latest.startedAt.toISOString(),
          status: latest.status,
          snapshot: latest.snapshot,
          counts: latest.integrity.counts,
          findings: latest.integrity.findings,
        }
      : null,
  };
}
