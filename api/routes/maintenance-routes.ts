import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SigapError } from '../../detector/errors.js';
import { maintenanceWindowInput } from '../../detector/detection/maintenance-service.js';
import type { AppDeps } from '../app-deps.js';
import { originOf, requireApiUser, requirePageUser } from '../auth.js';
import { submitForm } from '../forms.js';
import { pageContext } from '../page-context.js';
import { idOf } from '../path-params.js';
import { windowJson } from '../presenters/maintenance-json.js';
import { maintenanceView } from '../presenters/maintenance-view.js';
import { parseBody } from '../validation.js';

const MANAGERS = ['admin', 'service_desk'] as const;

/** The page's form: empty fields are absent, and only the fields of the chosen recurrence count. */
const windowForm = z.object({
  title: z.string().max(300).default(''),
  service: z.string().max(64).default(''),
  check: z.string().max(64).default(''),
  recurrence: z.string().max(10).default('none'),
  startsAt: z.string().max(40).default(''),
  endsAt: z.string().max(40).default(''),
  weekdays: z.union([z.string().max(3), z.array(z.string().max(3)).max(7)]).default([]),
  start: z.string().max(5).default(''),
  durationMinutes: z.string().max(10).default(''),
});
type WindowForm = z.output<typeof windowForm>;

function inputFromForm(form: WindowForm): unknown {
  const weekdays = typeof form.weekdays === 'string' ? [form.weekdays] : form.weekdays;
  const common = { title: form.title, service: form.service || null, check: form.check || null, recurrence: form.recurrence };
  if (form.recurrence === 'weekly') {
    return { ...common, weekdays: weekdays.length > 0 ? weekdays : null, start: form.start || null, durationMinutes: form.durationMinutes ? Number(form.durationMinutes) : null };
  }
  return { ...common, startsAt: form.startsAt || null, endsAt: form.endsAt || null };
}

/** /api/maintenance and the /maintenance page: everyone may look; admins and the service desk manage. */
export function maintenanceRoutes(deps: AppDeps): Router {
  const { maintenance, checks, config, clock } = deps;
  const router = Router();
  const common = pageContext(config.timezone);

  router.get('/api/maintenance', requireApiUser(), async (_req, res) => {
    const now = clock();
    res.json({ items: (await maintenance.list()).map((w) => windowJson(w, config.timezone, now)) });
  });

  router.post('/api/maintenance', requireApiUser(...MANAGERS), async (req, res) => {
    const created = await maintenance.create(req.auth!.user, parseBody(maintenanceWindowInput, req.body), originOf(req));
    res.status(201).json(windowJson(created, config.timezone, clock()));
  });

  router.delete('/api/maintenance/:id', requireApiUser(...MANAGERS), async (req, res) => {
    await maintenance.delete(req.auth!.user, idOf(req), originOf(req));
    res.status(204).end();
  });

  const render = async (req: Request, res: Response, form?: { values: WindowForm; error: SigapError }) => {
    const page = common(req, res);
    const now = clock();
    const [windows, services, active] = [await maintenance.list(), await checks.services(), await checks.checks()];
    res.render('maintenance', {
      ...page,
      ...maintenanceView(
        { windows, services, checks: active },
        { mayManage: (MANAGERS as readonly string[]).includes(req.auth!.user.role), values: form?.values ?? windowForm.parse({}), error: form?.error ?? null },
        config.timezone,
        now,
        page.fmt,
      ),
    });
  };

  router.get('/maintenance', requirePageUser(), async (req, res) => {
    await render(req, res);
  });

  router.post('/maintenance', requirePageUser(), async (req, res) => {
    const values = parseBody(windowForm, req.body ?? {});
    await submitForm(res, {
      action: async () => {
        await maintenance.create(req.auth!.user, inputFromForm(values), originOf(req));
        res.redirect(303, '/maintenance');
      },
      refused: (error) => render(req, res, { values, error }),
    });
  });

  router.post('/maintenance/:id/delete', requirePageUser(), async (req, res) => {
    await maintenance.delete(req.auth!.user, idOf(req), originOf(req));
    res.redirect(303, '/maintenance');
  });

  return router;
}
