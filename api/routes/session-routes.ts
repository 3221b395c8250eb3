import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { byCaller, requireApiUser } from '../auth.js';
import { jsonBodyOnly, sameOriginOnly } from '../request-guards.js';
import { clientOf, SESSION_COOKIE, sessionCookieOptions } from '../session-cookies.js';
import { newTokenJson, userJson } from '../presenters/account-json.js';
import { credentials, tokenRequest } from '../request-schemas.js';
import { parseBody } from '../validation.js';

/** Failed log-ins are counted in the database by AccountService.logIn, one budget with the /login form. */
export function sessionRoutes({ accounts, config }: AppDeps): Router {
  const router = Router();
  // Log-in CSRF: only JSON (which another site's form cannot send) and only from Sigap's own origin.
  const fromOwnPages = [sameOriginOnly(config.publicUrl), jsonBodyOnly('{"username": "…", "password": "…"}')];

  router.post('/api/session', ...fromOwnPages, async (req, res) => {
    const { username, password } = parseBody(credentials, req.body);
    // A log-in always gets a new session; the one the browser came with (if any) ends.
    const { sessionToken, context } = await accounts.logIn(username, password, { ...clientOf(req), endSession: req.auth?.session?.sessionIdHash ?? null });
    res.cookie(SESSION_COOKIE, sessionToken, sessionCookieOptions(req));
    res.json({ user: userJson(context.user), csrfToken: context.csrfToken });
  });

  router.delete('/api/session', requireApiUser(), async (req, res) => {
    if (req.auth?.session) await accounts.logOut(req.auth.session.sessionIdHash);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.post('/api/tokens', requireApiUser('admin'), async (req, res) => {
    const { name, username, expiresAt, scope } = parseBody(tokenRequest, req.body);
    const owner = username === undefined ? req.auth!.user : await accounts.findUser(username);
    const { token, record } = await accounts.createToken(owner, name, { expiresAt, scope }, byCaller(req));
    res.status(201).json(newTokenJson(record, token));
  });

  return router;
}
