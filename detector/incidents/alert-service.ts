// Alertmanager as the third source of incidents (DESIGN §4): each alert's fingerprint is its
// dedup key. A firing alert opens an incident or refreshes the open one; a resolved alert records
// the service restored (a person still resolves it, as for probe incidents). Every write goes
// through the IncidentWriter; no alert moves an incident through its lifecycle.
import { CATCH_ALL_SERVICE, type ServiceRecord } from '../detection/check-types.js';
import type { Incident, IncidentEvidence } from './incident-types.js';
import type { User } from '../accounts/account-types.js';
import { DuplicateError, ForbiddenError } from '../errors.js';
import { stateless, type IncidentWriter } from './incident-writer.js';
import { priorityOf } from './priority.js';
import type { Database, Stores } from '../store/store-types.js';
import { TAXONOMY, type Urgency } from './taxonomy.js';

export interface AlertServiceDeps {
  db: Database;
  writer: IncidentWriter;
  clock: () => Date;
}

/** One alert of an Alertmanager v4 webhook, validated by the route. */
export interface ReceivedAlert {
  status: 'firing' | 'resolved';
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  /** Null when Alertmanager sent its zero time (a firing alert with no end yet). */
  endsAt: Date | null;
  generatorURL: string;
}

/** What one webhook did, by incident ref. */
export interface AlertOutcome {
  opened: string[];
  refreshed: string[];
  restored: string[];
  /** Resolved alerts with no open incident. */
  ignored: number;
}

const ALERT_ROLES: readonly User['role'][] = ['service_desk', 'support', 'admin'];
const TITLE_MAX = 300;

const SEVERITY_URGENCY: Readonly<Record<string, Urgency>> = { critical: 'high', warning: 'medium', info: 'low' };

/** Label `severity` → urgency; anything else (or none) is medium. */
export function urgencyForSeverity(severity: string | undefined): Urgency {
  return SEVERITY_URGENCY[severity?.trim().toLowerCase() ?? ''] ?? 'medium';
}

/** Labels `category` / `subcategory` when they name the taxonomy, else availability and the category's first subcategory. */
export function categoryForLabels(labels: Readonly<Record<string, string>>): { category: string; subcategory: string } {
  const category = labels.category && TAXONOMY[labels.category] ? labels.category : 'availability';
  const allowed = TAXONOMY[category]!;
  const subcategory = labels.subcategory && allowed.includes(labels.subcategory) ? labels.subcategory : allowed[0]!;
  return { category, subcategory };
}

/** Title: `annotations.summary`, else the alert name, cut to what the column holds. */
export function titleForAlert(alert: Pick<ReceivedAlert, 'labels' | 'annotations' | 'fingerprint'>): string {
  const title = alert.annotations.summary?.trim() || alert.labels.alertname?.trim() || `Alertmanager ${alert.fingerprint}`;
  return title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
}

function evidenceOf(alert: ReceivedAlert): IncidentEvidence {
  return { labels: alert.labels, annotations: alert.annotations, generatorURL: alert.generatorURL };
}

