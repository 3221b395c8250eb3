// Pure arithmetic of the detection suite: where the next probe of a check falls after an outage,
// the physical minimum of a confirmation, how many failed probes a confirmation took, percentiles.

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p50 / p95 / max, rounded to whole ms (NaN where there are no values). */
export function spread(values: readonly number[]): { p50: number; p95: number; max: number } {
  return { p50: Math.round(percentile(values, 50)), p95: Math.round(percentile(values, 95)), max: values.length ? Math.round(Math.max(...values)) : NaN };
}

/**
 * The physical minimum of one side's confirmation of an outage at t0: until the next probe on
 * the check's grid (the last request the site saw at or before t0, plus whole intervals), then
 * (failureThreshold − 1) further probes `stepMs` apart — Sigap's retryInterval, or the scrape
 * interval for Prometheus. A refused connection takes ~0 ms, so nothing is added per probe.
 */
export function physicalMinimum(arrivals: readonly number[], t0: number, intervalMs: number, stepMs: number, failureThreshold: number): number {
  const last = arrivals.filter((a) => a <= t0).at(-1);
  if (last === undefined) return NaN;
  const nextProbe = last + Math.max(1, Math.ceil((t0 - last) / intervalMs)) * intervalMs;
  return nextProbe - t0 + (failureThreshold - 1) * stepMs;
}

/**
 * Failed probes the site saw from the outage until `by`, a moment the confirmation is known to
 * have happened: Sigap's incident `created_at` (written after the last probe's result), or the
 * arrival of the pipeline's webhook — not the alert's startsAt, which is the evaluation's
 * scheduled tick: Prometheus may run that evaluation later, with a sample stamped at its scrape's
 * start before the tick but requested from the site after it.
 */
export function failedProbes(arrivals: readonly number[], t0: number, by: number): number {
  return arrivals.filter((a) => a > t0 && a <= by).length;
}
