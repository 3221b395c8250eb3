// The one writer of incidents: opens them (from probes, in the caller's transaction, or logged by
// hand), records restoration, applies every lifecycle action (rules in incident-actions.ts, the
// state table in lifecycle.ts), and answers the queue and detail reads.
import type { PolicyConfig } from '../../config.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import { IncidentOpener } from './incident-opener.js';
import type { ProbeResult } from '../../probes/probe-types.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import type { CheckRecord, Incident, IncidentEvent, IncidentFilter, Page, Suggestion, User } from '../domain-types.js';
import { autoCloseAt, closureChecklist, RECURRENCE_HINT, allowsClosure, type ChecklistItem, type Verification } from '../sla/closure.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { managementEvent, SYSTEM_ACTOR } from '../sla/escalation.js';
import { assertMayActOn, assertRoleMayAct, changedFields, changesFor, clockAfterPause, type ActionInput } from './incident-actions.js';
import { addStateChange, changesWithin, isFlapping, isStable, lastChange } from '../detection/flapping.js';
import { assertTransition } from './lifecycle.js';
import { priorityOf, type Impact } from './priority.js';
import { isUpDownChange } from '../detection/streaks.js';
import { SlaEnforcer, type SweepReport } from '../sla/sla-enforcer.js';
import type { Priority } from '../sla/due-times.js';
import type { Database, Stores } from '../store/store-types.js';
import type { OutboxRow } from '../notify/notification-types.js';
import { classifyFailure, type Urgency } from './taxonomy.js';

/** How many suggestions an incident shows; "this helped" must name one of them. */
export const SUGGESTION_LIMIT = 5;

export interface IncidentServiceDeps {
  db: Database;
  checks: CheckLookup;
  policy: PolicyConfig;
  calendar: BusinessCalendar;
  clock: () => Date;
  /** Reminder interval per priority while unacknowledged (DESIGN §3 `notifications.reminders`). */
  reminders?: Partial<Record<Priority, number>>;
}

export interface IncidentDetail {
  incident: Incident;
  events: IncidentEvent[];
  suggestions: Suggestion[];
  /** SOP-Insiden-003 for a resolved or closed incident; null while it is still being worked. */
  closure: ClosureStatus | null;
  /** Every notification of the incident: channel, recipient, status, attempts (oldest first). */
  notifications: OutboxRow[];
}

export interface ClosureStatus {
  verification: Verification;
  checklist: ChecklistItem[];
  /** When it closes by itself if nobody does (null: never, as for P1, or already closed). */
  autoCloseAt: Date | null;
  /** The same check failed the same way this often in 30 days and no known error records it yet. */
  knownErrorHint: { recurrences: number; windowDays: number } | null;
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

export const LOGGING_ROLES: readonly User['role'][] = ['service_desk', 'support', 'admin'];

/** What a user may see: a vendor only works incidents escalated to level 2 (DESIGN §5). */
export function visibilityFilter(user: Pick<User, 'role'>): IncidentFilter {
  return user.role === 'vendor' ? { minEscalationLevel: 2 } : {};
}

export class IncidentService {
  private readonly opener: IncidentOpener;
  private readonly sla: SlaEnforcer;

  constructor(private readonly deps: IncidentServiceDeps) {
    this.opener = new IncidentOpener(deps.policy, deps.calendar);
    this.sla = new SlaEnforcer(deps);
  }

  /** Act on every warning, breach and auto-close that is due (the SLA watcher calls this every second). */
  sweep(): Promise<SweepReport> {
    return this.sla.sweep();
  }

  /**
   * A check's failure is confirmed: keep its open incident, else reopen the one resolved within
   * `reopenWindow`, else open a new one linked to the check's previous incident. Runs inside the
   * detector's transaction; the database's unique index is the last word on duplicates.
   */
  async recordConfirmedFailure(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date): Promise<Incident> {
    const now = this.deps.clock();
    // From up, this failure is a state change; a check that keeps failing changes nothing.
    const changes = isUpDownChange(check.state, result.status) ? await this.noteStateChange(stores, check, detectedAt) : null;
    const open = await stores.incidents.findOpenForCheck(check.id);
    const incident = open ? await this.failAgain(stores, open, result, now) : await this.openOrReopen(stores, check, result, detectedAt, now);
    if (changes) return this.markIfFlapping(stores, incident, changes, detectedAt, now);
    return (await this.settleIfStable(stores, check, incident, result.startedAt, now)) ?? incident;
  }

