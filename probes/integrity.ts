// The site integrity probe (DESIGN §9). Placeholder until the probe lands: it judges nothing.
import type { IntegrityTarget, ProbeFunction } from './probe-types.js';

export const probeIntegrity: ProbeFunction<IntegrityTarget> = async (target, deps) => ({
  checkKey: target.checkKey,
  startedAt: deps.now(),
  durationMs: 0,
  status: 'unknown',
  failureKind: null,
  timings: {},
  evidence: { url: target.url, reason: 'integrity probe not built' },
});
