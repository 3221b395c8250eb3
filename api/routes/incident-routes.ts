import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { NotFoundError } from '../../detector/errors.js';
import { INCIDENT_ACTIONS, type ActionInput, type IncidentAction } from '../../detector/incidents/incident-actions.js';
import { servicesOverview } from '../../detector/reporting/service-overview.js';
import { incidentDetailJson, incidentJson } from '../presenters.js';
import { actionBodies, manualIncident, queueQuery, resultsQuery } from '../request-schemas.js';
import { parseBody, parseQuery } from '../validation.js';

const isAction = (name: string): name is IncidentAction => (INCIDENT_ACTIONS as readonly string[]).includes(name);

export function incidentRoutes({ db, incidents, clock, availability }: AppDeps): Router {
  const router = Router();

  router.get('/api/incidents', requireApiUser(), async (req, res) => {
    const query = parseQuery(queueQuery, req.query);
    const { limit, cursor, group, ...filter } = query;
    const page = await incidents.queries.list(req.auth!.user, { ...filter, ...(group ? { assignedGroup: group } : {}) }, limit, cursor ?? null);
    res.json({ items: page.items.map(incidentJson), nextCursor: page.nextCursor });
  });

  router.post('/api/incidents', requireApiUser('service_desk', 'support', 'admin'), async (req, res) => {
    const input = parseBody(manualIncident, req.body);
    res.status(201).json(incidentDetailJson(await incidents.commands.logManual(req.auth!.user, input)));
  });

  router.get('/api/incidents/:ref', requireApiUser(), async (req, res) => {
    res.json(incidentDetailJson(await incidents.queries.get(req.auth!.user, String(req.params.ref))));
  });

  router.post('/api/incidents/:ref/:action', requireApiUser(), async (req, res) => {
    const action = String(req.params.action);
    if (!isAction(action)) throw new NotFoundError(`incident action "${action}" (one of ${INCIDENT_ACTIONS.join(', ')})`);
    // Actions whose fields are all optional may be sent without a body.
    const body = parseBody(actionBodies[action], req.body ?? {}) as object;
    const input = { ...body, action } as ActionInput;
    res.json(incidentDetailJson(await incidents.commands.act(req.auth!.user, String(req.params.ref), input)));
  });

  router.get('/api/services', requireApiUser(), async (_req, res) => {
    const overview = await servicesOverview(db, availability, clock());
    res.json({
      items: overview.map(({ service, state, checks, availability }) => ({
        key: service.key,
        name: service.name,
        impact: service.impact,
        state,
        availability,
        checks: checks.map(({ check, availability: checkAvailability }) => ({
          key: check.key,
          type: check.type,
          target: check.target,
          state: check.state,
          consecutiveFailures: check.consecutiveFailures,
          consecutiveSuccesses: check.consecutiveSuccesses,
          lastResultAt: check.lastResultAt?.toISOString() ?? null,
          lastStateChangeAt: check.lastStateChangeAt?.toISOString() ?? null,
          availability: checkAvailability,
        })),
      })),
    });
  });

  router.get('/api/checks/:key/results', requireApiUser(), async (req, res) => {
    const { from, to, limit } = parseQuery(resultsQuery, req.query);
    const end = to ? new Date(to) : clock();
    const start = from ? new Date(from) : new Date(end.getTime() - 86_400_000);
    const key = String(req.params.key);
    if (!(await db.stores.checks.getCheck(key))) throw new NotFoundError(`check ${key}`);
    const results = await db.stores.checks.listResults(key, start, end, limit);
    res.json({
      items: results.map((r) => ({ ...r, id: undefined, startedAt: r.startedAt.toISOString() })),
    });
  });

  return router;
}
