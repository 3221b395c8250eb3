// An integrity check's baseline as people see and change it: what the check was compared with and
// what it sees now, and a person accepting what it sees now as the new baseline — from the
// incident page, from /services or through the API, all through `accept`. The baseline, its audit
// entry and the incident's timeline event commit together or not at all.
import { createHash } from 'node:crypto';
import type { IntegrityBaseline, IntegritySnapshot } from '../../probes/probe-types.js';
import type { User, UserRole } from '../accounts/account-types.js';
import type { AuditTrail } from '../audit/audit-service.js';
import type { AuditOrigin } from '../audit/audit-types.js';
import type { CheckRecord } from '../detection/check-types.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { stateless, type IncidentWriter } from '../incidents/incident-writer.js';
import type { Database, Stores } from '../store/store-types.js';
import type { LatestIntegrity, StoredBaseline } from './integrity-types.js';

/** Who may accept a page as an integrity check's baseline: the office's technical roles. */
export const BASELINE_ROLES: readonly UserRole[] = ['admin', 'support'];

/** A snapshot's version: 16 hex digits. */
const VERSION = /^[0-9a-f]{16}$/;

/**
 * Which snapshot a person was shown, in 16 hex digits: a hash of all of it (address, title,
 * description, outbound domains and text fingerprint). Two snapshots with the same text but a new
 * domain — hidden links add no visible text — have different versions.
 */
export function snapshotVersion(s: IntegritySnapshot): string {
  return createHash('sha256')
    .update(JSON.stringify([s.url, s.title, s.description, s.domains, s.fingerprint]))
    .digest('hex')
    .slice(0, 16);
}

export interface IntegrityBaselineView {
  checkKey: string;
  baseline: StoredBaseline | null;
  /** The newest result that saw the page (null: none yet): what accepting would make the baseline. */
  latest: (LatestIntegrity & { snapshot: IntegritySnapshot }) | null;
}

export interface BaselineServiceDeps {
  db: Database;
  writer: IncidentWriter;
  clock: () => Date;
  audit?: AuditTrail;
}

/** Whether this person may accept baselines (the pages show the button by it; the service enforces it). */
export const mayAcceptBaseline = (user: Pick<User, 'role'>): boolean => BASELINE_ROLES.includes(user.role);

export class IntegrityBaselineService {
  constructor(private readonly deps: BaselineServiceDeps) {}

  /** The check's baseline, for the probe to judge drift by (null: none yet, or no such check); a database error propagates. */
  async baselineOf(checkKey: string): Promise<IntegrityBaseline | null> {
    const stores = this.deps.db.stores;
    const check = await stores.checks.getCheck(checkKey);
    const stored = check ? await stores.integrity.getBaseline(check.id) : null;
    if (!stored) return null;
    const { acceptedByUserId: _id, ...baseline } = stored;
    return baseline;
  }

  /** The check's baseline and latest snapshot; NotFoundError unless it is an integrity check. */
  async view(checkKey: string): Promise<IntegrityBaselineView> {
    const stores = this.deps.db.stores;
    const check = await integrityCheck(stores, checkKey);
    return this.viewOf(stores, check);
  }

  /** Every active integrity check's baseline and latest snapshot, by check key. */
  async viewAll(): Promise<Map<string, IntegrityBaselineView>> {
    const stores = this.deps.db.stores;
    const checks = (await stores.checks.listChecks()).filter((c) => c.type === 'integrity');
    const views = await Promise.all(checks.map((c) => this.viewOf(stores, c)));
    return new Map(views.map((v) => [v.checkKey, v]));
  }

  /** The baseline of the check an incident is about; null when the incident has no integrity check. */
  async viewForIncident(incident: { check: string | null }): Promise<IntegrityBaselineView | null> {
    if (!incident.check) return null;
    const stores = this.deps.db.stores;
    const check = await stores.checks.getCheck(incident.check);
    return check && check.type === 'integrity' ? this.viewOf(stores, check) : null;
  }

