import type { Knex } from 'knex';
import type { KnownError, KnownErrorFilter, NewKnownError } from '../incidents/incident-types.js';
import type { Visibility } from '../incidents/incident-visibility.js';
import { toDate } from './row-mapping.js';
import type { KnownErrorStore } from './store-types.js';

type Row = Record<string, unknown>;

function toKnownError(r: Row): KnownError {
  return {
    id: Number(r.id),
    title: r.title as string,
    service: (r.service_key as string | null) ?? null,
    check: (r.check_key as string | null) ?? null,
    failureKind: (r.failure_kind as KnownError['failureKind']) ?? null,
    category: r.category as string,
    subcategory: r.subcategory as string,
    symptoms: r.symptoms as string,
    cause: r.cause as string,
    workaround: r.workaround as string,
    resolution: r.resolution as string,
    sourceRef: (r.source_ref as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: toDate(r.created_at as number)!,
  };
}

/**
 * Known errors recorded from incidents the reader may open (`k`: known_errors). Their title,
 * symptoms and resolution come from that incident, so they are as visible as it is.
 */
export function visibleKnownErrors(q: Knex.QueryBuilder, visibility: Visibility): Knex.QueryBuilder {
  if (visibility.minEscalationLevel <= 0) return q;
  return q.whereExists((sub) =>
    sub.select(1).from('incidents as src').whereRaw('src.id = k.source_incident_id').where('src.escalation_level', '>=', visibility.minEscalationLevel),
  );
}

const SEARCHED = ['k.title', 'k.symptoms', 'k.cause', 'k.workaround', 'k.resolution'];

export class KnexKnownErrorStore implements KnownErrorStore {
  constructor(private readonly db: Knex) {}

  private query() {
    return this.db('known_errors as k')
      .leftJoin('services as s', 's.id', 'k.service_id')
      .leftJoin('checks as c', 'c.id', 'k.check_id')
      .leftJoin('incidents as i', 'i.id', 'k.source_incident_id')
      .select('k.*', 's.key as service_key', 'c.key as check_key', 'i.ref as source_ref');
  }

  async insert(knownError: NewKnownError, now: Date): Promise<KnownError> {
    const [inserted] = (await this.db('known_errors')
      .insert({
        title: knownError.title,
        service_id: knownError.serviceId,
        check_id: knownError.checkId,
        failure_kind: knownError.failureKind,
        category: knownError.category,
        subcategory: knownError.subcategory,
        symptoms: knownError.symptoms,
        cause: knownError.cause,
        workaround: knownError.workaround,
        resolution: knownError.resolution,
        source_incident_id: knownError.sourceIncidentId,
        created_by: knownError.createdBy,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .returning('id')) as Array<{ id: number }>;
    return (await this.get(inserted!.id))!;
  }

  async get(id: number): Promise<KnownError | null> {
    const row = (await this.query().where('k.id', id).first()) as Row | undefined;
    return row ? toKnownError(row) : null;
  }

  async list(filter: KnownErrorFilter, limit: number, visibility: Visibility): Promise<KnownError[]> {
    const q = visibleKnownErrors(this.query(), visibility);
    if (filter.category) q.where('k.category', filter.category);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      q.where((w) => {
        for (const column of SEARCHED) w.orWhereRaw(`lower(${column}) like ? escape '\\'`, [like]);
      });
    }
    const rows = (await q.orderBy('k.id', 'desc').limit(limit)) as Row[];
    return rows.map(toKnownError);
  }
}
