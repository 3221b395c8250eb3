import { Router, type Request } from 'express';
import { KNOWN_ERROR_ROLES, knownErrorInput, suggestionHelpedInput } from '../../detector/incidents/known-error-service.js';
import type { AppDeps } from '../app-deps.js';
import { originOf, requireApiUser, requirePageUser } from '../auth.js';
import { pageContext } from '../page-context.js';
import { knownErrorJson } from '../presenters/known-error-json.js';
import { knownErrorsView } from '../presenters/known-errors-view.js';
import { knownErrorQuery } from '../request-schemas.js';
import { parseBody, parseQuery } from '../validation.js';

/** The page's forms send strings; an empty field is an absent one. */
const presentFields = (body: unknown, names: readonly string[]): Record<string, string> =>
  Object.fromEntries(
    names.flatMap((name) => {
      const value = (body as Record<string, unknown> | undefined)?.[name];
      return typeof value === 'string' && value.trim() !== '' ? [[name, value]] : [];
    }),
  );

const refOf = (req: Request) => String(req.params.ref);

/**
 * /api/known-errors and the /known-errors page (everyone logged in may read); recording a known
 * error from an incident and which suggestion helped it, through the API and the incident page.
 * Mounted before incidentRoutes: its `/api/incidents/:ref/:action` would take these paths.
 */
export function knownErrorRoutes(deps: AppDeps): Router {
  const { config } = deps;
  const { knownErrors } = deps.incidents;
  const router = Router();
  const common = pageContext(config.timezone);

  router.get('/api/known-errors', requireApiUser(), async (req, res) => {
    const filter = parseQuery(knownErrorQuery, req.query);
    res.json({ items: (await knownErrors.list(req.auth!.user, filter)).map(knownErrorJson) });
  });

  router.post('/api/incidents/:ref/known-error', requireApiUser(...KNOWN_ERROR_ROLES), async (req, res) => {
    const input = parseBody(knownErrorInput, req.body ?? {});
    res.status(201).json(knownErrorJson(await knownErrors.recordFromIncident(req.auth!.user, refOf(req), input, originOf(req))));
  });

  router.post('/api/incidents/:ref/suggestion-helped', requireApiUser(), async (req, res) => {
    const input = parseBody(suggestionHelpedInput, req.body ?? {});
    res.status(201).json(await knownErrors.recordSuggestionHelped(req.auth!.user, refOf(req), input));
  });

  router.get('/known-errors', requirePageUser(), async (req, res) => {
    const page = common(req, res);
    const filter = parseQuery(knownErrorQuery, req.query);
    res.render('known-errors', { ...page, ...knownErrorsView(await knownErrors.list(req.auth!.user, filter), filter, page.fmt) });
  });

  router.post('/incidents/:ref/known-error', requirePageUser(), async (req, res) => {
    const input = parseBody(knownErrorInput, presentFields(req.body, ['title', 'symptoms', 'cause', 'workaround', 'resolution']));
    await knownErrors.recordFromIncident(req.auth!.user, refOf(req), input, originOf(req));
    res.redirect(303, `/incidents/${encodeURIComponent(refOf(req))}`);
  });

  router.post('/incidents/:ref/suggestion-helped', requirePageUser(), async (req, res) => {
    const fields = presentFields(req.body, ['knownErrorId', 'ref']);
    const body = fields.knownErrorId !== undefined ? { ...fields, knownErrorId: Number(fields.knownErrorId) } : fields;
    await knownErrors.recordSuggestionHelped(req.auth!.user, refOf(req), parseBody(suggestionHelpedInput, body));
    res.redirect(303, `/incidents/${encodeURIComponent(refOf(req))}`);
  });

  return router;
}
