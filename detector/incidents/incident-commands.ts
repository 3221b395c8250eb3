// What people do to incidents: log one by hand (a report by phone, WhatsApp or in person) and
// take every lifecycle action. Each runs in one transaction under the incident's row lock: what the
// SLA clock made due is acted on first, the action's rules decide (incident-actions.ts), and the
// IncidentWriter writes the change and its event.
import type { PolicyConfig } from '../../config.js';
import type { User } from '../accounts/account-types.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { allowsClosure, stillFailing, type StillFailing } from '../sla/closure.js';
import type { ClosureVerifier } from '../sla/closure-verifier.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { managementEvent } from '../sla/escalation.js';
import type { SlaEnforcer } from '../sla/sla-enforcer.js';
import type { Database, Stores } from '../store/store-types.js';
import { actionEvent, assertMayActOn, assertRoleMayAct, changedFields, changesFor, closureCodesFor, type ActionInput } from './incident-actions.js';
import { clockAfterPause } from './resolution-clock.js';
import { SYSTEM_ACTOR } from './incident-events.js';
import { stateless } from './incident-writer.js';
import { contactKind, DEFAULT_REPORTED_VIA, MAX_REPORT_AGE_MS, type ReportedVia } from './reporter.js';
import type { IncidentDetail, IncidentQueries } from './incident-queries.js';
import type { Incident, Verification } from './incident-types.js';
import type { IncidentWriter } from './incident-writer.js';
import { priorityOf, type Impact } from './priority.js';
import type { Urgency } from './taxonomy.js';

/** When a report came in, checked: not in the future (a minute of clock skew allowed), at most MAX_REPORT_AGE_MS back. */
export function reportTime(reportedAt: Date | undefined, now: Date): Date {
  if (!reportedAt) return now;
  if (reportedAt.getTime() > now.getTime() + 60_000) {
    throw new ValidationError('the time of the report is in the future', [{ path: 'reportedAt', message: 'must not be in the future' }]);
  }
  if (now.getTime() - reportedAt.getTime() > MAX_REPORT_AGE_MS) {
    throw new ValidationError('the time of the report is too long ago', [{ path: 'reportedAt', message: `must be within the last ${MAX_REPORT_AGE_MS / 86_400_000} days` }]);
  }
  return reportedAt.getTime() > now.getTime() ? now : reportedAt;
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
  /** How the report came in (`other` when the caller does not say). */
  reportedVia?: ReportedVia;
  /** When the report came in: the detection time the SLA clocks start from (default: now). Not in the future, at most 7 days back. */
  reportedAt?: Date;
  /** Tell the reporter when it is fixed (default: yes when they left a contact). */
  informReporter?: boolean;
}

/** A delivered message to a reporter, as the dispatcher hands it on (SOP-Insiden-003). */
export interface ReporterDelivery {
  outboxId: number;
  incidentRef: string;
  channelKey: string;
  event: string;
  recipient: string | null;
}

/** Who may switch telling the reporter on or off: the desk. */
export const INFORM_REPORTER_ROLES: readonly User['role'][] = ['service_desk', 'admin'];

export const LOGGING_ROLES: readonly User['role'][] = ['service_desk', 'support', 'admin'];

export interface IncidentCommandsDeps {
  db: Database;
  writer: IncidentWriter;
  sla: SlaEnforcer;
  verifier: ClosureVerifier;
  /** What `logManual` and `act` answer: the incident as its caller may see it after. */
  queries: IncidentQueries;
  policy: Pick<PolicyConfig, 'targets' | 'warnAt'>;
  calendar: BusinessCalendar;
  clock: () => Date;
}

