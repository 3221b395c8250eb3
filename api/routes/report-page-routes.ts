// /reports: the monthly report for the head of division, printable (the browser's "print to PDF"
// is the PDF). The month is read in the office time zone; by default, the previous one.
import { Router } from 'express';
import { z } from 'zod';
import type { SigapConfig } from '../../config.js';
import { ForbiddenError } from '../../detector/errors.js';
import { REPORT_READERS } from '../../detector/reporting/incident-report.js';
import type { Database } from '../../detector/store/store-types.js';
import { requirePageUser } from '../auth.js';
import { pageContext } from '../page-context.js';
import { monthRange, previousMonth, reportView } from '../report-presenter.js';
import type { AvailabilityReader, IncidentReportReader } from '../report-sources.js';
import { parseQuery } from '../validation.js';

export interface ReportPageDeps {
  config: Pick<SigapConfig, 'timezone'>;
  db: Database;
  availability: AvailabilityReader;
  reports: IncidentReportReader;
  clock: () => Date;
}

const reportQuery = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-11').optional() });

export function reportPageRoutes(deps: ReportPageDeps): Router {
  const router = Router();
  const common = pageContext(deps.config.timezone);

  router.get('/reports', requirePageUser(), async (req, res) => {
    if (!REPORT_READERS.includes(req.auth!.user.role)) throw new ForbiddenError('the monthly report is for the head of division, the service desk, support and admins');
    const query = parseQuery(reportQuery, req.query);
    const range = monthRange(query.month ?? previousMonth(deps.clock(), deps.config.timezone), deps.config.timezone)!;
    const page = common(req, res);
    const services = await deps.db.stores.checks.listServices();
    const [availability, daily, incidents] = [
      await deps.availability.forServices(range.from, range.to),
      await deps.availability.daily(range.from, range.to),
      await deps.reports.report(range.from, range.to),
    ];
    const view = reportView({ range, services, availability, daily, incidents }, page.lang, page.fmt.dateTime);
    res.render('reports', { ...page, ...view, title: `${view.monthName}` });
  });
  return router;
}
