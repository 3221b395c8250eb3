// View models for the pages: everything a template shows is decided here, so templates only
// format. Labels come from the locale files through the `t` helper.
import type { Incident } from '../detector/domain-types.js';
import type { ServiceOverview } from '../detector/service-overview.js';
import type { IncidentDetail } from '../detector/incident-service.js';
import type { Language } from './i18n.js';

export interface Formatters {
  dateTime: (d: Date | null) => string;
  lang: Language;
}

const UNITS: Record<Language, Array<[number, string]>> = {
  id: [[86_400_000, 'hari'], [3_600_000, 'jam'], [60_000, 'menit']],
  en: [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min']],
};

export function formatDuration(ms: number, lang: Language): string {
  let rest = Math.abs(ms);
  const parts: string[] = [];
  for (const [size, unit] of UNITS[lang]) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && size === 60_000)) parts.push(`${n} ${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Time left before a due time, or how far past it. */
function dueView(due: Date, now: Date, stopped: boolean, fmt: Formatters) {
  const left = due.getTime() - now.getTime();
  return { at: fmt.dateTime(due), overdue: !stopped && left < 0, stopped, amount: formatDuration(left, fmt.lang) };
}

function rowView(i: Incident, now: Date, fmt: Formatters) {
  const open = !['resolved', 'closed', 'canceled'].includes(i.status);
  return {
    ref: i.ref,
    href: `/incidents/${encodeURIComponent(i.ref)}`,
    title: i.title,
    service: i.service,
    check: i.check,
    priority: i.priority,
    priorityClass: `priority-${i.priority.toLowerCase()}`,
    status: i.status,
    assignee: i.assignee,
    escalationLevel: i.escalationLevel,
    detectedAt: fmt.dateTime(i.detectedAt),
    restored: i.serviceRestoredAt !== null,
    restoredAt: fmt.dateTime(i.serviceRestoredAt),
    response: dueView(i.responseDueAt, now, i.acknowledgedAt !== null || !open, fmt),
    resolution: dueView(i.resolveDueAt, now, !open || i.status === 'pending', fmt),
    breached: i.responseBreached || i.resolutionBreached,
  };
}

export function queueView(items: Incident[], now: Date, fmt: Formatters) {
  return { rows: items.map((i) => rowView(i, now, fmt)), empty: items.length === 0 };
}

export function incidentView(detail: IncidentDetail, now: Date, fmt: Formatters) {
  const i = detail.incident;
  return {
    title: `${i.ref} — ${i.title}`,
    incident: {
      ...rowView(i, now, fmt),
      description: i.description,
      source: i.source,
      category: i.category,
      subcategory: i.subcategory,
      failureKind: i.failureKind,
      impact: i.impact,
      urgency: i.urgency,
      assignedGroup: i.assignedGroup,
      reporter: i.reporter,
      evidence: i.evidence
        ? {
            ...i.evidence,
            headers: Object.entries(i.evidence.headers ?? {}).map(([name, value]) => ({ name, value })),
            timings: Object.entries(i.evidence.timings ?? {}).map(([phase, ms]) => ({ phase, ms: Math.round(Number(ms)) })),
          }
        : null,
    },
    events: detail.events.map((e) => ({ at: fmt.dateTime(e.at), actor: e.actor, type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, note: e.note })),
    suggestions: detail.suggestions,
  };
}

const percent = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(2)} %`);

interface CheckListItem {
  key: string;
  service: string;
  type: string;
  target: string;
  source: 'file' | 'dashboard';
  enabled: boolean;
  state: string;
  lastResultAt: string | null;
  definition: unknown;
  updatedBy: string | null;
}

/** Services with their checks; each check says where it comes from and, for dashboard ones, its YAML. */
export function servicesView(overview: ServiceOverview[], checks: CheckListItem[], fmt: Formatters, toYaml: (definition: unknown) => string) {
  const availabilityOf = new Map(overview.flatMap((s) => s.checks.map((c) => [c.check.key, c.availability] as const)));
  return {
    title: 'Layanan',
    services: overview.map(({ service, state, availability }) => ({
      key: service.key,
      name: service.name,
      impact: service.impact,
      state,
      stateClass: `state-${state}`,
      availability: { day: percent(availability['24h']), week: percent(availability['7d']), month: percent(availability['30d']) },
      checks: checks
        .filter((c) => c.service === service.key)
        .map((c) => ({
          ...c,
          stateClass: `state-${c.enabled ? c.state : 'disabled'}`,
          fromFile: c.source === 'file',
          lastResultAt: fmt.dateTime(c.lastResultAt ? new Date(c.lastResultAt) : null),
          availabilityDay: percent(availabilityOf.get(c.key)?.['24h'] ?? null),
          yaml: c.definition ? toYaml(c.definition) : null,
        })),
    })),
  };
}
