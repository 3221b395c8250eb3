// What the public status page (/status, /status.json) shows: each service's one state, 90 daily
// bars, and incidents told in public-safe facts. Citizens read this page, so an incident is only
// ever its service, a generic category, a state and two times: never its title, description,
// notes, people, evidence, check targets or ref.
//
// The page cannot contradict itself: each service's state is computed once here (publicState:
// the worst of its checks' confirmed state, its ongoing incidents and maintenance), and the
// headline (overallState), the service cards and the list of ongoing disruptions (every service
// whose state is not operational, with its ongoing incidents) are all read from those states.
import type { ProbeStatus } from '../../probes/probe-types.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import { isInMaintenance } from '../detection/maintenance.js';
import type { MaintenanceService } from '../detection/maintenance-service.js';
import { wallClock, wallClockToInstant } from '../sla/business-calendar.js';
import type { Database } from '../store/store-types.js';
import type { AvailabilityService } from './availability.js';
import type { IncidentReportService } from './incident-report.js';
import { ttlCache } from './ttl-cache.js';

export type ServiceState = 'operational' | 'degraded' | 'partial_outage' | 'major_outage' | 'maintenance' | 'unknown';
export type PublicIncidentState = 'investigating' | 'restored' | 'resolved';

/** What the page needs of one check to judge its service now. */
export interface CheckSnapshot {
  state: ProbeStatus;
  lastResultAt: Date | null;
  intervalMs: number;
  timeoutMs: number;
  /** A maintenance window covers the check now. */
  inMaintenance: boolean;
}

/** No result within two intervals plus the timeout: the detector has stopped telling us anything. */
export function isStale(check: CheckSnapshot, now: Date): boolean {
  return !check.lastResultAt || now.getTime() - check.lastResultAt.getTime() > 2 * check.intervalMs + check.timeoutMs;
}

/**
 * A service is in maintenance when windows cover all its checks; otherwise the checks outside
 * maintenance decide: all down is a major outage, some down a partial one. A stale check counts
 * as unknown, and the service is unknown only when no check outside maintenance is known.
 */
export function serviceState(checks: readonly CheckSnapshot[], now: Date): ServiceState {
  if (checks.length === 0) return 'unknown';
  const live = checks.filter((c) => !c.inMaintenance);
  if (live.length === 0) return 'maintenance';
  const states = live.map((c) => (isStale(c, now) ? 'unknown' : c.state));
  const down = states.filter((s) => s === 'down').length;
  if (down === live.length) return 'major_outage';
  if (down > 0) return 'partial_outage';
  if (states.includes('degraded')) return 'degraded';
  if (states.every((s) => s === 'unknown')) return 'unknown';
  return 'operational';
}

/** From least to most serious: a service's state is the worst of what each source says. */
const SEVERITY: Record<ServiceState, number> = { operational: 0, unknown: 1, maintenance: 2, degraded: 3, partial_outage: 4, major_outage: 5 };

export const worstState = (states: readonly ServiceState[]): ServiceState => states.reduce<ServiceState>((worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst), 'operational');

/** What an incident not restored yet says of its service: a slow service is degraded, anything else a partial outage. */
export function incidentState(incident: Pick<PublicIncident, 'category' | 'state'>): ServiceState {
  if (incident.state !== 'investigating') return 'operational';
  return incident.category === 'slow' ? 'degraded' : 'partial_outage';
}

/**
 * A service's one state on the page: the worst of its checks' state (serviceState), its incidents
 * that are not restored yet (incidentState) and a maintenance window over the whole service. A
 * service without checks (known from reports and Alertmanager only) starts from operational.
 */
export function publicState(checks: ServiceState, incidents: ReadonlyArray<Pick<PublicIncident, 'category' | 'state'>>, serviceInMaintenance: boolean): ServiceState {
  return worstState([checks, ...incidents.map(incidentState), ...(serviceInMaintenance ? (['maintenance'] as const) : [])]);
}

export type OverallState = 'operational' | 'disrupted' | 'maintenance' | 'unknown';

