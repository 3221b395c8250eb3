import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** Liveness and readiness for process managers and load balancers; no log-in. */
export function healthRoutes({ db }: AppDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await db.checkReady();
      res.json({ status: 'ready' });
    } catch (err) {
      res.status(503).json({ status: 'not_ready', reason: (err as Error).message });
    }
  });
  return router;
}
