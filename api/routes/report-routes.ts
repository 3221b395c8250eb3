// /api/reports/availability and /api/reports/incidents (DESIGN §6), JSON or CSV. Dates are
// whole days in the office time zone, `to` exclusive: a month in WIB runs from 17:00 UTC on the
// day before its first.
import { Router, type Response } from 'express';
import { officeDayStart } from '../../detector/sla/business-calendar.js';
import { ValidationError } from '../../detector/errors.js';
import { REPORT_READERS } from '../../detector/reporting/incident-report.js';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { availabilityCsv, incidentCsv } from '../presenters/report-csv.js';
import { availabilityReportJson } from '../presenters/report-json.js';
import { availabilityReportQuery, incidentReportQuery } from '../request-schemas.js';
import { parseQuery } from '../validation.js';

function sendCsv(res: Response, filename: string, csv: string): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(csv);
}

export function reportRoutes({ availability, reports, checks, config }: AppDeps): Router {
  const router = Router();

  router.get('/api/reports/availability', requireApiUser(...REPORT_READERS), async (req, res) => {
    const query = parseQuery(availabilityReportQuery, req.query);
    if (query.service !== undefined && !(await checks.services()).some((s) => s.key === query.service)) {
      throw new ValidationError('the query has invalid values', [{ path: 'service', message: `no service "${query.service}"` }]);
    }
    const from = officeDayStart(query.from, config.timezone);
    const to = officeDayStart(query.to, config.timezone);
    const days = await availability.daily(from, to, query.service);
    if (query.format === 'csv') {
      sendCsv(res, `sigap-availability-${query.service ? `${query.service}-` : ''}${query.from}-to-${query.to}.csv`, availabilityCsv(days));
      return;
    }
    const intervals = await availability.downIntervals(from, to, query.service);
    res.json(availabilityReportJson({ from, to, days, intervals }, config.timezone, config.availability));
  });

  router.get('/api/reports/incidents', requireApiUser(...REPORT_READERS), async (req, res) => {
    const query = parseQuery(incidentReportQuery, req.query);
    const report = await reports.report(officeDayStart(query.from, config.timezone), officeDayStart(query.to, config.timezone));
    if (query.format === 'csv') {
      sendCsv(res, `sigap-incidents-${query.from}-to-${query.to}.csv`, incidentCsv(report));
      return;
    }
    res.json(report);
  });

  return router;
}