export class IncidentCommands {
  constructor(private readonly deps: IncidentCommandsDeps) {}

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
      const detectedAt = reportTime(input.reportedAt, now);
      const priority = priorityOf(input.impact, input.urgency);
      const incident = await this.deps.writer.open(
        stores,
        {
          title: input.title,
          description: input.description,
          category: input.category,
          subcategory: input.subcategory,
          impact: input.impact,
          urgency: input.urgency,
          reporter: input.reporter,
          reportedVia: input.reportedVia ?? DEFAULT_REPORTED_VIA,
          informReporter: Boolean(input.reporter.contact?.trim()) && (input.informReporter ?? true),
          serviceId: service.id,
          checkId: null,
          source: 'manual',
          failureKind: null,
          priority,
          detectedAt,
          evidence: null,
        },
        {
          actor: user.username,
          now,
          data: { source: 'manual', reporter: input.reporter, priority, reportedVia: input.reportedVia ?? DEFAULT_REPORTED_VIA, reportedAt: detectedAt.toISOString() },
        },
      );
      return incident.ref;
    });
    return this.deps.queries.get(user, ref);
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
      const incident = await this.deps.sla.catchUp(stores, locked, now);
      const { policy, writer } = this.deps;
      const pauses = input.action === 'reprioritize' ? await stores.incidents.listPauses(incident.id) : [];
      const ctx = { now, actor: user, targets: policy.targets, warnAt: policy.warnAt, calendar: this.deps.calendar, pauses };
      const change = changesFor(input, incident, ctx);
      const verification = input.action === 'close' ? await this.assertVerified(stores, incident, now) : null;
      if (input.action === 'close' && input.closureCode === 'monitoring_verified' && !closureCodesFor(incident, verification).includes('monitoring_verified')) {
        throw new ValidationError('monitoring_verified is for an incident without a reporter whose restoration the probes verified', [
          {
            path: 'closureCode',
            message: incident.reporter
              ? `the reporter (${incident.reporter.name}) confirms: use confirmed or unconfirmed`
              : `verification is ${verification?.state ?? 'none'}, not verified`,
          },
        ]);
      }
      const failing = input.action === 'resolve' ? await this.assertFailureConfirmed(stores, incident, input.confirmStillFailing === true) : null;
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
      const event = actionEvent(input, incident.status, change, changedFields(incident, patch), verification, failing);
      const after = await writer.apply(stores, incident, { patch, events: [event] }, user.username, now);
      if (patch.priority === 'P1' && !incident.managementEscalated) {
        await writer.apply(stores, after, { patch: { managementEscalated: true }, events: [managementEvent(change.to, 'priority_P1')] }, SYSTEM_ACTOR, now);
      }
    });
    return this.deps.queries.get(user, ref);
  }

  /** The desk switches telling the reporter on or off; recorded in the timeline. */
  async setInformReporter(user: User, ref: string, informReporter: boolean, note: string | null): Promise<IncidentDetail> {
    if (!INFORM_REPORTER_ROLES.includes(user.role))
      throw new ForbiddenError(`telling the reporter is switched by the role ${INFORM_REPORTER_ROLES.join(' or ')}; you are ${user.role}`);
    await this.deps.db.transaction(async (stores) => {
      const incident = await stores.incidents.lockByRef(ref);
      if (!incident) throw new NotFoundError(`incident ${ref}`);
      if (!incident.reporter) throw new ValidationError('this incident has no reporter to tell', [{ path: 'informReporter', message: 'the incident has no reporter' }]);
      if (!incident.reporter.contact && informReporter) {
        throw new ValidationError('the reporter left no contact', [{ path: 'informReporter', message: 'the reporter left no contact to send to' }]);
      }
      if (incident.informReporter === informReporter) return;
      const now = this.deps.clock();
      const patch = { informReporter };
      const event = stateless(incident, { type: 'inform_reporter_changed', data: { informReporter, changes: changedFields(incident, patch) } }, note);
      await this.deps.writer.apply(stores, incident, { patch, events: [event] }, user.username, now);
    });
    return this.deps.queries.get(user, ref);
  }

  /**
   * The dispatcher delivered a message to the reporter: record it in the timeline and tick the
   * closure checklist's "reporter informed" — in the transaction that marks the row sent. Runs
   * once per row (a re-delivered row finds its event already there).
   */
  readonly reporterInformed = async (stores: Stores, delivery: ReporterDelivery, at: Date): Promise<void> => {
    const incident = await stores.incidents.lockByRef(delivery.incidentRef);
    if (!incident) return;
    const events = await stores.incidents.listEvents(incident.id);
    if (events.some((e) => e.type === 'reporter_informed' && e.data.outboxId === delivery.outboxId)) return;
    const notification = delivery.event === 'closed' ? 'closed' : 'resolved';
    const data = { channel: delivery.channelKey, notification, outboxId: delivery.outboxId, contactKind: contactKind(delivery.recipient ?? '') } as const;
    await this.deps.writer.apply(stores, incident, { patch: { reporterInformedAt: at }, events: [stateless(incident, { type: 'reporter_informed', data })] }, SYSTEM_ACTOR, at);
  };

  /**
   * Resolving while the probes still see the failure needs the caller's confirmation (409 names
   * the field to send); confirmed, what the probes saw is recorded in the `resolve` event.
   */
  private async assertFailureConfirmed(stores: Stores, incident: Incident, confirmed: boolean): Promise<StillFailing | null> {
    const check = incident.check ? await stores.checks.getCheck(incident.check) : null;
    const failing = stillFailing(incident, check);
    if (!failing || confirmed) return failing;
    const since = failing.since ? ` since ${failing.since}` : '';
    throw new ConflictError(
      `the probes still see check ${failing.check} ${failing.state}${since}: resolve anyway only with "confirmStillFailing": true (the next failed probe will reopen the incident)`,
      [{ path: 'confirmStillFailing', message: `check ${failing.check} is ${failing.state}; send true to resolve anyway` }],
    );
  }

  /** A resolved probe incident closes only after its check has been healthy for `verifyFor` (409 says how long remains). */
  private async assertVerified(stores: Stores, incident: Incident, now: Date): Promise<Verification> {
    const verification = await this.deps.verifier.verify(stores, incident, now);
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
