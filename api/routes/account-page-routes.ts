// The /users page (admins: users and API tokens) and /me (everyone: language, name, e-mail
// address, password). Plain POST forms with the session's CSRF token: success redirects (303),
// a refused form is shown again with its problems (api/forms.ts: 422, or 409 for a conflict). A new token is
// the exception: it is shown once, on the page that answers the form, and never again.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { TokenScope, User } from '../../detector/accounts/account-types.js';
import { ForbiddenError, ValidationError, type SigapError } from '../../detector/errors.js';
import { wallClockToInstant } from '../../detector/sla/business-calendar.js';
import type { AppDeps } from '../app-deps.js';
import { byCaller, originOf, requirePageUser } from '../auth.js';
import { submitForm } from '../forms.js';
import { LANG_COOKIE, pageContext } from '../page-context.js';
import { idOf } from '../path-params.js';
import { meView, usersView, type UsersPageState } from '../presenters/users-view.js';
import { parseBody } from '../validation.js';

const text = (max: number) => z.string().max(max).default('');
const newUserForm = z.object({ username: text(64), displayName: text(200), role: text(20), email: text(200), language: text(5), password: text(1024) });
const editUserForm = z.object({ displayName: text(200), role: text(20), email: text(200), language: text(5), active: text(5) });
const passwordForm = z.object({ password: text(1024) });
const tokenForm = z.object({ name: text(100), username: text(64), scope: text(10), expiresOn: text(20) });
const DAY_MS = 86_400_000;

/** The date field of the token form: valid through that day in the office's time zone (null: no expiry). */
function expiryOf(expiresOn: string, timezone: string): string | null {
  if (!expiresOn) return null;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(expiresOn) ? Date.parse(`${expiresOn}T00:00:00Z`) : NaN;
  if (Number.isNaN(day)) throw new ValidationError('the token is not valid', [{ path: 'expiresOn', message: 'must be a date (YYYY-MM-DD)' }]);
  return new Date(wallClockToInstant(day + DAY_MS, timezone)).toISOString();
}
const profileForm = z.object({ displayName: text(200), email: text(200), language: text(5) });
const passwordChangeForm = z.object({ currentPassword: text(1024), newPassword: text(1024), newPasswordAgain: text(1024) });

function requireAdmin(req: Request): void {
  if (req.auth!.user.role !== 'admin') throw new ForbiddenError('only an admin manages users and tokens');
}

export function accountPageRoutes({ accounts, config, clock }: AppDeps): Router {
  const router = Router();
  const common = pageContext(config.timezone);

  const renderUsers = async (req: Request, res: Response, state: UsersPageState = {}) => {
    const page = common(req, res);
    const [users, tokens] = [await accounts.listUsers(), await accounts.listTokens()];
    res.render('users', { ...page, ...usersView(users, tokens, req.auth!.user, state, page.fmt, clock()) });
  };

  router.get('/users', requirePageUser(), async (req, res) => {
    requireAdmin(req);
    await renderUsers(req, res);
  });

  router.post('/users', requirePageUser(), async (req, res) => {
    requireAdmin(req);
    const { password, ...form } = parseBody(newUserForm, req.body);
    await submitForm(res, {
      action: async () => {
        await accounts.createUser(
          { ...form, password, email: form.email.trim() || undefined, language: form.language === 'en' ? 'en' : 'id', role: form.role as User['role'] },
          byCaller(req),
        );
        res.redirect(303, '/users');
      },
      refused: (error) => renderUsers(req, res, { error, errorFor: form.username, addForm: form }),
    });
  });

  // Token forms first: /users/tokens is not a user's name.
  router.post('/users/tokens', requirePageUser(), async (req, res) => {
    requireAdmin(req);
    const form = parseBody(tokenForm, req.body);
    await submitForm(res, {
      action: async () => {
        if (!form.name.trim()) throw new ValidationError('the token is not valid', [{ path: 'name', message: 'must not be empty' }]);
        const username = form.username || req.auth!.user.username;
        // The owner is chosen on the form: a name that is no user is a field to correct.
        const owner = await accounts.userNamed(username);
        if (!owner) throw new ValidationError('the token is not valid', [{ path: 'username', message: `user "${username}" not found` }]);
        // The service checks the scope (read or write) and that the expiry lies ahead.
        const options = { scope: (form.scope || 'write') as TokenScope, expiresAt: expiryOf(form.expiresOn, config.timezone) };
        const { token, record } = await accounts.createToken(owner, form.name.trim(), options, byCaller(req));
        res.status(201);
        await renderUsers(req, res, { newToken: { name: record.name, user: owner.username, token } });
      },
      refused: (error) => renderUsers(req, res, { error, errorFor: 'tokens' }),
    });
  });

  router.post('/users/tokens/:id/revoke', requirePageUser(), async (req, res) => {
    requireAdmin(req);
    await accounts.revokeToken(idOf(req), byCaller(req));
    res.redirect(303, '/users');
  });

  router.post('/users/:username/edit', requirePageUser(), async (req, res) => {
    requireAdmin(req);
    const form = parseBody(editUserForm, req.body);
    const username = String(req.params.username);
    await submitForm(res, {
      action: async () => {
        await accounts.updateUser(
          req.auth!.user,
          username,
          {
            displayName: form.displayName,
            role: form.role as User['role'],
            email: form.email.trim() || null,
            language: form.language as User['language'],
            active: form.active !== 'false',
          },
          originOf(req),
        );
        res.redirect(303, '/users');
      },
      refused: (error) => renderUsers(req, res, { error, errorFor: username }),
    });
  });

  router.post('/users/:username/password', requirePageUser(), async (req, res) => {
    requireAdmin(req);
    const form = parseBody(passwordForm, req.body);
    const username = String(req.params.username);
    await submitForm(res, {
      action: async () => {
        await accounts.setPassword(username, form.password, byCaller(req));
        res.redirect(303, '/users');
      },
      refused: (error) => renderUsers(req, res, { error, errorFor: username }),
    });
  });

  const renderMe = (req: Request, res: Response, state: { error?: SigapError; errorFor?: string } = {}) => {
    const page = common(req, res);
    res.render('me', { ...page, ...meView(req.auth!.user, req.query.saved, state) });
  };

  router.get('/me', requirePageUser(), (req, res) => {
    renderMe(req, res);
  });

  router.post('/me', requirePageUser(), async (req, res) => {
    const form = parseBody(profileForm, req.body);
    await submitForm(res, {
      action: async () => {
        await accounts.updateProfile(req.auth!.user, { displayName: form.displayName, email: form.email.trim() || null, language: form.language as User['language'] });
        // The chosen language wins over an earlier `?lang=` remembered in the browser.
        res.clearCookie(LANG_COOKIE, { path: '/' });
        res.redirect(303, '/me?saved=profile');
      },
      refused: (error) => renderMe(req, res, { error, errorFor: 'profile' }),
    });
  });

  router.post('/me/password', requirePageUser(), async (req, res) => {
    const form = parseBody(passwordChangeForm, req.body);
    await submitForm(res, {
      action: async () => {
        if (form.newPassword !== form.newPasswordAgain) {
          throw new ValidationError('the password change is not valid', [{ path: 'newPasswordAgain', message: 'does not match the new password' }]);
        }
        await accounts.changePassword(req.auth!.user, req.auth!.session?.sessionIdHash ?? null, form.currentPassword, form.newPassword, originOf(req));
        res.redirect(303, '/me?saved=password');
      },
      refused: (error) => renderMe(req, res, { error, errorFor: 'password' }),
    });
  });

  return router;
}
