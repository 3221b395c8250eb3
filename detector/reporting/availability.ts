// Time-weighted availability (DESIGN §7), the one computation behind /api/services, the
// reports, /metrics and the status page. Up, degraded (slow), down, maintenance and unknown time
// are kept apart; availability = available ÷ (up + degraded + down), where degraded time is
// available unless `availability.degraded: down`. Maintenance and unknown time are excluded and
// reported. A service's figures are the sums of its checks'.
//
// Where the figures come from, per check: hours the rollups have made final (before the check's
// rollup progress) from `check_rollups_hourly` — or `_daily` for days whose hours retention has
// pruned — and everything after, the current hour included, from the raw results through the
// same `rollUpHours` the housekeeping uses. Approximations, each at most one bucket wide: a window
// that starts mid-hour takes that final hour's figures in proportion (exact when the hour is not
// rolled up yet); with `businessHoursOnly`, each hour (or day, for pruned hours) counts by the
// business fraction of its span, so 07:00–08:00 with business hours from 07:30 counts half.
import type { AvailabilityConfig, CheckConfig } from '../../config.js';
import { businessTimeBetween, wallClock, type BusinessCalendar } from '../sla/business-calendar.js';
import { maintenanceIntervals, type Interval, type MaintenanceWindow } from '../detection/maintenance.js';
import { HOUR_MS, floorToHour, rollUpHours, zonedDayStart, zonedDaysCovering, type RollupBucket, type RollupSample } from './rollups.js';
import type { Database } from '../store/store-types.js';

export type AvailabilityOptions = AvailabilityConfig;
/** What availability needs of a configured check (main.ts passes the catalog's checks). */
export type AvailabilityCheck = Pick<CheckConfig, 'key' | 'intervalMs'>;

export interface AvailabilityFigures {
  /** Up + degraded + down time: what the probes saw, maintenance and unknown time excluded. */
  observedMs: number;
  upMs: number;
  downMs: number;
  degradedMs: number;
  maintenanceMs: number;
  unknownMs: number;
  /** up ÷ (up + down [+ degraded when configured as down]); degraded counts as up by default; null when nothing was observed */
  ratio: number | null;
}

export interface DailyAvailability {
  /** YYYY-MM-DD in the office time zone. */
  day: string;
  /** Service key. */
  service: string;
  figures: AvailabilityFigures;
}

export interface DownInterval {
  service: string;
  check: string;
  from: Date;
  to: Date;
  kind: 'down' | 'degraded';
}

export interface AvailabilityDeps {
  db: Database;
  /** The configured checks (file and dashboard); checks not listed here are not counted. */
  checks: () => readonly AvailabilityCheck[];
  timezone: string;
  calendar: BusinessCalendar;
  options: AvailabilityOptions;
  clock: () => Date;
}

type Durations = Pick<RollupBucket, 'observedMs' | 'downMs' | 'degradedMs' | 'maintenanceMs' | 'unknownMs'>;
/** The durations of one span [start, end) of one check. */
interface Piece extends Durations {
  start: number;
  end: number;
}
interface StoredCheck extends AvailabilityCheck {
  id: number;
  serviceKey: string;
}

const FIELDS = ['observedMs', 'downMs', 'degradedMs', 'maintenanceMs', 'unknownMs'] as const;
const ZERO: Durations = { observedMs: 0, downMs: 0, degradedMs: 0, maintenanceMs: 0, unknownMs: 0 };

function piece(bucket: Durations, start: number, end: number, fraction = 1): Piece {
  const out: Piece = { start, end, ...ZERO };
  for (const field of FIELDS) out[field] = bucket[field] * fraction;
  return out;
}

function minus(a: Durations, b: Durations): Durations {
  const out = { ...ZERO };
  for (const field of FIELDS) out[field] = a[field] - b[field];
  return out;
}

