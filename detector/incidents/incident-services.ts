// The incident services wired together around their one writer, as main.ts (and every test that
// needs the whole room) uses them: probe outcomes, people's commands and queries, the SLA clock,
// Alertmanager alerts and known errors.
import type { PolicyConfig } from '../../config.js';
import type { AuditTrail } from '../audit/audit-service.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import type { BusinessCalendar } from '../sla/business-calendar.js';
import { ClosureVerifier } from '../sla/closure-verifier.js';
import { SlaEnforcer } from '../sla/sla-enforcer.js';
import type { Database } from '../store/store-types.js';
import { AlertService } from './alert-service.js';
import { IncidentCommands } from './incident-commands.js';
import { IncidentQueries } from './incident-queries.js';
import { IncidentWriter, type IncidentEventListener } from './incident-writer.js';
import { KnownErrorService } from './known-error-service.js';
import type { Priority } from './priority.js';
import { ProbeIncidents } from './probe-incidents.js';

export interface IncidentServicesDeps {
  db: Database;
  checks: CheckLookup;
  policy: PolicyConfig;
  calendar: BusinessCalendar;
  clock: () => Date;
  /** Reminder interval per priority while unacknowledged (`notifications.reminders`). */
  reminders?: Partial<Record<Priority, number>>;
  /** Every incident event, in its transaction: the notification planner. */
  onEvent?: IncidentEventListener | null;
  /** The audit trail (known errors recorded). */
  audit?: AuditTrail;
}

export interface IncidentServices {
  writer: IncidentWriter;
  probes: ProbeIncidents;
  commands: IncidentCommands;
  queries: IncidentQueries;
  sla: SlaEnforcer;
  alerts: AlertService;
  knownErrors: KnownErrorService;
}

export function createIncidentServices(deps: IncidentServicesDeps): IncidentServices {
  const { db, checks, policy, calendar, clock } = deps;
  const writer = new IncidentWriter({ policy, calendar, onEvent: deps.onEvent });
  const verifier = new ClosureVerifier({ checks, policy });
  const sla = new SlaEnforcer({ db, writer, verifier, policy, clock, reminders: deps.reminders });
  const queries = new IncidentQueries({ db, verifier, policy, clock });
  return {
    writer,
    probes: new ProbeIncidents({ writer, checks, policy, clock }),
    commands: new IncidentCommands({ db, writer, sla, verifier, queries, policy, calendar, clock }),
    queries,
    sla,
    alerts: new AlertService({ db, writer, clock }),
    knownErrors: new KnownErrorService({ db, writer, clock, audit: deps.audit }),
  };
}
