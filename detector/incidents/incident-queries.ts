// What people read of incidents: the queue and one incident with its history, suggestions,
// closure status and notifications — each limited to what the reader's role may see.
import type { PolicyConfig } from '../../config.js';
import type { User } from '../accounts/account-types.js';
import { NotFoundError } from '../errors.js';
import type { OutboxRow } from '../notify/notification-types.js';
import { autoCloseAt, closureChecklist, RECURRENCE_HINT, stillFailing, type ChecklistItem, type StillFailing } from '../sla/closure.js';
import type { ClosureVerifier } from '../sla/closure-verifier.js';
import type { Database } from '../store/store-types.js';
import type { IncidentEvent } from './incident-events.js';
import type { Incident, IncidentFilter, Page, Suggestion, Verification } from './incident-types.js';
import { mayOpen, visibilityOf } from './incident-visibility.js';
import { OPEN_STATUSES } from './lifecycle.js';

/** How many suggestions an incident shows; "this helped" must name one of them. */
export const SUGGESTION_LIMIT = 5;

export interface IncidentDetail {
  incident: Incident;
  events: IncidentEvent[];
  suggestions: Suggestion[];
  /** SOP-Insiden-003 for a resolved or closed incident; null while it is still being worked. */
  closure: ClosureStatus | null;
  /** Every notification of the incident: channel, recipient, status, attempts (oldest first). */
  notifications: OutboxRow[];
  /** An open probe incident whose check the probes still see failing: resolving asks for confirmation. */
  stillFailing: StillFailing | null;
}

export interface ClosureStatus {
  verification: Verification;
  checklist: ChecklistItem[];
  /** When it closes by itself if nobody does (null: never, as for P1, or already closed). */
  autoCloseAt: Date | null;
  /** The same check failed the same way this often in 30 days and no known error records it yet. */
  knownErrorHint: { recurrences: number; windowDays: number } | null;
}

/** The queue's part of the one visibility rule (incident-visibility.ts). */
export function visibilityFilter(user: Pick<User, 'role'>): IncidentFilter {
  const { minEscalationLevel } = visibilityOf(user);
  return minEscalationLevel > 0 ? { minEscalationLevel } : {};
}

export interface IncidentQueriesDeps {
  db: Database;
  verifier: ClosureVerifier;
  policy: Pick<PolicyConfig, 'autoCloseAfterMs'>;
  clock: () => Date;
}

export class IncidentQueries {
  constructor(private readonly deps: IncidentQueriesDeps) {}

