import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { SigapError } from '../detector/errors.js';

/**
 * Failed log-ins per client address: slows password guessing without locking anyone out for long.
 * createApp makes one and hands it to both log-ins (POST /api/session and the /login form), so
 * failures through either count against the same limit.
 */
export function loginLimiter(): RequestHandler {
  return rateLimit({
    windowMs: 15 * 60_000,
    limit: 20,
    skipSuccessfulRequests: true,
    // The HTML form answers a failed log-in with a redirect (303), which is not an error status:
    // it marks the failure in res.locals so that it still counts.
    requestWasSuccessful: (_req, res) => res.statusCode < 400 && res.locals.loginFailed !== true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new SigapError('too_many_requests', 'too many failed log-ins; wait 15 minutes and try again')),
  });
}
