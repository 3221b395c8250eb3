// The one composition root: config → database → stores → services → scheduler → web app.
// Nothing else constructs these; everything is handed down.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { createApp } from './api/app.js';
import { registeredRoutes } from './api/route-list.js';
import { ConfigError, loadConfig, type CheckConfig, type ConnectivityConfig, type SigapConfig } from './config.js';
import { CheckCatalog } from './detector/detection/check-catalog.js';
import { CheckLeases } from './detector/detection/check-leases.js';
import { CheckQueries } from './detector/detection/check-queries.js';
import { AccountService } from './detector/accounts/account-service.js';
import type { ScryptParams } from './detector/accounts/password-hash.js';
import { AuditService } from './detector/audit/audit-service.js';
import { configChanges } from './detector/audit/config-changes.js';
import { AvailabilityService } from './detector/reporting/availability.js';
import { Detector } from './detector/detection/detector.js';
import { StorageUnavailableError } from './detector/errors.js';
import { Housekeeping } from './detector/reporting/housekeeping.js';
import { IncidentReportService } from './detector/reporting/incident-report.js';
import { MonthlyReportService } from './detector/reporting/monthly-report.js';
import { availabilityReportCsv, incidentReportCsv } from './detector/reporting/report-csv.js';
import { MonthlyReportMailer } from './detector/reporting/report-mailer.js';
import { ServiceOverviewService } from './detector/reporting/service-overview.js';
import { StatusPageService } from './detector/reporting/status-page.js';
import { createIncidentServices, type IncidentServices } from './detector/incidents/incident-services.js';
import { MaintenanceService } from './detector/detection/maintenance-service.js';
import { IntegrityBaselineService } from './detector/integrity/baseline-service.js';
import { SigapMetrics, type ProbingStats } from './detector/reporting/metrics.js';
import { DEFAULT_BATCHING, ResultBatcher } from './detector/detection/result-batcher.js';
import { SlaWatcher } from './detector/sla/sla-watcher.js';
import { yearsWithoutHolidays } from './detector/sla/business-calendar.js';
import { createChannel, emailChannelFor, SmtpMailer } from './detector/notify/channels/index.js';
import { NotificationDispatcher } from './detector/notify/dispatcher.js';
import type { Channel } from './detector/notify/notification-types.js';
import { NotificationService } from './detector/notify/notification-service.js';
import { NotificationPlanner } from './detector/notify/planner.js';
import { openDatabase } from './detector/store/database.js';
import type { Database } from './detector/store/store-types.js';
import type { Letterhead } from './detector/reporting/report-pdf.js';
import { ConnectivityGuard } from './probes/connectivity-guard.js';
import { runProbe } from './probes/probe-registry.js';
import type { ProbeDeps } from './probes/probe-types.js';
import { Scheduler, type ScheduledCheck } from './probes/scheduler.js';

export interface StartOptions {
  logger?: Logger;
  clock?: () => Date;
  /** Test seams for probes: an injected resolver, extra trusted CAs. */
  probeDeps?: Partial<Omit<ProbeDeps, 'now'>>;
  /** Where the bootstrap password is announced (stdout by default). */
  announce?: (line: string) => void;
  /** How often the SLA sweep runs (default every second); 0 runs none (tests sweep by hand). */
  slaSweepMs?: number;
  /** How often the notification dispatcher looks for due deliveries besides being woken by commits (default `SIGAP_OUTBOX_POLL`, 1 s); 0: never started (tests dispatch by hand). */
  dispatchMs?: number;
  /** How often the monthly report mailer looks whether a report is due (default every minute); 0: never (tests tick by hand). */
  reportMailMs?: number;
  /** scrypt cost of new password hashes (default N = 2^17); tests that make many users ask for less. */
  scrypt?: ScryptParams;
}

