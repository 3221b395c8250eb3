// Every check Sigap probes: those from sigap.yaml (read-only here) and those admins define in the
// dashboard, validated exactly like the file's. The catalog tells its listeners (the scheduler)
// what changed, and reloads dashboard checks from the database so a web-only process and the
// workers agree.
import type { Logger } from 'pino';
import { parseCheckDefinition, type CheckConfig, type CheckEnvironment, type ServiceConfig } from '../../config.js';
import type { User } from '../accounts/account-types.js';
import type { AuditTrail } from '../audit/audit-service.js';
import type { AuditOrigin } from '../audit/audit-types.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import type { Database } from '../store/store-types.js';

/** What the detector and the incident service need to know about a check and its service. */
export interface CheckLookup {
  check(key: string): CheckConfig | undefined;
  service(key: string): ServiceConfig | undefined;
}

/** The checks of a fixed list of services (tests, and tools that need no dashboard checks). */
export function fixedCheckLookup(services: readonly ServiceConfig[]): CheckLookup {
  const checks = new Map(services.flatMap((s) => s.checks).map((c) => [c.key, c]));
  return { check: (key) => checks.get(key), service: (key) => services.find((s) => s.key === key) };
}

export interface CatalogChange {
  upserted: CheckConfig[];
  removed: string[];
}

export interface CheckCatalogDeps {
  db: Database;
  services: readonly ServiceConfig[];
  clock: () => Date;
  logger: Logger;
  /** What `${NAME}` in a dashboard check's header values may refer to (config.checkEnv); none by default. */
  env?: CheckEnvironment;
  /** Records who defined, enabled or disabled a dashboard check, in the change's transaction. */
  audit?: AuditTrail;
}

export class CheckCatalog implements CheckLookup {
  private readonly fileChecks: ReadonlyMap<string, CheckConfig>;
  private dashboardChecks = new Map<string, CheckConfig>();
  private readonly listeners: Array<(change: CatalogChange) => void> = [];

  constructor(private readonly deps: CheckCatalogDeps) {
    this.fileChecks = new Map(deps.services.flatMap((s) => s.checks).map((c) => [c.key, c]));
  }

  all(): CheckConfig[] {
    return [...this.fileChecks.values(), ...this.dashboardChecks.values()];
  }

  check(key: string): CheckConfig | undefined {
    return this.fileChecks.get(key) ?? this.dashboardChecks.get(key);
  }

  service(key: string): ServiceConfig | undefined {
    return this.deps.services.find((s) => s.key === key);
  }

  isFromFile(key: string): boolean {
    return this.fileChecks.has(key);
  }

  onChange(listener: (change: CatalogChange) => void): void {
    this.listeners.push(listener);
  }

  /** Load the enabled dashboard checks from the database; tell listeners what changed. */
  async refresh(): Promise<CatalogChange> {
    const next = new Map<string, CheckConfig>();
    for (const stored of await this.deps.db.stores.checks.listDashboardChecks()) {
      if (!stored.active || this.fileChecks.has(stored.key)) continue;
      if (!this.service(stored.serviceKey)) {
        this.deps.logger.warn({ check: stored.key, service: stored.serviceKey }, 'a dashboard check belongs to a service no longer in sigap.yaml; it is not probed');
        continue;
      }
      const parsed = parseCheckDefinition(stored.serviceKey, stored.definition, this.env);
      if (parsed.problems) {
        this.deps.logger.warn({ check: stored.key, problems: parsed.problems }, 'a dashboard check no longer validates; it is not probed');
        continue;
      }
      next.set(stored.key, parsed.check);
    }
    const same = (a: CheckConfig, b: CheckConfig | undefined) => b !== undefined && JSON.stringify(a) === JSON.stringify(b);
    const change: CatalogChange = {
      upserted: [...next.values()].filter((c) => !same(c, this.dashboardChecks.get(c.key))),
      removed: [...this.dashboardChecks.keys()].filter((key) => !next.has(key)),
    };
    this.dashboardChecks = next;
    if (change.upserted.length > 0 || change.removed.length > 0) for (const listener of this.listeners) listener(change);
    return change;
  }

