// Incidents, their events and pauses in SQL (SQLite and PostgreSQL); rows are mapped in
// incident-rows.ts, the queue's order and pages in incident-queue.ts.
import type { Knex } from 'knex';
import type { IncidentEvent, NewIncidentEvent } from '../incidents/incident-events.js';
import type { Visibility } from '../incidents/incident-visibility.js';
import type { Incident, IncidentClockState, IncidentFilter, IncidentPause, IncidentWrite, NewIncident, Page, Suggestion } from '../incidents/incident-types.js';
import { INCIDENT_STATES, LIFECYCLE, OPEN_STATUSES, type IncidentStatus } from '../incidents/lifecycle.js';
import type { Priority } from '../incidents/priority.js';
import { queuePage } from './incident-queue.js';
import { visibleKnownErrors } from './known-error-store.js';
import { insertRow, patchRow, toEvent, toIncident, toLockedIncident, toPause, type Row } from './incident-rows.js';
import type { IncidentStore } from './store-types.js';

// The states in which each SLA clock runs, from the lifecycle table.
const RESPONSE_RUNS = INCIDENT_STATES.filter((s) => LIFECYCLE[s].responseClock === 'runs');
const RESOLUTION_RUNS = INCIDENT_STATES.filter((s) => LIFECYCLE[s].resolutionClock === 'runs');

