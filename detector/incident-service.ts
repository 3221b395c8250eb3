// The one writer of incidents: opens them (from probes, in the caller's transaction, or logged by
// hand), records restoration, applies every lifecycle action (rules in incident-actions.ts, the
// state table in lifecycle.ts), and answers the queue and detail reads.
import type { PolicyConfig } from '../config.js';
import type { CheckLookup } from './check-catalog.js';
import type { ProbeResult } from '../probes/probe-types.js';
import type { BusinessCalendar } from './business-calendar.js';
import type { CheckRecord, Incident, IncidentEvent, IncidentFilter, Page, Suggestion, User } from './domain-types.js';
import { ForbiddenError, NotFoundError, ValidationError } from './errors.js';
import { assertMayActOn, assertRoleMayAct, changedFields, changesFor, clockAfterPause, type ActionInput } from './incident-actions.js';
import { groupForLevel } from './lifecycle.js';
import { priorityOf, type Impact } from './priority.js';
import { dueTimes } from './sla.js';
import type { Database, Stores } from './store/store-types.js';
import { classifyFailure, type Urgency } from './taxonomy.js';

export const SYSTEM_ACTOR = 'sigap';

export interface IncidentServiceDeps {
  db: Database;
  checks: CheckLookup;
  policy: PolicyConfig;
  calendar: BusinessCalendar;
  clock: () => Date;
}

export interface IncidentDetail {
  incident: Incident;
  events: IncidentEvent[];
  suggestions: Suggestion[];
}

/** An incident reported by phone, WhatsApp or in person; category and subcategory already checked against TAXONOMY. */
export interface ManualIncidentInput {
  service: string;
  title: string;
  description: string;
  impact: Impact;
  urgency: Urgency;
  category: string;
  subcategory: string;
  reporter: { name: string; contact: string | null };
}

const LOGGING_ROLES: readonly User['role'][] = ['service_desk', 'support', 'admin'];

/** What a user may see: a vendor only works incidents escalated to level 2 (DESIGN §5). */
export function visibilityFilter(user: Pick<User, 'role'>): IncidentFilter {
  return user.role === 'vendor' ? { minEscalationLevel: 2 } : {};
}

export class IncidentService {
  private readonly yearFormat: Intl.DateTimeFormat;

  constructor(private readonly deps: IncidentServiceDeps) {
    this.yearFormat = new Intl.DateTimeFormat('en', { timeZone: deps.calendar.timezone, year: 'numeric' });
  }

  /**
   * A check's failure is confirmed: open its incident unless one is open already. Runs inside the
   * detector's transaction; the database's unique index is the last word on duplicates.
   */
  async recordConfirmedFailure(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date): Promise<Incident> {
    const now = this.deps.clock();
    const open = await stores.incidents.findOpenForCheck(check.id);
    if (open) {
      if (!open.serviceRestoredAt) return open;
      // It failed again after probes had seen it restored: the incident is live again.
      const again = await stores.incidents.update(open.id, { serviceRestoredAt: null }, now);
      await stores.incidents.appendEvent(open.id, {
        at: now,
        actor: SYSTEM_ACTOR,
        type: 'failed_again',
        fromStatus: open.status,
        toStatus: open.status,
        note: null,
        data: { failureKind: result.failureKind, checkedAt: result.startedAt.toISOString() },
      });
      return again;
    }
    const service = this.deps.checks.service(check.serviceKey);
    const checkConfig = this.deps.checks.check(check.key);
    if (!service || !checkConfig || !result.failureKind) throw new Error(`check ${check.key} has no configuration or failure kind`);

    const kind = classifyFailure(result.failureKind);
    const priority = priorityOf(service.impact, kind.urgency);
    const due = dueTimes({ startedAt: detectedAt, priority, targets: this.deps.policy.targets, calendar: this.deps.calendar });
    const reason = result.evidence.reason ?? result.evidence.errorCode ?? result.evidence.errorMessage ?? result.failureKind;
    const ref = await stores.incidents.nextRef(Number(this.yearFormat.format(now)));
    const incident = await stores.incidents.insert(
      ref,
      {
        title: `${service.name}: ${kind.label.id} (${check.key})`,
        description: `Terdeteksi otomatis: pemeriksaan ${check.key} (${checkConfig.description}) gagal ${checkConfig.failureThreshold}× berturut-turut — ${reason}.`,
        serviceId: check.serviceId,
        checkId: check.id,
        source: 'probe',
        category: kind.category,
        subcategory: kind.subcategory,
        failureKind: result.failureKind,
        impact: service.impact,
        urgency: kind.urgency,
        priority,
        status: 'new',
        escalationLevel: 0,
        assignedGroup: groupForLevel(0),
        reporter: null,
        detectedAt,
        ...due,
        evidence: {
          ...result.evidence,
          failureKind: result.failureKind,
          checkedAt: result.startedAt.toISOString(),
          durationMs: Math.round(result.durationMs),
          timings: result.timings,
        },
      },
      now,
    );
    await stores.incidents.appendEvent(incident.id, {
      at: now,
      actor: SYSTEM_ACTOR,
      type: 'opened',
      fromStatus: null,
      toStatus: 'new',
      note: null,
      data: { source: 'probe', check: check.key, failureKind: result.failureKind, priority, detectedAt: detectedAt.toISOString() },
    });
    return incident;
  }

