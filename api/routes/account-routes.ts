// Users and API tokens through the JSON API: admins manage everyone's accounts and tokens; every
// logged-in user changes their own language, name, e-mail address and password (/api/me).
// POST /api/tokens (creating a token) lives in session-routes. The pages are in account-page-routes.
import { Router } from 'express';
import { passwordChangeInput, passwordInput, profilePatchInput, newUserInput, userPatchInput } from '../../detector/accounts/account-service.js';
import type { UserAccount } from '../../detector/accounts/account-types.js';
import type { AppDeps } from '../app-deps.js';
import { byCaller, originOf, requireApiUser } from '../auth.js';
import { idOf } from '../path-params.js';
import { accountJson, tokenJson } from '../presenters/account-json.js';
import { parseBody } from '../validation.js';

export function accountRoutes({ accounts }: AppDeps): Router {
  const router = Router();

  router.get('/api/users', requireApiUser('admin'), async (_req, res) => {
    res.json({ items: (await accounts.listUsers()).map(accountJson) });
  });

  router.post('/api/users', requireApiUser('admin'), async (req, res) => {
    const created = await accounts.createUser(parseBody(newUserInput, req.body), byCaller(req));
    res.status(201).json(accountJson({ ...created, lastLoginAt: null } satisfies UserAccount));
  });

  router.patch('/api/users/:username', requireApiUser('admin'), async (req, res) => {
    const patch = parseBody(userPatchInput, req.body);
    res.json(accountJson(await accounts.updateUser(req.auth!.user, String(req.params.username), patch, originOf(req))));
  });

  router.post('/api/users/:username/password', requireApiUser('admin'), async (req, res) => {
    const { password } = parseBody(passwordInput, req.body);
    await accounts.setPassword(String(req.params.username), password, byCaller(req));
    res.status(204).end();
  });

  router.get('/api/me', requireApiUser(), (req, res) => {
    res.json(accountJson(req.auth!.user));
  });

  router.patch('/api/me', requireApiUser(), async (req, res) => {
    const patch = parseBody(profilePatchInput, req.body);
    res.json(accountJson(await accounts.updateProfile(req.auth!.user, patch)));
  });

  router.post('/api/me/password', requireApiUser(), async (req, res) => {
    const { currentPassword, newPassword } = parseBody(passwordChangeInput, req.body);
    await accounts.changePassword(req.auth!.user, req.auth!.session?.sessionIdHash ?? null, currentPassword, newPassword, originOf(req));
    res.status(204).end();
  });

  router.get('/api/tokens', requireApiUser('admin'), async (_req, res) => {
    res.json({ items: (await accounts.listTokens()).map(tokenJson) });
  });

  router.delete('/api/tokens/:id', requireApiUser('admin'), async (req, res) => {
    await accounts.revokeToken(idOf(req), byCaller(req));
    res.status(204).end();
  });

  return router;
}
