// The pages that update themselves (the queue, an incident): their ETag comes from the database's
// change stamp, so a poll of views/static/live.js that finds nothing changed is answered 304
// before anything is read or rendered, whichever web process it reaches. What the page hands the
// script (where to poll, the ETag it has, the time it was up to date) is its `live` view.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * The longest an unchanged page keeps its ETag: what the stamp does not cover (due times counting
 * down, probe results in an incident's timeline, a service renamed) shows within this.
 */
export const LIVE_FULL_REFRESH_MS = 60_000;

export interface LiveView {
  /** The GET address the script polls: the page's own, or the incident a refused form was on. */
  url: string;
  /** The log-in page, back to this page afterwards: where the script sends a person whose session ended. */
  loginHref: string;
  etag: string;
  /** hh:mm:ss in the office's time zone, and the same instant in ISO 8601. */
  time: string;
  iso: string;
  timezone: string;
}

export interface LiveInput {
  stamp: string;
  url: string;
  lang: string;
}

/** `live(req, input)`: the page's live view, its ETag built from everything the page depends on. */
export function liveViews(timezone: string, clock: () => Date) {
  const clockTime = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (req: Request, { stamp, url, lang }: LiveInput): LiveView => {
    const now = clock();
    const user = req.auth?.user;
    // Who reads it and in which language count as much as the data: one person's ETag never
    // matches another's page, nor the same person's in the other language.
    const reader = [user?.id, user?.role, user?.displayName, req.auth?.session?.csrfToken];
    const key = JSON.stringify([stamp, Math.floor(now.getTime() / LIVE_FULL_REFRESH_MS), url, lang, reader]);
    const etag = `W/"${createHash('sha256').update(key).digest('base64url').slice(0, 32)}"`;
    return { url, loginHref: `/login?next=${encodeURIComponent(url)}`, etag, time: clockTime.format(now), iso: now.toISOString(), timezone };
  };
}

/**
 * When the caller already holds this version (`If-None-Match`), answers 304 with its ETag and
 * true: the route renders nothing. Otherwise the route sets the ETag on the page it renders (only
 * there: an error page never carries one).
 */
export function answeredUnchanged(req: Request, res: Response, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const held = req.get('if-none-match');
  if (!held || !held.split(',').some((tag) => opaque(tag) === opaque(etag))) return false;
  res.set('ETag', etag).status(304).end();
  return true;
}
