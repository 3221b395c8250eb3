// Where a probe failure becomes an incident. The detector confirms a check's failure or recovery
// and says what its up ↔ down changes mean (a new change, a spell that settled); this decides what
// happens to the check's incident: keep the open one, reopen the one resolved within
// `reopenWindow`, or open a new one linked to the last; record restoration; mark and clear
// flapping. Runs inside the detector's transaction; every write goes through the IncidentWriter.
import type { PolicyConfig } from '../../config.js';
import type { ProbeResult } from '../../probes/probe-types.js';
import type { CheckLookup } from '../detection/check-catalog.js';
import type { CheckRecord } from '../detection/check-types.js';
import { changesWithin, isFlapping } from '../detection/flapping.js';
import type { Stores } from '../store/store-types.js';
import { SYSTEM_ACTOR } from './incident-events.js';
import type { Incident } from './incident-types.js';
import { stateless, type IncidentWriter } from './incident-writer.js';
import { priorityOf } from './priority.js';
import { probeEvidenceText } from './probe-words.js';
import { classifyFailure } from './taxonomy.js';

/** What the result did to the check's confirmed up ↔ down changes (detection/flapping.ts). */
export type FlapSignal =
  /** An up ↔ down change: the check's changes inside the flapping window, this one included. */
  | { kind: 'changed'; changes: readonly Date[] }
  /** No change for a whole window: the check's changes were forgotten; the last was at `lastChangeAt`. */
  | { kind: 'settled'; lastChangeAt: Date | null }
  | { kind: 'none' };

export interface ProbeIncidentsDeps {
  writer: IncidentWriter;
  checks: CheckLookup;
  policy: Pick<PolicyConfig, 'reopenWindowMs' | 'flapping'>;
  clock: () => Date;
}

export class ProbeIncidents {
  constructor(private readonly deps: ProbeIncidentsDeps) {}

  /**
   * A check's failure is confirmed (detected at the first failure of the streak): keep its open
   * incident, else reopen the one resolved within `reopenWindow`, else open a new one linked to
   * the check's previous incident. The database's unique index is the last word on duplicates.
   */
  async failureConfirmed(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date, flap: FlapSignal): Promise<Incident> {
    const now = this.deps.clock();
    const open = await stores.incidents.findOpenForCheck(check.id);
    const incident = open ? await this.failAgain(stores, open, result, now) : await this.openOrReopen(stores, check, result, detectedAt, now);
    if (flap.kind === 'changed') return this.markIfFlapping(stores, incident, flap.changes, detectedAt, now);
    if (flap.kind === 'settled') return (await this.settle(stores, check, incident, flap.lastChangeAt, result.startedAt, now)) ?? incident;
    return incident;
  }

  /**
   * Probes see the service healthy again: record it; a person still resolves the incident. While
   * the check flaps nothing is restored: the incident stays one and open until the check has been
   * stable for a whole window. The first healthy streak after the last failure is the
   * restoration whatever the order: an incident resolved (or closed) while the probes still saw
   * the failure records it too. Answers the incident only when restoration was recorded.
   */
  async recoveryConfirmed(stores: Stores, check: CheckRecord, restoredAt: Date, changes: readonly Date[]): Promise<Incident | null> {
    const now = this.deps.clock();
    const open = await stores.incidents.findOpenForCheck(check.id);
    if (!open) {
      const latest = await stores.incidents.findLatestForCheck(check.id);
      const finished = latest && (latest.status === 'resolved' || latest.status === 'closed') && !latest.serviceRestoredAt;
      return finished ? this.restore(stores, check, latest, restoredAt, now) : null;
    }
    if (open.serviceRestoredAt) return null;
    const incident = await this.markIfFlapping(stores, open, changes, restoredAt, now);
    if (incident.flapping) return null;
    return this.restore(stores, check, incident, restoredAt, now);
  }

  /** The check has not changed state for a whole flapping window (a result that confirmed nothing). */
  async settled(stores: Stores, check: CheckRecord, at: Date, lastChangeAt: Date | null): Promise<void> {
    const open = await stores.incidents.findOpenForCheck(check.id);
    await this.settle(stores, check, open, lastChangeAt, at, this.deps.clock());
  }

  private async markIfFlapping(stores: Stores, incident: Incident, changes: readonly Date[], at: Date, now: Date): Promise<Incident> {
    const policy = this.deps.policy.flapping;
    if (incident.flapping || !isFlapping(changes, at, policy)) return incident;
    const data = { changes: changesWithin(changes, at, policy.windowMs).map((c) => c.toISOString()), windowMs: policy.windowMs };
    return this.deps.writer.apply(stores, incident, { patch: { flapping: true }, events: [stateless(incident, { type: 'flapping', data })] }, SYSTEM_ACTOR, now);
  }

