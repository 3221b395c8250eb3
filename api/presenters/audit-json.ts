import type { AuditEvent, AuditPage } from '../../detector/audit/audit-types.js';

/** An audit entry in the API: who (user id and name, null for Sigap itself), when, from where, what. */
export function auditEventJson(e: AuditEvent) {
  return { id: e.id, at: e.at.toISOString(), action: e.action, actor: e.actor, ip: e.ip, target: e.target, detail: e.detail };
}

export function auditPageJson(page: AuditPage) {
  return { items: page.items.map(auditEventJson), nextCursor: page.nextCursor };
}
