import type { Knex } from 'knex';
import type { CheckConfig, ServiceConfig } from '../../config.js';
import type { FailureKind, ProbeResult, ProbeStatus } from '../../probes/probe-types.js';
import { CATCH_ALL_SERVICE, type CheckRecord, type CheckStatePatch, type DashboardCheck, type ServiceRecord, type StoredResult } from '../detection/check-types.js';
import { NotFoundError } from '../errors.js';
import type { LocationState } from '../detection/location-quorum.js';
import type { Impact } from '../incidents/priority.js';
import { parseJson, toBool, toDate, toMs } from './row-mapping.js';
import { resultsPage, toStoredResult } from './result-pages.js';
import type { Page } from '../incidents/incident-types.js';
import type { CheckStore } from './store-types.js';

interface CheckRow {
  id: number;
  key: string;
  service_id: number;
  service_key: string;
  type: string;
  target: string;
  state: string;
  consecutive_failures: number;
  consecutive_successes: number;
  streak_started_at: number | null;
  last_result_at: number | null;
  last_state_change_at: number | null;
  recent_changes_json: string;
  created_at: number;
  source: string;
  active: unknown;
}

interface LocationRow {
  instance: string;
  state: string;
  consecutive_failures: number;
  consecutive_successes: number;
  streak_started_at: number | string | null;
  last_result_at: number | string;
  failure_kind: string | null;
}

function toCheck(row: CheckRow): CheckRecord {
  return {
    id: row.id,
    key: row.key,
    serviceId: row.service_id,
    serviceKey: row.service_key,
    type: row.type,
    target: row.target,
    state: row.state as ProbeStatus,
    consecutiveFailures: row.consecutive_failures,
    consecutiveSuccesses: row.consecutive_successes,
    streakStartedAt: toDate(row.streak_started_at),
    lastResultAt: toDate(row.last_result_at),
    lastStateChangeAt: toDate(row.last_state_change_at),
    recentChanges: parseChanges(row.recent_changes_json),
    createdAt: toDate(row.created_at)!,
    source: row.source === 'dashboard' ? 'dashboard' : 'file',
    active: toBool(row.active),
  };
}

/** `recent_changes_json` holds epoch milliseconds. */
function parseChanges(text: string | null): Date[] {
  return (parseJson<number[]>(text) ?? []).map((ms) => new Date(Number(ms)));
}

/** Rows per insert on SQLite: a batch goes in as so many of each, largest first. */
const SQLITE_INSERT_SIZES = [64, 8, 1];

