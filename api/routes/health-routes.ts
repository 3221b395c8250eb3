import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** Liveness and readiness for process managers and load balancers; no log-in. */
export function healthRoutes({ readiness }: Pick<AppDeps, 'readiness'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const state = await readiness();
    if (state.ready) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'not_ready', reason: state.reason });
  });
  return router;
}
