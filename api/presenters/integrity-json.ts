// An integrity check's baseline and latest snapshot as the API sends them (ISO-8601 UTC); URLs
// pass the secrets gate like any evidence.
import type { User } from '../../detector/accounts/account-types.js';
import { snapshotVersion, type IntegrityBaselineView } from '../../detector/integrity/baseline-service.js';
import { redactSecrets } from './secrets.js';

export function integrityBaselineJson(view: IntegrityBaselineView, viewer: Pick<User, 'role'>) {
  const { baseline, latest } = view;
  return redactSecrets(json(view.checkKey, baseline, latest), viewer);
}

function json(checkKey: string, baseline: IntegrityBaselineView['baseline'], latest: IntegrityBaselineView['latest']) {
  return {
    check: checkKey,
    baseline: baseline
      ? {
          url: baseline.url,
          title: baseline.title,
          description: baseline.description,
          domains: baseline.domains,
          fingerprint: baseline.fingerprint,
          version: snapshotVersion(baseline),
          acceptedAt: baseline.acceptedAt,
          acceptedBy: baseline.acceptedBy,
        }
      : null,
    latest: latest
      ? {
          checkedAt: latest.startedAt.toISOString(),
          status: latest.status,
          snapshot: latest.snapshot,
          version: snapshotVersion(latest.snapshot),
          counts: latest.integrity.counts,
          findings: latest.integrity.findings,
        }
      : null,
  };
}
