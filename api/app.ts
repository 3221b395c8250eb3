// The Express app: security headers, who is calling, then body parsing, the routes, and the one error
// handler. main.ts hands it everything it needs.
import { join } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppDeps } from './app-deps.js';
import { identify } from './auth.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { loadTranslator } from './i18n.js';
import { MAX_ALERTS } from './request-schemas.js';
import { alertmanagerRoutes } from './routes/alertmanager-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { checkRoutes } from './routes/check-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { incidentRoutes } from './routes/incident-routes.js';
import { integrityRoutes } from './routes/integrity-routes.js';
import { reporterRoutes } from './routes/reporter-routes.js';
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

/**
 * The routes that read a body before anyone is logged in: the two log-ins. Every other body is
 * read only once `identify` knows the caller (add a public route that takes a body here).
 */
export const PUBLIC_BODY_ROUTES: ReadonlySet<string> = new Set(['POST /api/session', 'POST /login']);

const mayReadBody = (req: Request) => req.auth !== undefined || PUBLIC_BODY_ROUTES.has(`${req.method} ${req.path.toLowerCase().replace(/(.)\/+$/, '$1')}`);
const hasBody = (req: Request) => req.get('transfer-encoding') !== undefined || (req.get('content-length') ?? '0') !== '0';

/** A body parser that reads only the bodies of known callers and of the log-ins. */
function forCallers(parser: RequestHandler): RequestHandler {
  return (req, res, next) => (mayReadBody(req) ? parser(req, res, next) : next());
}

/**
 * An anonymous request's body is never read: its route answers it without (401, the log-in page or
 * 404), and the connection closes after that answer, so that nothing more of the body is read.
 */
const closeAfterUnreadBody: RequestHandler = (req, res, next) => {
  if (!mayReadBody(req) && hasBody(req)) res.set('Connection', 'close');
  next();
};

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const translator = loadTranslator(join(deps.viewsDir, 'locales'));
  app.engine('hbs', createViewEngine(deps.viewsDir, translator));
  // Refusals are said in the reader's language (api/error-text.ts).
  app.locals.translator = translator;
  app.set('views', deps.viewsDir);
  app.set('view engine', 'hbs');

  // An https public address (PUBLIC_URL): Secure cookies (session-cookies.ts) and HSTS.
  const httpsOnly = deps.config.publicUrl?.startsWith('https:') ?? false;
  app.locals.httpsOnly = httpsOnly;
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
      hsts: httpsOnly ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      // No referrer leaves for another site, and a browser names Sigap's own origin on its own
      // forms (under no-referrer it would say `Origin: null`, which the log-ins refuse).
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use('/static', express.static(join(deps.viewsDir, 'static'), { maxAge: '1h', index: false }));
  app.use(healthRoutes(deps));
  // Before identify(): a Bearer token for /metrics is the metrics token, not an API token.
  app.use(metricsRoutes(deps));
  app.use(openApiRoutes(deps));

  // What follows is personal or changes with the caller: no cache keeps it (/status says otherwise
  // for anonymous callers).
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'private, no-store');
    next();
  });
  // Who is calling comes before any body is read (mayReadBody).
  app.use(cookieParser(deps.sessionSecret));
  app.use(identify(deps.accounts));
  app.use(closeAfterUnreadBody);
  // Alertmanager batches up to MAX_ALERTS alerts with all their labels: its own, larger limit.
  app.use('/api/alertmanager', forCallers(express.json({ limit: `${MAX_ALERTS * 2}kb` })));
  app.use(forCallers(express.json({ limit: '256kb', type: ['application/json', 'application/*+json'] })));
  app.use(forCallers(express.urlencoded({ extended: false, limit: '64kb' })));

  app.use(sessionRoutes(deps));
  app.use(accountRoutes(deps));
  app.use(accountPageRoutes(deps));
  app.use(knownErrorRoutes(deps));
  app.use(incidentRoutes(deps));
  app.use(reporterRoutes(deps));
  app.use(integrityRoutes(deps));
  app.use(alertmanagerRoutes(deps));
  app.use(checkRoutes(deps));
  app.use(pageRoutes(deps));
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
