// The public status page (/status, /status.json) as pure functions: each service's state from its
// checks, 90 daily bars, and incidents told in public-safe words. Citizens read this page, so an
// incident is only ever its service, a generic category, a state and two times: never its title,
// description, notes, people, evidence, check targets or ref.
import { wallClock, wallClockToInstant } from '../detector/sla/business-calendar.js';
import type { ProbeStatus } from '../probes/probe-types.js';
import type { Language } from './i18n.js';

export type ServiceState = 'operational' | 'degraded' | 'partial_outage' | 'major_outage' | 'maintenance' | 'unknown';
export type PublicIncidentState = 'investigating' | 'restored' | 'resolved';

/** What the page needs of one check to judge its service now. */
export interface CheckSnapshot {
  state: ProbeStatus;
  lastResultAt: Date | null;
  intervalMs: number;
  timeoutMs: number;
  /** A maintenance window covers the check now. */
  inMaintenance: boolean;
}

/** No result within two intervals plus the timeout: the detector has stopped telling us anything. */
export function isStale(check: CheckSnapshot, now: Date): boolean {
  return !check.lastResultAt || now.getTime() - check.lastResultAt.getTime() > 2 * check.intervalMs + check.timeoutMs;
}

/**
 * A service is in maintenance when windows cover all its checks; otherwise the checks outside
 * maintenance decide: all down is a major outage, some down a partial one. A stale check counts
 * as unknown, and the service is unknown only when no check outside maintenance is known.
 */
export function serviceState(checks: readonly CheckSnapshot[], now: Date): ServiceState {
  if (checks.length === 0) return 'unknown';
  const live = checks.filter((c) => !c.inMaintenance);
  if (live.length === 0) return 'maintenance';
  const states = live.map((c) => (isStale(c, now) ? 'unknown' : c.state));
  const down = states.filter((s) => s === 'down').length;
  if (down === live.length) return 'major_outage';
  if (down > 0) return 'partial_outage';
  if (states.includes('degraded')) return 'degraded';
  if (states.every((s) => s === 'unknown')) return 'unknown';
  return 'operational';
}

const DAY_MS = 86_400_000;

/** The last `count` local days up to today (YYYY-MM-DD in `timezone`) and the instant the first began. */
export function lastDays(now: Date, count: number, timezone: string): { from: Date; days: string[] } {
  const today = Math.floor(wallClock(now.getTime(), timezone) / DAY_MS);
  const days = Array.from({ length: count }, (_, i) => new Date((today - count + 1 + i) * DAY_MS).toISOString().slice(0, 10));
  return { from: new Date(wallClockToInstant((today - count + 1) * DAY_MS, timezone)), days };
}

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

/** Internal categories folded into the few words a citizen needs. */
const PUBLIC_CATEGORY: Record<string, string> = {
  availability: 'outage',
  network: 'outage',
  performance: 'slow',
  application: 'function',
  security: 'security',
  data: 'function',
};

export function publicCategory(category: string): string {
  return PUBLIC_CATEGORY[category] ?? 'outage';
}

/** The fields of an incident this page may read: nothing free-text, nothing about people. */
export interface IncidentFacts {
  /** Only to notice the same incident from two sources; never shown. */
  ref: string;
  service: string;
  category: string;
  status: string;
  detectedAt: Date | string;
  serviceRestoredAt: Date | string | null;
  resolvedAt: Date | string | null;
}

export interface PublicIncident {
  service: string;
  serviceName: string;
  category: string;
  state: PublicIncidentState;
  startedAt: Date;
  restoredAt: Date | null;
}

const asDate = (d: Date | string | null): Date | null => (d === null ? null : d instanceof Date ? d : new Date(d));

export const RECENT_MS = 7 * DAY_MS;

/**
 * Open incidents, and those resolved in the last 7 days; canceled ones are not incidents to a
 * citizen. The same incident may come from two sources (the open list and the report): it is listed once.
 */
export function publicIncidents(facts: readonly IncidentFacts[], serviceNames: ReadonlyMap<string, string>, now: Date): PublicIncident[] {
  const seen = new Set<string>();
  const out: PublicIncident[] = [];
  for (const f of facts) {
    if (f.status === 'canceled') continue;
    const startedAt = asDate(f.detectedAt)!;
    const resolvedAt = asDate(f.resolvedAt);
    const finished = f.status === 'resolved' || f.status === 'closed';
    if (finished && (!resolvedAt || now.getTime() - resolvedAt.getTime() > RECENT_MS)) continue;
    if (seen.has(f.ref)) continue;
    seen.add(f.ref);
    const restoredAt = asDate(f.serviceRestoredAt) ?? (finished ? resolvedAt : null);
    out.push({
      service: f.service,
      serviceName: serviceNames.get(f.service) ?? f.service,
      category: publicCategory(f.category),
      state: finished ? 'resolved' : restoredAt ? 'restored' : 'investigating',
      startedAt,
      restoredAt,
    });
  }
  return out.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

export interface ServiceStatus {
  key: string;
  name: string;
  state: ServiceState;
  uptime90d: number | null;
  days: Array<{ day: string; ratio: number | null }>;
}

export interface StatusSnapshot {
  services: ServiceStatus[];
  incidents: PublicIncident[];
  generatedAt: Date;
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
