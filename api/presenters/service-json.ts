// GET /api/services: each service with its state and availability, and its checks with theirs.
import type { ServiceOverview } from '../../detector/reporting/service-overview.js';

export function serviceJson({ service, state, checks, availability }: ServiceOverview) {
  return {
    key: service.key,
    name: service.name,
    impact: service.impact,
    state,
    availability,
    checks: checks.map(({ check, availability: checkAvailability }) => ({
      key: check.key,
      type: check.type,
      target: check.target,
      state: check.state,
      consecutiveFailures: check.consecutiveFailures,
      consecutiveSuccesses: check.consecutiveSuccesses,
      lastResultAt: check.lastResultAt?.toISOString() ?? null,
      lastStateChangeAt: check.lastStateChangeAt?.toISOString() ?? null,
      availability: checkAvailability,
    })),
  };
}
