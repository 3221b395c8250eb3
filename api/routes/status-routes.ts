// The public status page for citizens: /status (HTML) and /status.json, no log-in. What it shows
// is gathered by the status page service from public-safe facts only.
import { Router, type Response } from 'express';
import type { AppDeps } from '../app-deps.js';
import { pageContext } from '../page-context.js';
import { statusJson } from '../presenters/status-json.js';
import { statusView } from '../presenters/status-view.js';

export function statusRoutes({ config, statusPage }: Pick<AppDeps, 'config' | 'statusPage'>): Router {
  const router = Router();
  const common = pageContext(config.timezone);
  const cacheable = (res: Response) => {
    res.set('Cache-Control', 'max-age=30');
    res.vary('Cookie');
  };

  router.get('/status.json', async (_req, res) => {
    const s = await statusPage.snapshot();
    cacheable(res);
    res.json(statusJson(s));
  });

  router.get('/status', async (req, res) => {
    const page = common(req, res);
    const s = await statusPage.snapshot();
    cacheable(res);
    res.render('status', { ...page, ...statusView(s, page.lang, page.fmt.dateTime) });
  });
  return router;
}
