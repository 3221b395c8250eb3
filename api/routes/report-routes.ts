// /api/reports/availability and /api/reports/incidents (DESIGN §6), JSON or CSV. Dates are
// whole days in the office time zone, `to` exclusive: a month in WIB runs from 17:00 UTC on the
// day before its first. Without `from` the period starts on the first day of the current month,
// without `to` it ends now. The CSV is built by detector/reporting/report-csv.ts (the monthly
// e-mail attaches the same); the route only picks its options.
import { Router, type Response } from 'express';
import { officeDayStart, wallClock } from '../../detector/sla/business-calendar.js';
import { ValidationError } from '../../detector/errors.js';
import { REPORT_READERS } from '../../detector/reporting/incident-report.js';
import { availabilityReportCsv, incidentReportCsv, type ReportCsvOptions } from '../../detector/reporting/report-csv.js';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { availabilityReportJson } from '../presenters/report-json.js';
import { availabilityReportQuery, incidentReportQuery, MAX_REPORT_DAYS } from '../request-schemas.js';
import { parseQuery } from '../validation.js';

const DAY_MS = 86_400_000;

function sendCsv(res: Response, filename: string, csv: string): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(csv);
}

/** The period asked for, its defaults filled in: [from, to) as instants and as the office days a file is named after. */
function period(query: { from?: string; to?: string }, timezone: string, now: Date) {
  const today = new Date(wallClock(now.getTime(), timezone)).toISOString().slice(0, 10);
  const fromDay = query.from ?? `${today.slice(0, 7)}-01`;
  const from = officeDayStart(fromDay, timezone);
  const to = query.to === undefined ? now : officeDayStart(query.to, timezone);
  const toDay = query.to ?? today;
  if (!(to > from)) {
    const path = query.to === undefined ? 'from' : 'to';
    throw new ValidationError('the query has invalid values', [{ path, message: path === 'from' ? 'must be before today' : 'must be after from' }]);
  }
  if (to.getTime() - from.getTime() > (MAX_REPORT_DAYS + 1) * DAY_MS) {
    throw new ValidationError('the query has invalid values', [{ path: 'to', message: `must be at most ${MAX_REPORT_DAYS} days after from` }]);
  }
  return { from, to, fromDay, toDay };
}

export function reportRoutes({ availability, reports, checks, config, clock }: AppDeps): Router {
  const router = Router();
  const csvOptions = (q: { sep: ReportCsvOptions['sep']; lang: ReportCsvOptions['lang'] }): ReportCsvOptions => ({ sep: q.sep, lang: q.lang, timezone: config.timezone });

  router.get('/api/reports/availability', requireApiUser(...REPORT_READERS), async (req, res) => {
    const query = parseQuery(availabilityReportQuery, req.query);
    if (query.service !== undefined && !(await checks.services()).some((s) => s.key === query.service)) {
      throw new ValidationError('the query has invalid values', [{ path: 'service', message: `no service "${query.service}"` }]);
    }
    const { from, to, fromDay, toDay } = period(query, config.timezone, clock());
    const days = await availability.daily(from, to, query.service);
    if (query.format === 'csv') {
      sendCsv(res, `sigap-availability-${query.service ? `${query.service}-` : ''}${fromDay}-to-${toDay}.csv`, availabilityReportCsv(days, csvOptions(query)));
      return;
    }
    const intervals = await availability.downIntervals(from, to, query.service);
    res.json(availabilityReportJson({ from, to, days, intervals }, config.timezone, config.availability));
  });

  router.get('/api/reports/incidents', requireApiUser(...REPORT_READERS), async (req, res) => {
    const query = parseQuery(incidentReportQuery, req.query);
    const { from, to, fromDay, toDay } = period(query, config.timezone, clock());
    const report = await reports.report(from, to);
    if (query.format === 'csv') {
      sendCsv(res, `sigap-incidents-${fromDay}-to-${toDay}.csv`, incidentReportCsv(report, csvOptions(query)));
      return;
    }
    res.json(report);
  });

  return router;
}
