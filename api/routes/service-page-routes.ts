import { Router, type Request, type Response } from 'express';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ValidationError, type SigapError } from '../../detector/errors.js';
import type { AppDeps } from '../app-deps.js';
import { originOf, requirePageUser } from '../auth.js';
import { submitForm } from '../forms.js';
import { pageContext } from '../page-context.js';
import { servicesView } from '../presenters/services-view.js';
import { ACCEPTED_BASELINE, integrityServicesView } from '../presenters/integrity-view.js';
import { parseBody } from '../validation.js';

const definitionForm = z.object({ service: z.string().max(64).default(''), definition: z.string().max(20_000).default('') });

const EXAMPLE = `key: skm-home
type: http
url: https://skm.dpmptsp.example/
interval: 60s
timeout: 10s
expect:
  status: [200]
  contains: ["Survei Kepuasan"]
`;

/** The YAML an admin typed, as the object a `checks:` entry of sigap.yaml would be. */
function readDefinition(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValidationError(
      'the definition is not valid YAML',
      doc.errors.map((e) => ({ path: `definition:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'}`, message: e.message.split('\n')[0]! })),
    );
  }
  return doc.toJS();
}

/** /services: services and checks with their state; admins add, edit, enable and disable dashboard checks. */
export function servicePageRoutes(deps: AppDeps): Router {
  const { catalog, checks, overview, baselines, config } = deps;
  const router = Router();
  const common = pageContext(config.timezone);
  const CHART_DAYS = 30;

  const render = async (req: Request, res: Response, form?: { key?: string; service: string; definition: string; error: SigapError }) => {
    const page = common(req, res);
    // The last 30 office days, today included, as a small bar chart per service.
    const [overviews, listings, recent] = [await overview.overview(), await checks.listings(), await overview.lastDays(CHART_DAYS)];
    res.render('services', {
      ...page,
      ...servicesView(overviews, listings, recent, page.fmt, req.auth!.user),
      integrity: integrityServicesView(await baselines.viewAll(), page.fmt, req.auth!.user),
      integrityDone: req.query.done === ACCEPTED_BASELINE,
      isAdmin: req.auth?.user.role === 'admin',
      serviceKeys: config.services.map((s) => s.key),
      addForm: form && !form.key ? form : { service: config.services[0]?.key ?? '', definition: EXAMPLE },
      editError: form?.key ? form : null,
    });
  };

  router.get('/services', requirePageUser(), async (req, res) => {
    await render(req, res);
  });

  const saving = (replacing: (req: Request) => string | undefined) => async (req: Request, res: Response) => {
    const form = parseBody(definitionForm, req.body ?? {});
    const key = replacing(req);
    await submitForm(res, {
      action: async () => {
        await catalog.define(req.auth!.user, form.service, readDefinition(form.definition), key, originOf(req));
        res.redirect(303, '/services');
      },
      refused: (error) => render(req, res, { key, service: form.service, definition: form.definition, error }),
    });
  };
  router.post(
    '/services/checks',
    requirePageUser(),
    saving(() => undefined),
  );
  router.post(
    '/services/checks/:key',
    requirePageUser(),
    saving((req) => String(req.params.key)),
  );

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    router.post(`/services/checks/:key/${action}`, requirePageUser(), async (req, res) => {
      await catalog.setEnabled(req.auth!.user, String(req.params.key), enabled, originOf(req));
      res.redirect(303, '/services');
    });
  }
  return router;
}
