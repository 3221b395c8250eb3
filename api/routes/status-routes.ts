// The public status page for citizens: /status (HTML) and /status.json, no log-in. What it shows
// is built in api/status-presenter.ts from public-safe facts only.
import { Router, type Response } from 'express';
import type { SigapConfig } from '../../config.js';
import type { CheckCatalog } from '../../detector/detection/check-catalog.js';
import { isInMaintenance } from '../../detector/detection/maintenance.js';
import type { MaintenanceService } from '../../detector/detection/maintenance-service.js';
import type { Database } from '../../detector/store/store-types.js';
import { pageContext } from '../page-context.js';
import { ttlCache } from '../ttl-cache.js';
import type { AvailabilityReader, IncidentReportReader } from '../report-sources.js';
import { lastDays, publicIncidents, serviceState, statusJson, statusView, type StatusSnapshot } from '../status-presenter.js';

export interface StatusRouteDeps {
  config: Pick<SigapConfig, 'timezone'>;
  db: Database;
  catalog: Pick<CheckCatalog, 'check'>;
  maintenance: Pick<MaintenanceService, 'list'>;
  availability: AvailabilityReader;
  reports: IncidentReportReader;
  clock: () => Date;
}

const DAYS = 90;
/** Incidents resolved in the last 7 days are read from the report of the last 30 (by detection). */
const RECENT_REPORT_MS = 30 * 86_400_000;
const OPEN_LIMIT = 200;

/** What costs seconds with a year of data (90 days of availability, a month of incidents): computed at most once a minute. */
async function history(deps: StatusRouteDeps) {
  const now = deps.clock();
  const { from, days } = lastDays(now, DAYS, deps.config.timezone);
  const [uptime, daily] = [await deps.availability.forServices(from, now), await deps.availability.daily(from, now)];
  const recent = await deps.reports.report(new Date(now.getTime() - RECENT_REPORT_MS), now);
  return { days, uptime, daily, recent };
}

/** The current states and open incidents live; the bars and recent incidents from the cached history. */
async function snapshot(deps: StatusRouteDeps, cachedHistory: () => ReturnType<typeof history>): Promise<StatusSnapshot> {
  const { db, catalog, config, clock } = deps;
  const now = clock();
  const [services, checks, windows] = [await db.stores.checks.listServices(), await db.stores.checks.listChecks(), await deps.maintenance.list()];
  const { days, uptime, daily, recent } = await cachedHistory();
  const open = await db.stores.incidents.list({ openOnly: true }, OPEN_LIMIT, null);

  const ratios = new Map(daily.map((d) => [`${d.service}/${d.day}`, d.figures.ratio]));
  return {
    services: services.map((service) => {
      const own = checks.flatMap((check) => {
        const cfg = check.serviceId === service.id ? catalog.check(check.key) : undefined;
        if (!cfg) return [];
        const inMaintenance = isInMaintenance(windows, { checkKey: check.key, serviceKey: service.key }, now, config.timezone);
        return [{ state: check.state, lastResultAt: check.lastResultAt, intervalMs: cfg.intervalMs, timeoutMs: cfg.timeoutMs, inMaintenance }];
      });
      return {
        key: service.key,
        name: service.name,
        state: serviceState(own, now),
        uptime90d: uptime.get(service.key)?.ratio ?? null,
        days: days.map((day) => ({ day, ratio: ratios.get(`${service.key}/${day}`) ?? null })),
      };
    }),
    incidents: publicIncidents([...open.items, ...recent.incidents], new Map(services.map((s) => [s.key, s.name])), now),
    generatedAt: now,
  };
}

/** How long the 90-day history is reused; the page says max-age=30 to browsers and proxies. */
const HISTORY_TTL_MS = 60_000;

export function statusRoutes(deps: StatusRouteDeps): Router {
  const router = Router();
  const cachedHistory = ttlCache(HISTORY_TTL_MS, deps.clock, () => history(deps));
  const common = pageContext(deps.config.timezone);
  const cacheable = (res: Response) => {
    res.set('Cache-Control', 'max-age=30');
    res.vary('Cookie');
  };

  router.get('/status.json', async (_req, res) => {
    const s = await snapshot(deps, cachedHistory);
    cacheable(res);
    res.json(statusJson(s));
  });

  router.get('/status', async (req, res) => {
    const page = common(req, res);
    const s = await snapshot(deps, cachedHistory);
    cacheable(res);
    res.render('status', { ...page, ...statusView(s, page.lang, page.fmt.dateTime) });
  });
  return router;
}
