// GET /api/services: each service with its state, availability (confirmed outages, the SLA
// figure) and probe success (probe level), and its checks with theirs.
import type { User } from '../../detector/accounts/account-types.js';
import type { ServiceOverview } from '../../detector/reporting/service-overview.js';
import { redactSecrets } from './secrets.js';

export function serviceJson({ service, state, checks, availability, probeSuccess }: ServiceOverview, viewer: Pick<User, 'role'>) {
  return {
    key: service.key,
    name: service.name,
    impact: service.impact,
    state,
    availability,
    probeSuccess,
    checks: checks.map(({ check, availability: checkAvailability, probeSuccess: checkProbeSuccess }) => ({
      key: check.key,
      type: check.type,
      target: redactSecrets(check.target, viewer),
      state: check.state,
      consecutiveFailures: check.consecutiveFailures,
      consecutiveSuccesses: check.consecutiveSuccesses,
      lastResultAt: check.lastResultAt?.toISOString() ?? null,
      lastStateChangeAt: check.lastStateChangeAt?.toISOString() ?? null,
      availability: checkAvailability,
      probeSuccess: checkProbeSuccess,
    })),
  };
}
