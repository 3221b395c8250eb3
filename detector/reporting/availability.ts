// Time-weighted availability (DESIGN §7), the one computation behind /api/services, the
// reports, /metrics and the status page. Two figures from one reading:
//
// - availability, the SLA figure: down and degraded time are CONFIRMED outage time — the
//   `check_outages` the detector records, from the first failed probe of a failure that was
//   confirmed (failureThreshold / location quorum) to the restoration it recorded. A failure a
//   retry cleared is no outage. Degraded time is available unless `availability.degraded: down`,
//   which then counts confirmed degraded time as down.
// - probe success, for engineers: the same ratio over probe-level time (each result until the
//   next), confirmed or not — what availability was before outages were recorded.
//
// Both are over observed time (up + degraded + down, as the probes covered it); maintenance and
// unknown time are excluded and reported. Outage time is counted only where it was observed
// (an outage through hours without results, Sigap stopped, is not observed) and never inside a
// maintenance window. A service's figures are the sums of its checks' (observed time too, so a
// service with one of two checks down for an hour of a day is 1 − 1/48 available that day).
//
// Where the figures come from, per check: hours the rollups have made final (before the check's
// rollup progress) from `check_rollups_hourly` — or `_daily` for days whose hours retention has
// pruned — and everything after, the current hour included, from the raw results through the
// same `rollUpHours` the housekeeping uses. Around the clock all checks are read together and
// the final hours' whole office days come from `_daily` (a day's row is the sum of its hours),
// summed in SQL; outage time is still capped hour by hour, on the hours an outage touches. Approximations, each at most one bucket wide: a window
// that starts mid-hour takes that final hour's figures in proportion (exact when the hour is not
// rolled up yet); with `businessHoursOnly`, each hour (or day, for pruned hours) counts by the
// business fraction of its span, so 07:00–08:00 with business hours from 07:30 counts half.
import type { AvailabilityConfig, CheckConfig } from '../../config.js';
import { businessTimeBetween, wallClock, type BusinessCalendar } from '../sla/business-calendar.js';
import { maintenanceIntervals, overlapMs, type Interval, type MaintenanceWindow } from '../detection/maintenance.js';
import type { OutageKind } from '../detection/check-types.js';
import { HOUR_MS, floorToHour, rollUpHours, zonedDayStart, zonedDaysCovering, type RollupBucket, type RollupSample } from './rollups.js';
import type { Database, RollupSums } from '../store/store-types.js';

export type AvailabilityOptions = AvailabilityConfig;
/** What availability needs of a configured check (main.ts passes the catalog's checks). */
export type AvailabilityCheck = Pick<CheckConfig, 'key' | 'intervalMs'>;

