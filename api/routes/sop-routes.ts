import { join } from 'node:path';
import { Router } from 'express';
import type { AppDeps } from '../app-deps.js';
import { requirePageUser } from '../auth.js';
import { loadTranslator } from '../i18n.js';
import { pageContext } from '../page-context.js';
import { sopView } from '../presenters/sop-view.js';

/** /sop: SOP-Insiden-001, -002 and -003 as printable documents, computed from the configured policy. */
export function sopRoutes({ config, viewsDir, clock }: Pick<AppDeps, 'config' | 'viewsDir' | 'clock'>): Router {
  const router = Router();
  const common = pageContext(config.timezone);
  const translator = loadTranslator(join(viewsDir, 'locales'));
  router.get('/sop', requirePageUser(), (req, res) => {
    const page = common(req, res);
    res.render('sop', { ...page, ...sopView(config, page.lang, translator, clock()) });
  });
  return router;
}
