// The session cookie both log-ins set (the JSON API's and the form's) and what a new session
// records of its client.
import type { CookieOptions, Request } from 'express';

export const SESSION_COOKIE = 'sigap_session';

export function sessionCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, signed: true, path: '/' };
}

export function clientOf(req: Request) {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}
