// An integrity check on the pages: the incident's findings (each snippet as three plain strings the
// template escapes, the match highlighted), the drift from the baseline, the baseline it differs
// from, how much was scanned, and the form that accepts what the check sees now; on /services, a
// line per integrity check with its baseline and the same form. Every string here is data or a
// locale key: the templates print it with {{ }} only.
import type { User } from '../../detector/accounts/account-types.js';
import { mayAcceptBaseline, snapshotVersion, type IntegrityBaselineView } from '../../detector/integrity/baseline-service.js';
import type { StoredBaseline } from '../../detector/integrity/integrity-types.js';
import type { IntegrityBaseline, IntegrityEvidence, IntegrityFinding } from '../../probes/probe-types.js';
import type { Formatters } from './formatters.js';

/** The `?done=` the incident page and /services read after a baseline was accepted. */
export const ACCEPTED_BASELINE = 'accept-baseline';

/** Why a hidden link is hidden, as the probe says it → a locale key (CSS stays as written). */
const HIDDEN_KEYS: Record<string, string> = {
  'zero size': 'integrity.hidden.zeroSize',
  'off-screen': 'integrity.hidden.offScreen',
  'hidden attribute': 'integrity.hidden.attribute',
};

function findingView(f: IntegrityFinding) {
  const drift = f.kind === 'drift';
  return {
    kindKey: `integrity.kind.${f.kind}`,
    whereKey: `integrity.where.${f.where}`,
    viewerKey: `integrity.viewer.${f.viewer}`,
    userAgent: f.userAgent,
    url: f.url,
    term: f.term ?? null,
    domain: f.domain ?? null,
    hiddenKey: f.hidden ? (HIDDEN_KEYS[f.hidden] ?? null) : null,
    hiddenCss: f.hidden && !HIDDEN_KEYS[f.hidden] ? f.hidden : null,
    drift: drift ? { fieldKey: `integrity.field.${f.field ?? 'text'}`, before: f.before ?? '', after: f.after ?? '' } : null,
    snippet: f.snippet ? { before: f.snippet.before, match: f.snippet.match, after: f.snippet.after } : null,
  };
}

function baselineView(b: IntegrityBaseline | StoredBaseline | null, fmt: Formatters) {
  if (!b) return null;
  return {
    title: b.title,
    description: b.description,
    domains: b.domains.join(', '),
    fingerprint: b.fingerprint,
    acceptedAt: fmt.dateTime(new Date(b.acceptedAt)),
    acceptedBy: b.acceptedBy,
    automatic: b.acceptedBy === null,
  };
}

/** The accept form for this person, or null: who may accept, with the latest snapshot's version. */
function acceptForm(view: IntegrityBaselineView | null, user: Pick<User, 'role'>, action: string, fmt: Formatters) {
  if (!view?.latest || !mayAcceptBaseline(user)) return null;
  const s = view.latest.snapshot;
  const current = view.baseline !== null && snapshotVersion(view.baseline) === snapshotVersion(s);
  return { action, version: snapshotVersion(s), title: s.title, domains: s.domains.join(', '), checkedAt: fmt.dateTime(view.latest.startedAt), current };
}

/**
 * The incident page's integrity section, or null when its evidence has none. `evidence` is the
 * incident's (already redacted for the viewer); `view` the check's baseline now; `done`: the
 * page was reached after accepting a baseline.
 */
export function integrityEvidenceView(
  ref: string,
  evidence: IntegrityEvidence | undefined,
  view: IntegrityBaselineView | null,
  fmt: Formatters,
  user: Pick<User, 'role'>,
  done: boolean,
) {
  if (!evidence) return null;
  const findings = evidence.findings.map(findingView);
  const total = Object.values(evidence.counts).reduce((a, b) => a + (b ?? 0), 0);
  return {
    findings: findings.filter((f) => !f.drift),
    drift: findings.filter((f) => f.drift),
    total,
    shown: evidence.findings.length,
    more: total > evidence.findings.length,
    // The baseline the findings were judged against (as the probe read it), and the one now.
    baseline: baselineView(evidence.baseline, fmt),
    baselineNow: view?.baseline && (!evidence.baseline || snapshotVersion(view.baseline) !== snapshotVersion(evidence.baseline)) ? baselineView(view.baseline, fmt) : null,
    scanned: evidence.scanned,
    limits: evidence.scanned.limits,
    acceptForm: acceptForm(view, user, `/incidents/${encodeURIComponent(ref)}/accept-baseline`, fmt),
    flashKey: done ? 'integrity.done.accepted' : null,
  };
}

/** /services: each integrity check's baseline line and accept form, by check key. */
export function integrityServicesView(views: ReadonlyMap<string, IntegrityBaselineView>, fmt: Formatters, user: Pick<User, 'role'>) {
  return Object.fromEntries(
    [...views].map(([key, view]) => [
      key,
      {
        baseline: baselineView(view.baseline, fmt),
        findings: view.latest ? Object.values(view.latest.integrity.counts).reduce((a, b) => a + (b ?? 0), 0) : null,
        acceptForm: acceptForm(view, user, `/services/checks/${encodeURIComponent(key)}/accept-baseline`, fmt),
      },
    ]),
  );
}
