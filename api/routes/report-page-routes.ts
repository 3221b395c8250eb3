// /reports: the monthly report for the head of division, printable (the browser's "print to PDF"
// is the PDF). The month is read in the office time zone; by default, the previous one.
import { join } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { ForbiddenError } from '../../detector/errors.js';
import { REPORT_READERS } from '../../detector/reporting/incident-report.js';
import type { AppDeps } from '../app-deps.js';
import { requirePageUser } from '../auth.js';
import { loadTranslator } from '../i18n.js';
import { pageContext } from '../page-context.js';
import { reportView } from '../presenters/report-view.js';
import { parseQuery } from '../validation.js';

const reportQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-11')
    .optional(),
});

export function reportPageRoutes({ config, monthlyReports, clock, viewsDir }: Pick<AppDeps, 'config' | 'monthlyReports' | 'clock' | 'viewsDir'>): Router {
  const router = Router();
  const common = pageContext(config.timezone);
  const translator = loadTranslator(join(viewsDir, 'locales'));

  router.get('/reports', requirePageUser(), async (req, res) => {
    if (!REPORT_READERS.includes(req.auth!.user.role)) throw new ForbiddenError('the monthly report is for the head of division, the service desk, support and admins');
    const query = parseQuery(reportQuery, req.query);
    const report = await monthlyReports.month(query.month);
    const page = common(req, res);
    const print = { reports: config.reports, now: clock(), timezone: config.timezone, t: (key: string) => translator.t(page.lang, key) };
    const view = reportView(report, page.lang, page.fmt.dateTime, print);
    res.render('reports', { ...page, ...view, title: `${view.monthName}` });
  });
  return router;
}
