// SOP-Insiden-001/002/003 as documents computed from the running configuration and the detector's
// own rules: every number, level, role and code below is read from config or a detector constant,
// never typed, so the written SOP and the running system cannot disagree.
import type { SigapConfig } from '../../config.js';
import { autoCloseAt } from '../../detector/sla/closure.js';
import { USER_ROLES, type UserRole } from '../../detector/accounts/account-types.js';
import { BREACH_ESCALATION_LEVEL } from '../../detector/sla/escalation.js';
import { INCIDENT_ACTIONS, PERSON_CLOSURE_CODES, RESOLUTION_CODES, CLOSURE_CODES, VENDOR_ACTIONS, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import { categoryLabelKey } from './taxonomy-labels.js';
import { INCIDENT_STATES, LIFECYCLE, SUPPORT_LEVELS } from '../../detector/incidents/lifecycle.js';
import { priorityOf, type Impact } from '../../detector/incidents/priority.js';
import type { Priority } from '../../detector/incidents/priority.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import type { Language, Translator } from '../i18n.js';
import { actionCallers, API_OPERATIONS } from '../openapi.js';
import { formatDuration, formatSlaDuration } from './formatters.js';
import { upcomingHolidays, workingDayExamples } from './working-days-view.js';

const LEVELS: readonly Impact[] = ['high', 'medium', 'low'];
const DAY_KEYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** Who may call an API operation, as the registry documents it. */
function operationCallers(method: string, path: string): readonly UserRole[] {
  const op = API_OPERATIONS.find((o) => o.method === method && o.path === path);
  if (!op || op.callers === 'public' || op.callers === 'anyone') return USER_ROLES;
  return op.callers;
}

export function sopView(config: SigapConfig, lang: Language, translator: Translator, now: Date) {
  const t = (key: string, vars?: Record<string, unknown>) => translator.t(lang, key, vars);
  const duration = (ms: number) => formatDuration(ms, lang);
  const { policy, calendar, notifications } = config;
  const priorities = Object.keys(policy.targets) as Priority[];
  const role = (r: string) => t(`sop.role.${r}`);
  const list = (items: readonly string[]) => items.join(', ');

  const targets = priorities.map((p) => {
    const target = policy.targets[p];
    const clock = t(`sop.clock.${target.clock}`);
    const respond = formatSlaDuration(target.respond, target.clock, lang);
    const resolve = formatSlaDuration(target.resolve, target.clock, lang);
    return {
      priority: p,
      respond,
      resolve,
      clock,
      line: t('sop.target.line', { priority: p, respond, resolve, clock }),
      reminder: notifications.reminders[p] !== undefined ? duration(notifications.reminders[p]) : null,
    };
  });

  const businessHours = WEEK_ORDER.map((day) => ({
    day: t(`sop.day.${DAY_KEYS[day]}`),
    hours: calendar.weekly[day]!.length > 0 ? calendar.weekly[day]!.map((r) => `${hhmm(r.startMinute)}–${hhmm(r.endMinute)}`).join(', ') : t('sop.closed'),
  }));

  const matrix = LEVELS.map((impact) => ({ impact: t(`sop.level.${impact}`), cells: LEVELS.map((urgency) => priorityOf(impact, urgency)) }));

  // Actions, states, codes and events in words (the code words stay beside them where the page shows them as code).
  const actionWords = (actions: readonly string[]) => list(actions.map((a) => t(`action.${a}`)));
  const stateWords = (states: readonly string[]) => list(states.map((s) => t(`status.${s}`)));
  const codeWords = (codes: readonly string[], prefix: string) => list(codes.map((c) => t(`${prefix}${c}`)));
  const lifecycle = INCIDENT_STATES.map((state) => ({
    state,
    stateName: t(`status.${state}`),
    responseClock: t(`sop.clockState.${LIFECYCLE[state].responseClock}`),
    resolutionClock: t(`sop.clockState.${LIFECYCLE[state].resolutionClock}`),
    next: LIFECYCLE[state].next.length > 0 ? stateWords(LIFECYCLE[state].next) : t('sop.terminal'),
  }));

  const actionsOf = (r: UserRole) => INCIDENT_ACTIONS.filter((a) => actionCallers(a).includes(r));
  const roles = USER_ROLES.map((r) => {
    const actions = actionsOf(r);
    return { role: r, name: role(r), duty: t(`sop.duty.${r}`), actions: actions.length > 0 ? actionWords(actions) : t('sop.readsOnly') };
  });
  const callers = (action: IncidentAction) => list(actionCallers(action).map(role));

  const levels = SUPPORT_LEVELS.map((l) => ({ level: l.level, group: role(l.group) }));
  const topLevel = SUPPORT_LEVELS[SUPPORT_LEVELS.length - 1]!;
  const noAutoClose = priorities.filter((p) => autoCloseAt({ status: 'resolved', priority: p, resolvedAt: new Date(0) }, policy) === null);
  const autoClosing = priorities.filter((p) => !noAutoClose.includes(p));

  const routes = notifications.routes.map((r) => ({
    events: list(r.events.map((e) => t(`notify.events.${e}`))),
    priorities: r.priorities ? list(r.priorities) : t('sop.all'),
    services: r.services ? list(r.services) : t('sop.all'),
    notify: list([...r.notify, ...r.roles.map(role)]),
  }));

  const steps001 = [
    t('sop.001.step.identify', { services: list(config.services.map((s) => s.name)) || '—', loggers: list(operationCallers('post', '/api/incidents').map(role)) }),
    t('sop.001.step.log'),
    t('sop.001.step.categorize', { categories: list(Object.keys(TAXONOMY).map((c) => t(categoryLabelKey(c)))) }),
    t('sop.001.step.prioritize'),
    t('sop.001.step.respond', { who: callers('acknowledge') }),
    t('sop.001.step.warn', { warnAt: percent(policy.warnAt) }),
    t('sop.001.step.diagnose'),
    t('sop.001.step.pending', { who: callers('pending') }),
    t('sop.001.step.resolve', { codes: codeWords(RESOLUTION_CODES, 'form.resolution.'), who: callers('resolve') }),
    t('sop.001.step.escalate'),
  ];

  const steps002 = [
    t('sop.002.step.functional', { who: callers('escalate'), top: topLevel.level }),
    t('sop.002.step.warn', { warnAt: percent(policy.warnAt) }),
    t('sop.002.step.breach', { level: BREACH_ESCALATION_LEVEL, group: role(SUPPORT_LEVELS.find((l) => l.level === BREACH_ESCALATION_LEVEL)?.group ?? 'support') }),
    t('sop.002.step.vendor', { level: topLevel.level, actions: actionWords(VENDOR_ACTIONS) }),
    t('sop.002.step.management', { who: callers('escalate_management'), manager: role('manager') }),
    t('sop.002.step.reminders'),
    t('sop.002.step.notify'),
  ];

  const steps003 = [
    t('sop.003.step.resolved', { codes: codeWords(RESOLUTION_CODES, 'form.resolution.') }),
    t('sop.003.step.verify', { verifyFor: duration(policy.verifyForMs) }),
    t('sop.003.step.close', { who: callers('close'), codes: codeWords(PERSON_CLOSURE_CODES, 'lang.closureCode.') }),
    autoClosing.length > 0
      ? t('sop.003.step.autoClose', {
          after: duration(policy.autoCloseAfterMs),
          priorities: list(autoClosing),
          never: list(noAutoClose) || '—',
          code: codeWords(
            CLOSURE_CODES.filter((c) => c === 'auto_closed'),
            'lang.closureCode.',
          ),
        })
      : t('sop.003.step.noAutoClose'),
    t('sop.003.step.reopen', { window: duration(policy.reopenWindowMs), who: callers('reopen') }),
    t('sop.003.step.flapping', { changes: policy.flapping.changes, window: duration(policy.flapping.windowMs) }),
    t('sop.003.step.cancel', { who: callers('cancel') }),
  ];

  return {
    title: t('sop.title'),
    timezone: calendar.timezone,
    holidays: upcomingHolidays(calendar, now, t),
    workingDayRule: t('calendar.rule'),
    workingDayExamples: workingDayExamples(calendar, t),
    businessHours,
    targets,
    matrix,
    matrixUrgencies: LEVELS.map((u) => t(`sop.level.${u}`)),
    lifecycle,
    roles,
    levels,
    routes,
    sops: [
      { id: 'SOP-Insiden-001', name: t('sop.001.name'), purpose: t('sop.001.purpose'), scope: t('sop.001.scope'), steps: steps001, handling: true },
      { id: 'SOP-Insiden-002', name: t('sop.002.name'), purpose: t('sop.002.purpose'), scope: t('sop.002.scope'), steps: steps002, escalation: true },
      { id: 'SOP-Insiden-003', name: t('sop.003.name'), purpose: t('sop.003.purpose'), scope: t('sop.003.scope'), steps: steps003, closure: true },
    ],
  };
}
