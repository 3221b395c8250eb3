// /api/reports/availability and /api/reports/incidents (DESIGN §6, issue 8), JSON or CSV. Dates are
// whole days in the office time zone, `to` exclusive: a month in WIB runs from 17:00 UTC on the
// day before its first.
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { DailyAvailability } from '../../detector/reporting/availability.js';
import { officeDayStart } from '../../detector/sla/business-calendar.js';
import { USER_ROLES } from '../../detector/accounts/account-types.js';
import { ValidationError } from '../../detector/errors.js';
import type { IncidentReport } from '../../detector/reporting/incident-report.js';
import type { AppDeps } from '../app-deps.js';
import { requireApiUser } from '../auth.js';
import { seconds, toCsv } from '../../detector/reporting/csv.js';
import { parseQuery } from '../validation.js';

/** Every role but vendor, which sees only incidents escalated to it. */
export const REPORT_READERS = USER_ROLES.filter((role) => role !== 'vendor');
export const MAX_REPORT_DAYS = 400;
const DAY_MS = 86_400_000;

const day = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().slice(0, 10) === d, 'must be a date written YYYY-MM-DD');

const period = {
  from: day.describe('first day, YYYY-MM-DD in the office time zone'),
  to: day.describe('day after the last, YYYY-MM-DD in the office time zone (exclusive)'),
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json'),
};

function periodRule<T extends { from: string; to: string }>(value: T, ctx: z.RefinementCtx): void {
  const days = (Date.parse(value.to) - Date.parse(value.from)) / DAY_MS;
  if (Number.isNaN(days)) return; // a bad date is reported on its own field
  if (days <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  else if (days > MAX_REPORT_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_REPORT_DAYS} days after from` });
}

export const availabilityReportQuery = z.object({ ...period, service: z.string().trim().min(1).max(64).optional() }).superRefine(periodRule);
export const incidentReportQuery = z.object(period).superRefine(periodRule);


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
  const { availability, reports, config, db } = deps;
  const router = Router();

  router.get('/api/reports/availability', requireApiUser(...REPORT_READERS), async (req, res) => {
    const query = parseQuery(availabilityReportQuery, req.query);
    if (query.service !== undefined && !(await db.stores.checks.listServices()).some((s) => s.key === query.service)) {
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
