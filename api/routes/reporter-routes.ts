// Telling the reporter (SOP-Insiden-003): the desk switches it on or off per incident, from the
// JSON API and from the incident page. The switch is recorded in the incident's timeline.
import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser, requirePageUser } from '../auth.js';
import { formValues } from '../incident-forms.js';
import { incidentDetailJson } from '../presenters/incident-json.js';
import { informReporterBody } from '../request-schemas.js';
import { parseBody } from '../validation.js';

export function reporterRoutes({ incidents }: AppDeps): Router {
  const router = Router();

  router.put('/api/incidents/:ref/inform-reporter', requireApiUser(), async (req, res) => {
    const { informReporter, note } = parseBody(informReporterBody, req.body);
    const detail = await incidents.commands.setInformReporter(req.auth!.user, String(req.params.ref), informReporter, note ?? null);
    res.json(incidentDetailJson(detail, req.auth!.user));
  });

  // The page's form sends informReporter=true or false (a button each way).
  router.post('/incidents/:ref/inform-reporter', requirePageUser(), async (req, res) => {
    const ref = String(req.params.ref);
    const values = formValues(req.body);
    const informReporter = values.informReporter === 'true' ? true : values.informReporter === 'false' ? false : values.informReporter;
    const body = parseBody(informReporterBody, { informReporter, ...(values.note?.trim() ? { note: values.note } : {}) });
    await incidents.commands.setInformReporter(req.auth!.user, ref, body.informReporter, body.note ?? null);
    res.redirect(303, `/incidents/${encodeURIComponent(ref)}`);
  });

  return router;
}
