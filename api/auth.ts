// Who is calling: a session cookie (browsers) or a Bearer token (scripts). Cookie-authenticated
// state changes must carry the session's CSRF token; every role check happens on the server.
import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccountService, SessionContext } from '../detector/accounts/account-service.js';
import type { User, UserRole } from '../detector/accounts/account-types.js';
import type { AuditBy, AuditOrigin } from '../detector/audit/audit-types.js';
import { ForbiddenError, UnauthenticatedError } from '../detector/errors.js';
import { SESSION_COOKIE } from './session-cookies.js';

export interface Auth {
  user: User;
  via: 'session' | 'token';
  session: SessionContext | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: Auth;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
      const user = await accounts.resolveToken(header.slice(7).trim());
      if (!user) throw new UnauthenticatedError('the API token is not valid');
      req.auth = { user, via: 'token', session: null };
      return next();
    }
    const cookie = (req.signedCookies as Record<string, string | false | undefined>)[SESSION_COOKIE];
    if (cookie) {
      const session = await accounts.resolveSession(cookie);
      if (session) req.auth = { user: session.user, via: 'session', session };
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