export class KnexCheckStore implements CheckStore {
  constructor(
    private readonly db: Knex,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  async syncConfig(services: readonly ServiceConfig[], now: Date): Promise<void> {
    const at = now.getTime();
    for (const service of services) {
      await this.db('services')
        .insert({ key: service.key, name: service.name, impact: service.impact, active: true, created_at: at, updated_at: at })
        .onConflict('key')
        .merge({ name: service.name, impact: service.impact, active: true, updated_at: at });
      const { id: serviceId } = (await this.db('services').where({ key: service.key }).first('id')) as { id: number };
      for (const check of service.checks) {
        const { key, serviceKey: _serviceKey, type, description, ...rest } = check;
        // A key in the file takes over a dashboard check of the same key: the file is the authority.
        const fields = { service_id: serviceId, type, target: description, config_json: JSON.stringify(rest), active: true, source: 'file', definition_json: null, updated_at: at };
        await this.db('checks')
          .insert({ key, ...fields, created_at: at })
          .onConflict('key')
          .merge(fields);
      }
    }
    const serviceKeys = services.map((s) => s.key);
    const checkKeys = services.flatMap((s) => s.checks.map((c) => c.key));
    // The Alertmanager catch-all is created on demand, not by the file: it is never deactivated.
    await this.db('services')
      .whereNotIn('key', [...serviceKeys, CATCH_ALL_SERVICE.key])
      .update({ active: false, updated_at: at });
    await this.db('checks').where({ source: 'file' }).whereNotIn('key', checkKeys).update({ active: false, updated_at: at });
  }

  async listDashboardChecks(): Promise<DashboardCheck[]> {
    const rows = (await this.db('checks as c')
      .join('services as s', 's.id', 'c.service_id')
      .where('c.source', 'dashboard')
      .orderBy('c.key')
      .select('c.key', 's.key as service_key', 'c.definition_json', 'c.active', 'c.updated_by')) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      key: r.key as string,
      serviceKey: r.service_key as string,
      definition: parseJson(r.definition_json as string | null),
      active: toBool(r.active),
      updatedBy: (r.updated_by as string | null) ?? null,
    }));
  }

  async saveDashboardCheck(check: CheckConfig, definition: unknown, active: boolean, actor: string, now: Date): Promise<void> {
    const service = (await this.db('services').where({ key: check.serviceKey, active: true }).first('id')) as { id: number } | undefined;
    if (!service) throw new NotFoundError(`service ${check.serviceKey}`);
    const { key, serviceKey: _serviceKey, type, description, ...rest } = check;
    const fields = {
      service_id: service.id,
      type,
      target: description,
      config_json: JSON.stringify(rest),
      definition_json: JSON.stringify(definition),
      active,
      source: 'dashboard',
      updated_by: actor,
      updated_at: now.getTime(),
    };
    // Never overwrite a check that belongs to the file.
    const updated = await this.db('checks').where({ key, source: 'dashboard' }).update(fields);
    if (updated === 0) await this.db('checks').insert({ key, ...fields, created_at: now.getTime() });
  }

  async ensureService(service: { key: string; name: string; impact: Impact }, now: Date): Promise<ServiceRecord> {
    const at = now.getTime();
    await this.db('services')
      .insert({ key: service.key, name: service.name, impact: service.impact, active: true, created_at: at, updated_at: at })
      .onConflict('key')
      .merge({ active: true });
    const row = (await this.db('services').where({ key: service.key }).first('id', 'key', 'name', 'impact')) as { id: number; key: string; name: string; impact: string };
    return { ...row, impact: row.impact as Impact };
  }

  async listServices(): Promise<ServiceRecord[]> {
    const rows = await this.db('services').where({ active: true }).orderBy('key').select('id', 'key', 'name', 'impact');
    return rows.map((r: { id: number; key: string; name: string; impact: string }) => ({ ...r, impact: r.impact as Impact }));
  }

  private checkQuery() {
    return this.db('checks as c')
      .join('services as s', 's.id', 'c.service_id')
      .select(
        'c.id',
        'c.key',
        'c.service_id',
        's.key as service_key',
        'c.type',
        'c.target',
        'c.state',
        'c.consecutive_failures',
        'c.consecutive_successes',
        'c.streak_started_at',
        'c.last_result_at',
        'c.last_state_change_at',
        'c.recent_changes_json',
        'c.created_at',
        'c.source',
        'c.active',
      );
  }

  async listChecks(options: { includeInactive?: boolean } = {}): Promise<CheckRecord[]> {
    const query = this.checkQuery().orderBy('c.key');
    if (!options.includeInactive) query.where('c.active', true);
    const rows = (await query) as CheckRow[];
    return rows.map(toCheck);
  }

  async getCheck(key: string, options: { forUpdate?: boolean } = {}): Promise<CheckRecord | null> {
    let query = this.checkQuery().where('c.key', key);
    if (options.forUpdate && this.dialect === 'postgres') query = query.forUpdate('c');
    if (options.forUpdate && this.dialect === 'sqlite') {
      // SQLite has no row locks. Writing first takes the database's write lock before anything
      // is read, so a second connection waits (busy_timeout) instead of failing to upgrade a read.
      await this.db('checks')
        .where({ key })
        .update({ updated_at: this.db.ref('updated_at') });
    }
    const row = (await query.first()) as CheckRow | undefined;
    return row ? toCheck(row) : null;
  }

  async getChecksForUpdate(keys: readonly string[]): Promise<CheckRecord[]> {
    if (keys.length === 0) return [];
    const sorted = [...new Set(keys)].sort();
    if (this.dialect === 'sqlite') {
      // One list parameter, so the statements' text is the same for every batch (and compiled
      // once); writing first takes the write lock before anything is read, as in getCheck.
      const list = JSON.stringify(sorted);
      await this.db('checks')
        .whereRaw('key in (select value from json_each(?))', [list])
        .update({ updated_at: this.db.ref('updated_at') });
      const rows = (await this.checkQuery().whereRaw('c.key in (select value from json_each(?))', [list]).orderBy('c.key')) as CheckRow[];
      return rows.map(toCheck);
    }
    // One at a time in key order, as getCheck locks them: two workers with overlapping batches
    // wait for each other instead of deadlocking.
    const found: CheckRecord[] = [];
    for (const key of sorted) {
      const check = await this.getCheck(key, { forUpdate: true });
      if (check) found.push(check);
    }
    return found;
  }

  async updateCheckState(checkId: number, patch: CheckStatePatch): Promise<void> {
    await this.db('checks')
      .where({ id: checkId })
      .update({
        state: patch.state,
        consecutive_failures: patch.consecutiveFailures,
        consecutive_successes: patch.consecutiveSuccesses,
        streak_started_at: toMs(patch.streakStartedAt),
        last_result_at: toMs(patch.lastResultAt),
        last_state_change_at: toMs(patch.lastStateChangeAt),
        ...(patch.recentChanges ? { recent_changes_json: JSON.stringify(patch.recentChanges.map((c) => c.getTime())) } : {}),
        updated_at: patch.lastResultAt.getTime(),
      });
  }

  async listLocationStates(checkId: number): Promise<LocationState[]> {
    const rows = (await this.db('check_location_states').where({ check_id: checkId }).orderBy('instance')) as LocationRow[];
    return rows.map((r) => ({
      instance: r.instance,
      state: r.state as ProbeStatus,
      consecutiveFailures: r.consecutive_failures,
      consecutiveSuccesses: r.consecutive_successes,
      streakStartedAt: toDate(r.streak_started_at),
      lastResultAt: toDate(r.last_result_at)!,
      failureKind: (r.failure_kind as FailureKind | null) ?? null,
    }));
  }

  async saveLocationStates(checkId: number, states: readonly LocationState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db('check_location_states')
      .insert(
        states.map((s) => ({
          check_id: checkId,
          instance: s.instance,
          state: s.state,
          consecutive_failures: s.consecutiveFailures,
          consecutive_successes: s.consecutiveSuccesses,
          streak_started_at: toMs(s.streakStartedAt),
          last_result_at: s.lastResultAt.getTime(),
          failure_kind: s.failureKind,
        })),
      )
      .onConflict(['check_id', 'instance'])
      .merge();
  }

  async insertResults(rows: ReadonlyArray<{ checkId: number; result: ProbeResult; instance: string }>): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map(({ checkId, result, instance }) => {
      const passed = result.status === 'up';
      return {
        check_id: checkId,
        started_at: result.startedAt.getTime(),
        duration_ms: Math.round(result.durationMs),
        status: result.status,
        failure_kind: result.failureKind,
        http_status: result.evidence.statusCode ?? null,
        error_code: result.evidence.errorCode ?? null,
        timings_json: JSON.stringify(result.timings),
        // Healthy results are most of the table: keep them small (an integrity check's clean
        // result keeps what it saw: the snapshot a person may accept as the baseline).
        evidence_json: !passed
          ? JSON.stringify(result.evidence)
          : result.evidence.integrity
            ? JSON.stringify({ url: result.evidence.url, integrity: result.evidence.integrity })
            : null,
        tls_expires_at: result.evidence.tlsExpiresAt ? Date.parse(result.evidence.tlsExpiresAt) : null,
        instance,
      };
    });
    if (this.dialect === 'postgres') {
      await this.db('check_results').insert(values);
      return;
    }
    // SQLite keeps each statement's compiled form by its text (database.ts): inserts of a few
    // fixed sizes, in order, reuse theirs, where one of every batch size would compile anew.
    let at = 0;
    for (const size of SQLITE_INSERT_SIZES) {
      for (; values.length - at >= size; at += size) await this.db('check_results').insert(values.slice(at, at + size));
    }
  }

  async listResults(checkKey: string, from: Date, to: Date, limit: number): Promise<StoredResult[]> {
    const rows = await this.db('check_results as r')
      .join('checks as c', 'c.id', 'r.check_id')
      .where('c.key', checkKey)
      .where('r.started_at', '>=', from.getTime())
      .where('r.started_at', '<', to.getTime())
      .orderBy('r.started_at', 'asc')
      .limit(limit)
      .select('r.*');
    return rows.map((r: Record<string, unknown>) => toStoredResult(r, checkKey));
  }

  pageResults(checkKey: string, from: Date, to: Date, limit: number, cursor: string | null): Promise<Page<StoredResult>> {
    return resultsPage(this.db, checkKey, from, to, limit, cursor);
  }
}