  /**
   * Accept what the check sees now — the snapshot of its newest result that saw the page — as its
   * baseline. `version` is that snapshot's (`snapshotVersion`), as the person was shown it: a page that changed
   * since is refused (ConflictError), to be reviewed again.
   */
  async accept(user: Pick<User, 'id' | 'username' | 'role'>, checkKey: string, version: string, origin?: AuditOrigin): Promise<IntegrityBaselineView> {
    if (!mayAcceptBaseline(user)) throw new ForbiddenError(`accepting a baseline needs the role ${BASELINE_ROLES.join(' or ')}`);
    if (!VERSION.test(version)) {
      throw new ValidationError('snapshot must be the 16 hex digits of the latest snapshot', [{ path: 'snapshot', message: 'must be the 16 hex digits of the latest snapshot' }]);
    }
    return this.deps.db.transaction(async (stores) => {
      const check = await integrityCheck(stores, checkKey, { forUpdate: true });
      const latest = await stores.integrity.latestIntegrity(check.id, { withSnapshot: true });
      const snapshot = latest?.integrity.snapshot;
      if (!snapshot) throw new ConflictError(`check ${checkKey} has not seen its page yet: there is nothing to accept`);
      if (snapshotVersion(snapshot) !== version) {
        throw new ConflictError(`the page changed again since it was shown (now ${snapshotVersion(snapshot)}): review it before accepting`, [
          { path: 'snapshot', message: 'is not the latest snapshot' },
        ]);
      }
      const now = this.deps.clock();
      const before = await stores.integrity.getBaseline(check.id);
      await stores.integrity.saveBaseline(check.id, { snapshot, acceptedAt: now, acceptedBy: { id: user.id, username: user.username } });
      await this.deps.audit?.recordChange(stores, user, origin, {
        action: 'integrity.baseline_accepted',
        target: check.key,
        detail: { before: before ? snapshotOf(before) : null, beforeAcceptedBy: before?.acceptedBy ?? null, after: snapshotOf(snapshot) },
      });
      // The open incident, locked as every writer of its history locks it.
      const open = await stores.incidents.findOpenForCheck(check.id);
      const incident = open ? await stores.incidents.lockByRef(open.ref) : null;
      if (incident) {
        const data = { check: check.key, fingerprint: snapshot.fingerprint, previousFingerprint: before?.fingerprint ?? null };
        await this.deps.writer.record(stores, incident, stateless(incident, { type: 'baseline_accepted', data }), user.username, now);
      }
      return this.viewOf(stores, check);
    });
  }

  /** `accept` for the check an incident is about (the incident page's form). */
  async acceptFromIncident(user: Pick<User, 'id' | 'username' | 'role'>, ref: string, version: string, origin?: AuditOrigin): Promise<IntegrityBaselineView> {
    if (!mayAcceptBaseline(user)) throw new ForbiddenError(`accepting a baseline needs the role ${BASELINE_ROLES.join(' or ')}`);
    const incident = await this.deps.db.stores.incidents.findByRef(ref);
    if (!incident) throw new NotFoundError(`incident ${ref}`);
    if (!incident.check) throw new NotFoundError(`integrity check of incident ${ref}`);
    return this.accept(user, incident.check, version, origin);
  }

  private async viewOf(stores: Stores, check: CheckRecord): Promise<IntegrityBaselineView> {
    const [baseline, latest] = await Promise.all([stores.integrity.getBaseline(check.id), stores.integrity.latestIntegrity(check.id, { withSnapshot: true })]);
    return { checkKey: check.key, baseline, latest: latest?.integrity.snapshot ? { ...latest, snapshot: latest.integrity.snapshot } : null };
  }
}

async function integrityCheck(stores: Stores, key: string, options: { forUpdate?: boolean } = {}): Promise<CheckRecord> {
  const check = await stores.checks.getCheck(key, options);
  if (!check || check.type !== 'integrity') throw new NotFoundError(`integrity check ${key}`);
  return check;
}

const snapshotOf = (s: IntegritySnapshot): IntegritySnapshot => ({ url: s.url, title: s.title, description: s.description, domains: s.domains, fingerprint: s.fingerprint });
