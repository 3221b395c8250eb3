// The tab title of every page, in the page's language: what the page is, then what it shows
// (an incident's ref, the queue's view, the report's month). The layout adds " · Sigap".
type T = (key: string, vars?: Record<string, unknown>) => string;

const SIMPLE: Record<string, string> = {
  'incident-new': 'pageTitle.incidentNew',
  services: 'pageTitle.services',
  maintenance: 'pageTitle.maintenance',
  'known-errors': 'pageTitle.knownErrors',
  notifications: 'pageTitle.notifications',
  users: 'pageTitle.users',
  me: 'pageTitle.me',
  audit: 'pageTitle.audit',
  sop: 'pageTitle.sop',
  status: 'pageTitle.status',
  login: 'pageTitle.login',
};

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text);

/** `view`: the template's name (`queue`, `incident`, …); `data`: what the route rendered it with. */
export function pageTitleOf(view: string, data: Record<string, unknown>, t: T): string {
  if (view in SIMPLE) return t(SIMPLE[view]!);
  switch (view) {
    case 'queue': {
      const base = t(data.showAll ? 'pageTitle.queueAll' : 'pageTitle.queue');
      const viewKey = str(data.viewKey);
      if (!viewKey) return base;
      const groupKey = str(data.groupKey);
      return `${base} · ${groupKey ? t(viewKey, { group: t(groupKey) }) : t(viewKey)}`;
    }
    case 'incident': {
      const incident = (data.incident ?? {}) as Record<string, unknown>;
      const ref = str(incident.ref);
      const title = str(incident.title);
      if (!ref) return t('pageTitle.incident');
      return title ? `${ref} · ${shorten(title, 60)}` : ref;
    }
    case 'reports': {
      const month = str(data.monthName);
      return month ? `${t('pageTitle.reports')} ${month}` : t('pageTitle.reports');
    }
    case 'error':
      return t('pageTitle.error', { status: data.status ?? '' });
    default:
      return str(data.title) ?? view;
  }
}
