import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { NotFoundError } from '../../detector/errors.js';
import { INCIDENT_ACTIONS, type ActionInput, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import { incidentDetailJson, incidentJson } from '../presenters/incident-json.js';
import { resultJson } from '../presenters/check-json.js';
import { serviceJson } from '../presenters/service-json.js';
import { actionBodies, manualIncident, queueQuery, resultsQuery } from '../request-schemas.js';
import { parseBody, parseQuery } from '../validation.js';

const isAction = (name: string): name is IncidentAction => (INCIDENT_ACTIONS as readonly string[]).includes(name);

export function incidentRoutes({ incidents, checks, overview, clock }: AppDeps): Router {
  const router = Router();

  router.get('/api/incidents', requireApiUser(), async (req, res) => {
    const query = parseQuery(queueQuery, req.query);
    const { limit, cursor, group, ...filter } = query;
    const page = await incidents.queries.list(req.auth!.user, { ...filter, ...(group ? { assignedGroup: group } : {}) }, limit, cursor ?? null);
    res.json({ items: page.items.map((i) => incidentJson(i, req.auth!.user)), nextCursor: page.nextCursor });
  });

  router.post('/api/incidents', requireApiUser('service_desk', 'support', 'admin'), async (req, res) => {
    const input = parseBody(manualIncident, req.body);
    res.status(201).json(incidentDetailJson(await incidents.commands.logManual(req.auth!.user, input), req.auth!.user));
  });

  router.get('/api/incidents/:ref', requireApiUser(), async (req, res) => {
    res.json(incidentDetailJson(await incidents.queries.get(req.auth!.user, String(req.params.ref)), req.auth!.user));
  });

  router.post('/api/incidents/:ref/:action', requireApiUser(), async (req, res) => {
    const action = String(req.params.action);
    if (!isAction(action)) throw new NotFoundError(`incident action "${action}" (one of ${INCIDENT_ACTIONS.join(', ')})`);
    // Actions whose fields are all optional may be sent without a body.
    const body = parseBody(actionBodies[action], req.body ?? {}) as object;
    const input = { ...body, action } as ActionInput;
    res.json(incidentDetailJson(await incidents.commands.act(req.auth!.user, String(req.params.ref), input), req.auth!.user));
  });

  router.get('/api/services', requireApiUser(), async (req, res) => {
    res.json({ items: (await overview.overview()).map((s) => serviceJson(s, req.auth!.user)) });
  });

  router.get('/api/checks/:key/results', requireApiUser(), async (req, res) => {
    const { from, to, limit, cursor } = parseQuery(resultsQuery, req.query);
    const end = to ? new Date(to) : clock();
    const start = from ? new Date(from) : new Date(end.getTime() - 86_400_000);
    const page = await checks.results(String(req.params.key), start, end, limit, cursor ?? null);
    res.json({ items: page.items.map((r) => resultJson(r, req.auth!.user)), nextCursor: page.nextCursor });
  });

  return router;
}