  async list(user: User, filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>> {
    const page = await this.deps.db.stores.incidents.list({ ...filter, ...visibilityFilter(user) }, limit, cursor);
    const hidden = await this.hiddenRefs(
      user,
      page.items.flatMap((i) => (i.relatedRef ? [i.relatedRef] : [])),
    );
    return { ...page, items: page.items.map((i) => withoutHiddenRelated(i, hidden)) };
  }

  async get(user: User, ref: string): Promise<IncidentDetail> {
    const { incidents, notifications, knownErrors } = this.deps.db.stores;
    const visibility = visibilityOf(user);
    const found = await incidents.findByRef(ref);
    if (!found || !mayOpen(visibility, found)) throw new NotFoundError(`incident ${ref}`);
    const [allEvents, suggestions] = [await incidents.listEvents(found.id), await incidents.suggestionsFor(found, SUGGESTION_LIMIT, visibility)];
    // References to other incidents (the one this recurs, a suggestion that helped) go where the reader may follow only.
    const helpedKnownErrors = new Map<number, string | null>();
    for (const e of allEvents) {
      if (e.type === 'suggestion_helped' && e.data.knownErrorId !== null && visibility.minEscalationLevel > 0) {
        helpedKnownErrors.set(e.data.knownErrorId, (await knownErrors.get(e.data.knownErrorId))?.sourceRef ?? null);
      }
    }
    const referenced = [found.relatedRef, ...allEvents.map(referencedRef), ...helpedKnownErrors.values()].filter((r): r is string => r !== null);
    const hidden = await this.hiddenRefs(user, referenced);
    const hiddenKnownError = (id: number) => helpedKnownErrors.has(id) && (helpedKnownErrors.get(id) === null || hidden.has(helpedKnownErrors.get(id)!));
    const incident = withoutHiddenRelated(found, hidden);
    const events = allEvents.map((e) => withoutHiddenReferences(e, hidden, hiddenKnownError));
    const failing = OPEN_STATUSES.includes(incident.status) && incident.check ? stillFailing(incident, await this.deps.db.stores.checks.getCheck(incident.check)) : null;
    return {
      incident,
      events,
      suggestions,
      closure: await this.closureStatus(incident, events),
      notifications: await notifications.listForIncident(incident.id),
      stillFailing: failing,
    };
  }

  /**
   * What the live pages compare to know whether to render again: changes with any incident or
   * event (and, with a ref the user may open, with that incident's notifications). Read from the
   * database, so a change made by another process counts.
   */
  async changeStamp(user: User, ref: string | null): Promise<string> {
    const { incidents } = this.deps.db.stores;
    const found = ref === null ? null : await incidents.findByRef(ref);
    const opened = found && mayOpen(visibilityOf(user), found) ? found : null;
    return incidents.changeStamp(opened?.id ?? null);
  }

  /** Of these refs, those the user may not open (none for a role that opens every incident). */
  private async hiddenRefs(user: User, refs: readonly string[]): Promise<Set<string>> {
    const visibility = visibilityOf(user);
    if (visibility.minEscalationLevel <= 0 || refs.length === 0) return new Set();
    const levels = await this.deps.db.stores.incidents.escalationLevels(refs);
    return new Set(refs.filter((ref) => !mayOpen(visibility, { escalationLevel: levels.get(ref) ?? -1 })));
  }

  private async closureStatus(incident: Incident, events: readonly IncidentEvent[]): Promise<ClosureStatus | null> {
    if (incident.status !== 'resolved' && incident.status !== 'closed') return null;
    const { stores } = this.deps.db;
    const now = this.deps.clock();
    // A closed incident shows the verification its closure recorded, not the check as it is now.
    const closing = incident.status === 'closed' ? events.findLast((e) => e.type === 'close') : undefined;
    const recorded = closing?.type === 'close' ? closing.data?.verification : undefined;
    const verification = recorded ?? (await this.deps.verifier.verify(stores, incident, now));
    let knownErrorHint: ClosureStatus['knownErrorHint'] = null;
    if (incident.check && incident.failureKind) {
      const since = new Date(now.getTime() - RECURRENCE_HINT.windowMs);
      const { recurrences, knownErrorExists } = await stores.incidents.recurrenceOf(incident.check, incident.failureKind, since);
      if (recurrences >= RECURRENCE_HINT.count && !knownErrorExists) knownErrorHint = { recurrences, windowDays: RECURRENCE_HINT.windowMs / 86_400_000 };
    }
    return { verification, checklist: closureChecklist(incident, verification), autoCloseAt: autoCloseAt(incident, this.deps.policy), knownErrorHint };
  }
}

/** The incident another one's event points at, if any. */
function referencedRef(e: IncidentEvent): string | null {
  if (e.type === 'opened' && e.data.source === 'probe') return e.data.relatedRef ?? null;
  if (e.type === 'suggestion_helped') return e.data.ref;
  return null;
}

function withoutHiddenRelated<T extends Incident>(incident: T, hidden: ReadonlySet<string>): T {
  return incident.relatedRef !== null && hidden.has(incident.relatedRef) ? { ...incident, relatedRef: null } : incident;
}

/** The event with its reference to an incident (or known error) the reader may not open removed; the event itself stays. */
function withoutHiddenReferences(e: IncidentEvent, hidden: ReadonlySet<string>, hiddenKnownError: (id: number) => boolean): IncidentEvent {
  if (e.type === 'opened' && e.data.source === 'probe' && e.data.relatedRef !== undefined && hidden.has(e.data.relatedRef)) {
    const { relatedRef: _hidden, ...data } = e.data;
    return { ...e, data };
  }
  if (e.type === 'suggestion_helped' && ((e.data.ref !== null && hidden.has(e.data.ref)) || (e.data.knownErrorId !== null && hiddenKnownError(e.data.knownErrorId)))) {
    return { ...e, data: { kind: e.data.kind, match: e.data.match, knownErrorId: null, ref: null, title: '' } };
  }
  return e;
}
