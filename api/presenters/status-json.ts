import type { StatusSnapshot } from '../../detector/reporting/status-page.js';

/** /status.json: the page's content, times in ISO-8601 UTC. */
export function statusJson(s: StatusSnapshot) {
  return {
    services: s.services.map(({ key, name, state, uptime90d, days }) => ({ key, name, state, uptime90d, days })),
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
