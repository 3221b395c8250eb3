import type { StatusSnapshot } from '../../detector/reporting/status-page.js';

/** /status.json: the page's content, times in ISO-8601 UTC; `overall` and each service's `state` are the page's one state. */
export function statusJson(s: StatusSnapshot) {
  return {
    overall: s.overall,
    services: s.services.map(({ key, name, state, uptime90d, days }) => ({ key, name, state, uptime90d, days })),
    disrupted: s.disrupted.map((svc) => svc.key),
    incidents: s.incidents.map((i) => ({
      service: i.service,
      serviceName: i.serviceName,
      category: i.category,
      state: i.state,
      startedAt: i.startedAt.toISOString(),
      restoredAt: i.restoredAt?.toISOString() ?? null,
    })),
    generatedAt: s.generatedAt.toISOString(),
  };
}
