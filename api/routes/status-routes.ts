// The public status page for citizens: /status (HTML) and /status.json, no log-in. What it shows
// is gathered by the status page service from public-safe facts only.
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../app-deps.js';
import { pageContext } from '../page-context.js';
import { statusJson } from '../presenters/status-json.js';
import { statusView } from '../presenters/status-view.js';

export function statusRoutes({ config, statusPage }: Pick<AppDeps, 'config' | 'statusPage'>): Router {
  const router = Router();
  const common = pageContext(config.timezone);
  // The same for every anonymous caller: shared caches may keep it for 30 s. A logged-in user's
  // page carries their name and CSRF token: it keeps the app's `private, no-store`.
  const cacheable = (req: Request, res: Response) => {
    res.vary('Cookie');
    if (!req.auth) res.set('Cache-Control', 'public, max-age=30');
  };

  router.get('/status.json', async (req, res) => {
    const s = await statusPage.snapshot();
    cacheable(req, res);
    res.json(statusJson(s));
  });

  router.get('/status', async (req, res) => {
    const page = common(req, res);
    const s = await statusPage.snapshot();
    cacheable(req, res);
    res.render('status', { ...page, ...statusView(s, page.lang, page.fmt.dateTime) });
  });
  return router;
}