  /** Probes see the service healthy again: record it; a person still resolves the incident. */
  async recordRecovery(stores: Stores, check: CheckRecord, restoredAt: Date): Promise<Incident | null> {
    const open = await stores.incidents.findOpenForCheck(check.id);
    if (!open || open.serviceRestoredAt) return null;
    const now = this.deps.clock();
    const updated = await stores.incidents.update(open.id, { serviceRestoredAt: restoredAt }, now);
    await stores.incidents.appendEvent(open.id, {
      at: now,
      actor: SYSTEM_ACTOR,
      type: 'restored',
      fromStatus: open.status,
      toStatus: open.status,
      note: null,
      data: { check: check.key, serviceRestoredAt: restoredAt.toISOString() },
    });
    return updated;
  }

  async list(user: User, filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>> {
    return this.deps.db.stores.incidents.list({ ...filter, ...visibilityFilter(user) }, limit, cursor);
  }

  async get(user: User, ref: string): Promise<IncidentDetail> {
    const { incidents } = this.deps.db.stores;
    const incident = await incidents.findByRef(ref);
    const visible = incident && (visibilityFilter(user).minEscalationLevel ?? 0) <= incident.escalationLevel;
    if (!incident || !visible) throw new NotFoundError(`incident ${ref}`);
    const [events, suggestions] = [await incidents.listEvents(incident.id), await incidents.suggestionsFor(incident, 5)];
    return { incident, events, suggestions };
  }

  /** Log an incident by hand: source `manual`, status `new`, priority and due times computed. */
  async logManual(user: User, input: ManualIncidentInput): Promise<IncidentDetail> {
    if (!LOGGING_ROLES.includes(user.role)) throw new ForbiddenError(`logging incidents needs the role ${LOGGING_ROLES.join(' or ')}`);
    const ref = await this.deps.db.transaction(async (stores) => {
      const now = this.deps.clock();
      const services = await stores.checks.listServices();
      const service = services.find((s) => s.key === input.service);
      if (!service) {
        throw new ValidationError('the service does not exist', [{ path: 'service', message: `must be one of ${services.map((s) => s.key).join(', ') || '(none)'}` }]);
      }
      const priority = priorityOf(input.impact, input.urgency);
      const due = dueTimes({ startedAt: now, priority, targets: this.deps.policy.targets, calendar: this.deps.calendar });
      const ref = await stores.incidents.nextRef(Number(this.yearFormat.format(now)));
      const incident = await stores.incidents.insert(
        ref,
        {
          title: input.title,
          description: input.description,
          category: input.category,
          subcategory: input.subcategory,
          impact: input.impact,
          urgency: input.urgency,
          reporter: input.reporter,
          serviceId: service.id,
          checkId: null,
          source: 'manual',
          failureKind: null,
          priority,
          status: 'new',
          escalationLevel: 0,
          assignedGroup: groupForLevel(0),
          detectedAt: now,
          ...due,
          evidence: null,
        },
        now,
      );
      await stores.incidents.appendEvent(incident.id, {
        at: now,
        actor: user.username,
        type: 'opened',
        fromStatus: null,
        toStatus: 'new',
        note: null,
        data: { source: 'manual', reporter: input.reporter, priority },
      });
      return ref;
    });
    return this.get(user, ref);
  }

  /**
   * Apply one lifecycle action: lock the incident, check the caller and the transition, write the
   * change, the pause bookkeeping and its event in one transaction. Answers the incident after it.
   */
  async act(user: User, ref: string, input: ActionInput): Promise<IncidentDetail> {
    assertRoleMayAct(user);
    await this.deps.db.transaction(async (stores) => {
      const incident = await stores.incidents.lockByRef(ref);
      if (!incident) throw new NotFoundError(`incident ${ref}`);
      assertMayActOn(user, input.action, incident);
      const now = this.deps.clock();
      const ctx = { now, actor: user, targets: this.deps.policy.targets, calendar: this.deps.calendar };
      const change = changesFor(input, incident, ctx);
      if (input.action === 'assign') {
        const assignee = await stores.accounts.findUserByUsername(input.assignee);
        if (!assignee?.active) throw new ValidationError('no such active user', [{ path: 'assignee', message: 'must be the user name of an active user' }]);
      }
      let patch = change.patch;
      if (incident.status === 'pending' && change.to !== 'pending') {
        const pause = await stores.incidents.endPause(incident.id, now);
        patch = { ...patch, ...clockAfterPause(incident, pause?.startedAt ?? now, ctx) };
      }
      if (input.action === 'pending') await stores.incidents.startPause(incident.id, now, input.reason);
      if (Object.keys(patch).length > 0) await stores.incidents.update(incident.id, patch, now);
      await stores.incidents.appendEvent(incident.id, {
        at: now,
        actor: user.username,
        type: input.action,
        fromStatus: incident.status,
        toStatus: change.to,
        note: change.note,
        data: { changes: changedFields(incident, patch) },
      });
    });
    return this.get(user, ref);
  }
}
