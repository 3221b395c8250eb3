// The queue page's filters, read from its GET form (status, priority, service, category, assignee,
// breached, how the report came in, text), and two views. `view=mine` is what the user owns; `view=group` is the queue of
// the user's support group (service desk level 0, system support level 1, vendor level 2), i.e.
// what was escalated to it and nobody there has taken yet or someone there works on. The form as
// the page shows it is presenters/queue-filters-view.ts.
import { z } from 'zod';
import type { IncidentFilter } from '../detector/incidents/incident-types.js';
import type { User } from '../detector/accounts/account-types.js';
import { INCIDENT_STATES, SUPPORT_LEVELS } from '../detector/incidents/lifecycle.js';
import { REPORTED_VIA } from '../detector/incidents/reporter.js';
import { parseQuery } from './validation.js';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
const VIEWS = ['mine', 'group'] as const;

// A GET form sends its blank fields as empty strings: they mean "any".
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsAbsent, schema.optional());

const queuePageQuery = z.object({
  status: optional(z.enum(INCIDENT_STATES)),
  priority: optional(z.enum(PRIORITIES)),
  service: optional(z.string().max(64)),
  category: optional(z.string().max(40)),
  assignee: optional(z.string().max(64)),
  breached: optional(z.enum(['1'])),
  reportedVia: optional(z.enum(REPORTED_VIA)),
  q: optional(z.string().max(200)),
  view: optional(z.enum(VIEWS)),
  all: optional(z.enum(['1'])),
  cursor: optional(z.string().max(500)),
});

export type QueuePageQuery = z.output<typeof queuePageQuery>;

/** The support group whose queue a role works from; admins and managers have none. */
export function groupOfRole(role: User['role']): string | null {
  return SUPPORT_LEVELS.find((l) => l.group === role)?.group ?? null;
}

export function parseQueueQuery(query: unknown): QueuePageQuery {
  return parseQuery(queuePageQuery, query);
}

/** What the store is asked for: open incidents unless a status or "all" says otherwise. */
export function queueFilterOf(query: QueuePageQuery, user: Pick<User, 'role' | 'username'>): IncidentFilter {
  const group = query.view === 'group' ? groupOfRole(user.role) : null;
  return {
    ...(query.status ? { status: [query.status] } : query.all ? {} : { openOnly: true }),
    ...(query.priority ? { priority: [query.priority] } : {}),
    ...(query.service ? { service: query.service } : {}),
    ...(query.category ? { category: query.category } : {}),
    ...(query.q ? { q: query.q } : {}),
    ...(query.breached ? { breached: true } : {}),
    ...(query.view === 'mine' ? { assignee: user.username } : query.assignee ? { assignee: query.assignee } : {}),
    ...(group ? { assignedGroup: group } : {}),
    ...(query.reportedVia ? { reportedVia: query.reportedVia } : {}),
  };
}
