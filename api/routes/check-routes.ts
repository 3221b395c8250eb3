import { Router } from 'express';
import type { CheckCatalog } from '../../detector/detection/check-catalog.js';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { definitionBody } from '../request-schemas.js';
import { parseBody } from '../validation.js';

/** Every check with where it comes from; dashboard checks carry their definition. */
export async function checkList(deps: Pick<AppDeps, 'db' | 'catalog'>) {
  const [records, dashboard] = [await deps.db.stores.checks.listChecks({ includeInactive: true }), await deps.db.stores.checks.listDashboardChecks()];
  const definitions = new Map(dashboard.map((d) => [d.key, d]));
  return records
    .filter((r) => r.active || r.source === 'dashboard')
    .map((r) => {
      const config = deps.catalog.check(r.key);
      return {
        key: r.key,
        service: r.serviceKey,
        type: r.type,
        target: r.target,
        source: r.source,
        enabled: r.active,
        readOnly: r.source === 'file',
        state: r.state,
        lastResultAt: r.lastResultAt?.toISOString() ?? null,
        intervalMs: config?.intervalMs ?? null,
        definition: definitions.get(r.key)?.definition ?? null,
        updatedBy: definitions.get(r.key)?.updatedBy ?? null,
      };
    });
}

async function checkJson(deps: Pick<AppDeps, 'db' | 'catalog'>, key: string) {
  return (await checkList(deps)).find((c) => c.key === key);
}

export function checkRoutes(deps: AppDeps): Router {
  const router = Router();
  const catalog: CheckCatalog = deps.catalog;

  router.get('/api/checks', requireApiUser(), async (_req, res) => {
    res.json({ items: await checkList(deps) });
  });

  router.post('/api/checks', requireApiUser('admin'), async (req, res) => {
    const { service, check } = parseBody(definitionBody, req.body);
    const created = await catalog.define(req.auth!.user, service, check);
    res.status(201).json(await checkJson(deps, created.key));
  });

  router.put('/api/checks/:key', requireApiUser('admin'), async (req, res) => {
    const { service, check } = parseBody(definitionBody, req.body);
    const replaced = await catalog.define(req.auth!.user, service, check, String(req.params.key));
    res.json(await checkJson(deps, replaced.key));
  });

  for (const [action, enabled] of [['enable', true], ['disable', false]] as const) {
    router.post(`/api/checks/:key/${action}`, requireApiUser('admin'), async (req, res) => {
      const key = String(req.params.key);
      await catalog.setEnabled(req.auth!.user, key, enabled);
      res.json(await checkJson(deps, key));
    });
  }

  return router;
}
