// Rollup rows, their progress, and retention pruning. Rows are written by upsert on
// (check_id, bucket_start), so recomputing a bucket — again, or from a second worker — is harmless.
import type { Knex } from 'knex';
import type { ProbeStatus } from '../../probes/probe-types.js';
import type { RollupBucket, RollupProgress, RollupSample } from '../reporting/rollups.js';
import { toDate } from './row-mapping.js';
import type { RollupStore, RollupSums, RollupTable as RollupKind } from './store-types.js';

type RollupTable = 'check_rollups_hourly' | 'check_rollups_daily';
const TABLE: Record<RollupKind, RollupTable> = { hourly: 'check_rollups_hourly', daily: 'check_rollups_daily' };
// Ids or ranges bound in one statement: well under SQLite's limit of bound variables.
const IN_CHUNK = 500;
const RANGE_CHUNK = 200;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const SUMS = ['probes', 'observed_ms', 'down_ms', 'degraded_ms', 'maintenance_ms', 'unknown_ms'] as const;

function toSums(r: Record<string, number | string>): RollupSums {
  return {
    probes: Number(r.probes),
    observedMs: Number(r.observed_ms),
    downMs: Number(r.down_ms),
    degradedMs: Number(r.degraded_ms),
    maintenanceMs: Number(r.maintenance_ms),
    unknownMs: Number(r.unknown_ms),
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface RollupRow {
  check_id: number;
  bucket_start: number;
  probes: number;
  ok: number;
  degraded: number;
  down: number;
  unknown: number;
  down_ms: number;
  degraded_ms: number;
  unknown_ms: number;
  maintenance_ms: number;
  observed_ms: number;
  latency_sum_ms: number;
  latency_p95_ms: number | null;
}

// 14 columns a row: 500 rows stay well under SQLite's limit of bound variables per statement.
const UPSERT_CHUNK = 500;

function toRow(checkId: number, b: RollupBucket): RollupRow {
  return {
    check_id: checkId,
    bucket_start: b.bucketStart.getTime(),
    probes: b.probes,
    ok: b.ok,
    degraded: b.degraded,
    down: b.down,
    unknown: b.unknown,
    down_ms: b.downMs,
    degraded_ms: b.degradedMs,
    unknown_ms: b.unknownMs,
    maintenance_ms: b.maintenanceMs,
    observed_ms: b.observedMs,
    latency_sum_ms: b.latencySumMs,
    latency_p95_ms: b.latencyP95Ms,
  };
}

function toBucket(r: RollupRow): RollupBucket {
  return {
    bucketStart: toDate(r.bucket_start)!,
    probes: Number(r.probes),
    ok: Number(r.ok),
    degraded: Number(r.degraded),
    down: Number(r.down),
    unknown: Number(r.unknown),
    downMs: Number(r.down_ms),
    degradedMs: Number(r.degraded_ms),
    unknownMs: Number(r.unknown_ms),
    maintenanceMs: Number(r.maintenance_ms),
    observedMs: Number(r.observed_ms),
    latencySumMs: Number(r.latency_sum_ms),
    latencyP95Ms: r.latency_p95_ms === null ? null : Number(r.latency_p95_ms),
  };
}

interface SampleRow {
  started_at: number;
  duration_ms: number;
  status: string;
}

const toSample = (r: SampleRow): RollupSample => ({ startedAt: toDate(r.started_at)!, durationMs: Number(r.duration_ms), status: r.status as ProbeStatus });

export class KnexRollupStore implements RollupStore {
  constructor(private readonly db: Knex) {}

  async listSamples(checkId: number, from: Date, to: Date): Promise<RollupSample[]> {
    const columns = ['started_at', 'duration_ms', 'status'];
    const before = (await this.db('check_results')
      .where('check_id', checkId)
      .where('started_at', '<', from.getTime())
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first(columns)) as SampleRow | undefined;
    const rows = (await this.db('check_results')
      .where('check_id', checkId)
      .where('started_at', '>=', from.getTime())
      .where('started_at', '<', to.getTime())
      .orderBy(['started_at', 'id'])
      .select(columns)) as SampleRow[];
    return (before ? [before, ...rows] : rows).map(toSample);
  }

  async firstResultAt(checkId: number): Promise<Date | null> {
    const row = (await this.db('check_results').where('check_id', checkId).min('started_at as first').first()) as { first: number | null } | undefined;
    return toDate(row?.first ?? null);
  }

  async lastResultId(checkId: number): Promise<number> {
    const row = (await this.db('check_results').where('check_id', checkId).max('id as last').first()) as { last: number | string | null } | undefined;
    return Number(row?.last ?? 0);
  }

  async earliestResultAfterId(checkId: number, afterId: number, from: Date, to: Date): Promise<Date | null> {
    const row = (await this.db('check_results')
      .where('check_id', checkId)
      .where('started_at', '>=', from.getTime())
      .where('started_at', '<', to.getTime())
      .where('id', '>', afterId)
      .min('started_at as earliest')
      .first()) as { earliest: number | null } | undefined;
    return toDate(row?.earliest ?? null);
  }

  upsertHourly(checkId: number, rows: readonly RollupBucket[]): Promise<void> {
    return this.upsert('check_rollups_hourly', checkId, rows);
  }

  upsertDaily(checkId: number, rows: readonly RollupBucket[]): Promise<void> {
    return this.upsert('check_rollups_daily', checkId, rows);
  }

  listHourly(checkId: number, from: Date, to: Date): Promise<RollupBucket[]> {
    return this.list('check_rollups_hourly', checkId, from, to);
  }

  listDaily(checkId: number, from: Date, to: Date): Promise<RollupBucket[]> {
    return this.list('check_rollups_daily', checkId, from, to);
  }

  async firstHourlyAt(checkId: number): Promise<Date | null> {
    const row = (await this.db('check_rollups_hourly').where('check_id', checkId).min('bucket_start as first').first()) as { first: number | string | null } | undefined;
    return toDate(row?.first ?? null);
  }

  async getProgress(checkId: number): Promise<RollupProgress | null> {
    const row = (await this.db('rollup_progress').where('check_id', checkId).first('rolled_up_to', 'last_result_id')) as
      { rolled_up_to: number; last_result_id: number | string } | undefined;
    return row ? { rolledUpTo: toDate(row.rolled_up_to)!, lastResultId: Number(row.last_result_id) } : null;
  }

  async recordProgress(checkId: number, progress: RollupProgress, now: Date): Promise<void> {
    // With two workers on one database the later writer may hold an older view: each part only
    // moves forward (CASE rather than GREATEST/MAX, which the two databases spell differently).
    const forward = (column: string) => this.db.raw(`CASE WHEN excluded.${column} > rollup_progress.${column} THEN excluded.${column} ELSE rollup_progress.${column} END`);
    await this.db('rollup_progress')
      .insert({ check_id: checkId, rolled_up_to: progress.rolledUpTo.getTime(), last_result_id: progress.lastResultId, updated_at: now.getTime() })
      .onConflict('check_id')
      .merge({ rolled_up_to: forward('rolled_up_to'), last_result_id: forward('last_result_id'), updated_at: now.getTime() });
  }

  async listSamplesOf(checkIds: readonly number[], from: Date, to: Date): Promise<Map<number, RollupSample[]>> {
    const out = new Map<number, RollupSample[]>();
    const columns = ['check_id', 'started_at', 'duration_ms', 'status'];
    for (const ids of chunks(checkIds, IN_CHUNK)) {
      // Each check's last result before `from` (its coverage reaches into the first hour), by index.
      const lastBefore = this.db('checks as c')
        .whereIn('c.id', ids)
        .select(this.db.raw('(select r.id from check_results r where r.check_id = c.id and r.started_at < ? order by r.started_at desc, r.id desc limit 1)', [from.getTime()]));
      const before = (await this.db('check_results').whereIn('id', lastBefore).select(columns)) as Array<SampleRow & { check_id: number }>;
      for (const row of before) push(out, Number(row.check_id), toSample(row));
      const rows = (await this.db('check_results')
        .whereIn('check_id', ids)
        .where('started_at', '>=', from.getTime())
        .where('started_at', '<', to.getTime())
        .orderBy(['check_id', 'started_at', 'id'])
        .select(columns)) as Array<SampleRow & { check_id: number }>;
      for (const row of rows) push(out, Number(row.check_id), toSample(row));
    }
    return out;
  }

  async sumRollups(table: RollupKind, checkIds: readonly number[], from: Date, to: Date): Promise<Map<number, RollupSums>> {
    const out = new Map<number, RollupSums>();
    if (!(to > from)) return out;
    for (const ids of chunks(checkIds, IN_CHUNK)) {
      const rows = (await this.db(TABLE[table])
        .whereIn('check_id', ids)
        .where('bucket_start', '>=', from.getTime())
        .where('bucket_start', '<', to.getTime())
        .groupBy('check_id')
        .select('check_id', ...SUMS.map((column) => this.db.raw(`sum(${column}) as ${column}`)))) as Array<Record<string, number | string>>;
      for (const r of rows) out.set(Number(r.check_id), toSums(r));
    }
    return out;
  }

  async sumRollupsByServiceBucket(
    table: RollupKind,
    checkIds: readonly number[],
    from: Date,
    to: Date,
  ): Promise<Array<{ serviceId: number; bucketStart: Date; sums: RollupSums }>> {
    const out: Array<{ serviceId: number; bucketStart: Date; sums: RollupSums }> = [];
    if (!(to > from)) return out;
    for (const ids of chunks(checkIds, IN_CHUNK)) {
      const rows = (await this.db(`${TABLE[table]} as r`)
        .join('checks as c', 'c.id', 'r.check_id')
        .whereIn('r.check_id', ids)
        .where('r.bucket_start', '>=', from.getTime())
        .where('r.bucket_start', '<', to.getTime())
        .groupBy('c.service_id', 'r.bucket_start')
        .select('c.service_id', 'r.bucket_start', ...SUMS.map((column) => this.db.raw(`sum(r.${column}) as ${column}`)))) as Array<Record<string, number | string>>;
      for (const r of rows) out.push({ serviceId: Number(r.service_id), bucketStart: toDate(r.bucket_start)!, sums: toSums(r) });
    }
    return out;
  }

  async listRollupsIn(table: RollupKind, ranges: ReadonlyArray<{ checkId: number; from: Date; to: Date }>): Promise<Map<number, RollupBucket[]>> {
    const out = new Map<number, RollupBucket[]>();
    // Checks sharing a range share one branch of the condition.
    const byRange = new Map<string, { from: number; to: number; ids: number[] }>();
    for (const r of ranges) {
      const key = `${r.from.getTime()} ${r.to.getTime()}`;
      const group = byRange.get(key);
      if (group) group.ids.push(r.checkId);
      else byRange.set(key, { from: r.from.getTime(), to: r.to.getTime(), ids: [r.checkId] });
    }
    const branches = [...byRange.values()].flatMap((g) => chunks(g.ids, IN_CHUNK).map((ids) => ({ ...g, ids })));
    for (const part of chunks(branches, RANGE_CHUNK)) {
      const rows = (await this.db(TABLE[table])
        .where((q) => {
          for (const r of part) q.orWhere((one) => one.whereIn('check_id', r.ids).where('bucket_start', '>=', r.from).where('bucket_start', '<', r.to));
        })
        .orderBy(['check_id', 'bucket_start'])
        .select('*')) as RollupRow[];
      for (const row of rows) push(out, Number(row.check_id), toBucket(row));
    }
    return out;
  }

  async firstHourlyAtOf(checkIds: readonly number[]): Promise<Map<number, Date>> {
    const out = new Map<number, Date>();
    for (const ids of chunks(checkIds, IN_CHUNK)) {
      // A subquery per check: each a descent of the primary key's index (check_id, bucket_start).
      const rows = (await this.db('checks as c')
        .whereIn('c.id', ids)
        .select('c.id as check_id', this.db.raw('(select min(h.bucket_start) from check_rollups_hourly h where h.check_id = c.id) as first'))) as Array<{
        check_id: number;
        first: number | string | null;
      }>;
      for (const row of rows) if (row.first !== null) out.set(Number(row.check_id), toDate(row.first)!);
    }
    return out;
  }

  async progressOf(checkIds: readonly number[]): Promise<Map<number, RollupProgress>> {
    const out = new Map<number, RollupProgress>();
    for (const ids of chunks(checkIds, IN_CHUNK)) {
      const rows = (await this.db('rollup_progress').whereIn('check_id', ids).select('check_id', 'rolled_up_to', 'last_result_id')) as Array<{
        check_id: number;
        rolled_up_to: number | string;
        last_result_id: number | string;
      }>;
      for (const row of rows) out.set(Number(row.check_id), { rolledUpTo: toDate(row.rolled_up_to)!, lastResultId: Number(row.last_result_id) });
    }
    return out;
  }

  async deleteResultsBefore(checkId: number, before: Date, limit: number): Promise<number> {
    // One bounded statement per call keeps each lock short; the caller pauses between batches.
    const batch = this.db('check_results').select('id').where('check_id', checkId).where('started_at', '<', before.getTime()).orderBy('started_at').limit(limit);
    return this.db('check_results').whereIn('id', batch).del();
  }

  async deleteHourlyBefore(before: Date, limit: number): Promise<number> {
    const batch = this.db('check_rollups_hourly').select('check_id', 'bucket_start').where('bucket_start', '<', before.getTime()).orderBy('bucket_start').limit(limit);
    // A row-value IN: both PostgreSQL and SQLite (≥ 3.15) accept it.
    return this.db('check_rollups_hourly').whereIn(['check_id', 'bucket_start'], batch).del();
  }

  private async upsert(table: RollupTable, checkId: number, buckets: readonly RollupBucket[]): Promise<void> {
    for (let i = 0; i < buckets.length; i += UPSERT_CHUNK) {
      const rows = buckets.slice(i, i + UPSERT_CHUNK).map((b) => toRow(checkId, b));
      await this.db(table).insert(rows).onConflict(['check_id', 'bucket_start']).merge();
    }
  }

  private async list(table: RollupTable, checkId: number, from: Date, to: Date): Promise<RollupBucket[]> {
    const rows = (await this.db(table)
      .where('check_id', checkId)
      .where('bucket_start', '>=', from.getTime())
      .where('bucket_start', '<', to.getTime())
      .orderBy('bucket_start')
      .select('*')) as RollupRow[];
    return rows.map(toBucket);
  }
}
