// The /audit page: the entries as rows (times in the office time zone, the detail as short
// "field: value" lines), the filters as typed, the next page and the CSV download with the same filters.
import type { AuditEvent, AuditPage } from '../../detector/audit/audit-types.js';
import type { Formatters } from './formatters.js';

/** The actions Sigap records, offered as suggestions in the action filter (with their prefixes). */
export const AUDIT_ACTIONS = [
  'login.succeeded',
  'login.failed',
  'login.locked',
  'user.created',
  'user.updated',
  'user.password_set',
  'user.password_changed',
  'token.created',
  'token.revoked',
  'check.defined',
  'check.enabled',
  'check.disabled',
  'maintenance.created',
  'maintenance.deleted',
  'config.reloaded',
  'notification.retried',
  'known_error.recorded',
  'known_error.updated',
] as const;

export interface AuditFilterForm {
  from: string;
  to: string;
  action: string;
  actor: string;
  target: string;
}

const valueText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function row(e: AuditEvent, fmt: Formatters) {
  return {
    id: e.id,
    at: fmt.dateTime(e.at),
    action: e.action,
    actor: e.actor.username,
    viaCli: e.detail.via === 'cli',
    ip: e.ip,
    target: e.target,
    detail: Object.entries(e.detail).map(([field, value]) => `${field}: ${valueText(value)}`),
  };
}

export function auditView(page: AuditPage, form: AuditFilterForm, fmt: Formatters) {
  const filters = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== ''));
  const next = page.nextCursor ? new URLSearchParams([...filters, ['cursor', page.nextCursor]]) : null;
  return {
    entries: page.items.map((e) => row(e, fmt)),
    filter: form,
    actions: [...new Set([...AUDIT_ACTIONS.map((a) => a.slice(0, a.indexOf('.'))), ...AUDIT_ACTIONS])],
    nextUrl: next ? `/audit?${next.toString()}` : null,
    csvUrl: `/api/audit?${new URLSearchParams([...filters, ['format', 'csv'], ['limit', '500']]).toString()}`,
  };
}