export interface AvailabilityFigures {
  /** Up + degraded + down time: what the probes saw, maintenance and unknown time excluded. */
  observedMs: number;
  /** Observed time outside confirmed outages. */
  upMs: number;
  /** Observed time inside confirmed down outages. */
  downMs: number;
  /** Observed time inside confirmed degraded outages. */
  degradedMs: number;
  maintenanceMs: number;
  unknownMs: number;
  /** Availability, the SLA figure: (observed − down [− degraded when configured as down]) ÷ observed; null when nothing was observed. */
  ratio: number | null;
  /** Probe-level down and degraded time (each failed result until the next result), confirmed or not. */
  probeDownMs: number;
  probeDegradedMs: number;
  /** Probe success: the same ratio over probe-level time; null when nothing was observed. */
  probeSuccess: number | null;
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

/** downMs and degradedMs are probe-level (as the rollups count them); outage* are confirmed. */
type Durations = Pick<RollupBucket, 'observedMs' | 'downMs' | 'degradedMs' | 'maintenanceMs' | 'unknownMs'> & { outageDownMs: number; outageDegradedMs: number };
/** The durations of one span [start, end) of one check. */
interface Piece extends Durations {
  start: number;
  end: number;
}
interface OutageSpan extends Interval {
  kind: OutageKind;
}
interface StoredCheck extends AvailabilityCheck {
  id: number;
  serviceId: number;
  serviceKey: string;
}

const FIELDS = ['observedMs', 'downMs', 'degradedMs', 'maintenanceMs', 'unknownMs', 'outageDownMs', 'outageDegradedMs'] as const;
const ZERO: Durations = { observedMs: 0, downMs: 0, degradedMs: 0, maintenanceMs: 0, unknownMs: 0, outageDownMs: 0, outageDegradedMs: 0 };

type Counted = Omit<Durations, 'outageDownMs' | 'outageDegradedMs'> & Partial<Durations>;

function piece(bucket: Counted, start: number, end: number, fraction = 1): Piece {
  const out: Piece = { start, end, ...ZERO };
  for (const field of FIELDS) out[field] = (bucket[field] ?? 0) * fraction;
  return out;
}

function minus(a: Counted, b: Counted): Durations {
  const out = { ...ZERO };
  for (const field of FIELDS) out[field] = (a[field] ?? 0) - (b[field] ?? 0);
  return out;
}

/** The figures of summed durations under the configured rule for degraded time. */
export function figuresOf(d: Durations, degraded: AvailabilityOptions['degraded']): AvailabilityFigures {
  const round = (ms: number) => Math.round(ms);
  const observedMs = round(d.observedMs);
  const ratioOf = (downMs: number, degradedMs: number) => {
    const upMs = Math.max(0, observedMs - downMs - degradedMs);
    return observedMs > 0 ? (degraded === 'up' ? upMs + degradedMs : upMs) / observedMs : null;
  };
  const downMs = round(d.outageDownMs);
  const degradedMs = round(d.outageDegradedMs);
  const probeDownMs = round(d.downMs);
  const probeDegradedMs = round(d.degradedMs);
  return {
    observedMs,
    upMs: Math.max(0, observedMs - downMs - degradedMs),
    downMs,
    degradedMs,
    maintenanceMs: round(d.maintenanceMs),
    unknownMs: round(d.unknownMs),
    ratio: ratioOf(downMs, degradedMs),
    probeDownMs,
    probeDegradedMs,
    probeSuccess: ratioOf(probeDownMs, probeDegradedMs),
  };
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
    return (await this.readDaily(from, to, service)).daily;
  }

  /** daily() and forServices() over the same window, from one reading of the data (the status page's history). */
  async dailyAndServices(from: Date, to: Date): Promise<{ daily: DailyAvailability[]; services: Map<string, AvailabilityFigures> }> {
    return this.readDaily(from, to);
  }

  private async readDaily(from: Date, to: Date, service?: string): Promise<{ daily: DailyAvailability[]; services: Map<string, AvailabilityFigures> }> {
    const { timezone } = this.deps;
    const services = (await this.deps.db.stores.checks.listServices()).map((s) => s.key).filter((key) => service === undefined || key === service);
    const days: number[] = [];
    for (let day = zonedDayStart(from, timezone).getTime(); day < to.getTime(); day = nextDayStart(day, timezone)) days.push(day);
    const totals = new Map<string, Durations>();
    const whole = new Map(services.map((key) => [key, { ...ZERO }]));
    for (const [check, pieces] of await this.piecesByCheck(from, to, service, true)) {
      // The day a piece starts in, by search over the day starts (no time-zone arithmetic per piece).
      for (const p of pieces) add(totals, `${days[lastAtOrBefore(days, p.start)]} ${check.serviceKey}`, [p]);
      add(whole, check.serviceKey, pieces);
    }
    const daily = days.flatMap((day) => {
      const label = officeDay(new Date(day), timezone);
      return services.map((key) => ({ day: label, service: key, figures: figuresOf(totals.get(`${day} ${key}`) ?? ZERO, this.deps.options.degraded) }));
    });
    return { daily, services: this.toFigures(whole) };
  }

