// Integrity checks' baselines: read them, and accept what a check sees now as its baseline — from
// the incident page, from /services and through the JSON API, all through the one service method
// (which refuses roles other than admin and support, and a snapshot that is no longer the
// latest one). The pages' forms carry the CSRF token and redirect with a confirmation.
import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { originOf, requireApiUser, requirePageUser } from '../auth.js';
import { formValues } from '../incident-forms.js';
import { integrityBaselineJson } from '../presenters/integrity-json.js';
import { ACCEPTED_BASELINE } from '../presenters/integrity-view.js';
import { integrityBaselineBody } from '../request-schemas.js';
import { parseBody } from '../validation.js';

export function integrityRoutes({ baselines }: AppDeps): Router {
  const router = Router();

  router.get('/api/checks/:key/integrity-baseline', requireApiUser(), async (req, res) => {
    res.json(integrityBaselineJson(await baselines.view(String(req.params.key)), req.auth!.user));
  });

  router.put('/api/checks/:key/integrity-baseline', requireApiUser('admin', 'support'), async (req, res) => {
    const { snapshot } = parseBody(integrityBaselineBody, req.body);
    res.json(integrityBaselineJson(await baselines.accept(req.auth!.user, String(req.params.key), snapshot, originOf(req)), req.auth!.user));
  });

  router.post('/incidents/:ref/accept-baseline', requirePageUser(), async (req, res) => {
    const ref = String(req.params.ref);
    const { snapshot } = parseBody(integrityBaselineBody, { snapshot: formValues(req.body).snapshot });
    await baselines.acceptFromIncident(req.auth!.user, ref, snapshot, originOf(req));
    res.redirect(303, `/incidents/${encodeURIComponent(ref)}?done=${ACCEPTED_BASELINE}`);
  });

  router.post('/services/checks/:key/accept-baseline', requirePageUser(), async (req, res) => {
    const { snapshot } = parseBody(integrityBaselineBody, { snapshot: formValues(req.body).snapshot });
    await baselines.accept(req.auth!.user, String(req.params.key), snapshot, originOf(req));
    res.redirect(303, `/services?done=${ACCEPTED_BASELINE}`);
  });

  return router;
}
