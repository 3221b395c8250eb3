// Services and their checks with current state and availability over 24h, 7d and 30d.
// Availability here is 1 − confirmed-down time ÷ observed time, where down time runs from an
// incident's detection to its restoration (or resolution) and observation starts when the check
// was first configured.
import type { CheckRecord, ServiceRecord } from './domain-types.js';
import type { Database } from './store/store-types.js';

export const AVAILABILITY_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type AvailabilityWindow = keyof typeof AVAILABILITY_WINDOWS;

export interface CheckOverview {
  check: CheckRecord;
  availability: Record<AvailabilityWindow, number | null>;
}

export interface ServiceOverview {
  service: ServiceRecord;
  state: CheckRecord['state'];
  checks: CheckOverview[];
  availability: Record<AvailabilityWindow, number | null>;
}

const SEVERITY: Record<CheckRecord['state'], number> = { up: 0, unknown: 1, degraded: 2, down: 3 };

export async function servicesOverview(db: Database, now: Date): Promise<ServiceOverview[]> {
  const [services, checks] = [await db.stores.checks.listServices(), await db.stores.checks.listChecks()];
  const downtime = new Map<AvailabilityWindow, Map<number, number>>();
  for (const [window, ms] of Object.entries(AVAILABILITY_WINDOWS) as Array<[AvailabilityWindow, number]>) {
    downtime.set(window, await db.stores.incidents.downtimeByCheck(new Date(now.getTime() - ms), now));
  }
  const availabilityOf = (list: CheckRecord[]) => {
    const out = {} as Record<AvailabilityWindow, number | null>;
    for (const [window, ms] of Object.entries(AVAILABILITY_WINDOWS) as Array<[AvailabilityWindow, number]>) {
      let observed = 0;
      let down = 0;
      for (const check of list) {
        if (!check.lastResultAt) continue;
        observed += Math.min(ms, now.getTime() - check.createdAt.getTime());
        down += downtime.get(window)!.get(check.id) ?? 0;
      }
      out[window] = observed > 0 ? Math.max(0, 1 - down / observed) : null;
    }
    return out;
  };
  return services.map((service) => {
    const own = checks.filter((c) => c.serviceId === service.id);
    const state = own.reduce<CheckRecord['state']>((worst, c) => (SEVERITY[c.state] > SEVERITY[worst] ? c.state : worst), own.length ? 'up' : 'unknown');
    return {
      service,
      state,
      checks: own.map((check) => ({ check, availability: availabilityOf([check]) })),
      availability: availabilityOf(own),
    };
  });
}
