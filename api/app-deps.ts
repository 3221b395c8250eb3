import type { Logger } from 'pino';
import type { SigapConfig } from '../config.js';
import type { AccountService } from '../detector/account-service.js';
import type { CheckCatalog } from '../detector/check-catalog.js';
import type { IncidentService } from '../detector/incident-service.js';
import type { MaintenanceService } from '../detector/maintenance-service.js';
import type { Database } from '../detector/store/store-types.js';

/** Everything the web app is handed by main.ts; it creates none of it. */
export interface AppDeps {
  config: SigapConfig;
  db: Database;
  incidents: IncidentService;
  accounts: AccountService;
  catalog: CheckCatalog;
  maintenance: MaintenanceService;
  sessionSecret: string;
  logger: Logger;
  clock: () => Date;
  viewsDir: string;
}
