// The incident pages: one incident with the SOP's next step first and a form per action this user
// may take now, the actions' POST targets, and logging an incident by hand. Forms are validated by
// the API's own schemas; a refused action re-renders the page with the error beside what was typed
// (api/forms.ts); a done one redirects to the page saying what was done (`?done=<action>`). A
// destructive action (cancel) needs its confirmation box ticked: the server refuses it without.
import { Router, type Request, type Response } from 'express';
import { ForbiddenError, NotFoundError, ValidationError, type SigapError } from '../../detector/errors.js';
import { DESTRUCTIVE_ACTIONS, INCIDENT_ACTIONS, type ActionInput, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import { LOGGING_ROLES } from '../../detector/incidents/incident-commands.js';
import type { AppDeps } from '../app-deps.js';
import { requirePageUser } from '../auth.js';
import { submitForm } from '../forms.js';
import { actionBodyOf, formValues, manualBodyOf, type FormValues } from '../incident-forms.js';
import { answeredUnchanged, liveViews } from '../live-page.js';
import { pageContext } from '../page-context.js';
import { incidentFormsView, manualFormView, type PostedForm } from '../presenters/incident-forms-view.js';
import { CONFIRM_FIELD, doneAction, incidentGuideView } from '../presenters/incident-guide-view.js';
import { incidentView } from '../presenters/incident-view.js';
import { integrityEvidenceView } from '../presenters/integrity-view.js';
import { redactEvidence } from '../presenters/secrets.js';
import { ACCEPTED_BASELINE } from '../presenters/integrity-view.js';
import { actionBodies, manualIncident } from '../request-schemas.js';
import { parseBody } from '../validation.js';

const isAction = (name: string): name is IncidentAction => (INCIDENT_ACTIONS as readonly string[]).includes(name);
const incidentHref = (ref: string) => `/incidents/${encodeURIComponent(ref)}`;

export function incidentPageRoutes({ incidents, checks, baselines, config, clock }: AppDeps): Router {
  const router = Router();
  const common = pageContext(config.timezone);
  const live = liveViews(config.timezone, clock);

  const assertMayLog = (req: Request) => {
    const { role } = req.auth!.user;
    if (!LOGGING_ROLES.includes(role)) throw new ForbiddenError(`logging incidents needs the role ${LOGGING_ROLES.join(' or ')}; you are ${role}`);
  };

  const renderNew = async (req: Request, res: Response, values: FormValues, error: SigapError | null) => {
    const services = await checks.services();
    res.render('incident-new', { ...common(req, res), title: 'Catat insiden', ...manualFormView(services, values, error, { now: clock(), timezone: config.timezone }) });
  };

  router.get('/incidents/new', requirePageUser(), async (req, res) => {
    assertMayLog(req);
    await renderNew(req, res, {}, null);
  });

  router.post('/incidents/new', requirePageUser(), async (req, res) => {
    assertMayLog(req);
    const values = formValues(req.body);
    await submitForm(res, {
      action: async () => {
        const input = parseBody(manualIncident, manualBodyOf(values, manualIncident, config.timezone));
        const { ref } = (await incidents.commands.logManual(req.auth!.user, input)).incident;
        res.redirect(303, incidentHref(ref));
      },
      refused: (error) => renderNew(req, res, values, error),
    });
  });

  const renderIncident = async (req: Request, res: Response, ref: string, posted: PostedForm | null) => {
    const page = common(req, res);
    const user = req.auth!.user;
    // A refused form's page (a POST) polls the incident's own page.
    const liveView = live(req, { stamp: await incidents.queries.changeStamp(user, ref), url: req.method === 'GET' ? req.originalUrl : incidentHref(ref), lang: page.lang });
    if (req.method === 'GET' && answeredUnchanged(req, res, liveView.etag)) return;
    const now = clock();
    const detail = await incidents.queries.get(user, ref);
    const i = detail.incident;
    const { results, truncated } = await checks.resultsAround(i, now);
    if (req.method === 'GET') res.set('ETag', liveView.etag);
    const forms = incidentFormsView(i, user, posted, { stillFailing: detail.stillFailing, verification: detail.closure?.verification ?? null });
    // An integrity check's findings, the baseline they differ from and the form that accepts the page as it is now.
    const integrityEvidence = i.evidence?.integrity ? redactEvidence(i.evidence, user).integrity : undefined;
    const integrity = integrityEvidence
      ? integrityEvidenceView(i.ref, integrityEvidence, await baselines.viewForIncident(i), page.fmt, user, !posted && req.query.done === ACCEPTED_BASELINE)
      : null;
    res.render('incident', {
      ...page,
      ...incidentView(detail, now, { ...page.fmt, serviceNames: new Map((await checks.services()).map((s) => [s.key, s.name])) }, user, results),
      resultsTruncated: truncated,
      live: liveView,
      ...forms,
      integrity,
      guide: incidentGuideView({ detail, user, forms: forms.forms, posted, done: posted ? null : doneAction(req.query.done) }),
    });
  };

  router.get('/incidents/:ref', requirePageUser(), async (req, res) => {
    await renderIncident(req, res, String(req.params.ref), null);
  });

  router.post('/incidents/:ref/actions/:action', requirePageUser(), async (req, res) => {
    const ref = String(req.params.ref);
    const action = String(req.params.action);
    if (!isAction(action)) throw new NotFoundError(`incident action "${action}"`);
    const { [CONFIRM_FIELD]: confirmed, ...values } = formValues(req.body);
    await submitForm(res, {
      action: async () => {
        const body = parseBody(actionBodies[action], actionBodyOf(values, actionBodies[action])) as object;
        if (DESTRUCTIVE_ACTIONS.includes(action) && confirmed !== 'true') {
          throw new ValidationError(`${action} needs its confirmation box ticked`, [{ path: CONFIRM_FIELD, message: 'needs the confirmation box ticked' }]);
        }
        await incidents.commands.act(req.auth!.user, ref, { ...body, action } as ActionInput);
        res.redirect(303, `${incidentHref(ref)}?done=${action}`);
      },
      refused: (error) => renderIncident(req, res, ref, { action, values, error }),
    });
  });

  return router;
}
