// The clock's side of the incident lifecycle: acts on warnings and breaches (SOP-Insiden-002)
// and closes resolved, verified incidents after `autoCloseAfter` (SOP-Insiden-003). Everything it
// decides comes from stored due times and flags, read under the incident's row lock, so it acts
// exactly once per breach however many processes sweep and however often they restart.
import type { PolicyConfig } from '../../config.js';
import { SYSTEM_ACTOR, type IncidentChange } from '../incidents/incident-events.js';
import type { LockedIncident } from '../incidents/incident-types.js';
import type { IncidentWriter } from '../incidents/incident-writer.js';
import type { Priority } from '../incidents/priority.js';
import type { Database, Stores } from '../store/store-types.js';
import { autoCloseChange } from './closure.js';
import type { ClosureVerifier } from './closure-verifier.js';
import { reminderChange, slaChange } from './escalation.js';

/** Incidents examined per sweep and kind; more wait for the next sweep (one second later). */
const SWEEP_LIMIT = 500;

export interface SweepReport {
  warnings: number;
  breaches: number;
  autoClosed: number;
  reminders: number;
  /** Incidents that could not be handled this sweep (each retried on the next). */
  failures: Array<{ ref: string; error: unknown }>;
}

export interface SlaEnforcerDeps {
  db: Database;
  writer: IncidentWriter;
  verifier: ClosureVerifier;
  policy: Pick<PolicyConfig, 'autoCloseAfterMs'>;
  clock: () => Date;
  /** Reminder interval per priority while unacknowledged (none configured: no reminders). */
  reminders?: Partial<Record<Priority, number>>;
}

export class SlaEnforcer {
  constructor(private readonly deps: SlaEnforcerDeps) {}

  /** Apply what the clock has made due on a locked incident; answers the incident as it is after. */
  async catchUp(stores: Stores, incident: LockedIncident, now: Date): Promise<LockedIncident> {
    const change = slaChange(incident, now);
    return change ? this.apply(stores, incident, change, now) : incident;
  }

  private async apply(stores: Stores, incident: LockedIncident, change: IncidentChange, now: Date): Promise<LockedIncident> {
    await this.deps.writer.apply(stores, incident, change, SYSTEM_ACTOR, now);
    return { ...incident, ...change.patch } as LockedIncident;
  }

  /** One pass: every warning and breach that is due, then every incident due to close by itself. */
  async sweep(): Promise<SweepReport> {
    const report: SweepReport = { warnings: 0, breaches: 0, autoClosed: 0, reminders: 0, failures: [] };
    const { db, policy } = this.deps;
    const now = this.deps.clock();
    for (const ref of await db.stores.incidents.listSlaDue(now, SWEEP_LIMIT)) {
      await this.guarded(report, ref, async () => {
        const events = await db.transaction(async (stores) => {
          const incident = await stores.incidents.lockByRef(ref);
          const change = incident ? slaChange(incident, this.deps.clock()) : null;
          if (!incident || !change) return [];
          await this.apply(stores, incident, change, this.deps.clock());
          return change.events;
        });
        report.warnings += events.filter((e) => e.type === 'warning').length;
        report.breaches += events.filter((e) => e.type === 'breached').length;
      });
    }
    const reminders = this.deps.reminders ?? {};
    for (const ref of await db.stores.incidents.listRemindersDue(now, reminders, SWEEP_LIMIT)) {
      await this.guarded(report, ref, async () => {
        const reminded = await db.transaction(async (stores) => {
          const incident = await stores.incidents.lockByRef(ref);
          const at = this.deps.clock();
          const change = incident ? reminderChange(incident, reminders, at) : null;
          if (incident && change) await this.apply(stores, incident, change, at);
          return change !== null;
        });
        if (reminded) report.reminders += 1;
      });
    }
    const resolvedBefore = new Date(now.getTime() - policy.autoCloseAfterMs);
    for (const ref of await db.stores.incidents.listAutoCloseDue(resolvedBefore, SWEEP_LIMIT)) {
      await this.guarded(report, ref, async () => {
        // Verification is read without a lock first: most waiting incidents stay waiting.
        const seen = await db.stores.incidents.findByRef(ref);
        if (!seen || (await this.deps.verifier.verify(db.stores, seen, now)).state === 'waiting') return;
        const closed = await db.transaction(async (stores) => {
          const incident = await stores.incidents.lockByRef(ref);
          if (!incident) return false;
          const at = this.deps.clock();
          const change = autoCloseChange(incident, await this.deps.verifier.verify(stores, incident, at), policy, at);
          if (change) await this.apply(stores, incident, change, at);
          return change !== null;
        });
        if (closed) report.autoClosed += 1;
      });
    }
    return report;
  }

  private async guarded(report: SweepReport, ref: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      report.failures.push({ ref, error });
    }
  }
}
