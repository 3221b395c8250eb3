import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../app-deps.js';
import { byCaller, requireApiUser } from '../auth.js';
import { clientOf, SESSION_COOKIE, sessionCookieOptions } from '../session-cookies.js';
import { newTokenJson, userJson } from '../presenters/account-json.js';
import { credentials, tokenRequest } from '../request-schemas.js';
import { parseBody } from '../validation.js';

/** `loginLimit`: the one limiter of failed log-ins, shared with the /login form. */
export function sessionRoutes({ accounts }: AppDeps, loginLimit: RequestHandler): Router {
  const router = Router();

  router.post('/api/session', loginLimit, async (req, res) => {
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
    const { token, record } = await accounts.createToken(owner, name, byCaller(req));
    res.status(201).json(newTokenJson(record, token));
  });

  return router;
}