export interface Sigap {
  config: SigapConfig;
  db: Database;
  detector: Detector;
  incidents: IncidentServices;
  catalog: CheckCatalog;
  accounts: AccountService;
  /** Integrity checks' baselines: what the integrity probe reads (`ProbeDeps.integrityBaseline`) and people accept. */
  baselines: IntegrityBaselineService;
  /** Delivers the notification outbox (null for SIGAP_ROLE=web). */
  dispatcher: NotificationDispatcher | null;
  /** E-mails the monthly report to the managers (null for SIGAP_ROLE=web). */
  reportMailer: MonthlyReportMailer | null;
  /** The dashboard's base URL, or null for SIGAP_ROLE=worker. */
  url: string | null;
  /** `METHOD /path` of every route the dashboard registered (none for SIGAP_ROLE=worker). */
  routes: readonly string[];
  stop(): Promise<void>;
}

/** The folder holding package.json and views/, from main.ts or from dist/main.js alike. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const toScheduled = (check: CheckConfig): ScheduledCheck => ({ intervalMs: check.intervalMs, retryIntervalMs: check.retryIntervalMs, target: check.target });

/** How often a probing process re-reads dashboard checks that another process may have changed. */
const CATALOG_REFRESH_MS = 10_000;

/**
 * Probing (SIGAP_ROLE all or worker): the scheduler runs the checks of the catalog this process
 * holds the lease of (all of them when it is the only worker at its location), results go
 * through the connectivity guard to the batcher and the detector; housekeeping rolls them up.
 */
async function startProbing(deps: {
  config: SigapConfig;
  db: Database;
  detector: Detector;
  catalog: CheckCatalog;
  clock: () => Date;
  logger: Logger;
  probeDeps: StartOptions['probeDeps'];
  baselines: IntegrityBaselineService;
}): Promise<{ stop(): Promise<void>; stats(): ProbingStats }> {
  const { config, db, detector, catalog, clock, logger } = deps;
  // An integrity check's baseline is read where it is kept; a database error propagates, and the
  // probe reports the check unknown.
  const probeDeps: ProbeDeps = { integrityBaseline: (checkKey) => deps.baselines.baselineOf(checkKey), ...deps.probeDeps, now: clock };
  const guard = config.connectivity ? connectivityGuard(config.connectivity, probeDeps, logger) : null;
  // Results are written in batches (one transaction each) and kept through a database outage.
  const batcher = new ResultBatcher(detector, logger, DEFAULT_BATCHING);
  const scheduler = new Scheduler({
    probe: async (target) => {
      const result = await runProbe(target, probeDeps);
      return guard ? guard.judge(result) : result;
    },
    onResult: async (result) => ((await batcher.submit(result)).awaitingConfirmation ? 'retry' : 'interval'),
    // While the database is away the batcher keeps the result and says so at once; it warns
    // once per outage, so each probe's own note is only debug.
    onError: (check, err) =>
      err instanceof StorageUnavailableError
        ? logger.debug({ check, err: err.message }, 'database unavailable: probe result not recorded yet')
        : logger.error({ err, check }, 'probe result could not be recorded'),
    now: clock,
  });
  // The catalog says which checks exist; the leases which of them this process probes. Leases
  // coordinate processes in real time, so they follow the wall clock, never an injected one.
  const leases = new CheckLeases({
    store: db.stores.leases,
    worker: { owner: `${config.instance}:${process.pid}:${randomUUID().slice(0, 8)}`, instance: config.instance, pid: process.pid },
    checks: () => catalog.all().map((c) => ({ key: c.key, intervalMs: c.intervalMs })),
    clock: () => new Date(),
    logger,
    onGained: (keys) => scheduler.start(keys.flatMap((key) => catalog.check(key) ?? []).map(toScheduled)),
    onLost: (keys) => keys.forEach((key) => scheduler.remove(key)),
  });
  await leases.start();
  catalog.onChange(({ upserted, removed }) => {
    for (const check of upserted) if (leases.holding().has(check.key)) scheduler.upsert(toScheduled(check));
    for (const key of removed) scheduler.remove(key);
    logger.info({ upserted: upserted.map((c) => c.key), removed }, 'checks changed');
    // New checks are claimed now rather than at the next round; removed ones are given back.
    leases.round().catch(() => undefined);
  });
  const refresher = setInterval(() => {
    catalog.refresh().catch((err: unknown) => logger.warn({ err }, 'could not reload dashboard checks'));
  }, CATALOG_REFRESH_MS);
  refresher.unref();
  logger.info({ checks: catalog.all().length, holding: leases.holding().size, instance: config.instance }, 'probing started');
  // Rollups and retention pruning go with the probing; every worker may run them (idempotent).
  const housekeeping = new Housekeeping({ db, checks: () => catalog.all(), timezone: config.timezone, retention: config.retention, clock, logger });
  housekeeping.start();
  return {
    stats() {
      const { waiting, lateness } = scheduler.stats();
      return { queueLength: waiting, latenessMs: { p50: lateness.p50Ms, p99: lateness.p99Ms, max: lateness.maxMs }, resultsBuffered: batcher.stats().buffered };
    },
    async stop() {
      clearInterval(refresher);
      await scheduler.stop();
      await batcher.stop();
      // Released once this process's last results are written: the next worker continues from them.
      await leases.stop();
      await housekeeping.stop();
      guard?.stop();
    },
  };
}

