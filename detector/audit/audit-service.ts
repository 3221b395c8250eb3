// The audit trail's one writer and reader. Services hand it an entry after a change, or inside the
// change's own transaction (`recordIn`), so the change and its entry commit together or not at
// all. Every entry is also logged (pino). Only admins read the trail.
import type { Logger } from 'pino';
import type { User } from '../accounts/account-types.js';
import { ForbiddenError } from '../errors.js';
import type { Database, Stores } from '../store/store-types.js';
import type { AuditEntry, AuditFilter, AuditOrigin, AuditPage, AuditRecorder } from './audit-types.js';

/** The most entries one page of the trail holds (the API's `limit`, and each CSV download). */
export const MAX_AUDIT_PAGE = 500;

/** What a service says of a person's change: the rest (who, from where) comes from the caller. */
export type AuditChange = Pick<AuditEntry, 'action' | 'target' | 'detail'>;

/** A recorder that can also write in the caller's transaction. */
export interface AuditTrail extends AuditRecorder {
  recordIn(stores: Stores, entry: AuditEntry): Promise<void>;
  /** A person's change, in the change's transaction: `user` did it, from `origin` (an address, or the command line). */
  recordChange(stores: Stores, user: Pick<User, 'id' | 'username'>, origin: AuditOrigin | undefined, change: AuditChange): Promise<void>;
}

// Defence in depth: a detail field named like a secret never reaches the trail, whatever a caller passes.
const SECRET_FIELD = /password|secret|token$|^token|header|authorization|cookie/i;

function withoutSecrets(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(detail ?? {}).filter(([key]) => !SECRET_FIELD.test(key)));
}

export class AuditService implements AuditTrail {
  constructor(private readonly deps: { db: Database; clock: () => Date; logger: Logger }) {}

  record(entry: AuditEntry): Promise<void> {
    return this.recordIn(this.deps.db.stores, entry);
  }

  async recordIn(stores: Stores, entry: AuditEntry): Promise<void> {
    const clean = { ...entry, target: entry.target ?? null, detail: withoutSecrets(entry.detail) };
    await stores.audit.insert(clean, this.deps.clock());
    this.deps.logger.info({ audit: clean }, `audit: ${entry.action}`);
  }

  recordChange(stores: Stores, user: Pick<User, 'id' | 'username'>, origin: AuditOrigin | undefined, change: AuditChange): Promise<void> {
    const detail = origin?.via ? { ...change.detail, via: origin.via } : change.detail;
    return this.recordIn(stores, { ...change, detail, actor: { userId: user.id, username: user.username }, ip: origin?.ip ?? null });
  }

  /** Newest first; admins only. */
  async list(user: Pick<User, 'role'>, filter: AuditFilter, limit: number, cursor: string | null): Promise<AuditPage> {
    if (user.role !== 'admin') throw new ForbiddenError('only an admin reads the audit log');
    return this.deps.db.stores.audit.list(filter, Math.min(Math.max(1, limit), MAX_AUDIT_PAGE), cursor);
  }
}
