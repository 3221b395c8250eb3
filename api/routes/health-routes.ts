import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';

/** Liveness and readiness for process managers and load balancers; no log-in. */
export function healthRoutes({ readiness, logger }: Pick<AppDeps, 'readiness' | 'logger'>): Router {
  const router = Router();
  // Why the database is unavailable (a host name, a path, a driver's words) is for the log, not
  // for anyone who can reach /readyz; logged once per reason, not once per poll.
  let logged: string | null = null;
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const state = await readiness();
    if (state.ready) {
      logged = null;
      res.json({ status: 'ready' });
      return;
    }
    if (state.reason !== logged) logger.warn({ reason: state.reason }, 'not ready: database unavailable');
    logged = state.reason;
    res.status(503).json({ status: 'not_ready', reason: 'database unavailable' });
  });
  return router;
}
