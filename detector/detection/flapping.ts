// Flapping (DESIGN §4 "Never duplicate, never miss"): a check that changes state (up ↔ down or
// degraded) too often keeps one incident open and marked, instead of an open/close storm. Pure
// window arithmetic over the times of a check's confirmed state changes.

export interface FlappingPolicy {
  /** This many state changes within `windowMs` make a check flap. */
  changes: number;
  windowMs: number;
}

/**
 * The changes inside the window that ends at `now` (after now − window), oldest first. A change
 * later than `now` (a result handled late) is kept: it is not outside the window yet.
 */
export function changesWithin(changes: readonly Date[], now: Date, windowMs: number): Date[] {
  const from = now.getTime() - windowMs;
  return changes.filter((c) => c.getTime() > from).sort((a, b) => a.getTime() - b.getTime());
}

/** Record a state change at `at`: the changes still inside the window ending there, `at` included. */
export function addStateChange(changes: readonly Date[], at: Date, windowMs: number): Date[] {
  return changesWithin([...changes, at], at, windowMs);
}

/** At least `policy.changes` state changes within the window ending at `now`. */
export function isFlapping(changes: readonly Date[], now: Date, policy: FlappingPolicy): boolean {
  return changesWithin(changes, now, policy.windowMs).length >= policy.changes;
}

/** No state change within the window ending at `now`: the check has been stable for a whole window. */
export function isStable(changes: readonly Date[], now: Date, windowMs: number): boolean {
  const last = lastChange(changes);
  return last === null || now.getTime() - last.getTime() >= windowMs;
}

export function lastChange(changes: readonly Date[]): Date | null {
  return changes.reduce<Date | null>((last, c) => (last === null || c > last ? c : last), null);
}