/** The figures of summed durations under the configured rule for degraded time. */
export function figuresOf(d: Durations, degraded: AvailabilityOptions['degraded']): AvailabilityFigures {
  const round = (ms: number) => Math.round(ms);
  const observedMs = round(d.observedMs);
  const downMs = round(d.downMs);
  const degradedMs = round(d.degradedMs);
  const upMs = Math.max(0, observedMs - downMs - degradedMs);
  const available = degraded === 'up' ? upMs + degradedMs : upMs;
  return { observedMs, upMs, downMs, degradedMs, maintenanceMs: round(d.maintenanceMs), unknownMs: round(d.unknownMs), ratio: observedMs > 0 ? available / observedMs : null };
}

/** The local date YYYY-MM-DD of an instant. */
export function officeDay(at: Date, timezone: string): string {
  return new Date(wallClock(at.getTime(), timezone)).toISOString().slice(0, 10);
}

const nextDayStart = (dayStart: number, timezone: string) => zonedDaysCovering(new Date(dayStart), new Date(dayStart + 1), timezone).to.getTime();

export class AvailabilityService {
  constructor(private readonly deps: AvailabilityDeps) {}

  /** Per service key (every active service, null ratio when unobserved), over [from, to). */
  async forServices(from: Date, to: Date): Promise<Map<string, AvailabilityFigures>> {
    const services = await this.deps.db.stores.checks.listServices();
    const totals = new Map(services.map((s) => [s.key, { ...ZERO }]));
    for (const [check, pieces] of await this.piecesByCheck(from, to)) add(totals, check.serviceKey, pieces);
    return this.toFigures(totals);
  }

  /** Per check key (every configured, stored check), over [from, to). */
  async forChecks(from: Date, to: Date): Promise<Map<string, AvailabilityFigures>> {
    const totals = new Map<string, Durations>();
    for (const [check, pieces] of await this.piecesByCheck(from, to)) add(totals, check.key, pieces);
    return this.toFigures(totals);
  }

  /** forServices and forChecks together, from one reading of the data. */
  async forServicesAndChecks(from: Date, to: Date): Promise<{ services: Map<string, AvailabilityFigures>; checks: Map<string, AvailabilityFigures> }> {
    const services = new Map((await this.deps.db.stores.checks.listServices()).map((s) => [s.key, { ...ZERO }]));
    const checks = new Map<string, Durations>();
    for (const [check, pieces] of await this.piecesByCheck(from, to)) {
      add(services, check.serviceKey, pieces);
      add(checks, check.key, pieces);
    }
    return { services: this.toFigures(services), checks: this.toFigures(checks) };
  }

  /** One row per service per office-time-zone day in [from, to), oldest day first, then by service. */
  async daily(from: Date, to: Date, service?: string): Promise<DailyAvailability[]> {
    const { timezone } = this.deps;
    const services = (await this.deps.db.stores.checks.listServices()).map((s) => s.key).filter((key) => service === undefined || key === service);
    const days: number[] = [];
    for (let day = zonedDayStart(from, timezone).getTime(); day < to.getTime(); day = nextDayStart(day, timezone)) days.push(day);
    const totals = new Map<string, Durations>();
    for (const [check, pieces] of await this.piecesByCheck(from, to, service)) {
      // The day a piece starts in, by search over the day starts (no time-zone arithmetic per piece).
      for (const p of pieces) add(totals, `${days[lastAtOrBefore(days, p.start)]} ${check.serviceKey}`, [p]);
    }
    return days.flatMap((day) =>
      services.map((key) => ({ day: officeDay(new Date(day), timezone), service: key, figures: figuresOf(totals.get(`${day} ${key}`) ?? ZERO, this.deps.options.degraded) })),
    );
  }

