// The public status page (/status): the snapshot the status page service builds from public-safe
// facts, formatted for the page (times in the office time zone). The headline, the cards and the
// list of ongoing disruptions all come from the snapshot's one state per service.
import type { PublicIncident, StatusSnapshot } from '../../detector/reporting/status-page.js';
import type { Language } from '../i18n.js';
import { formatPercent, ratioClass } from './formatters.js';

/** The page: headline, services with their state and daily bars, ongoing disruptions, recent incidents. */
export function statusView(s: StatusSnapshot, lang: Language, dateTime: (d: Date | null) => string) {
  const incident = (i: PublicIncident) => ({ ...i, startedAt: dateTime(i.startedAt), restoredAt: i.restoredAt ? dateTime(i.restoredAt) : null });
  const listed = new Set(s.disrupted.flatMap((svc) => svc.ongoing));
  return {
    overall: s.overall,
    allOperational: s.overall === 'operational',
    services: s.services.map((svc) => ({
      key: svc.key,
      name: svc.name,
      state: svc.state,
      uptime: formatPercent(svc.uptime90d, lang),
      days: svc.days.map((d) => ({ day: d.day, cls: ratioClass(d.ratio), percent: formatPercent(d.ratio, lang) })),
    })),
    current: s.disrupted.map((svc) => ({ key: svc.key, name: svc.name, state: svc.state, incidents: svc.ongoing.map(incident) })),
    // Everything not under an ongoing disruption: resolved incidents, and those restored on a service that is running again.
    recent: s.incidents.filter((i) => !listed.has(i)).map(incident),
    generatedAt: dateTime(s.generatedAt),
  };
}
