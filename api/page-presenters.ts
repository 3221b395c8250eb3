// View models for the pages: everything a template shows is decided here, so templates only
// format. Labels come from the locale files through the `t` helper.
import type { Incident } from '../detector/incidents/incident-types.js';
import type { IncidentEvent, ManagementReason, SlaTargetName } from '../detector/incidents/incident-events.js';
import type { StoredResult } from '../detector/detection/check-types.js';
import type { OutboxRow } from '../detector/notify/notification-types.js';
import type { ServiceOverview } from '../detector/reporting/service-overview.js';
import type { CheckListing } from '../detector/detection/check-queries.js';
import { checkJson } from './presenters/check-json.js';
import type { ClosureStatus, IncidentDetail } from '../detector/incidents/incident-queries.js';
import { LIFECYCLE } from '../detector/incidents/lifecycle.js';
import type { Language } from './i18n.js';
import { timelineView } from './incident-timeline.js';

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
function dueView(due: Date, now: Date, stopped: boolean, breached: boolean, fmt: Formatters) {
  const left = due.getTime() - now.getTime();
  return { at: fmt.dateTime(due), overdue: !stopped && left < 0, stopped, breached: stopped && breached, amount: formatDuration(left, fmt.lang) };
}

function rowView(i: Incident, now: Date, fmt: Formatters) {
  const escalated = i.escalationLevel > 0;
  const breached = i.responseBreached || i.resolutionBreached;
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
    // Time left or over while the target's clock runs in this state (DESIGN §4 "States"); a missed
    // target whose clock has stopped says so with its breach tag instead of a growing "over".
    response: dueView(i.responseDueAt, now, LIFECYCLE[i.status].responseClock !== 'runs', i.responseBreached, fmt),
    resolution: dueView(i.resolveDueAt, now, LIFECYCLE[i.status].resolutionClock !== 'runs', i.resolutionBreached, fmt),
    rowClass: [`priority-${i.priority.toLowerCase()}`, escalated ? 'escalated' : null, breached ? 'breached' : null].filter(Boolean).join(' '),
    escalated,
    assignedGroup: i.assignedGroup,
    breached,
    responseBreached: i.responseBreached,
    resolutionBreached: i.resolutionBreached,
    /** Which targets were missed, as one label key: the tag names them, not only a colour. */
    breachKey: breached ? `breach.${i.responseBreached && i.resolutionBreached ? 'both' : i.responseBreached ? 'response' : 'resolution'}` : null,
    managementEscalated: i.managementEscalated,
  };
}

export function queueView(items: Incident[], now: Date, fmt: Formatters) {
  return { rows: items.map((i) => rowView(i, now, fmt)), empty: items.length === 0 };
}

/** `results`: the check's probe results around the incident, merged into the timeline. */
export function incidentView(detail: IncidentDetail, now: Date, fmt: Formatters, results: readonly StoredResult[] = []) {
  const i = detail.incident;
  const events = detail.events.map((e) => ({ event: e, view: eventView(e, fmt) }));
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
    events: events.map((e) => e.view),
    timeline: timelineView(events, results, fmt),
    resultsShown: results.length,
    suggestions: detail.suggestions,
    managementReasons: managementReasons(detail.events),
    closure: detail.closure ? closureView(i, detail.closure, fmt) : null,
    deliveries: deliveriesView(detail.notifications, fmt),
  };
}

function eventView(e: IncidentEvent, fmt: Formatters) {
  return { at: fmt.dateTime(e.at), actor: e.actor, type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, moved: e.toStatus !== null && e.toStatus !== e.fromStatus, note: e.note, ...eventDetail(e, fmt) };
}

const SLA_TARGETS: readonly string[] = ['response', 'resolution'] satisfies SlaTargetName[];
const MANAGEMENT_REASONS: readonly string[] = ['priority_P1', 'response_breach', 'resolution_breach', 'request'] satisfies ManagementReason[];

