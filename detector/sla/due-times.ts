// Where an SLA due time is computed: the response and resolution due (and warning) times of an
// incident from its detection, its priority's targets, the clock they run on (24x7 or the office's
// business hours) and the time it spent paused.
import type { Priority } from '../incidents/priority.js';
import { addBusinessTime, businessTimeBetween, type BusinessCalendar } from './business-calendar.js';

export interface SlaTarget {
  respondMs: number;
  resolveMs: number;
  clock: '24x7' | 'business';
}

export type SlaTargets = Record<Priority, SlaTarget>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// A day is 24 hours of the target's clock, as `5d` means in the config file; on a business
// clock that is 24 business hours, not one working day.
export const DEFAULT_SLA_TARGETS: Readonly<SlaTargets> = Object.freeze({
  P1: Object.freeze({ respondMs: 15 * MINUTE, resolveMs: 4 * HOUR, clock: '24x7' }),
  P2: Object.freeze({ respondMs: 30 * MINUTE, resolveMs: 8 * HOUR, clock: '24x7' }),
  P3: Object.freeze({ respondMs: 2 * HOUR, resolveMs: 24 * HOUR, clock: 'business' }),
  P4: Object.freeze({ respondMs: 8 * HOUR, resolveMs: 5 * DAY, clock: 'business' }),
  P5: Object.freeze({ respondMs: 2 * DAY, resolveMs: 10 * DAY, clock: 'business' }),
});

/** The fraction of a target at which a warning goes out (DESIGN §3 `policy.warnAt`). */
export const DEFAULT_WARN_AT = 0.75;

export interface DueTimes {
  responseDueAt: Date;
  resolveDueAt: Date;
  /** When the warning of each target goes out: `warnAt` of the target on the same clock. */
  responseWarnAt: Date;
  resolveWarnAt: Date;
}

export function dueTimes(input: { startedAt: Date; priority: Priority; targets: SlaTargets; calendar: BusinessCalendar; pausedMs?: number; warnAt?: number }): DueTimes {
  const { startedAt, priority, targets, calendar, pausedMs = 0, warnAt = DEFAULT_WARN_AT } = input;
  if (!Number.isFinite(pausedMs) || pausedMs < 0) {
    throw new Error(`pausedMs must be a finite, non-negative number, got ${pausedMs}`);
  }
  const target = targets[priority];
  const add = (ms: number) => (target.clock === 'business' ? addBusinessTime(startedAt, ms, calendar) : new Date(startedAt.getTime() + ms));
  // Pauses move the resolution target and its warning alike; the response target never pauses.
  return {
    responseDueAt: add(target.respondMs),
    resolveDueAt: add(target.resolveMs + pausedMs),
    responseWarnAt: add(Math.round(target.respondMs * warnAt)),
    resolveWarnAt: add(Math.round(target.resolveMs * warnAt) + pausedMs),
  };
}

/** Time that counts on a clock between two instants: how long a pause lasted in `pausedMs` terms. */
export function clockTimeBetween(from: Date, to: Date, clock: SlaTarget['clock'], calendar: BusinessCalendar): number {
  if (clock === 'business') return businessTimeBetween(from, to, calendar);
  return Math.max(0, to.getTime() - from.getTime());
}
