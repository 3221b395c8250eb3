// The session cookie both log-ins set (the JSON API's and the form's) and what a new session
// records of its client.
import type { CookieOptions, Request } from 'express';

export const SESSION_COOKIE = 'sigap_session';

/**
 * Whether cookies carry `Secure`: always when the public address is https (`PUBLIC_URL`: a TLS
 * proxy in front may still speak http to Sigap), else when this request came over TLS (directly,
 * or through a proxy on the same host that says so in X-Forwarded-Proto). createApp records the
 * public address's scheme in `app.locals.httpsOnly`.
 */
export function secureCookies(req: Request): boolean {
  return req.secure || req.app.locals.httpsOnly === true;
}

export function sessionCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: secureCookies(req), signed: true, path: '/' };
}

export function clientOf(req: Request) {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}
