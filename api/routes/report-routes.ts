// /api/reports/availability and /api/reports/incidents (DESIGN §6), JSON or CSV. Dates are
// whole days in the office time zone, `to` exclusive: a month in WIB runs from 17:00 UTC on the
// day before its first.
import { Router, type Response } from 'express';
import type { DailyAvailability } from '../../detector/reporting/availability.js';
import { officeDayStart } from '../../detector/sla/business-calendar.js';
import { ValidationError } from '../../detector/errors.js';
import { REPORT_READERS, type IncidentReport } from '../../detector/reporting/incident-report.js';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { seconds, toCsv } from '../../detector/reporting/csv.js';
import { availabilityReportQuery, incidentReportQuery } from '../request-schemas.js';
import { parseQuery } from '../validation.js';

function sendCsv(res: Response, filename: string, csv: string): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
  res.send(csv);
}

const dayJson = ({ day: d, service, figures: f }: DailyAvailability) => ({
  day: d,
  service,
  observedMs: f.observedMs,
  upMs: f.upMs,
  downMs: f.downMs,
  degradedMs: f.degradedMs,
  maintenanceMs: f.maintenanceMs,
  unknownMs: f.unknownMs,
  availability: f.ratio,
});

const AVAILABILITY_COLUMNS = ['day', 'service', 'availability', 'observed_seconds', 'up_seconds', 'down_seconds', 'degraded_seconds', 'maintenance_seconds', 'unknown_seconds'];
const INCIDENT_COLUMNS = [
  'ref', 'service', 'priority', 'category', 'source', 'status', 'detected_at', 'acknowledged_at', 'service_restored_at', 'resolved_at', 'closed_at',
  'time_to_acknowledge_seconds', 'time_to_restore_seconds', 'time_to_resolve_seconds', 'response_breached', 'resolution_breached', 'reopen_count',
];

const incidentCsvRows = (report: IncidentReport) =>
  report.incidents.map((i) => [
    i.ref, i.service, i.priority, i.category, i.source, i.status, i.detectedAt, i.acknowledgedAt, i.serviceRestoredAt, i.resolvedAt, i.closedAt,
    seconds(i.timeToAcknowledgeMs), seconds(i.timeToRestoreMs), seconds(i.timeToResolveMs), i.responseBreached, i.resolutionBreached, i.reopenCount,
  ]);

export function reportRoutes(deps: AppDeps): Router {
  const { availability, reports, checks, config } = deps;
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
      const rows = days.map(({ day: d, service, figures: f }) => [
        d, service, f.ratio === null ? null : Number(f.ratio.toFixed(6)), seconds(f.observedMs), seconds(f.upMs), seconds(f.downMs), seconds(f.degradedMs), seconds(f.maintenanceMs), seconds(f.unknownMs),
      ]);
      sendCsv(res, `sigap-availability-${query.service ? `${query.service}-` : ''}${query.from}-to-${query.to}.csv`, toCsv(AVAILABILITY_COLUMNS, rows));
      return;
    }
    const intervals = await availability.downIntervals(from, to, query.service);
    res.json({
      from: from.toISOString(),
      to: to.toISOString(),
      timezone: config.timezone,
      degradedCountsAs: config.availability.degraded,
      businessHoursOnly: config.availability.businessHoursOnly,
      days: days.map(dayJson),
      downIntervals: intervals.map((i) => ({ service: i.service, check: i.check, from: i.from.toISOString(), to: i.to.toISOString(), kind: i.kind })),
    });
  });

  router.get('/api/reports/incidents', requireApiUser(...REPORT_READERS), async (req, res) => {
    const query = parseQuery(incidentReportQuery, req.query);
    const report = await reports.report(officeDayStart(query.from, config.timezone), officeDayStart(query.to, config.timezone));
    if (query.format === 'csv') {
      sendCsv(res, `sigap-incidents-${query.from}-to-${query.to}.csv`, toCsv(INCIDENT_COLUMNS, incidentCsvRows(report)));
      return;
    }
    res.json(report);
  });

  return router;
}
