// The public status page (/status, /status.json) presented: the snapshot the status page service
// builds from public-safe facts, as JSON and as the page's view model.
import type { PublicIncident, StatusSnapshot } from '../detector/reporting/status-page.js';
import type { Language } from './i18n.js';

/** Bar colour by availability; no data is its own (grey) class. */
export function ratioClass(ratio: number | null): string {
  if (ratio === null) return 'ratio-none';
  if (ratio >= 0.999) return 'ratio-good';
  if (ratio >= 0.99) return 'ratio-fair';
  if (ratio >= 0.95) return 'ratio-poor';
  return 'ratio-bad';
}

const percentFormats: Record<Language, Intl.NumberFormat> = {
  id: new Intl.NumberFormat('id-ID', { style: 'percent', maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 2 }),
};

/** 0.99951 → "99,95%" (id) / "99.95%" (en); truncated, so an outage never rounds up to 100%. */
export function formatPercent(ratio: number | null, lang: Language): string | null {
  if (ratio === null) return null;
  return percentFormats[lang].format(Math.floor(ratio * 10_000) / 10_000);
}

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

/** /status: the same snapshot, formatted for the page (times already in the office time zone). */
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
