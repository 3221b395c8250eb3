import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { originOf, requireApiUser } from '../auth.js';
import { checkJson } from '../presenters/check-json.js';
import { definitionBody } from '../request-schemas.js';
import { parseBody } from '../validation.js';

/** /api/checks: everyone logged in reads the checks; admins add, replace, enable and disable dashboard checks. */
export function checkRoutes({ catalog, checks }: AppDeps): Router {
  const router = Router();

  router.get('/api/checks', requireApiUser(), async (req, res) => {
    res.json({ items: (await checks.listings()).map((listing) => checkJson(listing, req.auth!.user)) });
  });

  router.post('/api/checks', requireApiUser('admin'), async (req, res) => {
    const { service, check } = parseBody(definitionBody, req.body);
    const created = await catalog.define(req.auth!.user, service, check, undefined, originOf(req));
    res.status(201).json(checkJson(await checks.listing(created.key), req.auth!.user));
  });

  router.put('/api/checks/:key', requireApiUser('admin'), async (req, res) => {
    const { service, check } = parseBody(definitionBody, req.body);
    const replaced = await catalog.define(req.auth!.user, service, check, String(req.params.key), originOf(req));
    res.json(checkJson(await checks.listing(replaced.key), req.auth!.user));
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`/api/checks/:key/${action}`, requireApiUser('admin'), async (req, res) => {
      const key = String(req.params.key);
      await catalog.setEnabled(req.auth!.user, key, enabled, originOf(req));
      res.json(checkJson(await checks.listing(key), req.auth!.user));
    });
  }

  return router;
}