  /**
   * The down and degraded spans in [from, to), maintenance cut out, as the rollups count them (a
   * result covers until the next one, at most two intervals). From raw results, so only as far
   * back as `retention.raw` keeps them.
   */
  async downIntervals(from: Date, to: Date, service?: string): Promise<DownInterval[]> {
    const end = Math.min(to.getTime(), this.deps.clock().getTime());
    const windows = await this.deps.db.stores.maintenance.list();
    const out: DownInterval[] = [];
    for (const check of await this.storedChecks(service)) {
      const failures = await this.deps.db.stores.rollups.listFailures(check.id, from, new Date(end));
      const maintenance = this.maintenanceFor(windows, check, from.getTime(), end);
      for (const span of coverage(failures, check.intervalMs, from.getTime(), end)) {
        if (span.status !== 'down' && span.status !== 'degraded') continue;
        for (const part of subtract(span, maintenance)) {
          const last = out[out.length - 1];
          if (last && last.check === check.key && last.kind === span.status && last.to.getTime() === part.start) last.to = new Date(part.end);
          else out.push({ service: check.serviceKey, check: check.key, from: new Date(part.start), to: new Date(part.end), kind: span.status });
        }
      }
    }
    return out;
  }

  private toFigures(totals: Map<string, Durations>): Map<string, AvailabilityFigures> {
    return new Map([...totals].map(([key, d]) => [key, figuresOf(d, this.deps.options.degraded)]));
  }

  private async storedChecks(service?: string): Promise<StoredCheck[]> {
    const configured = new Map(this.deps.checks().map((c) => [c.key, c]));
    return (await this.deps.db.stores.checks.listChecks()).flatMap((record) => {
      const check = configured.get(record.key);
      if (!check || (service !== undefined && record.serviceKey !== service)) return [];
      return [{ key: check.key, intervalMs: check.intervalMs, id: record.id, serviceKey: record.serviceKey }];
    });
  }

  private maintenanceFor(windows: readonly MaintenanceWindow[], check: StoredCheck, from: number, to: number): Interval[] {
    return maintenanceIntervals(windows, { checkKey: check.key, serviceKey: check.serviceKey }, new Date(from), new Date(to), this.deps.timezone);
  }

  private async piecesByCheck(from: Date, to: Date, service?: string): Promise<Array<[StoredCheck, Piece[]]>> {
    const windows = await this.deps.db.stores.maintenance.list();
    const out: Array<[StoredCheck, Piece[]]> = [];
    // Checks share their hours: each span's business fraction is worked out once per call.
    const fractions = new Map<string, number>();
    const businessPart = (p: Piece) => {
      const key = `${p.start} ${p.end}`;
      let fraction = fractions.get(key);
      if (fraction === undefined) {
        fraction = p.end > p.start ? businessTimeBetween(new Date(p.start), new Date(p.end), this.deps.calendar) / (p.end - p.start) : 0;
        fractions.set(key, fraction);
      }
      return piece(p, p.start, p.end, fraction);
    };
    for (const check of await this.storedChecks(service)) {
      const pieces = await this.pieces(check, from.getTime(), Math.min(to.getTime(), this.deps.clock().getTime()), windows);
      out.push([check, this.deps.options.businessHoursOnly ? pieces.map(businessPart) : pieces]);
    }
    return out;
  }

  /** Where the check's hourly rows start to be complete (`fallback` when it has none). */
  private async firstWholeHour(checkId: number, fallback: number): Promise<number> {
    const store = this.deps.db.stores.rollups;
    const first = (await store.firstHourlyAt(checkId))?.getTime();
    if (first === undefined) return fallback;
    const day = zonedDayStart(new Date(first), this.deps.timezone).getTime();
    if (first === day) return first;
    // Probing may simply have begun mid-day: the day is whole when its hours hold all its probes.
    const nextDay = nextDayStart(day, this.deps.timezone);
    const [daily] = await store.listDaily(checkId, new Date(day), new Date(day + 1));
    const hours = await store.listHourly(checkId, new Date(day), new Date(nextDay));
    return daily && daily.probes > sum(hours, 'probes') ? nextDay : day;
  }