  /**
   * The confirmed outages in [from, to), maintenance cut out, by check then time; an ongoing one
   * ends at `to` or now. Recorded by the detector, so they outlive raw-result retention.
   */
  async downIntervals(from: Date, to: Date, service?: string): Promise<DownInterval[]> {
    const end = Math.min(to.getTime(), this.deps.clock().getTime());
    if (!(end > from.getTime())) return [];
    const windows = await this.deps.db.stores.maintenance.list();
    const checks = await this.storedChecks(service);
    const outages = await this.outagesOf(checks, from.getTime(), end, windows);
    return checks.flatMap((check) => {
      const own = outages.get(check.id) ?? [];
      return own.map((o) => ({ service: check.serviceKey, check: check.key, from: new Date(o.start), to: new Date(o.end), kind: o.kind }));
    });
  }

  /** Each check's confirmed outages within [from, to), maintenance cut out, sorted by start. */
  private async outagesOf(checks: readonly StoredCheck[], from: number, to: number, windows: readonly MaintenanceWindow[]): Promise<Map<number, OutageSpan[]>> {
    const byId = new Map(checks.map((c) => [c.id, c]));
    const out = new Map<number, OutageSpan[]>();
    for (const outage of await this.deps.db.stores.outages.list([...byId.keys()], new Date(from), new Date(to))) {
      const check = byId.get(outage.checkId)!;
      const span = { start: Math.max(from, outage.startedAt.getTime()), end: Math.min(to, outage.endedAt?.getTime() ?? Infinity) };
      if (!(span.end > span.start)) continue;
      const parts = subtract(span, this.maintenanceFor(windows, check, span.start, span.end)).map((p) => ({ ...p, kind: outage.kind }));
      out.set(check.id, [...(out.get(check.id) ?? []), ...parts]);
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
      return [{ key: check.key, intervalMs: check.intervalMs, id: record.id, serviceId: record.serviceId, serviceKey: record.serviceKey }];
    });
  }

  private maintenanceFor(windows: readonly MaintenanceWindow[], check: StoredCheck, from: number, to: number): Interval[] {
    return maintenanceIntervals(windows, { checkKey: check.key, serviceKey: check.serviceKey }, new Date(from), new Date(to), this.deps.timezone);
  }

  private async piecesByCheck(from: Date, to: Date, service?: string, perDay = false): Promise<Array<[StoredCheck, Piece[]]>> {
    // Around the clock, every check is read together and the rollups summed in SQL; with business
    // hours only, each hour counts by its own business fraction, so hour by hour.
    return this.deps.options.businessHoursOnly ? this.piecesHourByHour(from, to, service) : this.piecesTogether(from, to, perDay, service);
  }

  /**
   * All checks at once, in a few statements whatever the window: whole office days from the daily
   * rows, the hours either side of them from hourly rows (both summed per check in SQL), raw
   * results only after the rollup progress. The same figures as hour by hour: the time fields are
   * sums, so whole days add up to their hours; outage time, which each hour counts only up to its
   * observed time, is worked out on the hourly rows of the hours an outage touches.
   */
  private async piecesTogether(from: Date, to: Date, perDay: boolean, service?: string): Promise<Array<[StoredCheck, Piece[]]>> {
    const store = this.deps.db.stores.rollups;
    const { timezone } = this.deps;
    const f = from.getTime();
    const end = Math.min(to.getTime(), this.deps.clock().getTime());
    const checks = await this.storedChecks(service);
    if (!(end > f)) return checks.map((check) => [check, []]);
    const windows = await this.deps.db.stores.maintenance.list();
    const ids = checks.map((c) => c.id);
    // SQLite answers in the same turn of the event loop: a pause between statements lets probes
    // and other requests in, so no reading holds the loop longer than its longest statement.
    const outages = await this.outagesOf(checks, f, end, windows);
    await breathe();
    const progress = await store.progressOf(ids);
    const firstHourly = await store.firstHourlyAtOf(ids);
    await breathe();
    const hourFrom = floorToHour(f);
    // Time-zone arithmetic is slow (Intl): each day boundary is worked out once per call.
    const dayStart = memo((t: number) => zonedDayStart(new Date(t), timezone).getTime());
    const dayAfter = memo((day: number) => nextDayStart(day, timezone));
    const dayAtOrAfter = (t: number) => {
      const day = dayStart(t);
      return day === t ? t : dayAfter(day);
    };

    const plans = new Map<number, Plan>();
    const sums = { head: new Grouped(), body: new Grouped(), tail: new Grouped(), raw: new Grouped() };
    const hourRanges: Array<{ checkId: number; from: Date; to: Date }> = [];
    const pieces = new Map<number, Piece[]>(checks.map((c) => [c.id, []]));
    for (const check of checks) {
      const own = pieces.get(check.id)!;
      const rolledUpTo = progress.get(check.id)?.rolledUpTo.getTime();
      // Hours before the progress point are final in the rollups; from there on, raw results.
      const rawFrom = rolledUpTo !== undefined ? Math.min(Math.max(hourFrom, rolledUpTo), floorToHour(end)) : hourFrom;
      const plan: Plan = { rawFrom, sumFrom: rawFrom, headEnd: rawFrom, bodyEnd: rawFrom };
      plans.set(check.id, plan);
      sums.raw.add(`${rawFrom}`, check.id);
      if (!(rawFrom > hourFrom)) continue;
      const first = firstHourly.get(check.id)?.getTime() ?? null;
      // Hourly rows are whole from the day after the oldest one's at the latest: a window starting
      // after that needs no closer look (which costs two statements per check).
      const whole = first !== null && dayAfter(dayStart(first)) <= hourFrom ? hourFrom : await this.firstWholeHour(check.id, rawFrom, first);
      const split = Math.min(rawFrom, Math.max(hourFrom, whole));
      if (split > hourFrom) {
        // Before the oldest whole hourly day retention kept days only (rare: old windows).
        for (const day of await store.listDaily(check.id, new Date(dayStart(hourFrom)), new Date(split))) {
          const start = day.bucketStart.getTime();
          clipInto(own, day, start, dayAfter(start), f, end);
        }
      }
      if (!(rawFrom > split)) continue;
      let sumFrom = split;
      if (split < f) {
        // The window starts inside a final hour: that hour in proportion, as its own piece.
        sumFrom = split + HOUR_MS;
        hourRanges.push({ checkId: check.id, from: new Date(split), to: new Date(sumFrom) });
      }
      const headEnd = Math.min(dayAtOrAfter(sumFrom), rawFrom);
      const bodyEnd = Math.max(headEnd, Math.min(dayStart(rawFrom), rawFrom));
      Object.assign(plan, { sumFrom, headEnd, bodyEnd });
      sums.head.add(`${sumFrom} ${headEnd}`, check.id);
      sums.body.add(`${headEnd} ${bodyEnd}`, check.id);
      sums.tail.add(`${bodyEnd} ${rawFrom}`, check.id);
      for (const o of outages.get(check.id) ?? []) {
        const a = Math.max(sumFrom, floorToHour(o.start));
        const b = Math.min(rawFrom, o.end);
        if (b > a) hourRanges.push({ checkId: check.id, from: new Date(a), to: new Date(b) });
      }
    }

    const summed = async (group: Grouped, table: 'hourly' | 'daily') => {
      const out = new Map<number, { start: number; end: number; sums: RollupSums }>();
      for (const [range, checkIds] of group) {
        const [a, b] = range.split(' ').map(Number) as [number, number];
        for (const [from, to] of parts(a, b)) {
          for (const [id, total] of await store.sumRollups(table, checkIds, new Date(from), new Date(to))) {
            const known = out.get(id);
            if (known) for (const field of SUM_FIELDS) known.sums[field] += total[field];
            else out.set(id, { start: a, end: b, sums: total });
          }
          await breathe();
        }
      }
      return out;
    };
    // Per day, whole days are summed per service and day in SQL, each sum given to one of the
    // service's checks (per-day figures are read per service only).
    const bodyRows = async () => {
      const out = new Map<number, Piece[]>();
      if (!perDay) return out;
      const byId = new Map(checks.map((c) => [c.id, c]));
      for (const [range, checkIds] of sums.body) {
        const [a, b] = range.split(' ').map(Number) as [number, number];
        const holder = new Map<number, number>();
        for (const id of checkIds) if (!holder.has(byId.get(id)!.serviceId)) holder.set(byId.get(id)!.serviceId, id);
        for (const [from, to] of parts(a, b)) {
          for (const row of await store.sumRollupsByServiceBucket('daily', checkIds, new Date(from), new Date(to))) {
            const start = row.bucketStart.getTime();
            push(out, holder.get(row.serviceId)!, piece(row.sums, start, dayAfter(start)));
          }
          await breathe();
        }
      }
      return out;
    };
    const samplesOf = async () => {
      const out = new Map<number, RollupSample[]>();
      for (const [rawFrom, checkIds] of sums.raw) {
        for (const [id, samples] of await store.listSamplesOf(checkIds, new Date(Number(rawFrom)), new Date(end))) out.set(id, samples);
        await breathe();
      }
      return out;
    };
    const head = await summed(sums.head, 'hourly');
    const body = perDay ? new Map<number, { start: number; end: number; sums: RollupSums }>() : await summed(sums.body, 'daily');
    const tail = await summed(sums.tail, 'hourly');
    const days = await bodyRows();
    const hours = hourRanges.length > 0 ? await store.listRollupsIn('hourly', hourRanges) : new Map<number, RollupBucket[]>();
    await breathe();
    const samples = end > Math.min(...[...plans.values()].map((p) => p.rawFrom)) ? await samplesOf() : new Map<number, RollupSample[]>();

    return checks.map((check) => {
      const plan = plans.get(check.id)!;
      const spans = outages.get(check.id) ?? [];
      const rowsOfHours = hours.get(check.id) ?? [];
      // Whole pieces as hour by hour: retention's days and the window's first, partial hour.
      const own = pieces.get(check.id)!;
      for (const hour of rowsOfHours) {
        const start = hour.bucketStart.getTime();
        if (start < plan.sumFrom) clipInto(own, hour, start, start + HOUR_MS, f, end);
      }
      withOutages(own, spans);
      // The summed spans: their time fields, no outage time ...
      for (const part of [head.get(check.id), body.get(check.id), tail.get(check.id)]) if (part) own.push(piece(part.sums, part.start, part.end));
      own.push(...(days.get(check.id) ?? []));
      // ... which comes from each of their hours an outage touches, up to that hour's observed time.
      for (const hour of rowsOfHours) {
        const start = hour.bucketStart.getTime();
        if (start >= plan.sumFrom) own.push(...withOutages([piece(hour, start, start + HOUR_MS)], spans).map(outageOnly));
      }
      if (end > plan.rawFrom) own.push(...withOutages(this.rawPieces(check, samples.get(check.id) ?? [], f, end, plan.rawFrom, windows), spans));
      return [check, own];
    });
  }

  private async piecesHourByHour(from: Date, to: Date, service?: string): Promise<Array<[StoredCheck, Piece[]]>> {
    const windows = await this.deps.db.stores.maintenance.list();
    const out: Array<[StoredCheck, Piece[]]> = [];
    const end = Math.min(to.getTime(), this.deps.clock().getTime());
    const checks = await this.storedChecks(service);
    const outages = end > from.getTime() ? await this.outagesOf(checks, from.getTime(), end, windows) : new Map<number, OutageSpan[]>();
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
    for (const check of checks) {
      const pieces = withOutages(await this.pieces(check, from.getTime(), end, windows), outages.get(check.id) ?? []);
      out.push([check, this.deps.options.businessHoursOnly ? pieces.map(businessPart) : pieces]);
    }
    return out;
  }

  /** Where the check's hourly rows start to be complete (`fallback` when it has none); `first`, its oldest hourly row, when known. */
  private async firstWholeHour(checkId: number, fallback: number, first?: number | null): Promise<number> {
    const store = this.deps.db.stores.rollups;
    if (first === undefined) first = (await store.firstHourlyAt(checkId))?.getTime() ?? null;
    if (first === null) return fallback;
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
    const clip = (bucket: Counted, start: number, end: number) => {
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

    if (to > rawFrom) out.push(...this.rawPieces(check, await store.listSamples(check.id, new Date(rawFrom), new Date(to)), from, to, rawFrom, windows));
    return out;
  }

  /** One check's hours from `rawFrom` (an hour's start) to `to` from its raw results; the first from `from` when later. */
  private rawPieces(check: StoredCheck, samples: readonly RollupSample[], from: number, to: number, rawFrom: number, windows: readonly MaintenanceWindow[]): Piece[] {
    const out: Piece[] = [];
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
    return out;
  }
}

