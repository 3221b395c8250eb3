// The clock's side of the incident lifecycle: acts on warnings and breaches (SOP-Insiden-002)
// and closes resolved, verified incidents after `autoCloseAfter` (SOP-Insiden-003). Everything it
// decides comes from stored due times and flags, read under the incident's row lock, so it acts
// exactly once per breach however many processes sweep and however often they restart.
import type { PolicyConfig } from '../../config.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import { autoCloseChange, verifyRestoration, type Verification } from './closure.js';
import { reminderChange, slaChange, SYSTEM_ACTOR, type SystemChange } from './escalation.js';
import type { LockedIncident } from '../incidents/incident-actions.js';
import type { Incident } from '../domain-types.js';
import type { Priority } from './due-times.js';
import type { Database, Stores } from '../store/store-types.js';

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
  checks: CheckLookup;
  policy: PolicyConfig;
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

  async apply(stores: Stores, incident: LockedIncident, change: SystemChange, now: Date): Promise<LockedIncident> {
    await stores.incidents.update(incident.id, change.patch, now);
    for (const event of change.events) await stores.incidents.appendEvent(incident.id, { at: now, actor: SYSTEM_ACTOR, ...event });
    return { ...incident, ...change.patch } as LockedIncident;
  }

  /** Whether the incident's check has been healthy for `verifyFor` (probe incidents only). */
  async verification(stores: Stores, incident: Pick<Incident, 'source' | 'check'>, now: Date): Promise<Verification> {
    const check = incident.check ? await stores.checks.getCheck(incident.check) : null;
    const config = incident.check ? this.deps.checks.check(incident.check) : undefined;
    const { verifyForMs } = this.deps.policy;
    // Two missed probes (and the time one may take) mean probing has stopped, not that all is well.
    const staleAfterMs = config ? 2 * config.intervalMs + config.timeoutMs : verifyForMs;
    return verifyRestoration({ incident, check, staleAfterMs, verifyForMs, now });
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
        if (!seen || (await this.verification(db.stores, seen, now)).state === 'waiting') return;
        const closed = await db.transaction(async (stores) => {
          const incident = await stores.incidents.lockByRef(ref);
          if (!incident) return false;
          const at = this.deps.clock();
          const change = autoCloseChange(incident, await this.verification(stores, incident, at), policy, at);
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