/** The headline from the services' states: any disruption first, then maintenance, then unknown. */
export function overallState(states: readonly ServiceState[]): OverallState {
  const worst = worstState(states);
  if (SEVERITY[worst] >= SEVERITY.degraded) return 'disrupted';
  if (worst === 'maintenance') return 'maintenance';
  return worst === 'unknown' ? 'unknown' : 'operational';
}

const DAY_MS = 86_400_000;

/** The last `count` local days up to today (YYYY-MM-DD in `timezone`) and the instant the first began. */
export function lastDays(now: Date, count: number, timezone: string): { from: Date; days: string[] } {
  const today = Math.floor(wallClock(now.getTime(), timezone) / DAY_MS);
  const days = Array.from({ length: count }, (_, i) => new Date((today - count + 1 + i) * DAY_MS).toISOString().slice(0, 10));
  return { from: new Date(wallClockToInstant((today - count + 1) * DAY_MS, timezone)), days };
}

/** Internal categories folded into the few words a citizen needs. */
const PUBLIC_CATEGORY: Record<string, string> = {
  availability: 'outage',
  network: 'outage',
  performance: 'slow',
  application: 'function',
  security: 'security',
  data: 'function',
};

export function publicCategory(category: string): string {
  return PUBLIC_CATEGORY[category] ?? 'outage';
}

/** The fields of an incident this page may read: nothing free-text, nothing about people. */
export interface IncidentFacts {
  /** Only to notice the same incident from two sources; never shown. */
  ref: string;
  service: string;
  category: string;
  status: string;
  detectedAt: Date | string;
  serviceRestoredAt: Date | string | null;
  resolvedAt: Date | string | null;
}

export interface PublicIncident {
  service: string;
  serviceName: string;
  category: string;
  state: PublicIncidentState;
  startedAt: Date;
  restoredAt: Date | null;
}

const asDate = (d: Date | string | null): Date | null => (d === null ? null : d instanceof Date ? d : new Date(d));

export const RECENT_MS = 7 * DAY_MS;

/**
 * Open incidents, and those resolved in the last 7 days; canceled ones are not incidents to a
 * citizen. The same incident may come from two sources (the open list and the report): it is listed once.
 */
