// Hand-made integrity probe results, as the integrity probe reports them (probes/probe-types.ts):
// for feeding the detector where a test is about what happens after the probe.
import type { IntegrityBaseline, IntegrityEvidence, IntegrityFinding, IntegritySnapshot, ProbeResult } from '../../probes/probe-types.js';

export const CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export function snapshot(overrides: Partial<IntegritySnapshot> = {}): IntegritySnapshot {
  return {
    url: 'https://dpmptsp.example/',
    title: 'DPMPTSP Kabupaten',
    description: 'Layanan perizinan terpadu satu pintu',
    domains: ['lapor.go.id'],
    fingerprint: '0123456789abcdef',
    ...overrides,
  };
}

/** A finding of `kind` seen by a browser on the check's page, with a snippet. */
export function finding(kind: IntegrityFinding['kind'], overrides: Partial<IntegrityFinding> = {}): IntegrityFinding {
  return {
    kind,
    url: 'https://dpmptsp.example/',
    viewer: 'browser',
    userAgent: CHROME_UA,
    where: 'link',
    ...overrides,
  };
}

export function integrityEvidence(
  findings: IntegrityFinding[],
  options: { snapshot?: IntegritySnapshot | null; baseline?: IntegrityBaseline | null; limits?: string[] } = {},
): IntegrityEvidence {
  const counts: IntegrityEvidence['counts'] = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return {
    findings,
    counts,
    snapshot: options.snapshot === undefined ? snapshot() : options.snapshot,
    baseline: options.baseline ?? null,
    scanned: { pages: 3, sitemaps: 1, sitemapUrls: 2, limits: options.limits ?? [] },
  };
}

/** An integrity result: findings make it degraded (the most serious kind first), none up. */
export function integrityResult(checkKey: string, startedAt: Date, evidence: IntegrityEvidence): ProbeResult {
  const found = evidence.findings.length > 0;
  const kinds = evidence.findings.map((f) => f.kind);
  const failureKind = !found
    ? null
    : kinds.includes('cloaking')
      ? 'cloaking'
      : kinds.some((k) => k === 'drift' || (k === 'forbidden_term' && !evidence.findings.some((f) => f.hidden)))
        ? 'defacement'
        : 'injected_content';
  return {
    checkKey,
    startedAt,
    durationMs: 120,
    status: found ? 'degraded' : 'up',
    failureKind,
    timings: {},
    evidence: { url: evidence.snapshot?.url ?? 'https://dpmptsp.example/', integrity: evidence },
  };
}
