// Guards of the two log-ins, the only routes that read a body from a caller nobody knows yet:
// the body must be the type the route reads, and a browser must send it from Sigap's own pages.
import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnsupportedMediaTypeError } from '../detector/errors.js';

/** The host of an Origin header, or null for anything that is not an origin. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/**
 * Refuses a log-in that a browser sends from another site: only Sigap's own origin may log in. Its
 * own origin is the host the request was sent to, or `publicUrl`'s origin (a TLS proxy in front
 * may pass another Host on). Under `Referrer-Policy: same-origin` a browser names that origin on
 * Sigap's own forms; `Origin: null` comes from an opaque context (a sandboxed frame, a data: page,
 * a cross-site redirect) and is refused. Without Origin, `Sec-Fetch-Site` tells, when a browser
 * sends it (`same-origin` or `none`, typed by the user, may pass). A script that sends neither
 * passes: the log-in form's double-submit cookie and the JSON-only API still hold.
 */
export function sameOriginOnly(publicUrl: string | null): RequestHandler {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : null;
  const ownHosts = (req: Request) => [req.get('host'), req.host].filter(Boolean).map((h) => h!.toLowerCase());
  const refuse = (what: string) => {
    throw new ForbiddenError(`a log-in sent from another site (${what.slice(0, 200)}) is refused; log in on Sigap's own pages`);
  };
  return (req, _res, next) => {
    const origin = req.get('origin');
    if (origin === undefined) {
      const site = req.get('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') refuse(`Sec-Fetch-Site: ${site}`);
      return next();
    }
    if (origin === publicOrigin) return next();
    const host = hostOf(origin);
    if (host === null || !ownHosts(req).includes(host)) refuse(`Origin: ${origin}`);
    next();
  };
}

/** Answers 415 unless the body is JSON (`application/json`): a form from another site cannot send that without asking first (CORS). */
export function jsonBodyOnly(example: string): RequestHandler {
  return (req, _res, next) => {
    if (req.is('application/json')) return next();
    throw new UnsupportedMediaTypeError('application/json', example);
  };
}