export function publicIncidents(facts: readonly IncidentFacts[], serviceNames: ReadonlyMap<string, string>, now: Date): PublicIncident[] {
  const seen = new Set<string>();
  const out: PublicIncident[] = [];
  for (const f of facts) {
    if (f.status === 'canceled') continue;
    const startedAt = asDate(f.detectedAt)!;
    const resolvedAt = asDate(f.resolvedAt);
    const finished = f.status === 'resolved' || f.status === 'closed';
    if (finished && (!resolvedAt || now.getTime() - resolvedAt.getTime() > RECENT_MS)) continue;
    if (seen.has(f.ref)) continue;
    seen.add(f.ref);
    const restoredAt = asDate(f.serviceRestoredAt) ?? (finished ? resolvedAt : null);
    out.push({
      service: f.service,
      serviceName: serviceNames.get(f.service) ?? f.service,
      category: publicCategory(f.category),
      state: finished ? 'resolved' : restoredAt ? 'restored' : 'investigating',
      startedAt,
      restoredAt,
    });
  }
  return out.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

export interface ServiceStatus {
  key: string;
  name: string;
  /** The one state the headline, the card and the list of ongoing disruptions show (publicState). */
  state: ServiceState;
  /** Availability (confirmed outages) over the 90 days. */
  uptime90d: number | null;
  days: Array<{ day: string; ratio: number | null }>;
  /** Its incidents not resolved yet (investigating or restored), newest first. */
  ongoing: PublicIncident[];
}

export interface StatusSnapshot {
  overall: OverallState;
  services: ServiceStatus[];
  /** The services in maintenance or disrupted (degraded or worse), in the page's order: the list of ongoing disruptions. */
  disrupted: ServiceStatus[];
  /** Open incidents and those resolved in the last 7 days, newest first. */
  incidents: PublicIncident[];
  generatedAt: Date;
}

export interface StatusPageDeps {
  db: Database;
  catalog: Pick<CheckLookup, 'check'>;
  maintenance: Pick<MaintenanceService, 'list'>;
  availability: Pick<AvailabilityService, 'dailyAndServices'>;
  reports: Pick<IncidentReportService, 'report'>;
  timezone: string;
  clock: () => Date;
}

const DAYS = 90;
/** Incidents resolved in the last 7 days are read from the report of the last 30 (by detection). */
const RECENT_REPORT_MS = 30 * DAY_MS;
const OPEN_LIMIT = 200;
/** How long the 90-day history is reused; the page tells browsers and proxies max-age=30. */
const HISTORY_TTL_MS = 60_000;

export class StatusPageService {
  private readonly history: () => ReturnType<StatusPageService['readHistory']>;

  constructor(private readonly deps: StatusPageDeps) {
    this.history = ttlCache(HISTORY_TTL_MS, deps.clock, () => this.readHistory());
  }

  /** What costs seconds with a year of data (90 days of availability, a month of incidents): read at most once a minute. */
  private async readHistory() {
    const { availability, reports, timezone, clock } = this.deps;
    const now = clock();
    const { from, days } = lastDays(now, DAYS, timezone);
    const { services: uptime, daily } = await availability.dailyAndServices(from, now);
    const recent = await reports.report(new Date(now.getTime() - RECENT_REPORT_MS), now);
    return { days, uptime, daily, recent };
  }

  /** The current states and open incidents live; the bars and recent incidents from the cached history. */
  async snapshot(): Promise<StatusSnapshot> {
    const { db, catalog, timezone, clock } = this.deps;
    const now = clock();
    const [services, checks, windows] = [await db.stores.checks.listServices(), await db.stores.checks.listChecks(), await this.deps.maintenance.list()];
    const { days, uptime, daily, recent } = await this.history();
    const open = await db.stores.incidents.list({ openOnly: true }, OPEN_LIMIT, null);

    const ratios = new Map(daily.map((d) => [`${d.service}/${d.day}`, d.figures.ratio]));
    // What is ongoing comes from the live open list only: the cached report may still hold an
    // incident as open that has since been resolved, and would make its service look disrupted.
    const finished = recent.incidents.filter((i) => i.status === 'resolved' || i.status === 'closed');
    const incidents = publicIncidents([...open.items, ...finished], new Map(services.map((s) => [s.key, s.name])), now);
    const statuses = services.map((service): ServiceStatus => {
      const own = checks.flatMap((check) => {
        const cfg = check.serviceId === service.id ? catalog.check(check.key) : undefined;
        if (!cfg) return [];
        const inMaintenance = isInMaintenance(windows, { checkKey: check.key, serviceKey: service.key }, now, timezone);
        return [{ state: check.state, lastResultAt: check.lastResultAt, intervalMs: cfg.intervalMs, timeoutMs: cfg.timeoutMs, inMaintenance }];
      });
      const ongoing = incidents.filter((i) => i.service === service.key && i.state !== 'resolved');
      // A window for the whole service (or every service), not for one of its checks.
      const wholeService = isInMaintenance(
        windows.filter((w) => w.checkKey === null),
        { checkKey: '', serviceKey: service.key },
        now,
        timezone,
      );
      return {
        key: service.key,
        name: service.name,
        state: publicState(own.length > 0 ? serviceState(own, now) : 'operational', ongoing, wholeService),
        uptime90d: uptime.get(service.key)?.ratio ?? null,
        days: days.map((day) => ({ day, ratio: ratios.get(`${service.key}/${day}`) ?? null })),
        ongoing,
      };
    });
    return {
      overall: overallState(statuses.map((s) => s.state)),
      services: statuses,
      disrupted: statuses.filter((s) => SEVERITY[s.state] >= SEVERITY.maintenance),
      incidents,
      generatedAt: now,
    };
  }
}
