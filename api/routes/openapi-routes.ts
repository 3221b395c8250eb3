import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { openApiDocument } from '../openapi.js';

/** GET /api/openapi.json: public — it describes the API, it reveals no data. */
export function openApiRoutes({ viewsDir }: Pick<AppDeps, 'viewsDir'>): Router {
  const router = Router();
  const { version } = JSON.parse(readFileSync(join(viewsDir, '..', 'package.json'), 'utf8')) as { version: string };
  const document = openApiDocument(version);
  router.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
