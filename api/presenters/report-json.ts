// GET /api/reports/availability as JSON: per service and office day, and the down intervals.
import type { AvailabilityConfig } from '../../config.js';
import type { DailyAvailability, DownInterval } from '../../detector/reporting/availability.js';

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
  probeDownMs: f.probeDownMs,
  probeDegradedMs: f.probeDegradedMs,
  probeSuccess: f.probeSuccess,
});

export function availabilityReportJson(
  report: { from: Date; to: Date; days: readonly DailyAvailability[]; intervals: readonly DownInterval[] },
  timezone: string,
  options: AvailabilityConfig,
) {
  return {
    from: report.from.toISOString(),
    to: report.to.toISOString(),
    timezone,
    degradedCountsAs: options.degraded,
    businessHoursOnly: options.businessHoursOnly,
    days: report.days.map(dayJson),
    downIntervals: report.intervals.map((i) => ({ service: i.service, check: i.check, from: i.from.toISOString(), to: i.to.toISOString(), kind: i.kind })),
  };
}
