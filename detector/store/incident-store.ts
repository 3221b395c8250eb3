import type { Knex } from 'knex';
import type { Incident, IncidentFilter, IncidentSource, NewIncident, Page, Suggestion } from '../incidents/incident-types.js';
import type { IncidentEvent, NewIncidentEvent } from '../incidents/incident-events.js';
import { INCIDENT_STATES, LIFECYCLE, OPEN_STATUSES, type IncidentStatus } from '../incidents/lifecycle.js';
import type { Impact } from '../incidents/priority.js';
import type { Priority } from '../incidents/priority.js';
import type { Urgency } from '../incidents/taxonomy.js';
import { parseJson, toBool, toDate, toMs } from './row-mapping.js';
import type { IncidentClockState, IncidentPause, IncidentWrite } from '../incidents/incident-types.js';
import type { IncidentStore } from './store-types.js';

type Row = Record<string, unknown>;

function toIncident(r: Row): Incident {
  return {
    id: r.id as number,
    ref: r.ref as string,
    title: r.title as string,
    description: r.description as string,
    service: r.service_key as string,
    check: (r.check_key as string | null) ?? null,
    source: r.source as IncidentSource,
    category: r.category as string,
    subcategory: r.subcategory as string,
    failureKind: (r.failure_kind as Incident['failureKind']) ?? null,
    impact: r.impact as Impact,
    urgency: r.urgency as Urgency,
    priority: r.priority as Priority,
    status: r.status as IncidentStatus,
    escalationLevel: r.escalation_level as number,
    assignedGroup: r.assigned_group as string,
    assignee: (r.assignee as string | null) ?? null,
    reporter: r.reporter_name ? { name: r.reporter_name as string, contact: (r.reporter_contact as string | null) ?? null } : null,
    flapping: toBool(r.flapping),
    detectedAt: toDate(r.detected_at as number)!,
    acknowledgedAt: toDate(r.acknowledged_at as number | null),
    responseDueAt: toDate(r.response_due_at as number)!,
    resolveDueAt: toDate(r.resolve_due_at as number)!,
    serviceRestoredAt: toDate(r.service_restored_at as number | null),
    resolvedAt: toDate(r.resolved_at as number | null),
    closedAt: toDate(r.closed_at as number | null),
    responseBreached: toBool(r.response_breached),
    resolutionBreached: toBool(r.resolution_breached),
    managementEscalated: toBool(r.manager_notified),
    resolutionCode: (r.resolution_code as string | null) ?? null,
    resolutionNotes: (r.resolution_notes as string | null) ?? null,
    closureCode: (r.closure_code as string | null) ?? null,
    reopenCount: r.reopen_count as number,
    relatedRef: (r.related_ref as string | null) ?? null,
    evidence: parseJson(r.evidence_json as string | null),
  };
}

function toPause(r: Row): IncidentPause {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    startedAt: toDate(r.started_at as number)!,
    endedAt: toDate(r.ended_at as number | null),
    reason: r.reason as string,
  };
}

const PATCH_COLUMNS: Record<keyof IncidentWrite, string> = {
  statusBeforePending: 'status_before_pending',
  pausedMs: 'paused_ms',
  closureNotes: 'closure_notes',
  evidence: 'evidence_json',
  status: 'status',
  escalationLevel: 'escalation_level',
  assignedGroup: 'assigned_group',
  assignee: 'assignee',
  flapping: 'flapping',
  acknowledgedAt: 'acknowledged_at',
  serviceRestoredAt: 'service_restored_at',
  resolvedAt: 'resolved_at',
  closedAt: 'closed_at',
  resolutionCode: 'resolution_code',
  resolutionNotes: 'resolution_notes',
  closureCode: 'closure_code',
  reopenCount: 'reopen_count',
  impact: 'impact',
  urgency: 'urgency',
  priority: 'priority',
  responseDueAt: 'response_due_at',
  resolveDueAt: 'resolve_due_at',
  responseBreached: 'response_breached',
  resolutionBreached: 'resolution_breached',
  managementEscalated: 'manager_notified',
  responseWarnAt: 'response_warn_at',
  resolveWarnAt: 'resolve_warn_at',
  responseWarned: 'response_warned',
  resolutionWarned: 'resolution_warned',
  remindedAt: 'reminded_at',
  reminderCount: 'reminder_count',
};

