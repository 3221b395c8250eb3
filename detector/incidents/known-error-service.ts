// Known errors (DESIGN §4, "if it happened before, the solution comes from the documentation"):
// recorded from a resolved or closed incident, listed and searched, and the record of which
// suggestion helped an incident. Each write and its incident event share one transaction.
import { z } from 'zod';
import type { Incident, KnownError, KnownErrorFilter, Suggestion } from './incident-types.js';
import type { User, UserRole } from '../accounts/account-types.js';
import type { AuditTrail } from '../audit/audit-service.js';
import type { AuditOrigin } from '../audit/audit-types.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { assertMayActOn, assertRoleMayAct } from './incident-actions.js';
import { SUGGESTION_LIMIT } from './incident-queries.js';
import { visibilityOf } from './incident-visibility.js';
import { stateless, type IncidentWriter } from './incident-writer.js';
import type { IncidentStatus } from './lifecycle.js';
import type { Database, Stores } from '../store/store-types.js';

/** The roles that document known errors: the people who resolve incidents (DESIGN §5). */
export const KNOWN_ERROR_ROLES: readonly UserRole[] = ['service_desk', 'support', 'admin'];
/** Only a finished incident has a resolution worth documenting. */
const DOCUMENTABLE: readonly IncidentStatus[] = ['resolved', 'closed'];
/** The most known errors one list or search shows. */
const LIST_LIMIT = 500;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** A known error as the API sends it; title and resolution default to the incident's. */
export const knownErrorInput = z
  .object({
    title: text(300).optional(),
    symptoms: text(5000),
    cause: text(5000),
    workaround: text(5000).optional(),
    resolution: text(5000).optional(),
  })
  .strict();
export type KnownErrorInput = z.output<typeof knownErrorInput>;

/** What helped: a known error by id, or a past incident by ref — exactly one of them. */
export const suggestionHelpedInput = z
  .object({
    knownErrorId: z.number().int().positive().optional(),
    ref: text(40).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.knownErrorId === undefined) === (b.ref === undefined)) {
      const message = 'give exactly one of knownErrorId (a known error) or ref (a past incident)';
      ctx.addIssue({ code: 'custom', path: ['knownErrorId'], message });
      ctx.addIssue({ code: 'custom', path: ['ref'], message });
    }
  });
export type SuggestionHelpedInput = z.output<typeof suggestionHelpedInput>;

export interface KnownErrorServiceDeps {
  db: Database;
  writer: IncidentWriter;
  clock: () => Date;
  /** Records who documented a known error, in the same transaction. */
  audit?: AuditTrail;
}

/** The incident page's "save as known error" form with its defaults, or null when this user may not record one now. */
export function knownErrorFormFor(user: Pick<User, 'role'>, incident: Pick<Incident, 'status' | 'title' | 'resolutionNotes'>) {
  if (!KNOWN_ERROR_ROLES.includes(user.role) || !DOCUMENTABLE.includes(incident.status)) return null;
  return { title: incident.title, resolution: incident.resolutionNotes ?? '' };
}

/** Whether the incident page offers "this helped" on its suggestions: whoever may act on incidents. */
export function mayMarkSuggestionHelped(user: Pick<User, 'role'>): boolean {
  try {
    assertRoleMayAct(user);
    return true;
  } catch {
    return false;
  }
}

export class KnownErrorService {
  constructor(private readonly deps: KnownErrorServiceDeps) {}

  /** Known errors the user may read: those recorded from incidents it may open. */
  list(user: Pick<User, 'role'>, filter: KnownErrorFilter): Promise<KnownError[]> {
    return this.deps.db.stores.knownErrors.list(filter, LIST_LIMIT, visibilityOf(user));
  }

  /** Document a resolved or closed incident as a known error, linked to its check, failure kind, category and service. */
  async recordFromIncident(user: User, ref: string, input: KnownErrorInput, origin?: AuditOrigin): Promise<KnownError> {
    if (!KNOWN_ERROR_ROLES.includes(user.role)) throw new ForbiddenError(`recording known errors needs the role ${KNOWN_ERROR_ROLES.join(' or ')}`);
    return this.deps.db.transaction(async (stores) => {
      const incident = await stores.incidents.lockByRef(ref);
      if (!incident) throw new NotFoundError(`incident ${ref}`);
      if (!DOCUMENTABLE.includes(incident.status)) {
        throw new ConflictError(`incident ${ref} is ${incident.status}; a known error is recorded from a resolved or closed incident`);
      }
      const now = this.deps.clock();
      const { serviceId, checkId } = await this.idsOf(stores, incident);
      const knownError = await stores.knownErrors.insert(
        {
          title: input.title ?? incident.title,
          serviceId,
          checkId,
          failureKind: incident.failureKind,
          category: incident.category,
          subcategory: incident.subcategory,
          symptoms: input.symptoms,
          cause: input.cause,
          workaround: input.workaround ?? '',
          resolution: input.resolution ?? incident.resolutionNotes ?? '',
          sourceIncidentId: incident.id,
          createdBy: user.username,
        },
        now,
      );
      const recorded = stateless(incident, { type: 'known_error_recorded', data: { knownErrorId: knownError.id, title: knownError.title } });
      await this.deps.writer.record(stores, incident, recorded, user.username, now);
      await this.deps.audit?.recordChange(stores, user, origin, {
        action: 'known_error.recorded',
        target: `known error ${knownError.id}`,
        detail: { title: knownError.title, incident: incident.ref, category: knownError.category, subcategory: knownError.subcategory },
      });
      return knownError;
    });
  }

  /** Record which of the incident's current suggestions helped (an event; the incident is unchanged). */
  async recordSuggestionHelped(user: User, ref: string, input: SuggestionHelpedInput): Promise<Suggestion> {
    assertRoleMayAct(user);
    return this.deps.db.transaction(async (stores) => {
      const incident = await stores.incidents.lockByRef(ref);
      if (!incident) throw new NotFoundError(`incident ${ref}`);
      // Like a work note: a vendor may record it on the incidents escalated to it.
      assertMayActOn(user, 'note', incident);
      const suggestions = await stores.incidents.suggestionsFor(incident, SUGGESTION_LIMIT, visibilityOf(user));
      const helped = suggestions.find((s) =>
        input.knownErrorId !== undefined ? s.kind === 'known_error' && s.knownErrorId === input.knownErrorId : s.kind === 'past_incident' && s.ref === input.ref,
      );
      if (!helped) {
        const path = input.knownErrorId !== undefined ? 'knownErrorId' : 'ref';
        throw new ValidationError(`not among the suggestions for incident ${ref}`, [{ path, message: 'must be one of the incident’s current suggestions' }]);
      }
      const data = { kind: helped.kind, match: helped.match, knownErrorId: helped.knownErrorId, ref: helped.ref, title: helped.title };
      await this.deps.writer.record(stores, incident, stateless(incident, { type: 'suggestion_helped', data }), user.username, this.deps.clock());
      return helped;
    });
  }

  /** The incident carries keys; the known error row links by id. */
  private async idsOf(stores: Stores, incident: Incident): Promise<{ serviceId: number | null; checkId: number | null }> {
    if (incident.check) {
      const check = await stores.checks.getCheck(incident.check);
      if (check) return { serviceId: check.serviceId, checkId: check.id };
    }
    const service = (await stores.checks.listServices()).find((s) => s.key === incident.service);
    return { serviceId: service?.id ?? null, checkId: null };
  }
}