/**
 * Outbox delivery (SIGAP_ROLE all or worker): the configured channels, and e-mail for people
 * reached by role; woken by every commit that writes outbox rows, in any process on the database.
 */
function startDispatcher(config: SigapConfig, db: Database, clock: () => Date, logger: Logger, pollMs: number | undefined, incidents: IncidentServices): NotificationDispatcher {
  const { notifications } = config;
  const channels = new Map<string, Channel>(notifications.channels.map((c) => [c.key, createChannel(c, notifications.smtp)]));
  const people = notifications.smtp ? emailChannelFor('people', notifications.smtp) : null;
  // A claim outlives the slowest delivery, so a row is taken again only from a process that died with it.
  const timeouts = [...notifications.channels.map((c) => (c.type === 'email' ? (notifications.smtp?.timeoutMs ?? 0) : c.timeoutMs)), notifications.smtp?.timeoutMs ?? 0];
  const claimMs = Math.max(...timeouts) * 2 + 10_000;
  const dispatcher = new NotificationDispatcher({
    db,
    channels,
    people,
    retry: notifications.retry,
    owner: `${config.instance}:${process.pid}`,
    clock,
    logger,
    pollMs: pollMs || undefined,
    claimMs,
    onReporterDelivered: (stores, row, at) =>
      incidents.commands.reporterInformed(stores, { outboxId: row.id, incidentRef: row.incidentRef, channelKey: row.channelKey, event: row.event, recipient: row.recipient }, at),
  });
  if (pollMs !== 0) dispatcher.start();
  return dispatcher;
}

/**
 * The monthly report e-mail: due on the first working day at 08:00, once per month across
 * processes. Started with the background work (SIGAP_ROLE all or worker) unless `intervalMs` is 0;
 * `sigap report send` builds one too.
 */
export function createReportMailer(deps: {
  config: SigapConfig;
  db: Database;
  monthlyReports: MonthlyReportService;
  clock: () => Date;
  logger: Logger;
  intervalMs?: number;
}): MonthlyReportMailer {
  const { config, db, monthlyReports, clock, logger } = deps;
  const smtp = config.notifications.smtp;
  const mailer = new MonthlyReportMailer({
    db,
    reports: monthlyReports,
    calendar: config.calendar,
    transport: smtp ? new SmtpMailer(smtp) : null,
    // The month's availability per day and its incidents as the report's downloads give them (`;`, Indonesian headers).
    renderCsv: (report) => {
      const options = { sep: ';', lang: 'id', timezone: config.timezone } as const;
      return [
        { name: 'ketersediaan', content: availabilityReportCsv(report.daily, options) },
        { name: 'insiden', content: incidentReportCsv(report.incidents, options) },
      ];
    },
    letterhead: letterheadForPdf(config.reports.letterhead),
    signature: config.reports.signature,
    retry: config.notifications.retry,
    owner: `${config.instance}:${process.pid}`,
    clock,
    logger,
    intervalMs: deps.intervalMs || undefined,
    claimMs: (smtp?.timeoutMs ?? 0) * 2 + 60_000,
  });
  if (deps.intervalMs !== 0) mailer.start();
  return mailer;
}

/** The letterhead as the PDF takes it: the logo's bytes from the data URI config.ts read at start. */
function letterheadForPdf(head: SigapConfig['reports']['letterhead']): Letterhead | null {
  if (!head) return null;
  const logo = head.logoDataUri ? Buffer.from(head.logoDataUri.slice(head.logoDataUri.indexOf(',') + 1), 'base64') : null;
  return { office: head.office, address: head.address, logo };
}

