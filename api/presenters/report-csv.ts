// The reports as CSV downloads (detector/reporting/csv.ts writes them: BOM, RFC 4180, formulas
// kept as text); durations in whole seconds, times ISO-8601 UTC.
import type { DailyAvailability } from '../../detector/reporting/availability.js';
import { seconds, toCsv } from '../../detector/reporting/csv.js';
import type { IncidentReport } from '../../detector/reporting/incident-report.js';

const AVAILABILITY_COLUMNS = ['day', 'service', 'availability', 'observed_seconds', 'up_seconds', 'down_seconds', 'degraded_seconds', 'maintenance_seconds', 'unknown_seconds'];
const INCIDENT_COLUMNS = [
  'ref',
  'service',
  'priority',
  'category',
  'source',
  'status',
  'detected_at',
  'acknowledged_at',
  'service_restored_at',
  'resolved_at',
  'closed_at',
  'time_to_acknowledge_seconds',
  'time_to_restore_seconds',
  'time_to_resolve_seconds',
  'response_breached',
  'resolution_breached',
  'reopen_count',
];

export function availabilityCsv(days: readonly DailyAvailability[]): string {
  const rows = days.map(({ day: d, service, figures: f }) => [
    d,
    service,
    f.ratio === null ? null : Number(f.ratio.toFixed(6)),
    seconds(f.observedMs),
    seconds(f.upMs),
    seconds(f.downMs),
    seconds(f.degradedMs),
    seconds(f.maintenanceMs),
    seconds(f.unknownMs),
  ]);
  return toCsv(AVAILABILITY_COLUMNS, rows);
}

export function incidentCsv(report: IncidentReport): string {
  const rows = report.incidents.map((i) => [
    i.ref,
    i.service,
    i.priority,
    i.category,
    i.source,
    i.status,
    i.detectedAt,
    i.acknowledgedAt,
    i.serviceRestoredAt,
    i.resolvedAt,
    i.closedAt,
    seconds(i.timeToAcknowledgeMs),
    seconds(i.timeToRestoreMs),
    seconds(i.timeToResolveMs),
    i.responseBreached,
    i.resolutionBreached,
    i.reopenCount,
  ]);
  return toCsv(INCIDENT_COLUMNS, rows);
}
