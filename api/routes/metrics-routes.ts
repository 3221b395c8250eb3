import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { UnauthenticatedError } from '../../detector/errors.js';
import type { AppDeps } from '../app-deps.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Same-length digests, so the comparison takes as long whatever the caller sent. */
function hasToken(req: Request, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

/**
 * `GET /metrics` for Prometheus. Mounted before the session and API-token middleware: the Bearer
 * token here is `metrics.bearerToken` from sigap.yaml, not a user's API token. Without one
 * configured, open like blackbox_exporter's.
 */
export function metricsRoutes({ config, metrics }: Pick<AppDeps, 'config' | 'metrics'>): Router {
  const token = config.metrics.bearerToken === null ? null : digest(config.metrics.bearerToken);
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (token && !hasToken(req, token)) {
      res.set('WWW-Authenticate', 'Bearer realm="sigap metrics"');
      throw new UnauthenticatedError('send the metrics token: Authorization: Bearer …');
    }
    const text = await metrics.render();
    res.set('Content-Type', metrics.contentType).set('Cache-Control', 'no-store').send(text);
  });
  return router;
}