/** How one check's window is read: summed hours [sumFrom, headEnd), days [headEnd, bodyEnd), hours [bodyEnd, rawFrom), raw results after. */
interface Plan {
  rawFrom: number;
  sumFrom: number;
  headEnd: number;
  bodyEnd: number;
}

/** Check ids by a key (the range they are read over), so checks sharing a range share a statement. */
class Grouped extends Map<string, number[]> {
  add(key: string, id: number): void {
    const ids = this.get(key);
    if (ids) ids.push(id);
    else this.set(key, [id]);
  }
}

/** A bucket [start, end) clipped to [from, to), in proportion, appended to `out`. */
function clipInto(out: Piece[], bucket: Counted, start: number, end: number, from: number, to: number): void {
  const a = Math.max(start, from);
  const b = Math.min(end, to);
  if (b > a) out.push(piece(bucket, a, b, (b - a) / (end - start)));
}

/** A long range in parts of at most a month, one statement each (a pause between them). */
const PART_MS = 31 * 24 * HOUR_MS;
function parts(from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = from; t < to; t += PART_MS) out.push([t, Math.min(to, t + PART_MS)]);
  return out;
}
const SUM_FIELDS = ['probes', 'observedMs', 'downMs', 'degradedMs', 'maintenanceMs', 'unknownMs'] as const;

/** Let the event loop run what waits (timers, I/O) before going on. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

function memo(f: (t: number) => number): (t: number) => number {
  const known = new Map<number, number>();
  return (t) => {
    let value = known.get(t);
    if (value === undefined) known.set(t, (value = f(t)));
    return value;
  };
}

function push<V>(map: Map<number, V[]>, key: number, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Only a piece's outage time. */
function outageOnly(p: Piece): Piece {
  return { ...ZERO, start: p.start, end: p.end, outageDownMs: p.outageDownMs, outageDegradedMs: p.outageDegradedMs };
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

/** A piece's confirmed outage time: its overlap with the check's outages, at most its observed time. */
function withOutages(pieces: Piece[], outages: readonly OutageSpan[]): Piece[] {
  if (outages.length === 0) return pieces;
  const down = outages.filter((o) => o.kind === 'down');
  const degraded = outages.filter((o) => o.kind === 'degraded');
  for (const p of pieces) {
    p.outageDownMs = Math.min(overlapMs(down, p.start, p.end), p.observedMs);
    p.outageDegradedMs = Math.min(overlapMs(degraded, p.start, p.end), p.observedMs - p.outageDownMs);
  }
  return pieces;
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