  /**
   * A flapping incident whose check has been stable for a whole window: clear the mark (event
   * `stable`) and, when the check is up, record the service restored at its last change — when it
   * really came back. Answers the incident as it is after.
   */
  private async settle(stores: Stores, check: CheckRecord, incident: Incident | null, lastChangeAt: Date | null, at: Date, now: Date): Promise<Incident | null> {
    if (!incident?.flapping) return incident;
    const data = { check: check.key, state: check.state, lastChangeAt: lastChangeAt?.toISOString() ?? null, windowMs: this.deps.policy.flapping.windowMs };
    const settled = await this.deps.writer.apply(stores, incident, { patch: { flapping: false }, events: [stateless(incident, { type: 'stable', data })] }, SYSTEM_ACTOR, now);
    if (check.state !== 'up' || settled.serviceRestoredAt) return settled;
    return this.restore(stores, check, settled, lastChangeAt ?? at, now);
  }

  private restore(stores: Stores, check: CheckRecord, incident: Incident, restoredAt: Date, now: Date): Promise<Incident> {
    return this.deps.writer.restore(stores, incident, restoredAt, { check: check.key, serviceRestoredAt: restoredAt.toISOString() }, SYSTEM_ACTOR, now);
  }

  /** An open incident fails again: live again if probes had seen it restored. */
  private async failAgain(stores: Stores, open: Incident, result: ProbeResult, now: Date): Promise<Incident> {
    if (!open.serviceRestoredAt) return open;
    return this.deps.writer.failAgain(stores, open, { failureKind: result.failureKind, checkedAt: result.startedAt.toISOString() }, SYSTEM_ACTOR, now);
  }

  /** No open incident: recurrence within `reopenWindow` of resolution reopens, anything else opens a new one. */
  private async openOrReopen(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date, now: Date): Promise<Incident> {
    const previous = await stores.incidents.findLatestForCheck(check.id);
    const recurs = previous?.status === 'resolved' && previous.resolvedAt !== null && detectedAt.getTime() - previous.resolvedAt.getTime() <= this.deps.policy.reopenWindowMs;
    if (recurs) return this.reopen(stores, previous, result, detectedAt, now);
    // Closed, or resolved longer ago than the window (left as it is): a new incident, linked.
    return this.open(stores, check, result, detectedAt, now, previous);
  }

  /** resolved → assigned, as a person's `reopen` does; the cleared resolution stays in the event. */
  private reopen(stores: Stores, resolved: Incident, result: ProbeResult, detectedAt: Date, now: Date): Promise<Incident> {
    const reopenCount = resolved.reopenCount + 1;
    const patch = {
      status: 'assigned' as const,
      reopenCount,
      resolvedAt: null,
      resolutionCode: null,
      resolutionNotes: null,
      serviceRestoredAt: null,
      // A flapping mark from before the resolution does not carry over; the check's changes decide again.
      flapping: false,
    };
    const data = {
      failureKind: result.failureKind,
      checkedAt: result.startedAt.toISOString(),
      detectedAt: detectedAt.toISOString(),
      reopenCount,
      resolvedAt: resolved.resolvedAt?.toISOString() ?? null,
      resolutionCode: resolved.resolutionCode,
      resolutionNotes: resolved.resolutionNotes,
      serviceRestoredAt: resolved.serviceRestoredAt?.toISOString() ?? null,
    };
    const event = { type: 'reopened' as const, fromStatus: resolved.status, toStatus: 'assigned' as const, note: null, data };
    return this.deps.writer.apply(stores, resolved, { patch, events: [event] }, SYSTEM_ACTOR, now);
  }

  private open(stores: Stores, check: CheckRecord, result: ProbeResult, detectedAt: Date, now: Date, previous: Incident | null): Promise<Incident> {
    const service = this.deps.checks.service(check.serviceKey);
    const checkConfig = this.deps.checks.check(check.key);
    if (!service || !checkConfig || !result.failureKind) throw new Error(`check ${check.key} has no configuration or failure kind`);

    const kind = classifyFailure(result.failureKind);
    const priority = priorityOf(service.impact, kind.urgency);
    // The description is Indonesian text: the probe's reason in words (its English stays in the evidence).
    const reason = probeEvidenceText(result.evidence, 'id') ?? kind.label.id;
    return this.deps.writer.open(
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
  }
}