/** The monthly report over a database, without the rest of Sigap (the command line's `report send`). */
export async function createMonthlyReports(config: SigapConfig, db: Database, clock: () => Date, logger: Logger): Promise<MonthlyReportService> {
  const catalog = new CheckCatalog({ db, services: config.services, clock, logger, env: config.checkEnv });
  await catalog.refresh();
  const availability = new AvailabilityService({ db, checks: () => catalog.all(), timezone: config.timezone, calendar: config.calendar, options: config.availability, clock });
  const reports = new IncidentReportService({ db, policy: config.policy, calendar: config.calendar, clock });
  return new MonthlyReportService({ db, availability, reports, timezone: config.timezone, clock });
}

function connectivityGuard(connectivity: ConnectivityConfig, probeDeps: ProbeDeps, logger: Logger): ConnectivityGuard {
  const { target, intervalMs } = connectivity;
  const guard = new ConnectivityGuard({
    target,
    probe: (t) => runProbe(t, probeDeps),
    onChange: (online, result) => {
      const where = `${target.host}:${target.port}`;
      if (online) logger.info({ connectivity: where }, 'the probing host is online again: probe failures count again');
      else logger.warn({ connectivity: where, error: result.evidence.errorCode }, 'the probing host is offline: probe failures are recorded as unknown and open no incident');
    },
  });
  guard.start(intervalMs);
  return guard;
}

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`);
    });
  });
}

/** Once per start: a year without a single holiday is almost surely a calendar nobody loaded yet. */
function warnOfMissingHolidays(config: SigapConfig, now: Date, logger: Logger): void {
  const years = yearsWithoutHolidays(config.calendar, now);
  if (years.length === 0) return;
  logger.warn(
    { years, config: config.configPath },
    `no holidays configured for ${years.join(' and ')}: business-clock SLA due times will count national holidays and cuti bersama as working days; add them to holidays: in ${config.configPath} (dates, ranges or an .ics file such as calendars/id-${years[0]}.ics)`,
  );
}

export async function startSigap(config: SigapConfig, options: StartOptions = {}): Promise<Sigap> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? (() => new Date());
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  warnOfMissingHolidays(config, clock(), logger);

  const db = openDatabase(config.databaseUrl);
  await db.migrate();
  const audit = new AuditService({ db, clock, logger });
  // A start with a changed sigap.yaml is how the configuration is reloaded: the trail says what
  // changed (Sigap itself, no address). A new database's first start is no reload.
  const checksBefore = await db.stores.checks.listChecks({ includeInactive: true });
  const reloading = (await db.stores.accounts.countUsers()) > 0;
  await db.stores.checks.syncConfig(config.services, clock());
  const changed = reloading ? configChanges(checksBefore, config.services) : null;
  if (changed) {
    await audit.record({ action: 'config.reloaded', actor: { userId: null, username: null }, ip: null, target: config.configPath, detail: { ...changed } });
  }

  const accounts = new AccountService(db.stores.accounts, clock, audit, { logger, scrypt: options.scrypt });
  const bootstrap = await accounts.bootstrapAdmin(config.bootstrapAdminPassword);
  if (bootstrap.generatedPassword) {
    announce(`Sigap created the user "admin" with the password: ${bootstrap.generatedPassword}`);
    announce('It is shown only this once: log in with it and set your own password, which Sigap asks for first.');
  }
  const catalog = new CheckCatalog({ db, services: config.services, clock, logger, env: config.checkEnv, audit });
  await catalog.refresh();
  // Every incident event, whichever process writes it, gets its notifications in its own transaction.
  const planner = new NotificationPlanner({ config: config.notifications, timezone: config.timezone, checks: catalog });
  const incidents = createIncidentServices({
    db,
    checks: catalog,
    policy: config.policy,
    calendar: config.calendar,
    clock,
    reminders: config.notifications.reminders,
    onEvent: planner.plan,
    audit,
  });
  const notifications = new NotificationService({ db, clock, audit });
  const maintenance = new MaintenanceService({ db, timezone: config.timezone, clock, audit });
  const availability = new AvailabilityService({ db, checks: () => catalog.all(), timezone: config.timezone, calendar: config.calendar, options: config.availability, clock });
  const reports = new IncidentReportService({ db, policy: config.policy, calendar: config.calendar, clock });
  const detector = new Detector({ db, incidents: incidents.probes, checks: catalog, flapping: config.policy.flapping, instance: config.instance, logger, maintenance });
  const baselines = new IntegrityBaselineService({ db, writer: incidents.writer, clock, audit });
  const probing = config.role === 'web' ? null : await startProbing({ config, db, detector, catalog, clock, logger, probeDeps: options.probeDeps, baselines });
  // Warnings, breaches and auto-close go with the background work of SIGAP_ROLE all and worker.
  const slaWatcher = config.role === 'web' || options.slaSweepMs === 0 ? null : new SlaWatcher({ sweep: () => incidents.sla.sweep(), logger, intervalMs: options.slaSweepMs });
  slaWatcher?.start();
  const dispatcher = config.role === 'web' ? null : startDispatcher(config, db, clock, logger, options.dispatchMs ?? config.outboxPollMs, incidents);
  const monthlyReports = new MonthlyReportService({ db, availability, reports, timezone: config.timezone, clock });
  const reportMailer = config.role === 'web' ? null : createReportMailer({ config, db, monthlyReports, clock, logger, intervalMs: options.reportMailMs });

  let server: Server | null = null;
  let url: string | null = null;
  let routes: readonly string[] = [];
  if (config.role !== 'worker') {
    const sessionSecret = await accounts.sessionSecret(config.sessionSecret);
    // The process's one metrics registry; the scheduler's health only where this process probes.
    const metrics = new SigapMetrics({
      store: db.stores.metrics,
      outbox: db.stores.notifications,
      availability,
      probing: probing?.stats ?? null,
      measure: { targets: config.policy.targets, calendar: config.calendar },
      clock,
    });
    const checks = new CheckQueries({ db, catalog });
    const overview = new ServiceOverviewService({ db, availability, timezone: config.timezone, clock });
    const statusPage = new StatusPageService({ db, catalog, maintenance, availability, reports, timezone: config.timezone, clock });
    // /readyz answers whether the database is reachable and migrated; it never sees the database itself.
    const readiness = () =>
      db.checkReady().then(
        () => ({ ready: true }) as const,
        (err: unknown) => ({ ready: false, reason: (err as Error).message }) as const,
      );
    const app = createApp({
      config,
      readiness,
      incidents,
      accounts,
      catalog,
      checks,
      overview,
      maintenance,
      notifications,
      audit,
      availability,
      reports,
      monthlyReports,
      statusPage,
      baselines,
      metrics,
      sessionSecret,
      logger,
      clock,
      viewsDir: join(projectRoot(), 'views'),
    });
    routes = registeredRoutes(app);
    server = createServer(app);
    url = await listen(server, config.port, config.host);
    logger.info({ url }, 'dashboard listening');
  }

  return {
    config,
    db,
    detector,
    baselines,
    incidents,
    accounts,
    catalog,
    dispatcher,
    reportMailer,
    url,
    routes,
    async stop() {
      await slaWatcher?.stop();
      await dispatcher?.stop();
      await reportMailer?.stop();
      await probing?.stop();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await db.close();
    },
  };
}

/** Read the configuration, or print every problem and exit 2 (no stack trace). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv, program = 'sigap'): SigapConfig {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${program}: cannot start, the configuration has ${err.problems.length} problem(s):\n`);
    for (const problem of err.problems) process.stderr.write(`  - ${problem}\n`);
    process.exit(2);
  }
}

/** SIGTERM / SIGINT: run `stop` once, then exit 0 (or 1 if it failed). */
export function stopOnSignals(logger: Logger, stop: () => Promise<unknown>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const logger = pino({ level: config.logLevel });
  // Handlers first: a SIGTERM that arrives while Sigap is still starting waits for the start,
  // then stops cleanly, instead of killing the process half-way.
  const starting = startSigap(config, { logger });
  stopOnSignals(logger, async () => (await starting).stop());
  try {
    await starting;
  } catch (err) {
    logger.fatal({ err }, 'sigap could not start');
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