  /** One check's durations over [from, to), as spans no wider than an office day. */
  private async pieces(check: StoredCheck, from: number, to: number, windows: readonly MaintenanceWindow[]): Promise<Piece[]> {
    if (!(to > from)) return [];
    const store = this.deps.db.stores.rollups;
    const { timezone } = this.deps;
    const hourFrom = floorToHour(from);
    const progress = await store.getProgress(check.id);
    // Hours before the progress point are final in the rollups; from there on, raw results.
    const rawFrom = progress ? Math.min(Math.max(hourFrom, progress.rolledUpTo.getTime()), floorToHour(to)) : hourFrom;
    const out: Piece[] = [];
    const clip = (bucket: Durations, start: number, end: number) => {
      const a = Math.max(start, from);
      const b = Math.min(end, to);
      if (b > a) out.push(piece(bucket, a, b, (b - a) / (end - start)));
    };

    if (rawFrom > hourFrom) {
      // Before the check's oldest hourly row retention may have kept days only: those come from
      // daily rows, and so does a day whose hours it pruned in part.
      const split = Math.min(rawFrom, Math.max(hourFrom, await this.firstWholeHour(check.id, rawFrom)));
      if (split > hourFrom) {
        for (const day of await store.listDaily(check.id, zonedDayStart(new Date(hourFrom), timezone), new Date(split))) {
          const start = day.bucketStart.getTime();
          clip(day, start, nextDayStart(start, timezone));
        }
      }
      for (const hour of await store.listHourly(check.id, new Date(split), new Date(rawFrom))) {
        clip(hour, hour.bucketStart.getTime(), hour.bucketStart.getTime() + HOUR_MS);
      }
    }

    if (to > rawFrom) {
      const samples = await store.listSamples(check.id, new Date(rawFrom), new Date(to));
      const maintenance = this.maintenanceFor(windows, check, rawFrom, to);
      const options = { intervalMs: check.intervalMs, from: new Date(rawFrom), maintenance };
      const hours = rollUpHours(samples, { ...options, to: new Date(to) });
      // A window starting inside an hour not rolled up yet: that hour minus its part before `from`.
      const before = from > rawFrom ? rollUpHours(samples, { ...options, to: new Date(from) }).find((h) => h.bucketStart.getTime() === rawFrom) : undefined;
      for (const hour of hours) {
        const start = hour.bucketStart.getTime();
        const end = Math.min(start + HOUR_MS, to);
        if (start === rawFrom && from > rawFrom) out.push(piece(before ? minus(hour, before) : hour, from, end));
        else out.push(piece(hour, start, end));
      }
    }
    return out;
  }
}

/** The index of the last of the sorted `starts` at or before `t` (0 if none is). */
function lastAtOrBefore(starts: readonly number[], t: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (starts[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function sum(buckets: readonly RollupBucket[], field: 'probes'): number {
  return buckets.reduce((total, b) => total + b[field], 0);
}

function add(totals: Map<string, Durations>, key: string, pieces: readonly Durations[]): void {
  let total = totals.get(key);
  if (!total) totals.set(key, (total = { ...ZERO }));
  for (const p of pieces) for (const field of FIELDS) total[field] += p[field];
}

/** Each result's covered span within [from, to): until the next result, at most two intervals (as rollUpHours counts it). */
function coverage(
  samples: ReadonlyArray<RollupSample & { nextStartedAt: Date | null }>,
  intervalMs: number,
  from: number,
  to: number,
): Array<Interval & { status: RollupSample['status'] }> {
  return samples.flatMap((sample) => {
    const start = sample.startedAt.getTime();
    const next = sample.nextStartedAt?.getTime() ?? Infinity;
    const span = { start: Math.max(start, from), end: Math.min(next, start + 2 * intervalMs, to), status: sample.status };
    return span.end > span.start ? [span] : [];
  });
}

/** The parts of `span` outside the sorted, disjoint `holes`. */
function subtract(span: Interval, holes: readonly Interval[]): Interval[] {
  const parts: Interval[] = [];
  let t = span.start;
  for (const hole of holes) {
    if (hole.end <= t || hole.start >= span.end) continue;
    if (hole.start > t) parts.push({ start: t, end: hole.start });
    t = Math.max(t, hole.end);
  }
  if (t < span.end) parts.push({ start: t, end: span.end });
  return parts;
}
