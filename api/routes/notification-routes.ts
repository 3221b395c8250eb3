import { Router } from 'express';
import { NOTIFICATION_READERS, NOTIFICATION_RETRIERS } from '../../detector/notify/notification-service.js';
import type { AppDeps } from '../app-deps.js';
import { originOf, requireApiUser, requirePageUser } from '../auth.js';
import { pageContext } from '../page-context.js';
import { notificationJson } from '../presenters/notification-json.js';
import { notificationsView } from '../presenters/notifications-view.js';
import { notificationIdParam } from '../request-schemas.js';
import { parseQuery } from '../validation.js';

/** Failing deliveries and "retry now": GET/POST under /api/notifications and the /notifications page. */
export function notificationRoutes(deps: AppDeps): Router {
  const { notifications, config } = deps;
  const router = Router();
  const common = pageContext(config.timezone);

  router.get('/api/notifications', requireApiUser(...NOTIFICATION_READERS), async (req, res) => {
    res.json({ items: (await notifications.undelivered(req.auth!.user)).map(notificationJson) });
  });

  router.post('/api/notifications/:id/retry', requireApiUser(...NOTIFICATION_RETRIERS), async (req, res) => {
    const { id } = parseQuery(notificationIdParam, req.params);
    res.json(notificationJson(await notifications.retry(req.auth!.user, id, originOf(req))));
  });

  router.get('/notifications', requirePageUser(), async (req, res) => {
    const page = common(req, res);
    const user = req.auth!.user;
    const rows = await notifications.undelivered(user);
    res.render('notifications', { ...page, ...notificationsView(rows, page.fmt), mayRetry: NOTIFICATION_RETRIERS.includes(user.role) });
  });

  router.post('/notifications/:id/retry', requirePageUser(), async (req, res) => {
    const { id } = parseQuery(notificationIdParam, req.params);
    await notifications.retry(req.auth!.user, id, originOf(req));
    res.redirect(303, '/notifications');
  });

  return router;
}