/** Key order does not make a label set different. */
function canonical(value: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(value ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Which parts of the alert differ from the evidence last stored. */
function changedParts(before: IncidentEvidence | null, alert: ReceivedAlert): string[] {
  const changed: string[] = [];
  if (canonical(before?.labels) !== canonical(alert.labels)) changed.push('labels');
  if (canonical(before?.annotations) !== canonical(alert.annotations)) changed.push('annotations');
  if ((before?.generatorURL ?? '') !== alert.generatorURL) changed.push('generatorURL');
  return changed;
}

interface Batch {
  stores: Stores;
  user: User;
  now: Date;
  services: Map<string, ServiceRecord>;
  outcome: AlertOutcome;
}

export class AlertService {
  constructor(private readonly deps: AlertServiceDeps) {}

  /**
   * Apply a whole webhook in one transaction. Two webhooks racing on a new fingerprint meet at
   * the database's one-open-per-fingerprint index: the loser rolls back and is applied once more,
   * when it finds the winner's incident and refreshes it.
   */
  async receive(user: User, alerts: readonly ReceivedAlert[]): Promise<AlertOutcome> {
    if (!ALERT_ROLES.includes(user.role)) throw new ForbiddenError(`sending alerts needs the role ${ALERT_ROLES.join(' or ')}`);
    // Fingerprint order (stable, so one fingerprint's alerts keep theirs) locks rows in the same order in every webhook.
    const ordered = [...alerts].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
    try {
      return await this.apply(user, ordered);
    } catch (err) {
      if (!(err instanceof DuplicateError)) throw err;
      return this.apply(user, ordered);
    }
  }

  private apply(user: User, alerts: readonly ReceivedAlert[]): Promise<AlertOutcome> {
    return this.deps.db.transaction(async (stores) => {
      const services = new Map((await stores.checks.listServices()).map((s) => [s.key, s]));
      const batch: Batch = { stores, user, now: this.deps.clock(), services, outcome: { opened: [], refreshed: [], restored: [], ignored: 0 } };
      for (const alert of alerts) {
        if (alert.status === 'firing') await this.fire(batch, alert);
        else await this.resolve(batch, alert);
      }
      return batch.outcome;
    });
  }

  private async fire(batch: Batch, alert: ReceivedAlert): Promise<void> {
    const open = await batch.stores.incidents.findOpenByFingerprint(alert.fingerprint, { forUpdate: true });
    if (!open) {
      batch.outcome.opened.push(await this.open(batch, alert));
      return;
    }
    await this.refresh(batch, open, alert);
    if (!batch.outcome.opened.includes(open.ref) && !batch.outcome.refreshed.includes(open.ref)) batch.outcome.refreshed.push(open.ref);
  }

  /** Alertmanager repeats firing alerts: an event only when the alert changed or fires again after it was resolved. */
  private async refresh(batch: Batch, open: Incident, alert: ReceivedAlert): Promise<void> {
    const { stores, now, user } = batch;
    const { writer } = this.deps;
    const changed = changedParts(open.evidence, alert);
    let incident = open;
    if (changed.length > 0) {
      const refreshed = stateless(open, { type: 'alert_refreshed', data: { source: 'alertmanager', changed, labels: alert.labels, annotations: alert.annotations } });
      incident = await writer.apply(stores, open, { patch: { evidence: { ...open.evidence, ...evidenceOf(alert) } }, events: [refreshed] }, user.username, now);
    }
    if (open.serviceRestoredAt) {
      const data = {
        source: 'alertmanager' as const,
        fingerprint: alert.fingerprint,
        startsAt: alert.startsAt.toISOString(),
        serviceRestoredAt: open.serviceRestoredAt.toISOString(),
      };
      await writer.failAgain(stores, incident, data, user.username, now);
    }
  }

  private async open(batch: Batch, alert: ReceivedAlert): Promise<string> {
    const { stores, now, user } = batch;
    const requested = alert.labels.service;
    const service = (requested ? batch.services.get(requested) : undefined) ?? (await this.catchAll(batch));
    const urgency = urgencyForSeverity(alert.labels.severity);
    const priority = priorityOf(service.impact, urgency);
    // A clock ahead of ours must not put detection in the future.
    const detectedAt = alert.startsAt.getTime() > now.getTime() ? now : alert.startsAt;
    const incident = await this.deps.writer.open(
      stores,
      {
        title: titleForAlert(alert),
        description: alert.annotations.description ?? '',
        serviceId: service.id,
        checkId: null,
        source: 'alertmanager',
        fingerprint: alert.fingerprint,
        ...categoryForLabels(alert.labels),
        failureKind: null,
        impact: service.impact,
        urgency,
        priority,
        reporter: null,
        detectedAt,
        evidence: evidenceOf(alert),
      },
      {
        actor: user.username,
        now,
        data: {
          source: 'alertmanager',
          fingerprint: alert.fingerprint,
          alertname: alert.labels.alertname ?? null,
          severity: alert.labels.severity ?? null,
          priority,
          detectedAt: detectedAt.toISOString(),
          // An unknown service label is kept so a person can move the incident where it belongs.
          ...(requested && requested !== service.key ? { requestedService: requested } : {}),
        },
      },
    );
    return incident.ref;
  }

  /**
   * The open incident records the service restored at the alert's end; it stays open for a person.
   * An incident a person resolved (or closed) while the alert still fired records it too: the
   * restoration is the alert's end whatever the order.
   */
  private async resolve(batch: Batch, alert: ReceivedAlert): Promise<void> {
    const { stores, now, user, outcome } = batch;
    const open = (await stores.incidents.findOpenByFingerprint(alert.fingerprint, { forUpdate: true })) ?? (await this.finishedUnrestored(stores, alert.fingerprint));
    if (!open) {
      outcome.ignored += 1;
      return;
    }
    if (!outcome.restored.includes(open.ref)) outcome.restored.push(open.ref);
    // A repeated resolved notification changes nothing.
    if (open.serviceRestoredAt) return;
    const endsAt = alert.endsAt && alert.endsAt.getTime() <= now.getTime() ? alert.endsAt : now;
    const restoredAt = endsAt.getTime() < open.detectedAt.getTime() ? open.detectedAt : endsAt;
    const data = { source: 'alertmanager' as const, fingerprint: alert.fingerprint, serviceRestoredAt: restoredAt.toISOString() };
    await this.deps.writer.restore(stores, open, restoredAt, data, user.username, now);
  }

  private async finishedUnrestored(stores: Stores, fingerprint: string): Promise<Incident | null> {
    const latest = await stores.incidents.findLatestByFingerprint(fingerprint);
    return latest && (latest.status === 'resolved' || latest.status === 'closed') && !latest.serviceRestoredAt ? latest : null;
  }

  private async catchAll(batch: Batch): Promise<ServiceRecord> {
    const known = batch.services.get(CATCH_ALL_SERVICE.key);
    if (known) return known;
    const service = await batch.stores.checks.ensureService(CATCH_ALL_SERVICE, batch.now);
    batch.services.set(service.key, service);
    return service;
  }
}