export class KnexIncidentStore implements IncidentStore {
  constructor(
    private readonly db: Knex,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  private select() {
    return this.db('incidents as i')
      .join('services as s', 's.id', 'i.service_id')
      .leftJoin('checks as c', 'c.id', 'i.check_id')
      .leftJoin('incidents as rel', 'rel.id', 'i.related_incident_id')
      .select('i.*', 's.key as service_key', 'c.key as check_key', 'rel.ref as related_ref');
  }

  async nextRef(year: number): Promise<string> {
    const [row] = (await this.db('incident_ref_counters')
      .insert({ year, last_seq: 1 })
      .onConflict('year')
      .merge({ last_seq: this.db.raw('incident_ref_counters.last_seq + 1') })
      .returning('last_seq')) as Array<{ last_seq: number }>;
    return `INC-${year}-${String(row!.last_seq).padStart(5, '0')}`;
  }

  async insert(ref: string, n: NewIncident, now: Date): Promise<Incident> {
    const [row] = (await this.db('incidents')
      .insert(insertRow(ref, n, now))
      .returning('id')) as Array<{ id: number }>;
    return this.byId(row!.id);
  }

  private async byId(id: number): Promise<Incident> {
    return toIncident((await this.select().where('i.id', id).first()) as Row);
  }

  async update(id: number, patch: IncidentWrite, now: Date): Promise<Incident> {
    await this.db('incidents').where({ id }).update(patchRow(patch, now));
    return this.byId(id);
  }

  async lockByRef(ref: string): Promise<(Incident & IncidentClockState) | null> {
    let query = this.select().where('i.ref', ref);
    if (this.dialect === 'postgres') query = query.forUpdate('i');
    // SQLite has no row locks: writing first takes the database's write lock before the read, as
    // check-store.ts does, so a concurrent action waits and then sees this one's result.
    else
      await this.db('incidents')
        .where({ ref })
        .update({ updated_at: this.db.ref('updated_at') });
    const row = (await query.first()) as Row | undefined;
    if (!row) return null;
    return toLockedIncident(row);
  }

  async startPause(incidentId: number, startedAt: Date, reason: string): Promise<void> {
    await this.db('incident_pauses').insert({ incident_id: incidentId, started_at: startedAt.getTime(), reason });
  }

  async recordPause(incidentId: number, pause: Pick<IncidentPause, 'startedAt' | 'endedAt' | 'reason' | 'kind'>): Promise<void> {
    await this.db('incident_pauses').insert({
      incident_id: incidentId,
      started_at: pause.startedAt.getTime(),
      ended_at: pause.endedAt?.getTime() ?? null,
      reason: pause.reason,
      kind: pause.kind,
    });
  }

  async endPause(incidentId: number, endedAt: Date): Promise<IncidentPause | null> {
    const open = (await this.db('incident_pauses').where({ incident_id: incidentId }).whereNull('ended_at').orderBy('id', 'desc').first()) as Row | undefined;
    if (!open) return null;
    await this.db('incident_pauses').where({ id: open.id }).update({ ended_at: endedAt.getTime() });
    return toPause({ ...open, ended_at: endedAt.getTime() });
  }

  async listPauses(incidentId: number): Promise<IncidentPause[]> {
    const rows = (await this.db('incident_pauses').where({ incident_id: incidentId }).orderBy('id', 'asc')) as Row[];
    return rows.map(toPause);
  }

  async findOpenForCheck(checkId: number): Promise<Incident | null> {
    const row = (await this.select().where('i.check_id', checkId).whereIn('i.status', OPEN_STATUSES).first()) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  async findOpenByFingerprint(fingerprint: string, options: { forUpdate?: boolean } = {}): Promise<Incident | null> {
    let query = this.select().where('i.fingerprint', fingerprint).whereIn('i.status', OPEN_STATUSES);
    if (options.forUpdate && this.dialect === 'postgres') query = query.forUpdate('i');
    const row = (await query.first()) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  async findLatestForCheck(checkId: number): Promise<Incident | null> {
    const row = (await this.select().where('i.check_id', checkId).whereNot('i.status', 'canceled').orderBy('i.id', 'desc').first()) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  async findLatestByFingerprint(fingerprint: string): Promise<Incident | null> {
    const row = (await this.select().where('i.fingerprint', fingerprint).whereNot('i.status', 'canceled').orderBy('i.id', 'desc').first()) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  async listDetectedBetween(from: Date, to: Date): Promise<Incident[]> {
    const rows = (await this.select().where('i.detected_at', '>=', from.getTime()).where('i.detected_at', '<', to.getTime()).orderBy('i.detected_at').orderBy('i.id')) as Row[];
    return rows.map(toIncident);
  }

  async listRemindersDue(now: Date, intervals: Partial<Record<Priority, number>>, limit: number): Promise<string[]> {
    const entries = Object.entries(intervals).filter((e): e is [Priority, number] => typeof e[1] === 'number');
    if (entries.length === 0) return [];
    const rows = (await this.db('incidents')
      .whereIn('status', OPEN_STATUSES)
      .whereNull('acknowledged_at')
      .where((w) => {
        for (const [priority, ms] of entries) {
          w.orWhere((p) => p.where('priority', priority).whereRaw('coalesce(reminded_at, detected_at) <= ?', [now.getTime() - ms]));
        }
      })
      .orderBy('id', 'asc')
      .limit(limit)
      .select('ref')) as Array<{ ref: string }>;
    return rows.map((r) => r.ref);
  }

  async findByRef(ref: string): Promise<Incident | null> {
    const row = (await this.select().where('i.ref', ref).first()) as Row | undefined;
    return row ? toIncident(row) : null;
  }

  async listSlaDue(now: Date, limit: number): Promise<string[]> {
    const at = now.getTime();
    const target = (w: Knex.QueryBuilder, statuses: readonly IncidentStatus[], warned: string, warnAt: string, breached: string, dueAt: string) =>
      w.orWhere((t) =>
        t.whereIn('status', statuses).where((due) => {
          due.where((x) => x.where(warned, false).where(breached, false).where(warnAt, '<=', at));
          due.orWhere((x) => x.where(breached, false).where(dueAt, '<=', at));
        }),
      );
    const rows = (await this.db('incidents')
      .where((w) => {
        target(w, RESPONSE_RUNS, 'response_warned', 'response_warn_at', 'response_breached', 'response_due_at');
        target(w, RESOLUTION_RUNS, 'resolution_warned', 'resolve_warn_at', 'resolution_breached', 'resolve_due_at');
      })
      .orderBy('id', 'asc')
      .limit(limit)
      .select('ref')) as Array<{ ref: string }>;
    return rows.map((r) => r.ref);
  }

  async listAutoCloseDue(resolvedBefore: Date, limit: number): Promise<string[]> {
    const rows = (await this.db('incidents')
      .where('status', 'resolved')
      .whereNot('priority', 'P1')
      .where('resolved_at', '<=', resolvedBefore.getTime())
      .orderBy('resolved_at', 'asc')
      .limit(limit)
      .select('ref')) as Array<{ ref: string }>;
    return rows.map((r) => r.ref);
  }

  async recurrenceOf(check: string, failureKind: string, since: Date): Promise<{ recurrences: number; knownErrorExists: boolean }> {
    const checkId = this.db('checks').where({ key: check }).select('id');
    const [row] = (await this.db('incidents')
      .whereIn('check_id', checkId)
      .where({ failure_kind: failureKind })
      .whereNot('status', 'canceled')
      .where('detected_at', '>=', since.getTime())
      .select(this.db.raw('count(*) as incidents'), this.db.raw('coalesce(sum(reopen_count), 0) as reopens'))) as Row[];
    const known = await this.db('known_errors').whereIn('check_id', checkId).where({ failure_kind: failureKind }).first('id');
    return { recurrences: Number(row?.incidents ?? 0) + Number(row?.reopens ?? 0), knownErrorExists: known !== undefined };
  }

  async list(filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>> {
    return queuePage(this.db, this.dialect, this.select(), filter, limit, cursor);
  }

  async appendEvent(incidentId: number, e: NewIncidentEvent): Promise<IncidentEvent> {
    const [row] = (await this.db('incident_events')
      .insert({
        incident_id: incidentId,
        at: e.at.getTime(),
        actor: e.actor,
        type: e.type,
        from_status: e.fromStatus,
        to_status: e.toStatus,
        note: e.note,
        data_json: e.data ? JSON.stringify(e.data) : null,
      })
      .returning('id')) as Array<{ id: number }>;
    return { ...e, id: Number(row!.id) };
  }

  async listEvents(incidentId: number): Promise<IncidentEvent[]> {
    const rows = (await this.db('incident_events').where({ incident_id: incidentId }).orderBy('id', 'asc')) as Row[];
    return rows.map(toEvent);
  }

  async suggestionsFor(incident: Incident, limit: number, visibility: Visibility): Promise<Suggestion[]> {
    const sameCheck = (q: Knex.QueryBuilder) => (incident.check ? q.where('c.key', incident.check).where('k.failure_kind', incident.failureKind) : q.whereRaw('1 = 0'));
    const known = (await visibleKnownErrors(this.db('known_errors as k').leftJoin('checks as c', 'c.id', 'k.check_id'), visibility)
      .where((w) => {
        sameCheck(w);
        w.orWhere((o) => o.where('k.category', incident.category).where('k.subcategory', incident.subcategory));
      })
      .select('k.*', 'c.key as check_key')
      .orderByRaw(`CASE WHEN c.key = ? AND k.failure_kind = ? THEN 0 ELSE 1 END`, [incident.check ?? '', incident.failureKind ?? ''])
      .orderBy('k.id', 'desc')
      .limit(limit)) as Row[];
    const suggestions: Suggestion[] = known.map((k) => ({
      kind: 'known_error',
      match: incident.check && k.check_key === incident.check && k.failure_kind === incident.failureKind ? 'same_check_and_failure' : 'same_category',
      title: k.title as string,
      ref: null,
      knownErrorId: k.id as number,
      resolution: (k.resolution as string) || (k.workaround as string) || null,
    }));
    // Two index-ordered reads (same check and failure kind; then same category), newest resolution
    // first, instead of ranking every resolved incident: the incident page stays fast at 100,000.
    const resolvedLike = (where: (q: Knex.QueryBuilder) => Knex.QueryBuilder) =>
      where(this.select().whereNot('i.id', incident.id).whereNotNull('i.resolution_notes').where('i.escalation_level', '>=', visibility.minEscalationLevel))
        .orderBy('i.resolved_at', 'desc')
        .limit(limit) as Promise<Row[]>;
    const pastOfCheck = incident.check ? await resolvedLike((q) => q.where('c.key', incident.check).where('i.failure_kind', incident.failureKind)) : [];
    const sameCategory = await resolvedLike((q) => q.where('i.category', incident.category).where('i.subcategory', incident.subcategory));
    const seen = new Set<number>();
    const past = [...pastOfCheck, ...sameCategory].filter((r) => !seen.has(r.id as number) && seen.add(r.id as number));
    for (const p of past.map(toIncident)) {
      suggestions.push({
        kind: 'past_incident',
        match: p.check !== null && p.check === incident.check && p.failureKind === incident.failureKind ? 'same_check_and_failure' : 'same_category',
        title: p.title,
        ref: p.ref,
        knownErrorId: null,
        resolution: p.resolutionNotes,
      });
    }
    const rank = (s: Suggestion) => (s.match === 'same_check_and_failure' ? 0 : 1) + (s.kind === 'known_error' ? 0 : 0.5);
    return suggestions.sort((a, b) => rank(a) - rank(b)).slice(0, limit);
  }

  async escalationLevels(refs: readonly string[]): Promise<Map<string, number>> {
    if (refs.length === 0) return new Map();
    const rows = (await this.db('incidents')
      .whereIn('ref', [...new Set(refs)])
      .select('ref', 'escalation_level')) as Row[];
    return new Map(rows.map((r) => [r.ref as string, Number(r.escalation_level)]));
  }

  async downtimeByCheck(from: Date, to: Date): Promise<Map<number, number>> {
    const rows = (await this.db('incidents')
      .where({ source: 'probe' })
      .whereNotNull('check_id')
      .where('detected_at', '<', to.getTime())
      .where((w) => w.whereNull('service_restored_at').orWhere('service_restored_at', '>', from.getTime()))
      .whereNot('status', 'canceled')
      // a slow site or an expiring certificate is degraded, not down
      .whereNotIn('failure_kind', ['slow', 'tls_expiring'])
      .select('check_id', 'detected_at', 'service_restored_at', 'resolved_at')) as Row[];
    const down = new Map<number, number>();
    for (const r of rows) {
      const start = Math.max(from.getTime(), Number(r.detected_at));
      const endAt = r.service_restored_at ?? r.resolved_at;
      const end = Math.min(to.getTime(), endAt === null ? to.getTime() : Number(endAt));
      if (end > start) down.set(r.check_id as number, (down.get(r.check_id as number) ?? 0) + (end - start));
    }
    return down;
  }

  async changeStamp(incidentId: number | null): Promise<string> {
    // One max() per query: SQLite reads a lone min/max off its index, but scans for two at once.
    const newest = async (query: Knex.QueryBuilder) => ((await query.first()) as Row | undefined)?.v ?? null;
    const parts: unknown[] = [
      await newest(this.db('incidents').max('id as v')),
      await newest(this.db('incidents').max('updated_at as v')),
      await newest(this.db('incident_events').max('id as v')),
    ];
    if (incidentId !== null) {
      const outbox = (await this.db('notification_outbox').where({ incident_id: incidentId }).count('* as n').sum('attempts as tries').max('sent_at as sent').first()) as Row;
      parts.push(outbox.n, outbox.tries, outbox.sent);
    }
    return parts.map((v) => (v === null || v === undefined ? '-' : String(v))).join('.');
  }
}
