import { Router, type CookieOptions, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser, SESSION_COOKIE } from '../auth.js';
import { SigapError } from '../../detector/errors.js';
import { userJson } from '../presenters.js';
import { parseBody } from '../validation.js';

export const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict();
// `username`: an admin may make a token acting as another user (e.g. a service_desk user for Alertmanager).
export const tokenRequest = z.object({ name: z.string().trim().min(1, 'must not be empty').max(100), username: z.string().min(1).max(64).optional() }).strict();

export function sessionCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, signed: true, path: '/' };
}

/** Failed log-ins per client address: slows password guessing without locking anyone out for long. */
export function loginLimiter() {
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

export function clientOf(req: Request) {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}

export function sessionRoutes({ accounts }: AppDeps): Router {
  const router = Router();

  router.post('/api/session', loginLimiter(), async (req, res) => {
    const { username, password } = parseBody(credentials, req.body);
    const { sessionToken, context } = await accounts.logIn(username, password, clientOf(req));
    res.cookie(SESSION_COOKIE, sessionToken, sessionCookieOptions(req));
    res.json({ user: userJson(context.user), csrfToken: context.csrfToken });
  });

  router.delete('/api/session', requireApiUser(), async (req, res) => {
    if (req.auth?.session) await accounts.logOut(req.auth.session.sessionIdHash);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.post('/api/tokens', requireApiUser('admin'), async (req, res) => {
    const { name, username } = parseBody(tokenRequest, req.body);
    const owner = username === undefined ? req.auth!.user : await accounts.findUser(username);
    const { token, record } = await accounts.createToken(owner, name);
    res.status(201).json({ name: record.name, token, createdAt: record.createdAt.toISOString() });
  });

  return router;
}