  /**
   * Add a check (`replacing` undefined) or replace the definition of a dashboard check. Admins
   * only; a check from the file cannot be touched here. The key is the check's identity: a new key
   * is a new check.
   */
  async define(user: User, serviceKey: string, definition: unknown, replacing?: string, origin?: AuditOrigin): Promise<CheckConfig> {
    this.assertAdmin(user);
    const problems: Array<{ path: string; message: string }> = [];
    if (!this.service(serviceKey))
      problems.push({ path: 'service', message: `must be one of ${this.deps.services.map((s) => s.key).join(', ') || '(no services in sigap.yaml)'}` });
    const parsed = parseCheckDefinition(serviceKey, definition, this.env);
    if (parsed.problems) problems.push(...parsed.problems.map((p) => ({ path: `check.${p.path}`, message: p.message })));
    // Stored as typed: header values keep their `${NAME}`, expanded only in memory for probing.
    const check = parsed.check && parseCheckDefinition(serviceKey, definition).check;
    if (check && replacing !== undefined && check.key !== replacing) {
      problems.push({ path: 'check.key', message: `must stay "${replacing}": a check with another key is a new check` });
    }
    if (problems.length > 0 || !check) throw new ValidationError('the check is not valid', problems);

    if (this.fileChecks.has(check.key)) throw new ConflictError(`check ${check.key} is defined in sigap.yaml; change it there`);
    const existing = (await this.deps.db.stores.checks.listDashboardChecks()).find((c) => c.key === check.key);
    if (replacing === undefined && (existing || (await this.deps.db.stores.checks.getCheck(check.key)))) {
      throw new ConflictError(`a check with the key ${check.key} already exists`);
    }
    if (replacing !== undefined && !existing) throw new NotFoundError(`dashboard check ${replacing}`);
    // Field names only: a definition's values may hold credentials (headers, a body).
    const before = (existing?.definition ?? {}) as Record<string, unknown>;
    const after = definition as Record<string, unknown>;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
    await this.deps.db.transaction(async (stores) => {
      await stores.checks.saveDashboardCheck(check, definition, existing?.active ?? true, user.username, this.deps.clock());
      const detail = { service: serviceKey, type: check.type, replaced: existing !== undefined, changed };
      await this.deps.audit?.recordChange(stores, user, origin, { action: 'check.defined', target: check.key, detail });
    });
    await this.refresh();
    return check;
  }

  /** Enable or disable a dashboard check (admins only). */
  async setEnabled(user: User, key: string, enabled: boolean, origin?: AuditOrigin): Promise<void> {
    this.assertAdmin(user);
    if (this.fileChecks.has(key)) throw new ConflictError(`check ${key} is defined in sigap.yaml; change it there`);
    const existing = (await this.deps.db.stores.checks.listDashboardChecks()).find((c) => c.key === key);
    if (!existing) throw new NotFoundError(`dashboard check ${key}`);
    const parsed = parseCheckDefinition(existing.serviceKey, existing.definition, this.env);
    if (parsed.problems) throw new ValidationError('the stored definition no longer validates; define the check again', parsed.problems);
    // The stored definition keeps `${NAME}` references: the secret itself never lands in the database.
    const stored = parseCheckDefinition(existing.serviceKey, existing.definition).check!;
    await this.deps.db.transaction(async (stores) => {
      await stores.checks.saveDashboardCheck(stored, existing.definition, enabled, user.username, this.deps.clock());
      await this.deps.audit?.recordChange(stores, user, origin, { action: enabled ? 'check.enabled' : 'check.disabled', target: key, detail: { service: existing.serviceKey } });
    });
    await this.refresh();
  }

  private get env(): CheckEnvironment {
    return this.deps.env ?? {};
  }

  private assertAdmin(user: User): void {
    if (user.role !== 'admin') throw new ForbiddenError('only an admin may add, change or disable checks');
  }
}
