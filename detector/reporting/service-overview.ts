// Services and their checks with current state, availability (confirmed outages) and probe
// success (probe level) over 24h, 7d and 30d, as the AvailabilityService computes them, so
// /api/services, the /services page, /metrics and the reports agree.
import type { AvailabilityService, DailyAvailability } from './availability.js';
import { officeDay } from './availability.js';
import { officeDayStart } from '../sla/business-calendar.js';
import type { CheckRecord, ServiceRecord } from '../detection/check-types.js';
import type { Database } from '../store/store-types.js';

export const AVAILABILITY_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type AvailabilityWindow = keyof typeof AVAILABILITY_WINDOWS;

export type WindowRatios = Record<AvailabilityWindow, number | null>;

export interface CheckOverview {
  check: CheckRecord;
  availability: WindowRatios;
  probeSuccess: WindowRatios;
}

export interface ServiceOverview {
  service: ServiceRecord;
  state: CheckRecord['state'];
  checks: CheckOverview[];
  availability: WindowRatios;
  probeSuccess: WindowRatios;
}

const SEVERITY: Record<CheckRecord['state'], number> = { up: 0, unknown: 1, degraded: 2, down: 3 };
const DAY_MS = 86_400_000;

export interface ServiceOverviewDeps {
  db: Database;
  availability: Pick<AvailabilityService, 'forServicesAndChecks' | 'daily'>;
  timezone: string;
  clock: () => Date;
}

export class ServiceOverviewService {
  constructor(private readonly deps: ServiceOverviewDeps) {}

  /** Every active service with its active checks, their worst state and availability over each window. */
  async overview(): Promise<ServiceOverview[]> {
    const { db, availability } = this.deps;
    const now = this.deps.clock();
    const [services, checks] = [await db.stores.checks.listServices(), await db.stores.checks.listChecks()];
    const windows = Object.entries(AVAILABILITY_WINDOWS) as Array<[AvailabilityWindow, number]>;
    const figures = await Promise.all(windows.map(([, ms]) => availability.forServicesAndChecks(new Date(now.getTime() - ms), now)));
    type Figures = Map<string, { ratio: number | null; probeSuccess: number | null }>;
    const ratios = (pick: (f: (typeof figures)[number]) => Figures, key: string, field: 'ratio' | 'probeSuccess') =>
      Object.fromEntries(windows.map(([window], i) => [window, pick(figures[i]!).get(key)?.[field] ?? null])) as WindowRatios;
    return services.map((service) => {
      const own = checks.filter((c) => c.serviceId === service.id);
      const state = own.reduce<CheckRecord['state']>((worst, c) => (SEVERITY[c.state] > SEVERITY[worst] ? c.state : worst), own.length ? 'up' : 'unknown');
      return {
        service,
        state,
        checks: own.map((check) => ({ check, availability: ratios((f) => f.checks, check.key, 'ratio'), probeSuccess: ratios((f) => f.checks, check.key, 'probeSuccess') })),
        availability: ratios((f) => f.services, service.key, 'ratio'),
        probeSuccess: ratios((f) => f.services, service.key, 'probeSuccess'),
      };
    });
  }

  /** The last `count` office days, today included (YYYY-MM-DD), and each service's availability on them. */
  async lastDays(count: number): Promise<{ days: string[]; daily: DailyAvailability[] }> {
    const { timezone } = this.deps;
    const now = this.deps.clock();
    const today = officeDay(now, timezone);
    const days = Array.from({ length: count }, (_, i) => new Date(Date.parse(`${today}T00:00:00Z`) - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
    const daily = await this.deps.availability.daily(officeDayStart(days[0]!, timezone), now);
    return { days, daily };
  }
}