/** What an event's data adds to its label (which target, why), as a label key; null when nothing. */
function eventDetail(e: IncidentEvent, fmt: Formatters): { detailKey: string | null; amount: string | null } {
  // Data is checked as well as typed: rows written before a field existed lack it.
  const known = (value: unknown, allowed: readonly string[]) => typeof value === 'string' && allowed.includes(value);
  const amount = (ms: unknown) => (typeof ms === 'number' ? formatDuration(ms, fmt.lang) : null);
  const none = { detailKey: null, amount: null };
  switch (e.type) {
    case 'warning':
      return known(e.data?.target, SLA_TARGETS) ? { detailKey: `event.detail.warning.${e.data.target}`, amount: amount(e.data.leftMs) } : none;
    case 'breached':
      return known(e.data?.target, SLA_TARGETS) ? { detailKey: `event.detail.breached.${e.data.target}`, amount: amount(e.data.lateMs) } : none;
    case 'escalate':
      return e.data?.automatic === true && known(e.data.reason, MANAGEMENT_REASONS) ? { detailKey: `event.detail.automatic.${e.data.reason}`, amount: null } : none;
    case 'escalate_management':
      return known(e.data?.reason, MANAGEMENT_REASONS) ? { detailKey: `reason.${e.data.reason}`, amount: null } : none;
    default:
      return none;
  }
}

/** Why the head of division was brought in, oldest first, each reason once (label keys). */
function managementReasons(events: IncidentEvent[]): string[] {
  const reasons = events.flatMap((e) => (e.type === 'escalate_management' && known(e.data?.reason) ? [e.data.reason] : []));
  return [...new Set(reasons)].map((r) => `reason.${r}`);
  function known(reason: unknown): reason is ManagementReason {
    return typeof reason === 'string' && MANAGEMENT_REASONS.includes(reason);
  }
}

const MARKS = { true: '✓', false: '✗', null: '–' } as const;

/** SOP-Insiden-003's checklist with a sentence per item, and when (or whether) it closes by itself. */
function closureView(i: Incident, closure: ClosureStatus, fmt: Formatters) {
  const v = closure.verification;
  const duration = (ms: number | null) => formatDuration(ms ?? 0, fmt.lang);
  const closed = i.status === 'closed';
  const detailOf = (item: ClosureStatus['checklist'][number]['item']): string | null => {
    if (item === 'resolution_documented') return null;
    if (item === 'reporter_informed') return closed && i.closureCode ? `closure.code.${i.closureCode}` : null;
    // Once closed, the live check says nothing about the closure any more, except why it did not apply.
    return closed && v.state !== 'not_required' && v.state !== 'waived' ? null : `closure.verification.${v.reason}`;
  };
  return {
    items: closure.checklist.map(({ item, done }) => ({
      item,
      labelKey: `closure.item.${item}`,
      mark: MARKS[String(done) as keyof typeof MARKS],
      stateClass: done === null ? 'not-applicable' : done ? 'done' : 'not-done',
      stateKey: done === null ? 'closure.notApplicable' : done ? 'closure.done' : 'closure.notDone',
      detailKey: detailOf(item),
      healthyFor: duration(v.healthyForMs),
      remaining: duration(v.remainingMs),
      required: duration(v.requiredMs),
      reporter: item === 'reporter_informed' && i.reporter ? i.reporter.name : null,
    })),
    autoCloseAt: closure.autoCloseAt ? fmt.dateTime(closure.autoCloseAt) : null,
    neverAutoCloses: i.status === 'resolved' && i.priority === 'P1',
    knownErrorHint: closure.knownErrorHint,
  };
}

const percent = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(2)} %`);

/** Services with their checks; each check says where it comes from and, for dashboard ones, its YAML. */
export function servicesView(overview: ServiceOverview[], listings: CheckListing[], fmt: Formatters, toYaml: (definition: unknown) => string) {
  const checks = listings.map(checkJson);
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

/** One delivery as a table row: channel, recipient, status (with its class), attempts, last error. */
function deliveryRow(n: OutboxRow, fmt: Formatters) {
  return {
    id: n.id,
    incidentRef: n.incidentRef,
    href: `/incidents/${encodeURIComponent(n.incidentRef)}`,
    event: n.event,
    channel: n.channelKey,
    recipient: n.recipient,
    status: n.status,
    statusClass: `delivery-${n.status}${n.status === 'pending' && n.attempts > 0 ? ' delivery-retrying' : ''}`,
    attempts: n.attempts,
    lastError: n.lastError,
    createdAt: fmt.dateTime(n.createdAt),
    sentAt: n.sentAt ? fmt.dateTime(n.sentAt) : null,
    nextAttemptAt: n.status === 'pending' ? fmt.dateTime(n.nextAttemptAt) : null,
  };
}

export function deliveriesView(rows: OutboxRow[], fmt: Formatters) {
  return rows.map((n) => deliveryRow(n, fmt));
}

export function notificationsView(rows: OutboxRow[], fmt: Formatters) {
  return { title: 'Notifikasi', deliveries: deliveriesView(rows, fmt), empty: rows.length === 0 };
}
