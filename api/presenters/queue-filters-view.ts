import type { User } from '../../detector/accounts/account-types.js';
import { INCIDENT_STATES } from '../../detector/incidents/lifecycle.js';
import { TAXONOMY } from '../../detector/incidents/taxonomy.js';
import { REPORTED_VIA } from '../../detector/incidents/reporter.js';
import { groupOfRole, PRIORITIES, type QueuePageQuery } from '../queue-filters.js';

/** The filter form as the template shows it, and the link to the next page keeping the filters. */
export function queueFiltersView(query: QueuePageQuery, user: Pick<User, 'role'>, services: Array<{ key: string; name: string }>, nextCursor: string | null) {
  const options = (values: readonly string[], selected: string | undefined, labelKey?: string) =>
    values.map((value) => ({ value, selected: value === selected, ...(labelKey ? { labelKey: `${labelKey}.${value}` } : { label: value }) }));
  const kept = Object.entries(query).filter(([name, value]) => name !== 'cursor' && typeof value === 'string' && value !== '') as Array<[string, string]>;
  const groupKey = groupOfRole(user.role);
  return {
    filters: {
      status: options(INCIDENT_STATES, query.status, 'status'),
      priority: options(PRIORITIES, query.priority),
      service: services.map((s) => ({ value: s.key, label: s.name, selected: s.key === query.service })),
      category: options(Object.keys(TAXONOMY), query.category, 'category'),
      reportedVia: options(REPORTED_VIA, query.reportedVia, 'reporter.via'),
      views: [
        { value: 'mine', labelKey: 'queue.view.mine', selected: query.view === 'mine' },
        ...(groupKey ? [{ value: 'group', labelKey: 'queue.view.group', selected: query.view === 'group' }] : []),
      ],
      assignee: query.assignee ?? '',
      q: query.q ?? '',
      breached: query.breached === '1',
      all: query.all === '1',
      active: kept.length > 0,
    },
    groupKey: groupKey ? `group.${groupKey}` : null,
    viewKey: query.view === 'mine' ? 'queue.view.mine' : query.view === 'group' && groupKey ? 'queue.view.group' : null,
    nextHref: nextCursor ? `/?${new URLSearchParams([...kept, ['cursor', nextCursor]]).toString()}` : null,
  };
}
