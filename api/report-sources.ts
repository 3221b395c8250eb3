// What the status and report pages read from the availability and incident-report services,
// narrowed to the calls they make.
import type { AvailabilityService } from '../detector/reporting/availability.js';
import type { IncidentReportService } from '../detector/reporting/incident-report.js';

export type { AvailabilityFigures, DailyAvailability } from '../detector/reporting/availability.js';
export type { IncidentReport } from '../detector/reporting/incident-report.js';

export type AvailabilityReader = Pick<AvailabilityService, 'forServices' | 'daily'>;
export type IncidentReportReader = Pick<IncidentReportService, 'report'>;
