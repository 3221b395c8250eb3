// The incident pages' forms as the templates show them: one per lifecycle action allowed to the
// user, and the form to log an incident by hand; errors come back per field, beside what was typed.
import type { User } from '../../detector/accounts/account-types.js';
import type { SigapError } from '../../detector/errors.js';
import { actionsAllowed, closureCodesFor, levelsAbove, RESOLUTION_CODES, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import type { IncidentDetail } from '../../detector/incidents/incident-queries.js';
import type { Incident } from '../../detector/incidents/incident-types.js';
import { knownErrorFormFor, mayMarkSuggestionHelped } from '../../detector/incidents/known-error-service.js';
import { groupForLevel } from '../../detector/incidents/lifecycle.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import { MAX_REPORT_AGE_MS, REPORTED_VIA } from '../../detector/incidents/reporter.js';
import type { FormValues } from '../incident-forms.js';
import { categoryLabelKey, subcategoryLabelKey } from './taxonomy-labels.js';

interface OptionSpec {
  value: string;
  labelKey?: string;
  label?: string;
  prefix?: string;
}

interface FieldSpec {
  name: string;
  labelKey: string;
  /** Where the API's error details name this field (`reporter.name` for `reporterName`). */
  path?: string;
  textarea?: true;
  select?: true;
  /** A checkbox sending `true` when ticked, with a warning above it. */
  checkbox?: true;
  warningKey?: string;
  warning?: Record<string, string>;
  optional?: true;
  maxlength?: number;
  emptyLabelKey?: string;
  groups?: Array<{ label: string | null; options: OptionSpec[] }>;
}

const LEVELS = ['high', 'medium', 'low'];
const levelOptions = () => [{ label: null, options: LEVELS.map((value) => ({ value, labelKey: `form.level.${value}` })) }];
const codes = (values: readonly string[], prefix: string) => [{ label: null, options: values.map((value) => ({ value, labelKey: `${prefix}.${value}` })) }];

const note = (optional: boolean): FieldSpec => ({ name: 'note', labelKey: 'form.note', textarea: true, maxlength: 5000, ...(optional ? { optional: true } : {}) });
const reason: FieldSpec = { name: 'reason', labelKey: 'form.reason', textarea: true, maxlength: 5000 };

/** What the forms depend on besides the incident: the probes' view now, the verification of restoration. */
export type FormContext = Pick<IncidentDetail, 'stillFailing'> & { verification: Pick<NonNullable<IncidentDetail['closure']>['verification'], 'state'> | null };

const NO_CONTEXT: FormContext = { stillFailing: null, verification: null };

/** The fields of each action's form, after the API's `actionBodies`. */
const ACTION_FIELDS: Readonly<Record<IncidentAction, (i: Pick<Incident, 'escalationLevel' | 'reporter'>, ctx: FormContext) => FieldSpec[]>> = {
  acknowledge: () => [note(true)],
  assign: () => [{ name: 'assignee', labelKey: 'form.assignee', maxlength: 64 }, note(true)],
  note: () => [note(false)],
  reprioritize: () => [
    { name: 'impact', labelKey: 'form.impact', select: true, optional: true, emptyLabelKey: 'form.unchanged', groups: levelOptions() },
    { name: 'urgency', labelKey: 'form.urgency', select: true, optional: true, emptyLabelKey: 'form.unchanged', groups: levelOptions() },
    reason,
  ],
  escalate: (i) => [
    {
      name: 'level',
      labelKey: 'form.escalationLevel',
      select: true,
      groups: [
        { label: null, options: levelsAbove(i.escalationLevel).map((level) => ({ value: String(level), prefix: `L${level} · `, labelKey: `group.${groupForLevel(level)}` })) },
      ],
    },
    note(false),
  ],
  escalate_management: () => [note(false)],
  pending: () => [reason],
  resume: () => [note(true)],
  resolve: (_i, { stillFailing }) => [
    { name: 'resolutionCode', labelKey: 'form.resolutionCode', select: true, groups: codes(RESOLUTION_CODES, 'form.resolution') },
    note(false),
    ...(stillFailing
      ? [
          {
            name: 'confirmStillFailing',
            labelKey: 'form.confirmStillFailing',
            checkbox: true,
            optional: true,
            warningKey: 'form.stillFailingWarning',
            warning: { check: stillFailing.check, state: stillFailing.state },
          } satisfies FieldSpec,
        ]
      : []),
  ],
  // No reporter and restoration verified by the probes: "verified by monitoring" is the only true closure.
  close: (i, { verification }) => [
    { name: 'closureCode', labelKey: 'form.closureCode', select: true, groups: codes(closureCodesFor(i, verification), 'closure.code') },
    note(true),
  ],
  reopen: () => [reason],
  cancel: () => [reason],
};

/** A field as the template shows it: its value (as typed) and its error, options marked selected. */
function fieldView(spec: FieldSpec, values: FormValues, error: SigapError | null) {
  const value = values[spec.name] ?? '';
  const problem = error?.details.find((d) => d.path === (spec.path ?? spec.name));
  return {
    ...spec,
    value,
    error: problem?.message ?? null,
    groups: spec.groups?.map((g) => ({ ...g, options: g.options.map((o) => ({ ...o, selected: o.value === value })) })),
  };
}

export interface PostedForm {
  action: string;
  values: FormValues;
  error: SigapError;
}

/** One form per allowed action; the one just posted keeps its values and shows its field errors. */
export function actionFormsView(
  incident: Pick<Incident, 'ref' | 'escalationLevel' | 'reporter'>,
  allowed: readonly IncidentAction[],
  posted: PostedForm | null,
  ctx: FormContext = NO_CONTEXT,
) {
  return allowed.map((action) => {
    const mine = posted?.action === action ? posted : null;
    return {
      action,
      labelKey: `action.${action}`,
      href: `/incidents/${encodeURIComponent(incident.ref)}/actions/${action}`,
      open: mine !== null,
      fields: ACTION_FIELDS[action](incident, ctx).map((spec) => fieldView(spec, mine?.values ?? {}, mine?.error ?? null)),
    };
  });
}

interface ManualFieldSpec extends FieldSpec {
  /** An <input> type other than text (datetime-local). */
  inputType?: string;
  min?: string;
  max?: string;
  /** Plain-words help under the field, one line per key. */
  helpKeys?: string[];
  /** Subcategory options carry their category, for the script that hides the other categories'. */
  byCategory?: true;
}

/** Office time as a datetime-local value (`2026-12-05T09:30`). */
function localInputValue(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(at)
    .replace(' ', 'T');
}

const MANUAL_FIELDS = (services: Array<{ key: string; name: string }>, clock: { now: Date; timezone: string }): ManualFieldSpec[] => [
  {
    name: 'service',
    labelKey: 'field.service',
    select: true,
    emptyLabelKey: 'form.choose',
    groups: [{ label: null, options: services.map((s) => ({ value: s.key, label: `${s.name} (${s.key})` })) }],
  },
  { name: 'title', labelKey: 'field.title', maxlength: 300 },
  { name: 'description', labelKey: 'form.description', textarea: true, maxlength: 10_000 },
  {
    name: 'impact',
    labelKey: 'form.impact',
    select: true,
    emptyLabelKey: 'form.choose',
    groups: levelOptions(),
    helpKeys: LEVELS.map((l) => `reporter.help.impact.${l}`),
  },
  {
    name: 'urgency',
    labelKey: 'form.urgency',
    select: true,
    emptyLabelKey: 'form.choose',
    groups: levelOptions(),
    helpKeys: LEVELS.map((l) => `reporter.help.urgency.${l}`),
  },
  {
    name: 'category',
    labelKey: 'field.category',
    select: true,
    emptyLabelKey: 'form.choose',
    groups: [{ label: null, options: Object.keys(TAXONOMY).map((value) => ({ value, labelKey: categoryLabelKey(value) })) }],
  },
  // Grouped by category; views/static/incident-new.js shows only the chosen category's group, and
  // without it the server still refuses a subcategory of another category.
  {
    name: 'subcategory',
    labelKey: 'form.subcategory',
    select: true,
    emptyLabelKey: 'form.choose',
    byCategory: true,
    groups: Object.entries(TAXONOMY).map(([category, subs]) => ({
      label: category,
      options: subs.map((value) => ({ value, labelKey: subcategoryLabelKey(value) })),
    })),
  },
  { name: 'reporterName', path: 'reporter.name', labelKey: 'form.reporterName', maxlength: 200 },
  { name: 'reporterContact', path: 'reporter.contact', labelKey: 'form.reporterContact', maxlength: 200, optional: true },
  {
    name: 'reportedVia',
    labelKey: 'reporter.reportedVia',
    select: true,
    emptyLabelKey: 'form.choose',
    groups: [{ label: null, options: REPORTED_VIA.map((value) => ({ value, labelKey: `reporter.via.${value}` })) }],
  },
  {
    name: 'reportedAt',
    labelKey: 'reporter.reportedAt',
    inputType: 'datetime-local',
    max: localInputValue(clock.now, clock.timezone),
    min: localInputValue(new Date(clock.now.getTime() - MAX_REPORT_AGE_MS), clock.timezone),
    helpKeys: ['reporter.help.reportedAt'],
  },
  { name: 'informReporter', labelKey: 'reporter.informReporter', checkbox: true, optional: true, helpKeys: ['reporter.help.informReporter'] },
];

/** The one problem this form words itself: a blank "came in via" asks the clerk to choose (others are said by api/error-text.ts). */
function manualErrorKey(path: string): string | null {
  return path === 'reportedVia' ? 'reporter.error.reportedVia' : null;
}

export function manualFormView(services: Array<{ key: string; name: string }>, values: FormValues, error: SigapError | null, clock: { now: Date; timezone: string }) {
  const shown: FormValues = error ? values : { reportedAt: localInputValue(clock.now, clock.timezone), informReporter: 'true', ...values };
  const specs = MANUAL_FIELDS(services, clock);
  const category = shown.category ?? '';
  const fields = specs.map((spec) => {
    const view = fieldView(spec, shown, error);
    const problem = error?.details.find((d) => d.path === (spec.path ?? spec.name));
    const errorKey = problem ? manualErrorKey(problem.path) : null;
    return {
      ...view,
      groups: view.groups?.map((g) => ({ ...g, category: spec.byCategory ? g.label : null, labelKey: spec.byCategory && g.label ? categoryLabelKey(g.label) : null })),
      errorKey,
      categoryLabelKey: category ? categoryLabelKey(category) : 'form.choose',
      checked: spec.checkbox ? shown[spec.name] === 'true' : false,
    };
  });
  // Every problem with the field's label, so the list at the top names the fields in the page's words.
  const problems = (error?.details ?? []).map((d) => {
    const spec = specs.find((f) => (f.path ?? f.name) === d.path);
    return {
      labelKey: spec?.labelKey ?? null,
      path: d.path,
      message: d.message,
      errorKey: manualErrorKey(d.path),
      categoryLabelKey: category ? categoryLabelKey(category) : 'form.choose',
    };
  });
  return { fields, error, problems };
}

/** What the incident page offers this user: a form per allowed action (the one just refused with its error), "this helped" and "save as known error". */
export function incidentFormsView(incident: Incident, user: User, posted: PostedForm | null, ctx: FormContext = NO_CONTEXT) {
  return {
    forms: actionFormsView(incident, actionsAllowed(user, incident), posted, ctx),
    actionError: posted?.error ?? null,
    actionErrorKey: posted ? `action.${posted.action}` : null,
    mayMarkHelped: mayMarkSuggestionHelped(user),
    knownErrorForm: knownErrorFormFor(user, incident),
  };
}