// The states in which each SLA clock runs, from the lifecycle table.
const RESPONSE_RUNS = INCIDENT_STATES.filter((s) => LIFECYCLE[s].responseClock === 'runs');
const RESOLUTION_RUNS = INCIDENT_STATES.filter((s) => LIFECYCLE[s].resolutionClock === 'runs');

// The queue's order: open work first, then resolved, then finished; by priority, then the
// resolution due time. The cursor carries the last row's sort key (keyset pagination). The
// index incidents_queue_order (migration 1900) is this expression: keep them the same, or every
// page of the queue sorts all incidents again.
const RANK_SQL = `CASE WHEN i.status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')}) THEN 0 WHEN i.status = 'resolved' THEN 1 ELSE 2 END`;

interface Cursor {
  rank: number;
  priority: string;
  due: number;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.priority, c.due, c.id])).toString('base64url');
}

/** Undefined when the cursor is not one this store issued. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const [rank, priority, due, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof rank === 'number' && typeof priority === 'string' && typeof due === 'number' && typeof id === 'number') {
      return { rank, priority, due, id };
    }
  } catch {
    // fall through
  }
  return undefined;
}

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
      .insert({
        ref,
        title: n.title,
        description: n.description,
        service_id: n.serviceId,
        check_id: n.checkId,
        source: n.source,
        category: n.category,
        subcategory: n.subcategory,
        failure_kind: n.failureKind,
        impact: n.impact,
        urgency: n.urgency,
        priority: n.priority,
        status: n.status,
        escalation_level: n.escalationLevel,
        assigned_group: n.assignedGroup,
        reporter_name: n.reporter?.name ?? null,
        reporter_contact: n.reporter?.contact ?? null,
        detected_at: n.detectedAt.getTime(),
        response_due_at: n.responseDueAt.getTime(),
        resolve_due_at: n.resolveDueAt.getTime(),
        response_warn_at: n.responseWarnAt.getTime(),
        resolve_warn_at: n.resolveWarnAt.getTime(),
        evidence_json: n.evidence ? JSON.stringify(n.evidence) : null,
        related_incident_id: n.relatedIncidentId ?? null,
        fingerprint: n.fingerprint ?? null,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .returning('id')) as Array<{ id: number }>;
    return this.byId(row!.id);
  }

  private async byId(id: number): Promise<Incident> {
    return toIncident((await this.select().where('i.id', id).first()) as Row);
  }

  async update(id: number, patch: IncidentWrite, now: Date): Promise<Incident> {
    const row: Row = { updated_at: now.getTime() };
    for (const [field, value] of Object.entries(patch) as Array<[keyof IncidentWrite, unknown]>) {
      if (field === 'evidence') row[PATCH_COLUMNS[field]] = value ? JSON.stringify(value) : null;
      else row[PATCH_COLUMNS[field]] = value instanceof Date ? toMs(value) : value;
    }
    await this.db('incidents').where({ id }).update(row);
    return this.byId(id);
  }

  async lockByRef(ref: string): Promise<(Incident & IncidentClockState) | null> {
    let query = this.select().where('i.ref', ref);
    if (this.dialect === 'postgres') query = query.forUpdate('i');
    // SQLite has no row locks: writing first takes the database's write lock before the read, as
    // check-store.ts does, so a concurrent action waits and then sees this one's result.
    else await this.db('incidents').where({ ref }).update({ updated_at: this.db.ref('updated_at') });
    const row = (await query.first()) as Row | undefined;
    if (!row) return null;
    return {
      ...toIncident(row),
      statusBeforePending: (row.status_before_pending as IncidentStatus | null) ?? null,
      pausedMs: Number(row.paused_ms),
      responseWarnAt: toDate(row.response_warn_at as number | null),
      resolveWarnAt: toDate(row.resolve_warn_at as number | null),
      responseWarned: toBool(row.response_warned),
      resolutionWarned: toBool(row.resolution_warned),
      remindedAt: toDate(row.reminded_at as number | null),
      reminderCount: Number(row.reminder_count ?? 0),
    };
  }

  async startPause(incidentId: number, startedAt: Date, reason: string): Promise<void> {
    await this.db('incident_pauses').insert({ incident_id: incidentId, started_at: startedAt.getTime(), reason });
  }

  async endPause(incidentId: number, endedAt: Date): Promise<IncidentPause | null> {
    const open = (await this.db('incident_pauses').where({ incident_id: incidentId }).whereNull('ended_at').orderBy('id', 'desc').first()) as
      | Row
      | undefined;
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

  async listDetectedBetween(from: Date, to: Date): Promise<Incident[]> {
    const rows = (await this.select().where('i.detected_at', '>=', from.getTime()).where('i.detected_at', '<', to.getTime()).orderBy('i.detected_at').orderBy('i.id')) as Row[];
    return rows.map(toIncident);
  }

  async findById(id: number): Promise<Incident | null> {
    const row = (await this.select().where('i.id', id).first()) as Row | undefined;
    return row ? toIncident(row) : null;
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
    const q = this.select().select(this.db.raw(`${RANK_SQL} as queue_rank`));
    if (filter.openOnly) q.whereIn('i.status', OPEN_STATUSES);
    if (filter.status?.length) q.whereIn('i.status', filter.status);
    if (filter.priority?.length) q.whereIn('i.priority', filter.priority);
    if (filter.service) q.where('s.key', filter.service);
    if (filter.category) q.where('i.category', filter.category);
    if (filter.minEscalationLevel !== undefined) q.where('i.escalation_level', '>=', filter.minEscalationLevel);
    if (filter.assignee) q.where('i.assignee', filter.assignee);
    if (filter.assignedGroup) q.where('i.assigned_group', filter.assignedGroup);
    if (filter.breached === true) q.where((w) => w.where('i.response_breached', true).orWhere('i.resolution_breached', true));
    if (filter.breached === false) q.where({ 'i.response_breached': false, 'i.resolution_breached': false });
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      q.where((w) => {
        w.whereRaw(`lower(i.title) like ? escape '\\'`, [like])
          .orWhereRaw(`lower(i.description) like ? escape '\\'`, [like])
          .orWhereRaw(`lower(i.ref) like ? escape '\\'`, [like]);
      });
    }
    const after = cursor ? decodeCursor(cursor) : undefined;
    if (after) {
      // A row-value comparison, which both databases answer from the index in order.
      q.whereRaw(`(${RANK_SQL}, i.priority, i.resolve_due_at, i.id) > (?, ?, ?, ?)`, [after.rank, after.priority, after.due, after.id]);
    }
    const rows = (await q
      .orderByRaw(`${RANK_SQL} asc`)
      .orderBy('i.priority', 'asc')
      .orderBy('i.resolve_due_at', 'asc')
      .orderBy('i.id', 'asc')
      .limit(limit + 1)) as Row[];
    const items = rows.slice(0, limit).map(toIncident);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    const nextCursor = last
      ? encodeCursor({ rank: Number(last.queue_rank), priority: last.priority as string, due: Number(last.resolve_due_at), id: last.id as number })
      : null;
    return { items, nextCursor };
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
    // Each row's type and data were written together from the event vocabulary.
    return rows.map(
      (r) =>
        ({
          id: Number(r.id),
          at: toDate(r.at as number)!,
          actor: r.actor as string,
          type: r.type,
          fromStatus: (r.from_status as IncidentStatus | null) ?? null,
          toStatus: (r.to_status as IncidentStatus | null) ?? null,
          note: (r.note as string | null) ?? null,
          data: parseJson(r.data_json as string | null),
        }) as IncidentEvent,
    );
  }

  async suggestionsFor(incident: Incident, limit: number): Promise<Suggestion[]> {
    const sameCheck = (q: Knex.QueryBuilder) =>
      incident.check ? q.where('c.key', incident.check).where('k.failure_kind', incident.failureKind) : q.whereRaw('1 = 0');
    const known = (await this.db('known_errors as k')
      .leftJoin('checks as c', 'c.id', 'k.check_id')
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
      where(this.select().whereNot('i.id', incident.id).whereNotNull('i.resolution_notes')).orderBy('i.resolved_at', 'desc').limit(limit) as Promise<Row[]>;
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
}
