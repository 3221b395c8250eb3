// The incident pages' view models: the queue's rows, and one incident with its timeline, closure
// checklist and deliveries. Everything a template shows is decided here, so templates only
// format; labels come from the locale files through the `t` helper.
import type { User } from '../../detector/accounts/account-types.js';
import type { Incident } from '../../detector/incidents/incident-types.js';
import type { IncidentEvent, ManagementReason, SlaTargetName } from '../../detector/incidents/incident-events.js';
import type { StoredResult } from '../../detector/detection/check-types.js';
import type { ClosureStatus, IncidentDetail } from '../../detector/incidents/incident-queries.js';
import { LIFECYCLE } from '../../detector/incidents/lifecycle.js';
import { phaseText, probeEvidenceText, probeReasonText } from '../../detector/incidents/probe-words.js';
import type { Language } from '../i18n.js';
import { INFORM_REPORTER_ROLES } from '../../detector/incidents/incident-commands.js';
import { formatDuration, type Formatters } from './formatters.js';
import { deliveriesView } from './notifications-view.js';
import { redactEvidence } from './secrets.js';
import { timelineView } from './timeline-view.js';

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
    service: fmt.serviceNames?.get(i.service) ?? i.service,
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

export function incidentQueueView(items: Incident[], now: Date, fmt: Formatters) {
  return { rows: items.map((i) => rowView(i, now, fmt)), empty: items.length === 0 };
}

/** What the probe found, in words (the stored evidence keeps the probe's English). */
function probeWords(evidence: NonNullable<IncidentDetail['incident']['evidence']>, lang: Language) {
  const errorText = evidence.errorCode ? (probeEvidenceText({ errorCode: evidence.errorCode, errorMessage: evidence.errorMessage }, lang) ?? evidence.errorCode) : null;
  return { errorText, reason: evidence.reason ? probeReasonText(evidence.reason, lang) : evidence.reason };
}

/** `results`: the check's probe results around the incident, merged into the timeline. */
export function incidentView(detail: IncidentDetail, now: Date, fmt: Formatters, viewer: Pick<User, 'role'>, results: readonly StoredResult[] = []) {
  const i = { ...detail.incident, evidence: detail.incident.evidence ? redactEvidence(detail.incident.evidence, viewer) : null };
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
      reporterLine: reporterLine(i, viewer, fmt),
      evidence: i.evidence
        ? {
            ...i.evidence,
            headers: Object.entries(i.evidence.headers ?? {}).map(([name, value]) => ({ name, value })),
            timings: Object.entries(i.evidence.timings ?? {}).map(([phase, ms]) => ({ phase: phaseText(phase, fmt.lang), ms: Math.round(Number(ms)) })),
            ...probeWords(i.evidence, fmt.lang),
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
  return {
    at: fmt.dateTime(e.at),
    actor: e.actor,
    type: e.type,
    fromStatus: e.fromStatus,
    toStatus: e.toStatus,
    moved: e.toStatus !== null && e.toStatus !== e.fromStatus,
    note: e.note,
    ...eventDetail(e, fmt),
  };
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
    case 'baseline_accepted':
      return typeof e.data?.fingerprint === 'string' ? { detailKey: 'event.detail.baseline_accepted', amount: e.data.fingerprint } : none;
    case 'escalate_management':
      return known(e.data?.reason, MANAGEMENT_REASONS) ? { detailKey: `reason.${e.data.reason}`, amount: null } : none;
    case 'resolve':
      // Resolved although the probes still saw the failure, as the person confirmed.
      return e.data?.stillFailing ? { detailKey: 'event.detail.resolve.stillFailing', amount: e.data.stillFailing.check } : none;
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
    if (item === 'reporter_informed') return i.reporterInformedAt ? 'reporter.closure.delivered' : closed && i.closureCode ? `closure.code.${i.closureCode}` : null;
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

/** Beside the reporter: how the report came in, whether they will be told (and when they were), and the desk's switch. */
function reporterLine(i: Incident, viewer: Pick<User, 'role'>, fmt: Formatters) {
  if (!i.reporter) return null;
  const open = i.status !== 'closed' && i.status !== 'canceled';
  return {
    viaKey: i.reportedVia ? `reporter.via.${i.reportedVia}` : null,
    informedKey: i.informReporter ? 'reporter.informed.on' : 'reporter.informed.off',
    informedAt: i.reporterInformedAt ? fmt.dateTime(i.reporterInformedAt) : null,
    // The desk's switch: only with a contact to send to, while the incident is not finished.
    switchTo: open && i.reporter.contact && INFORM_REPORTER_ROLES.includes(viewer.role as User['role']) ? String(!i.informReporter) : null,
    switchKey: i.informReporter ? 'reporter.switch.off' : 'reporter.switch.on',
    switchHref: `/incidents/${encodeURIComponent(i.ref)}/inform-reporter`,
  };
}
