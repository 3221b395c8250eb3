import type { Logger } from 'pino';
import type { SigapConfig } from '../config.js';
import type { AccountService } from '../detector/accounts/account-service.js';
import type { AuditService } from '../detector/audit/audit-service.js';
import type { AvailabilityService } from '../detector/reporting/availability.js';
import type { CheckCatalog } from '../detector/detection/check-catalog.js';
import type { CheckQueries } from '../detector/detection/check-queries.js';
import type { IncidentReportService } from '../detector/reporting/incident-report.js';
import type { MonthlyReportService } from '../detector/reporting/monthly-report.js';
import type { ServiceOverviewService } from '../detector/reporting/service-overview.js';
import type { StatusPageService } from '../detector/reporting/status-page.js';
import type { IncidentServices } from '../detector/incidents/incident-services.js';
import type { MaintenanceService } from '../detector/detection/maintenance-service.js';
import type { SigapMetrics } from '../detector/reporting/metrics.js';
import type { NotificationService } from '../detector/notify/notification-service.js';
import type { IntegrityBaselineService } from '../detector/integrity/baseline-service.js';

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Everything the web app is handed by main.ts; it creates none of it. */
export interface AppDeps {
  config: SigapConfig;
  /** For /readyz: whether the database answers and every migration has run, and if not why (for the log only). */
  readiness: () => Promise<Readiness>;
  /** Probe outcomes, people's commands and queries, Alertmanager alerts, known errors, the SLA clock. */
  incidents: IncidentServices;
  accounts: AccountService;
  catalog: CheckCatalog;
  /** Services, checks and raw probe results as the pages and the API read them. */
  checks: CheckQueries;
  /** Services and checks with their state and availability (/api/services, /services). */
  overview: ServiceOverviewService;
  maintenance: MaintenanceService;
  /** Time-weighted availability per service and day (DESIGN §7): /api/reports/availability. */
  availability: AvailabilityService;
  /** The incident report (/api/reports/incidents): MTTA, MTTR, SLA met per priority, counts. */
  reports: IncidentReportService;
  /** The monthly report page's figures. */
  monthlyReports: MonthlyReportService;
  notifications: NotificationService;
  /** The audit trail: GET /api/audit and the /audit page (admins). */
  audit: AuditService;
  /** The public status page's content (its 90-day history cached for a minute). */
  statusPage: StatusPageService;
  /** Integrity checks' baselines: read, and accepted by a person (the incident page, /services, the API). */
  baselines: IntegrityBaselineService;
  /** The process's one metrics registry, for GET /metrics. */
  metrics: Pick<SigapMetrics, 'render' | 'contentType'>;
  sessionSecret: string;
  logger: Logger;
  clock: () => Date;
  viewsDir: string;
}
