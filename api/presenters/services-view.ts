// The /services page: each service with its state, availability and last 30 days as a bar chart,
// and its checks, each saying where it comes from and, for dashboard ones, its YAML.
import { stringify } from 'yaml';
import type { User } from '../../detector/accounts/account-types.js';
import type { CheckListing } from '../../detector/detection/check-queries.js';
import type { DailyAvailability } from '../../detector/reporting/availability.js';
import type { ServiceOverview } from '../../detector/reporting/service-overview.js';
import { checkJson } from './check-json.js';
import type { Formatters } from './formatters.js';
import { availabilityChart } from './report-view.js';

const percent = (ratio: number | null) => (ratio === null ? '—' : `${(ratio * 100).toFixed(2)} %`);

/** `recent`: office days and each service's availability on them, drawn like the monthly report's chart. */
export function servicesView(
  overview: ServiceOverview[],
  listings: CheckListing[],
  recent: { days: string[]; daily: readonly DailyAvailability[] },
  fmt: Formatters,
  viewer: Pick<User, 'role'>,
) {
  const checks = listings.map((listing) => checkJson(listing, viewer));
  const availabilityOf = new Map(overview.flatMap((s) => s.checks.map((c) => [c.check.key, c.availability] as const)));
  const probeSuccessOf = new Map(overview.flatMap((s) => s.checks.map((c) => [c.check.key, c.probeSuccess] as const)));
  return {
    title: 'Layanan',
    services: overview.map(({ service, state, availability, probeSuccess }) => ({
      key: service.key,
      name: service.name,
      impact: service.impact,
      state,
      stateClass: `state-${state}`,
      availability: { day: percent(availability['24h']), week: percent(availability['7d']), month: percent(availability['30d']) },
      probeSuccess: { day: percent(probeSuccess['24h']), week: percent(probeSuccess['7d']), month: percent(probeSuccess['30d']) },
      checks: checks
        .filter((c) => c.service === service.key)
        .map((c) => ({
          ...c,
          stateClass: `state-${c.enabled ? c.state : 'disabled'}`,
          fromFile: c.source === 'file',
          lastResultAt: fmt.dateTime(c.lastResultAt ? new Date(c.lastResultAt) : null),
          availabilityDay: percent(availabilityOf.get(c.key)?.['24h'] ?? null),
          probeSuccessDay: percent(probeSuccessOf.get(c.key)?.['24h'] ?? null),
          yaml: c.definition ? stringify(c.definition) : null,
        })),
      chart: availabilityChart(recent.days, new Map(recent.daily.filter((d) => d.service === service.key).map((d) => [d.day, d.figures.ratio])), fmt.lang),
    })),
  };
}
