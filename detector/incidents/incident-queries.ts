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

/** What a user may see: a vendor only works incidents escalated to level 2 (DESIGN §5). */
export function visibilityFilter(user: Pick<User, 'role'>): IncidentFilter {
  return user.role === 'vendor' ? { minEscalationLevel: 2 } : {};
}

export interface IncidentQueriesDeps {
  db: Database;
  verifier: ClosureVerifier;
  policy: Pick<PolicyConfig, 'autoCloseAfterMs'>;
  clock: () => Date;
}

export class IncidentQueries {
  constructor(private readonly deps: IncidentQueriesDeps) {}

  list(user: User, filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>> {
    return this.deps.db.stores.incidents.list({ ...filter, ...visibilityFilter(user) }, limit, cursor);
  }

  async get(user: User, ref: string): Promise<IncidentDetail> {
    const { incidents, notifications } = this.deps.db.stores;
    const incident = await incidents.findByRef(ref);
    const visible = incident && (visibilityFilter(user).minEscalationLevel ?? 0) <= incident.escalationLevel;
    if (!incident || !visible) throw new NotFoundError(`incident ${ref}`);
    const [events, suggestions] = [await incidents.listEvents(incident.id), await incidents.suggestionsFor(incident, SUGGESTION_LIMIT)];
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
