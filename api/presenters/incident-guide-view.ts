// How the incident page guides: the SOP's next step for this person as a sentence and as the one
// primary form, the other allowed actions grouped below it, the destructive ones apart and asking
// for a confirmation, a refusal shown beside the form it refused, and the confirmation of the
// action just done (post/redirect/get: `?done=<action>`, read through a fixed table, never echoed).
import type { User } from '../../detector/accounts/account-types.js';
import { actionsAllowed, DESTRUCTIVE_ACTIONS, INCIDENT_ACTIONS, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import type { IncidentDetail } from '../../detector/incidents/incident-queries.js';
import { nextStep } from '../../detector/incidents/next-step.js';
import { groupForLevel } from '../../detector/incidents/lifecycle.js';
import { allowsClosure } from '../../detector/sla/closure.js';
import type { actionFormsView, PostedForm } from './incident-forms-view.js';

type ActionForm = ReturnType<typeof actionFormsView>[number];

/** The field a destructive form adds: the server refuses the action without it (incident-page-routes.ts). */
export const CONFIRM_FIELD = 'confirm';

/** `?done=` as the page reads it: one of the actions, or nothing. */
export function doneAction(query: unknown): IncidentAction | null {
  return typeof query === 'string' && (INCIDENT_ACTIONS as readonly string[]).includes(query) ? (query as IncidentAction) : null;
}

/** Sigap warned that the resolution target is near (SOP-Insiden-002), or it was missed. */
function breachNear(detail: IncidentDetail): boolean {
  return detail.incident.resolutionBreached || detail.events.some((e) => e.type === 'warning' && e.data?.target === 'resolution');
}

export interface GuideInput {
  detail: IncidentDetail;
  user: User;
  /** Every allowed action's form (incidentFormsView), in the lifecycle's order. */
  forms: ActionForm[];
  posted: PostedForm | null;
  done: IncidentAction | null;
}

export function incidentGuideView({ detail, user, forms, posted, done }: GuideInput) {
  const i = detail.incident;
  const allowed = actionsAllowed(user, i);
  const closable = detail.closure ? allowsClosure(detail.closure.verification) : true;
  const next = nextStep({ user, incident: i, allowed, breachNear: breachNear(detail), closable });

  const withError = (form: ActionForm, danger: boolean) => {
    const mine = posted?.action === form.action;
    return {
      ...form,
      danger,
      error: mine ? posted.error : null,
      errorKey: mine ? `action.${form.action}` : null,
      fields: danger
        ? [...form.fields, { name: CONFIRM_FIELD, labelKey: `guide.confirm.${form.action}`, checkbox: true, value: '', error: mine ? confirmError(posted) : null }]
        : form.fields,
    };
  };
  const primary = forms.find((f) => f.action === next.action) ?? null;
  const rest = forms.filter((f) => f !== primary);
  const others = rest.filter((f) => !DESTRUCTIVE_ACTIONS.includes(f.action)).map((f) => withError(f, false));
  const danger = rest.filter((f) => DESTRUCTIVE_ACTIONS.includes(f.action)).map((f) => withError(f, true));
  // A refusal of an action no longer offered (the state moved on meanwhile) still needs a place.
  const stray = posted && !forms.some((f) => f.action === posted.action) ? posted : null;

  return {
    nextStep: {
      step: next.step,
      textKey: `guide.step.${next.step}`,
      group: `group.${groupForLevel(i.escalationLevel)}`,
      assignee: i.assignee,
      sop: next.sop ? { id: next.sop.sop, number: next.sop.number } : null,
    },
    primary: primary ? withError(primary, false) : null,
    others,
    othersOpen: others.some((f) => f.open),
    danger,
    dangerOpen: danger.some((f) => f.open),
    strayError: stray?.error ?? null,
    strayErrorKey: stray ? `action.${stray.action}` : null,
    flashKey: done && !posted ? `guide.done.${done}` : null,
  };
}

function confirmError(posted: PostedForm): string | null {
  return posted.error.details.find((d) => d.path === CONFIRM_FIELD)?.message ?? null;
}