  /**
   * Probes see the service healthy again: record it; a person still resolves the incident. While
   * the check flaps nothing is restored: the incident stays one and open until the check has been
   * stable for a whole window. Answers the incident only when restoration was recorded.
   */
  async recordRecovery(stores: Stores, check: CheckRecord, restoredAt: Date): Promise<Incident | null> {
    const changes = await this.noteStateChange(stores, check, restoredAt);
    const open = await stores.incidents.findOpenForCheck(check.id);
    if (!open || open.serviceRestoredAt) return null;
    const now = this.deps.clock();
    const incident = await this.markIfFlapping(stores, open, changes, restoredAt, now);
    if (incident.flapping) return null;
    return this.restore(stores, check, incident, restoredAt, now);
  }

  /**
   * A result that confirmed nothing (the detector calls this for every other outcome): a check
   * that has not changed state for a whole flapping window settles. Costs no query unless the
   * check's recent changes (as loaded, plus those of its batch so far) have just aged out.
   */
  async recordSteadyResult(stores: Stores, check: CheckRecord, at: Date): Promise<void> {
    if (check.recentChanges.length === 0 || !isStable(check.recentChanges, at, this.deps.policy.flapping.windowMs)) return;
    const open = await stores.incidents.findOpenForCheck(check.id);
    await this.settleIfStable(stores, check, open, at, this.deps.clock());
  }

  /** Append a confirmed up ↔ down/degraded change to the check's recent changes; answers those inside the window. */
  private async noteStateChange(stores: Stores, check: CheckRecord, at: Date): Promise<Date[]> {
    const changes = addStateChange(await stores.checks.getRecentChanges(check.id), at, this.deps.policy.flapping.windowMs);
    await stores.checks.saveRecentChanges(check.id, changes);
    return changes;
  }

  private async markIfFlapping(stores: Stores, incident: Incident, changes: readonly Date[], at: Date, now: Date): Promise<Incident> {
    const policy = this.deps.policy.flapping;
    if (incident.flapping || !isFlapping(changes, at, policy)) return incident;
    const marked = await stores.incidents.update(incident.id, { flapping: true }, now);
    await this.appendSystemEvent(stores, incident, 'flapping', now, {
      changes: changesWithin(changes, at, policy.windowMs).map((c) => c.toISOString()),
      windowMs: policy.windowMs,
    });
    return marked;
  }

  /**
   * If the check has not changed state for a whole window: forget its changes and, if its
   * incident flaps, clear the mark (event `stable`) and, when the check is up, record the service
   * restored at its last change — when it really came back. Answers the incident as it is after.
   */
  private async settleIfStable(stores: Stores, check: CheckRecord, incident: Incident | null, at: Date, now: Date): Promise<Incident | null> {
    const windowMs = this.deps.policy.flapping.windowMs;
    if (!incident?.flapping && check.recentChanges.length === 0) return incident;
    // Changes loaded with the check that are still in the window: not stable, no need to read.
    if (check.recentChanges.length > 0 && !isStable(check.recentChanges, at, windowMs)) return incident;
    // The loaded check may predate changes written earlier in this batch: the row decides.
    const changes = await stores.checks.getRecentChanges(check.id);
    if (!isStable(changes, at, windowMs)) return incident;
    if (changes.length > 0) await stores.checks.saveRecentChanges(check.id, []);
    if (!incident?.flapping) return incident;
    const lastChangeAt = lastChange(changes);
    const settled = await stores.incidents.update(incident.id, { flapping: false }, now);
    await this.appendSystemEvent(stores, incident, 'stable', now, { check: check.key, state: check.state, lastChangeAt: lastChangeAt?.toISOString() ?? null, windowMs });
    if (check.state !== 'up' || settled.serviceRestoredAt) return settled;
    return this.restore(stores, check, settled, lastChangeAt ?? at, now);
  }

  private async restore(stores: Stores, check: CheckRecord, incident: Incident, restoredAt: Date, now: Date): Promise<Incident> {
    const updated = await stores.incidents.update(incident.id, { serviceRestoredAt: restoredAt }, now);
    await this.appendSystemEvent(stores, incident, 'restored', now, { check: check.key, serviceRestoredAt: restoredAt.toISOString() });
    return updated;
  }

