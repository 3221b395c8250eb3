// Who is calling: a session cookie (browsers) or a Bearer token (scripts). Cookie-authenticated
// state changes must carry the session's CSRF token; every role check happens on the server.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccountService, SessionContext } from '../detector/accounts/account-service.js';
import type { TokenScope, User, UserRole } from '../detector/accounts/account-types.js';
import type { AuditBy, AuditOrigin } from '../detector/audit/audit-types.js';
import { ForbiddenError, PasswordChangeRequiredError, UnauthenticatedError } from '../detector/errors.js';
import { SESSION_COOKIE } from './session-cookies.js';

export interface Auth {
  user: User;
  via: 'session' | 'token';
  session: SessionContext | null;
  /** A token's scope; null for a session. */
  scope: TokenScope | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: Auth;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a read-only API token may do. */
const READ_METHODS = new Set(['GET', 'HEAD']);
/**
 * What a user whose password someone else chose may still do: read who they are, set their own
 * password, log out. Everything else answers 403 password_change_required (API) or goes to /me.
 */
const WHILE_PASSWORD_MUST_CHANGE = new Set(['GET /api/me', 'POST /api/me/password', 'DELETE /api/session', 'GET /me', 'HEAD /me', 'POST /me/password', 'POST /logout']);

function mustChangePasswordFirst(req: Request): boolean {
  return req.auth?.via === 'session' && req.auth.user.mustChangePassword === true && !WHILE_PASSWORD_MUST_CHANGE.has(`${req.method} ${req.path}`);
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Identify the caller if it sent credentials; never refuses by itself. */
export function identify(accounts: AccountService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (header?.startsWith('Bearer ')) {
      const found = await accounts.resolveToken(header.slice(7).trim());
      if (!found) throw new UnauthenticatedError('the API token is not valid');
      // The one place a read-only token's scope is enforced: every route comes after identify.
      if (found.scope === 'read' && !READ_METHODS.has(req.method)) {
        throw new ForbiddenError(`this API token is read-only: it may only GET and HEAD, not ${req.method}; an admin can make a token with scope write`);
      }
      req.auth = { user: found.user, via: 'token', session: null, scope: found.scope };
      return next();
    }
    const cookie = (req.signedCookies as Record<string, string | false | undefined>)[SESSION_COOKIE];
    if (cookie) {
      const session = await accounts.resolveSession(cookie);
      if (session) req.auth = { user: session.user, via: 'session', session, scope: null };
    }
    next();
  };
}

/** Refuse cookie-authenticated state changes without the session's CSRF token. */
export function verifyCsrf(req: Request): void {
  if (SAFE_METHODS.has(req.method) || req.auth?.via !== 'session' || !req.auth.session) return;
  const body = req.body as Record<string, unknown> | undefined;
  const sent = req.get('x-csrf-token') ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
  if (!sent || !sameToken(sent, req.auth.session.csrfToken)) {
    throw new ForbiddenError('missing or wrong CSRF token (send the X-CSRF-Token header or the _csrf form field)');
  }
}

/** JSON routes: 401 without a caller, 403 with the wrong role or a missing CSRF token. */
export function requireApiUser(...roles: UserRole[]): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.auth) throw new UnauthenticatedError();
    if (mustChangePasswordFirst(req)) throw new PasswordChangeRequiredError();
    if (roles.length > 0 && !roles.includes(req.auth.user.role)) {
      throw new ForbiddenError(`this needs the role ${roles.join(' or ')}; you are ${req.auth.user.role}`);
    }
    verifyCsrf(req);
    next();
  };
}

/** HTML routes: a browser without a session goes to the log-in page and comes back after. */
export function requirePageUser(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.auth) {
      res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (mustChangePasswordFirst(req)) {
      res.redirect(303, '/me?must=password');
      return;
    }
    verifyCsrf(req);
    next();
  };
}

// The audit trail's "from where": the client address (behind a loopback proxy, the one it
// forwarded: app.ts trusts only loopback). Routes hand it to the service making the change.

/** Where this request came from. */
export function originOf(req: Request): AuditOrigin {
  return { ip: req.ip ?? null };
}

/** Who sent this request and from where, for services not otherwise told who calls them. */
export function byCaller(req: Request): AuditBy {
  return { actor: req.auth?.user ?? null, ...originOf(req) };
}
