import { Router, type Response } from 'express';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { requirePageUser } from '../auth.js';
import { submitForm } from '../forms.js';
import { answeredUnchanged, liveViews } from '../live-page.js';
import { pageContext } from '../page-context.js';
import { incidentQueueView } from '../presenters/incident-view.js';
import { queueFiltersView } from '../presenters/queue-filters-view.js';
import { parseQueueQuery, queueFilterOf } from '../queue-filters.js';
import { sameOriginOnly } from '../request-guards.js';
import { clientOf, secureCookies, SESSION_COOKIE, sessionCookieOptions } from '../session-cookies.js';
import { parseBody } from '../validation.js';
import { LOGGING_ROLES } from '../../detector/incidents/incident-commands.js';
import { TooManyRequestsError } from '../../detector/errors.js';

// Before log-in there is no session to hold a CSRF token: the log-in form uses a double-submit
// cookie instead.
const LOGIN_CSRF_COOKIE = 'sigap_login_csrf';
const QUEUE_PAGE_SIZE = 50;

const loginForm = z.object({
  username: z.string().max(64).default(''),
  password: z.string().max(1024).default(''),
  _csrf: z.string().max(100).default(''),
  next: z.string().max(500).default('/'),
});

/** Only same-site paths: never send a user to another origin after log-in. */
const safeNext = (next: string) => (/^\/(?!\/)[^\\]*$/.test(next) ? next : '/');

/** Back to the log-in page saying it failed. */
function failed(res: Response, next: string): void {
  res.redirect(303, `/login?failed=1&next=${encodeURIComponent(safeNext(next))}`);
}

/** The log-in form shares AccountService.logIn, and so its one budget of failures, with POST /api/session. */
export function pageRoutes(deps: AppDeps): Router {
  const { incidents, accounts, checks, config, clock } = deps;
  const router = Router();

  const common = pageContext(config.timezone);
  const live = liveViews(config.timezone, clock);

  const renderLogin = (req: Parameters<typeof common>[0], res: Response, next: string, state: { failed?: boolean; waitMinutes?: number } = {}) => {
    const token = randomBytes(24).toString('base64url');
    res.cookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: secureCookies(req), path: '/login' });
    const { fmt: _fmt, ...page } = common(req, res);
    res.render('login', { ...page, loginCsrf: token, next: safeNext(next), ...state });
  };

  router.get('/login', (req, res) => {
    renderLogin(req, res, String(req.query.next ?? '/'), { failed: req.query.failed === '1' });
  });

  router.post('/login', sameOriginOnly(config.publicUrl), async (req, res) => {
    const form = parseBody(loginForm, req.body ?? {});
    const expected = String(req.cookies?.[LOGIN_CSRF_COOKIE] ?? '');
    const sent = Buffer.from(form._csrf);
    if (!expected || sent.length !== Buffer.byteLength(expected) || !timingSafeEqual(sent, Buffer.from(expected))) {
      failed(res, form.next);
      return;
    }
    await submitForm(res, {
      action: async () => {
        // A log-in always gets a new session; the one the browser came with (if any) ends.
        const { sessionToken } = await accounts.logIn(form.username, form.password, { ...clientOf(req), endSession: req.auth?.session?.sessionIdHash ?? null });
        res.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
        res.cookie(SESSION_COOKIE, sessionToken, sessionCookieOptions(req));
        res.redirect(303, safeNext(form.next));
      },
      // A wrong password goes back to the log-in page (a redirect, as a browser expects); a refusal
      // to try again later is the page itself, at 429, saying how long to wait.
      refused: (error) => {
        if (!(error instanceof TooManyRequestsError)) return failed(res, form.next);
        res.set('Retry-After', String(error.retryAfterSeconds));
        renderLogin(req, res, form.next, { waitMinutes: Math.ceil(error.retryAfterSeconds / 60) });
      },
    });
  });

  router.post('/logout', requirePageUser(), async (req, res) => {
    if (req.auth?.session) await accounts.logOut(req.auth.session.sessionIdHash);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });

  router.get('/', requirePageUser(), async (req, res) => {
    const page = common(req, res);
    const user = req.auth!.user;
    const query = parseQueueQuery(req.query);
    const liveView = live(req, { stamp: await incidents.queries.changeStamp(user, null), url: req.originalUrl, lang: page.lang });
    if (answeredUnchanged(req, res, liveView.etag)) return;
    const result = await incidents.queries.list(user, queueFilterOf(query, user), QUEUE_PAGE_SIZE, query.cursor ?? null);
    const services = await checks.services();
    res.set('ETag', liveView.etag);
    res.render('queue', {
      ...page,
      ...incidentQueueView(result.items, clock(), { ...page.fmt, serviceNames: new Map(services.map((s) => [s.key, s.name])) }),
      ...queueFiltersView(query, user, services, result.nextCursor),
      showAll: query.all === '1',
      mayLog: LOGGING_ROLES.includes(user.role),
      live: liveView,
    });
  });

  return router;
}
