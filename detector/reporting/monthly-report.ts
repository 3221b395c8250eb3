// The monthly report for the head of division (/reports): a calendar month in the office time zone
// with its services' availability (the month and each day) and the incident report of the month.
import type { ServiceRecord } from '../detection/check-types.js';
import { ValidationError } from '../errors.js';
import { wallClock, wallClockToInstant } from '../sla/business-calendar.js';
import type { Database } from '../store/store-types.js';
import type { AvailabilityFigures, AvailabilityService, DailyAvailability } from './availability.js';
import type { IncidentReport, IncidentReportService } from './incident-report.js';

const DAY_MS = 86_400_000;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export interface MonthRange {
  month: string;
  from: Date;
  to: Date;
  days: string[];
}

/** A calendar month in `timezone`: from its first local midnight to the next month's. */
export function monthRange(month: string, timezone: string): MonthRange | null {
  const m = MONTH.exec(month);
  if (!m) return null;
  const [year, mon] = [Number(m[1]), Number(m[2])];
  const start = Date.UTC(year, mon - 1, 1);
  const end = Date.UTC(year, mon, 1);
  const days = Array.from({ length: Math.round((end - start) / DAY_MS) }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
  return { month, from: new Date(wallClockToInstant(start, timezone)), to: new Date(wallClockToInstant(end, timezone)), days };
}

/** The month before the one `now` falls in, in `timezone` (the report's default). */
export function previousMonth(now: Date, timezone: string): string {
  const local = new Date(wallClock(now.getTime(), timezone));
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + by, 1)).toISOString().slice(0, 7);
}

export interface MonthlyReport {
  range: MonthRange;
  services: readonly ServiceRecord[];
  /** Per service key, over the month. */
  availability: ReadonlyMap<string, AvailabilityFigures>;
  daily: readonly DailyAvailability[];
  incidents: IncidentReport;
}

export interface MonthlyReportDeps {
  db: Database;
  availability: Pick<AvailabilityService, 'forServices' | 'daily'>;
  reports: Pick<IncidentReportService, 'report'>;
  timezone: string;
  clock: () => Date;
}

export class MonthlyReportService {
  constructor(private readonly deps: MonthlyReportDeps) {}

  /** The report of `month` (YYYY-MM); by default the month before this one. */
  async month(month?: string): Promise<MonthlyReport> {
    const { db, availability, reports, timezone } = this.deps;
    const range = monthRange(month ?? previousMonth(this.deps.clock(), timezone), timezone);
    if (!range) throw new ValidationError('the query has invalid values', [{ path: 'month', message: 'must be a month like 2026-11' }]);
    const services = await db.stores.checks.listServices();
    return {
      range,
      services,
      availability: await availability.forServices(range.from, range.to),
      daily: await availability.daily(range.from, range.to),
      incidents: await reports.report(range.from, range.to),
    };
  }
}
