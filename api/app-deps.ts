import type { Logger } from 'pino';
import type { SigapConfig } from '../config.js';
import type { AccountService } from '../detector/account-service.js';
import type { AlertService } from '../detector/alert-service.js';
import type { CheckCatalog } from '../detector/check-catalog.js';
import type { IncidentService } from '../detector/incident-service.js';
import type { KnownErrorService } from '../detector/known-error-service.js';
import type { MaintenanceService } from '../detector/maintenance-service.js';
import type { NotificationService } from '../detector/notify/notification-service.js';
import type { Database } from '../detector/store/store-types.js';

/** Everything the web app is handed by main.ts; it creates none of it. */
export interface AppDeps {
  config: SigapConfig;
  db: Database;
  incidents: IncidentService;
  alerts: AlertService;
  accounts: AccountService;
  catalog: CheckCatalog;
  maintenance: MaintenanceService;
  knownErrors: KnownErrorService;
  notifications: NotificationService;
  sessionSecret: string;
  logger: Logger;
  clock: () => Date;
  viewsDir: string;
}
