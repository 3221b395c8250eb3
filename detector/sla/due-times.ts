// Where an SLA due time is computed: the response and resolution due (and warning) times of an
// incident from its detection, its priority's targets, the clock they run on (24x7 or the office's
// business hours) and the time it spent paused.
import type { Priority } from '../incidents/priority.js';
import { addBusinessTime, addWorkingDays, businessTimeBetween, type BusinessCalendar } from './business-calendar.js';

/**
 * A target as the config file writes it: `days` from `d`, everything else (`h`, `m`, …) in `ms`.
 * On a business clock `days` are working days and `ms` office time; on 24x7 a day is 24 hours.
 */
export interface SlaDuration {
  days: number;
  ms: number;
}

export interface SlaTarget {
  respond: SlaDuration;
  resolve: SlaDuration;
  clock: '24x7' | 'business';
}

export type SlaTargets = Record<Priority, SlaTarget>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const span = (days: number, ms = 0): SlaDuration => Object.freeze({ days, ms });

// `5d` on the business clock is five working days (P4 opened Monday 10:00 is due the next
// Monday 10:00), as the office reads "5 hari"; `24h` stays 24 office hours.
export const DEFAULT_SLA_TARGETS: Readonly<SlaTargets> = Object.freeze({
  P1: Object.freeze({ respond: span(0, 15 * MINUTE), resolve: span(0, 4 * HOUR), clock: '24x7' }),
  P2: Object.freeze({ respond: span(0, 30 * MINUTE), resolve: span(0, 8 * HOUR), clock: '24x7' }),
  P3: Object.freeze({ respond: span(0, 2 * HOUR), resolve: span(0, 24 * HOUR), clock: 'business' }),
  P4: Object.freeze({ respond: span(0, 8 * HOUR), resolve: span(5), clock: 'business' }),
  P5: Object.freeze({ respond: span(2), resolve: span(10), clock: 'business' }),
});

/** The fraction of a target at which a warning goes out (DESIGN §3 `policy.warnAt`). */
export const DEFAULT_WARN_AT = 0.75;

export interface DueTimes {
  responseDueAt: Date;
  resolveDueAt: Date;
  /** When the warning of each target goes out: `warnAt` of the target's clock time, on the same clock. */
  responseWarnAt: Date;
  resolveWarnAt: Date;
}

/** An instant plus time on a clock: working days first, then hours and minutes. */
export function addClockTime(start: Date, duration: SlaDuration, clock: SlaTarget['clock'], calendar: BusinessCalendar): Date {
  if (clock === '24x7') return new Date(start.getTime() + duration.days * DAY + duration.ms);
  const afterDays = duration.days > 0 ? addWorkingDays(start, duration.days, calendar) : start;
  return duration.ms > 0 || duration.days === 0 ? addBusinessTime(afterDays, duration.ms, calendar) : afterDays;
}

export function dueTimes(input: { startedAt: Date; priority: Priority; targets: SlaTargets; calendar: BusinessCalendar; pausedMs?: number; warnAt?: number }): DueTimes {
  const { startedAt, priority, targets, calendar, pausedMs = 0, warnAt = DEFAULT_WARN_AT } = input;
  if (!Number.isFinite(pausedMs) || pausedMs < 0) {
    throw new Error(`pausedMs must be a finite, non-negative number, got ${pausedMs}`);
  }
  const { clock, respond, resolve } = targets[priority];
  const due = (duration: SlaDuration) => addClockTime(startedAt, duration, clock, calendar);
  const warn = (dueAt: Date) => due({ days: 0, ms: Math.round(warnAt * clockTimeBetween(startedAt, dueAt, clock, calendar)) });
  // Pauses move the resolution target and its warning alike, after the target; the response never pauses.
  const paused = (at: Date) => (pausedMs > 0 ? addClockTime(at, { days: 0, ms: pausedMs }, clock, calendar) : at);
  const responseDueAt = due(respond);
  const resolveDueAt = due(resolve);
  return {
    responseDueAt,
    resolveDueAt: paused(resolveDueAt),
    responseWarnAt: warn(responseDueAt),
    resolveWarnAt: paused(warn(resolveDueAt)),
  };
}

/** Time that counts on a clock between two instants: how long a pause lasted in `pausedMs` terms. */
export function clockTimeBetween(from: Date, to: Date, clock: SlaTarget['clock'], calendar: BusinessCalendar): number {
  if (clock === 'business') return businessTimeBetween(from, to, calendar);
  return Math.max(0, to.getTime() - from.getTime());
}
