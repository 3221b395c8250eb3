// What the web app reads about services and checks: the services, the checks with where they
// come from (dashboard checks with their definition), one check, and its raw probe results.
import { NotFoundError } from '../errors.js';
import type { Page } from '../incidents/incident-types.js';
import type { Database } from '../store/store-types.js';
import type { CheckLookup } from './check-catalog.js';
import type { CheckRecord, ServiceRecord, StoredResult } from './check-types.js';

/** A check as the dashboard lists it: its record, its configured interval and, for a dashboard check, what an admin typed. */
export interface CheckListing {
  record: CheckRecord;
  /** Null when the check is not configured now (a disabled dashboard check). */
  intervalMs: number | null;
  /** The definition an admin typed (dashboard checks only). */
  definition: unknown;
  updatedBy: string | null;
}

/** How far before detection and after restoration an incident's timeline shows probe results. */
const RESULTS_MARGIN_MS = 15 * 60_000;
/** At most this many results around an incident. */
const RESULTS_AROUND_LIMIT = 200;

export interface CheckQueriesDeps {
  db: Database;
  /** The configured checks (file and dashboard): their interval. */
  catalog: Pick<CheckLookup, 'check'>;
}

export class CheckQueries {
  constructor(private readonly deps: CheckQueriesDeps) {}

  services(): Promise<ServiceRecord[]> {
    return this.deps.db.stores.checks.listServices();
  }

  /** The active checks. */
  checks(): Promise<CheckRecord[]> {
    return this.deps.db.stores.checks.listChecks();
  }

  /** Every active check and every dashboard check (disabled ones too), each with where it comes from. */
  async listings(): Promise<CheckListing[]> {
    const { checks } = this.deps.db.stores;
    const [records, dashboard] = [await checks.listChecks({ includeInactive: true }), await checks.listDashboardChecks()];
    const definitions = new Map(dashboard.map((d) => [d.key, d]));
    return records
      .filter((r) => r.active || r.source === 'dashboard')
      .map((record) => ({
        record,
        intervalMs: this.deps.catalog.check(record.key)?.intervalMs ?? null,
        definition: definitions.get(record.key)?.definition ?? null,
        updatedBy: definitions.get(record.key)?.updatedBy ?? null,
      }));
  }

  /** One check as `listings` lists it. */
  async listing(key: string): Promise<CheckListing> {
    const found = (await this.listings()).find((c) => c.record.key === key);
    if (!found) throw new NotFoundError(`check ${key}`);
    return found;
  }

  /** One page of the check's raw probe results started in [from, to), newest first, `limit` at a time after `cursor`. */
  async results(key: string, from: Date, to: Date, limit: number, cursor: string | null): Promise<Page<StoredResult>> {
    const { checks } = this.deps.db.stores;
    if (!(await checks.getCheck(key))) throw new NotFoundError(`check ${key}`);
    return checks.pageResults(key, from, to, limit, cursor);
  }

  /**
   * The results of an incident's check from `RESULTS_MARGIN_MS` before detection to as long after
   * restoration (or resolution, or now); none for an incident without a check.
   */
  async resultsAround(
    incident: { check: string | null; detectedAt: Date; serviceRestoredAt: Date | null; resolvedAt: Date | null },
    now: Date,
  ): Promise<{ results: StoredResult[]; truncated: boolean }> {
    if (!incident.check) return { results: [], truncated: false };
    const end = incident.serviceRestoredAt ?? incident.resolvedAt ?? now;
    const from = new Date(incident.detectedAt.getTime() - RESULTS_MARGIN_MS);
    const to = new Date(end.getTime() + RESULTS_MARGIN_MS);
    const results = await this.deps.db.stores.checks.listResults(incident.check, from, to, RESULTS_AROUND_LIMIT);
    return { results, truncated: results.length >= RESULTS_AROUND_LIMIT };
  }
}
