// The Express app: security headers, body parsing, who is calling, the routes, and the one error
// handler. main.ts hands it everything it needs.
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './app-deps.js';
import { identify } from './auth.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { loadTranslator } from './i18n.js';
import { loginLimiter } from './login-limiter.js';
import { MAX_ALERTS } from './request-schemas.js';
import { alertmanagerRoutes } from './routes/alertmanager-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { checkRoutes } from './routes/check-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { incidentRoutes } from './routes/incident-routes.js';
import { knownErrorRoutes } from './routes/known-error-routes.js';
import { maintenanceRoutes } from './routes/maintenance-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { notificationRoutes } from './routes/notification-routes.js';
import { openApiRoutes } from './routes/openapi-routes.js';
import { pageRoutes } from './routes/page-routes.js';
import { servicePageRoutes } from './routes/service-page-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { accountPageRoutes } from './routes/account-page-routes.js';
import { accountRoutes } from './routes/account-routes.js';
import { incidentPageRoutes } from './routes/incident-page-routes.js';
import { sopRoutes } from './routes/sop-routes.js';
import { reportPageRoutes } from './routes/report-page-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { statusRoutes } from './routes/status-routes.js';
import { createViewEngine } from './view-engine.js';

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.engine('hbs', createViewEngine(deps.viewsDir, loadTranslator(join(deps.viewsDir, 'locales'))));
  app.set('views', deps.viewsDir);
  app.set('view engine', 'hbs');

  app.use(helmet({ contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } }, hsts: false }));
  app.use('/static', express.static(join(deps.viewsDir, 'static'), { maxAge: '1h', index: false }));
  app.use(healthRoutes(deps));
  // Before identify(): a Bearer token for /metrics is the metrics token, not an API token.
  app.use(metricsRoutes(deps));
  app.use(openApiRoutes(deps));

  // Alertmanager batches up to MAX_ALERTS alerts with all their labels: its own, larger limit.
  app.use('/api/alertmanager', express.json({ limit: `${MAX_ALERTS * 2}kb` }));
  app.use(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(cookieParser(deps.sessionSecret));
  app.use(identify(deps.accounts));

  // One limiter for both log-ins: failures through the API and the form count together.
  const loginLimit = loginLimiter();
  app.use(sessionRoutes(deps, loginLimit));
  app.use(accountRoutes(deps));
  app.use(accountPageRoutes(deps));
  app.use(knownErrorRoutes(deps));
  app.use(incidentRoutes(deps));
  app.use(alertmanagerRoutes(deps));
  app.use(checkRoutes(deps));
  app.use(pageRoutes(deps, loginLimit));
  app.use(incidentPageRoutes(deps));
  app.use(servicePageRoutes(deps));
  app.use(maintenanceRoutes(deps));
  app.use(notificationRoutes(deps));
  app.use(sopRoutes(deps));
  app.use(statusRoutes(deps));
  app.use(reportPageRoutes(deps));
  app.use(reportRoutes(deps));
  app.use(auditRoutes(deps));

  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