  /** An open incident fails again: live again if probes had seen it restored. */
  private async failAgain(stores: Stores, open: Incident, result: ProbeResult, now: Date): Promise<Incident> {
    if (!open.serviceRestoredAt) return open;
    const again = await stores.incidents.update(open.id, { serviceRestoredAt: null }, now);
    await this.appendSystemEvent(stores, open, 'failed_again', now, { failureKind: result.failureKind, checkedAt: result.startedAt.toISOString() });
    return again;
  }

  /** No open incident: recurrence within `reopenWindow` of resolution reopens, anything else opens a new one. */
  private async openOrReopen(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date, now: Date): Promise<Incident> {
    const previous = await stores.incidents.findLatestForCheck(check.id);
    const recurs =
      previous?.status === 'resolved' &&
      previous.resolvedAt !== null &&
      detectedAt.getTime() - previous.resolvedAt.getTime() <= this.deps.policy.reopenWindowMs;
    if (recurs) return this.reopen(stores, previous, result, detectedAt, now);
    // Closed, or resolved longer ago than the window (left as it is): a new incident, linked.
    return this.openFromProbe(stores, check, result, detectedAt, now, previous);
  }

  /** resolved → assigned, as a person's `reopen` does; the cleared resolution stays in the event. */
  private async reopen(stores: Stores, resolved: Incident, result: ProbeResult, detectedAt: Date, now: Date): Promise<Incident> {
    assertTransition(resolved.status, 'assigned');
    const reopened = await stores.incidents.update(
      resolved.id,
      {
        status: 'assigned',
        reopenCount: resolved.reopenCount + 1,
        resolvedAt: null,
        resolutionCode: null,
        resolutionNotes: null,
        serviceRestoredAt: null,
        // A flapping mark from before the resolution does not carry over; the check's changes decide again.
        flapping: false,
      },
      now,
    );
    await stores.incidents.appendEvent(resolved.id, {
      at: now,
      actor: SYSTEM_ACTOR,
      type: 'reopened',
      fromStatus: resolved.status,
      toStatus: 'assigned',
      note: null,
      data: {
        failureKind: result.failureKind,
        checkedAt: result.startedAt.toISOString(),
        detectedAt: detectedAt.toISOString(),
        reopenCount: reopened.reopenCount,
        resolvedAt: resolved.resolvedAt?.toISOString() ?? null,
        resolutionCode: resolved.resolutionCode,
        resolutionNotes: resolved.resolutionNotes,
        serviceRestoredAt: resolved.serviceRestoredAt?.toISOString() ?? null,
      },
    });
    return reopened;
  }

  private async openFromProbe(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date, now: Date, previous: Incident | null): Promise<Incident> {
    const service = this.deps.checks.service(check.serviceKey);
    const checkConfig = this.deps.checks.check(check.key);
    if (!service || !checkConfig || !result.failureKind) throw new Error(`check ${check.key} has no configuration or failure kind`);

    const kind = classifyFailure(result.failureKind);
    const priority = priorityOf(service.impact, kind.urgency);
    const reason = result.evidence.reason ?? result.evidence.errorCode ?? result.evidence.errorMessage ?? result.failureKind;
    const incident = await this.opener.open(
      stores,
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
        reporter: null,
        detectedAt,
        evidence: {
          ...result.evidence,
          failureKind: result.failureKind,
          checkedAt: result.startedAt.toISOString(),
          durationMs: Math.round(result.durationMs),
          timings: result.timings,
        },
        relatedIncidentId: previous?.id ?? null,
      },
      {
        actor: SYSTEM_ACTOR,
        now,
        data: {
          source: 'probe',
          check: check.key,
          failureKind: result.failureKind,
          priority,
          detectedAt: detectedAt.toISOString(),
          ...(previous ? { relatedRef: previous.ref } : {}),
        },
      },
    );
    return incident;
  }

  /** An event by Sigap itself that does not move the incident's state. */
  private async appendSystemEvent(stores: Stores, incident: Incident, type: string, now: Date, data: Record<string, unknown>): Promise<void> {
    await stores.incidents.appendEvent(incident.id, { at: now, actor: SYSTEM_ACTOR, type, fromStatus: incident.status, toStatus: incident.status, note: null, data });
  }

