// The public status page (/status): the snapshot the status page service builds from public-safe
// facts, formatted for the page (times in the office time zone).
import type { PublicIncident, StatusSnapshot } from '../../detector/reporting/status-page.js';
import type { Language } from '../i18n.js';
import { formatPercent, ratioClass } from './formatters.js';

/** The page: services with their state and daily bars, current and recently resolved incidents. */
export function statusView(s: StatusSnapshot, lang: Language, dateTime: (d: Date | null) => string) {
  const incident = (i: PublicIncident) => ({ ...i, startedAt: dateTime(i.startedAt), restoredAt: i.restoredAt ? dateTime(i.restoredAt) : null });
  return {
    allOperational: s.services.every((svc) => svc.state === 'operational'),
    services: s.services.map((svc) => ({
      key: svc.key,
      name: svc.name,
      state: svc.state,
      uptime: formatPercent(svc.uptime90d, lang),
      days: svc.days.map((d) => ({ day: d.day, cls: ratioClass(d.ratio), percent: formatPercent(d.ratio, lang) })),
    })),
    current: s.incidents.filter((i) => i.state !== 'resolved').map(incident),
    recent: s.incidents.filter((i) => i.state === 'resolved').map(incident),
    generatedAt: dateTime(s.generatedAt),
  };
}