  async list(user: User, filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>> {
    return this.deps.db.stores.incidents.list({ ...filter, ...visibilityFilter(user) }, limit, cursor);
  }

  async get(user: User, ref: string): Promise<IncidentDetail> {
    const { incidents } = this.deps.db.stores;
    const incident = await incidents.findByRef(ref);
    const visible = incident && (visibilityFilter(user).minEscalationLevel ?? 0) <= incident.escalationLevel;
    if (!incident || !visible) throw new NotFoundError(`incident ${ref}`);
    const [events, suggestions] = [await incidents.listEvents(incident.id), await incidents.suggestionsFor(incident, SUGGESTION_LIMIT)];
    const notifications = await this.deps.db.stores.notifications.listForIncident(incident.id);
    return { incident, events, suggestions, closure: await this.closureStatus(incident, events), notifications };
  }

  private async closureStatus(incident: Incident, events: readonly IncidentEvent[]): Promise<ClosureStatus | null> {
    if (incident.status !== 'resolved' && incident.status !== 'closed') return null;
    const { stores } = this.deps.db;
    const now = this.deps.clock();
    // A closed incident shows the verification its closure recorded, not the check as it is now.
    const recorded = incident.status === 'closed' ? events.findLast((e) => e.type === 'close')?.data?.verification : undefined;
    const verification = (recorded as Verification | undefined) ?? (await this.sla.verification(stores, incident, now));
    let knownErrorHint: ClosureStatus['knownErrorHint'] = null;
    if (incident.check && incident.failureKind) {
      const since = new Date(now.getTime() - RECURRENCE_HINT.windowMs);
      const { recurrences, knownErrorExists } = await stores.incidents.recurrenceOf(incident.check, incident.failureKind, since);
      if (recurrences >= RECURRENCE_HINT.count && !knownErrorExists) knownErrorHint = { recurrences, windowDays: RECURRENCE_HINT.windowMs / 86_400_000 };
    }
    return { verification, checklist: closureChecklist(incident, verification), autoCloseAt: autoCloseAt(incident, this.deps.policy), knownErrorHint };
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
      const incident = await this.opener.open(
        stores,
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
          detectedAt: now,
          evidence: null,
        },
        { actor: user.username, now, data: { source: 'manual', reporter: input.reporter, priority } },
      );
      return incident.ref;
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
      const locked = await stores.incidents.lockByRef(ref);
      if (!locked) throw new NotFoundError(`incident ${ref}`);
      assertMayActOn(user, input.action, locked);
      const now = this.deps.clock();
      // A target that fell due before this action is acted on first, exactly as the sweep would.
      const incident = await this.sla.catchUp(stores, locked, now);
      const { policy } = this.deps;
      const ctx = { now, actor: user, targets: policy.targets, warnAt: policy.warnAt, calendar: this.deps.calendar };
      const change = changesFor(input, incident, ctx);
      const data: Record<string, unknown> = { ...change.data };
      if (input.action === 'close') data.verification = await this.assertVerified(stores, incident, now);
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
        data: { ...data, changes: changedFields(incident, patch) },
      });
      if (patch.priority === 'P1' && !incident.managementEscalated) {
        await stores.incidents.update(incident.id, { managementEscalated: true }, now);
        await stores.incidents.appendEvent(incident.id, { at: now, actor: SYSTEM_ACTOR, ...managementEvent(change.to, 'priority_P1') });
      }
    });
    return this.get(user, ref);
  }

  /** A resolved probe incident closes only after its check has been healthy for `verifyFor` (409 says how long remains). */
  private async assertVerified(stores: Stores, incident: Incident, now: Date): Promise<Verification> {
    const verification = await this.sla.verification(stores, incident, now);
    if (allowsClosure(verification)) return verification;
    const minutes = (ms: number) => `${Math.ceil(ms / 60_000)} min`;
    const why: Record<string, string> = {
      not_healthy: `check ${incident.check} is not healthy now`,
      no_recent_results: `check ${incident.check} has no recent probe results`,
      healthy_too_briefly: `check ${incident.check} has been healthy for ${minutes(verification.healthyForMs ?? 0)}`,
    };
    throw new ConflictError(
      `not verified yet: ${why[verification.reason] ?? verification.reason}; it must be healthy for ${minutes(verification.requiredMs)} before closing — ${minutes(verification.remainingMs)} remain at the earliest`,
      [{ path: 'closureCode', message: `verification: ${verification.reason}, remainingMs ${verification.remainingMs}` }],
      'not_verified',
    );
  }
}
