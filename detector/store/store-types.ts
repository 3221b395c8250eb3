// What the rest of Sigap may ask of storage. Implementations live beside this file and are the
// only code that imports knex.
import type { CheckConfig, ServiceConfig } from '../../config.js';
import type { ProbeResult } from '../../probes/probe-types.js';
import type { ApiToken, ApiTokenListing, Session, TokenScope, User, UserAccount, UserRole } from '../accounts/account-types.js';
import type { LoginHistory, LoginHistoryWindow } from '../accounts/login-throttle.js';
import type { AuditEntry, AuditFilter, AuditPage } from '../audit/audit-types.js';
import type { CheckRecord, CheckStatePatch, DashboardCheck, Outage, OutageKind, ServiceRecord, StoredResult } from '../detection/check-types.js';
import type {
  Incident,
  IncidentClockState,
  IncidentFilter,
  IncidentPause,
  IncidentWrite,
  KnownError,
  KnownErrorFilter,
  NewIncident,
  NewKnownError,
  Page,
  Suggestion,
} from '../incidents/incident-types.js';
import type { IncidentEvent, NewIncidentEvent } from '../incidents/incident-events.js';
import type { Visibility } from '../incidents/incident-visibility.js';
import type { LocationState } from '../detection/location-quorum.js';
import type { NewOutboxRow, NotificationEvent, OutboxRow } from '../notify/notification-types.js';
import type { Impact } from '../incidents/priority.js';
import type { Priority } from '../incidents/priority.js';
import type { MaintenanceSchedule, MaintenanceWindow } from '../detection/maintenance.js';
import type { ChangedIncident, LatestResult, ReportIncident } from '../reporting/report-types.js';
import type { IntegrityCounts, LatestIntegrity, NewBaseline, StoredBaseline } from '../integrity/integrity-types.js';
import type { RollupBucket, RollupProgress, RollupSample } from '../reporting/rollups.js';

export interface CheckStore {
  /** Make services and checks match the config file: insert new, update changed, deactivate missing. */
  syncConfig(services: readonly ServiceConfig[], now: Date): Promise<void>;
  listServices(): Promise<ServiceRecord[]>;
  /** The service with this key, inserted if missing and reactivated if inactive (name and impact of an existing one are kept). */
  ensureService(service: { key: string; name: string; impact: Impact }, now: Date): Promise<ServiceRecord>;
  /** Active checks; with `includeInactive`, disabled and retired ones too. */
  listChecks(options?: { includeInactive?: boolean }): Promise<CheckRecord[]>;
  /** Checks admins defined in the dashboard, enabled or not. */
  listDashboardChecks(): Promise<DashboardCheck[]>;
  /** Insert or replace a dashboard check (never one from the file). */
  saveDashboardCheck(check: CheckConfig, definition: unknown, active: boolean, actor: string, now: Date): Promise<void>;
  /** The check with its streaks; `forUpdate` locks the row until the transaction ends (PostgreSQL). */
  getCheck(key: string, options?: { forUpdate?: boolean }): Promise<CheckRecord | null>;
  /** The checks of `keys` that exist, in key order, locked for the rest of the transaction as `getCheck(key, { forUpdate: true })` locks one (on SQLite with one statement for them all). */
  getChecksForUpdate(keys: readonly string[]): Promise<CheckRecord[]>;
  /** The check's streaks after a batch of results (and its recent changes, when the patch has them). */
  updateCheckState(checkId: number, patch: CheckStatePatch): Promise<void>;
  /** The check's streak at every probe location that reported it (k-of-n confirmation), in instance order. */
  listLocationStates(checkId: number): Promise<LocationState[]>;
  /** Insert or replace these locations' streaks of the check. */
  saveLocationStates(checkId: number, states: readonly LocationState[]): Promise<void>;
  insertResults(rows: ReadonlyArray<{ checkId: number; result: ProbeResult; instance: string }>): Promise<void>;
  listResults(checkKey: string, from: Date, to: Date, limit: number): Promise<StoredResult[]>;
  /** Results started in [from, to), newest first, `limit` at a time; `cursor` is an earlier page's nextCursor (ValidationError on `cursor` when it is not one). */
  pageResults(checkKey: string, from: Date, to: Date, limit: number, cursor: string | null): Promise<Page<StoredResult>>;
}

export interface IncidentStore {
  /** The next `INC-YYYY-NNNNN` for the year; gap-free because it rolls back with the transaction. */
  nextRef(year: number): Promise<string>;
  insert(ref: string, incident: NewIncident, now: Date): Promise<Incident>;
  update(id: number, patch: IncidentWrite, now: Date): Promise<Incident>;
  /**
   * The incident with its clock state, locked until the transaction ends (PostgreSQL `FOR
   * UPDATE`; on SQLite a write first takes the database's write lock).
   */
  lockByRef(ref: string): Promise<(Incident & IncidentClockState) | null>;
  /** Open a pause of the resolution clock. */
  startPause(incidentId: number, startedAt: Date, reason: string): Promise<void>;
  /** A spell already over, e.g. the time spent resolved that a reopen ends. */
  recordPause(incidentId: number, pause: Pick<IncidentPause, 'startedAt' | 'endedAt' | 'reason' | 'kind'>): Promise<void>;
  /** Close the open pause, if any, and answer it. */
  endPause(incidentId: number, endedAt: Date): Promise<IncidentPause | null>;
  listPauses(incidentId: number): Promise<IncidentPause[]>;
  findOpenForCheck(checkId: number): Promise<Incident | null>;
  /** The open incident of an Alertmanager fingerprint; `forUpdate` locks it until the transaction ends (PostgreSQL). */
  findOpenByFingerprint(fingerprint: string, options?: { forUpdate?: boolean }): Promise<Incident | null>;
  /** The check's most recent incident that was not canceled, whatever its state. */
  findLatestForCheck(checkId: number): Promise<Incident | null>;
  /** The newest incident of an Alertmanager fingerprint that was not canceled, open or not. */
  findLatestByFingerprint(fingerprint: string): Promise<Incident | null>;
  findByRef(ref: string): Promise<Incident | null>;
  /** Incidents detected in [from, to), oldest first (exports: one indexed range read). */
  listDetectedBetween(from: Date, to: Date): Promise<Incident[]>;
  /**
   * Refs of open, unacknowledged incidents whose reminder interval (per priority) has passed
   * since the last reminder, or since the incident was detected.
   */
  listRemindersDue(now: Date, intervals: Partial<Record<Priority, number>>, limit: number): Promise<string[]>;
  /**
   * Refs of incidents whose stored warning or due time has passed with its flag unset, in the
   * states where that target's clock runs (oldest first, at most `limit`).
   */
  listSlaDue(now: Date, limit: number): Promise<string[]>;
  /** Refs of resolved incidents (never P1) resolved at or before `resolvedBefore`: auto-close candidates. */
  listAutoCloseDue(resolvedBefore: Date, limit: number): Promise<string[]>;
  /**
   * How often the check failed this way since `since` (incidents plus their reopenings, canceled
   * ones not counted), and whether a known error already records it.
   */
  recurrenceOf(check: string, failureKind: string, since: Date): Promise<{ recurrences: number; knownErrorExists: boolean }>;
  list(filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>>;
  appendEvent(incidentId: number, event: NewIncidentEvent): Promise<IncidentEvent>;
  listEvents(incidentId: number): Promise<IncidentEvent[]>;
  /** Known errors and past incidents like this one, only those recorded from or being incidents the reader may open. */
  suggestionsFor(incident: Incident, limit: number, visibility: Visibility): Promise<Suggestion[]>;
  /** The escalation level of each of these incidents that exists (to drop references a reader may not follow). */
  escalationLevels(refs: readonly string[]): Promise<Map<string, number>>;
  /** Confirmed-down milliseconds per check within [from, to), from incident detection to restoration. */
  downtimeByCheck(from: Date, to: Date): Promise<Map<number, number>>;
  /**
   * A short text that changes whenever an incident is opened or changed or an event is written
   * (with an incident id: also when one of its notifications is tried or sent); read off indexes,
   * for the live pages to ask every few seconds whatever process made the change.
   */
  changeStamp(incidentId: number | null): Promise<string>;
}

/** The fields of a user that may change; the password only as its hash. */
export interface UserPatch {
  displayName?: string;
  role?: UserRole;
  email?: string | null;
  language?: 'id' | 'en';
  active?: boolean;
  passwordHash?: string;
  mustChangePassword?: boolean;
}

export interface AccountStore {
  countUsers(): Promise<number>;
  createUser(
    user: { username: string; displayName: string; role: UserRole; passwordHash: string; email?: string | null; language?: 'id' | 'en'; mustChangePassword?: boolean },
    now: Date,
  ): Promise<User>;
  /** Every user, by user name, with the last log-in. */
  listUsers(): Promise<UserAccount[]>;
  /** Change the given fields; answers the user as it is now (null when the id is unknown). */
  updateUser(id: number, patch: UserPatch, now: Date): Promise<UserAccount | null>;
  /** End the user's sessions, all of them or all but one; answers how many ended. */
  deleteSessionsOf(userId: number, exceptIdHash?: string | null): Promise<number>;
  /** Active users of these roles that have an e-mail address (notification recipients). */
  listReachableUsers(roles: readonly UserRole[]): Promise<User[]>;
  findUserByUsername(username: string): Promise<(User & { passwordHash: string }) | null>;
  findUserById(id: number): Promise<User | null>;
  recordLogin(userId: number, now: Date): Promise<void>;
  createSession(session: Omit<Session, 'createdAt'> & { ip: string | null; userAgent: string | null }, now: Date): Promise<void>;
  findSession(idHash: string): Promise<Session | null>;
  touchSession(idHash: string, lastSeenAt: Date, expiresAt: Date): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  createToken(token: { name: string; tokenHash: string; userId: number; expiresAt?: Date | null; scope?: TokenScope }, now: Date): Promise<ApiToken>;
  /** A token not revoked (expired ones included: the caller says why it is refused). */
  findToken(tokenHash: string): Promise<ApiToken | null>;
  touchToken(id: number, now: Date): Promise<void>;
  /** Tokens not revoked, oldest first. */
  listTokens(): Promise<ApiTokenListing[]>;
  /** False when there is no such token, or it was revoked already. */
  revokeToken(id: number, now: Date): Promise<boolean>;
  getSetting(key: string): Promise<string | null>;
  /** Store `value` unless the key already has one; returns the value that is stored. */
  putSettingIfAbsent(key: string, value: string, now: Date): Promise<string>;
  /** One log-in attempt, by the user name as typed (known or not) and the client address. */
  recordLoginAttempt(attempt: { username: string; ip: string | null; succeeded: boolean }, now: Date): Promise<void>;
  /** Recent attempts for a name and an address (detector/accounts/login-throttle.ts). */
  loginHistory(username: string, ip: string | null, window: LoginHistoryWindow): Promise<LoginHistory>;
  /** Forget attempts older than `before`; answers how many. */
  pruneLoginAttempts(before: Date): Promise<number>;
}

export type RollupTable = 'hourly' | 'daily';
/** The time fields of rollup rows, summed (whole milliseconds). */
export type RollupSums = Pick<RollupBucket, 'probes' | 'observedMs' | 'downMs' | 'degradedMs' | 'maintenanceMs' | 'unknownMs'>;

/** Hourly and daily rollups of probe results, their progress, and retention pruning. */
export interface RollupStore {
  /** A check's results with `startedAt` in [from, to), oldest first, after the last one before `from`. */
  listSamples(checkId: number, from: Date, to: Date): Promise<RollupSample[]>;
  firstResultAt(checkId: number): Promise<Date | null>;
  /** The id of the check's newest result (0 if none). */
  lastResultId(checkId: number): Promise<number>;
  /** The earliest `startedAt` in [from, to) among the check's results with an id above `afterId`. */
  earliestResultAfterId(checkId: number, afterId: number, from: Date, to: Date): Promise<Date | null>;
  /** Insert or replace rows by (check, bucket start): recomputing a bucket is idempotent. */
  upsertHourly(checkId: number, rows: readonly RollupBucket[]): Promise<void>;
  upsertDaily(checkId: number, rows: readonly RollupBucket[]): Promise<void>;
  /** Rows with `bucketStart` in [from, to), oldest first. */
  listHourly(checkId: number, from: Date, to: Date): Promise<RollupBucket[]>;
  listDaily(checkId: number, from: Date, to: Date): Promise<RollupBucket[]>;
  /** The start of the check's oldest hourly row (null if none): before it, retention kept daily rows only. */
  firstHourlyAt(checkId: number): Promise<Date | null>;
  /** Null before the check's first rollup. */
  getProgress(checkId: number): Promise<RollupProgress | null>;
  /** Move each part of the progress forward; an older value (another process's late write) is ignored. */
  recordProgress(checkId: number, progress: RollupProgress, now: Date): Promise<void>;
  /** listSamples for many checks at once (one reading for all): each check's list, absent when empty. */
  listSamplesOf(checkIds: readonly number[], from: Date, to: Date): Promise<Map<number, RollupSample[]>>;
  /** Per check, the sums of its rows with `bucketStart` in [from, to) (absent when it has none), in one statement. */
  sumRollups(table: RollupTable, checkIds: readonly number[], from: Date, to: Date): Promise<Map<number, RollupSums>>;
  /** Per service and bucket, the sums of the given checks' rows with `bucketStart` in [from, to), in one statement. */
  sumRollupsByServiceBucket(table: RollupTable, checkIds: readonly number[], from: Date, to: Date): Promise<Array<{ serviceId: number; bucketStart: Date; sums: RollupSums }>>;
  /** Per check, its rows with `bucketStart` in any of its ranges, oldest first. */
  listRollupsIn(table: RollupTable, ranges: ReadonlyArray<{ checkId: number; from: Date; to: Date }>): Promise<Map<number, RollupBucket[]>>;
  /** firstHourlyAt for many checks, in one statement (absent: none). */
  firstHourlyAtOf(checkIds: readonly number[]): Promise<Map<number, Date>>;
  /** getProgress for many checks, in one statement (absent: none yet). */
  progressOf(checkIds: readonly number[]): Promise<Map<number, RollupProgress>>;
  /** Delete up to `limit` of the check's oldest results started before `before`; answers how many. */
  deleteResultsBefore(checkId: number, before: Date, limit: number): Promise<number>;
  /** Delete up to `limit` of the oldest hourly rows (of any check) starting before `before`; answers how many. */
  deleteHourlyBefore(before: Date, limit: number): Promise<number>;
}

/** The reads of the incident report. */
export interface ReportStore {
  /** Incidents detected in [from, to), whatever their state, oldest first. */
  incidentsDetectedBetween(from: Date, to: Date): Promise<ReportIncident[]>;
  /** Known errors recorded in [from, to). */
  countKnownErrorsCreated(from: Date, to: Date): Promise<number>;
}

export interface NewMaintenanceWindow {
  title: string;
  /** Null with a null checkId: the window covers every check. */
  serviceId: number | null;
  checkId: number | null;
  schedule: MaintenanceSchedule;
  createdBy: string;
}

/** Maintenance windows (DESIGN §4), with the keys of the service and check they cover. */
export interface MaintenanceStore {
  /** Every window, oldest first. */
  list(): Promise<MaintenanceWindow[]>;
  get(id: number): Promise<MaintenanceWindow | null>;
  insert(window: NewMaintenanceWindow, now: Date): Promise<MaintenanceWindow>;
  /** Answers whether a window was deleted. */
  delete(id: number): Promise<boolean>;
}

/** Known errors (DESIGN §4): what a failure looked like, why, and what worked; newest first. */
export interface KnownErrorStore {
  insert(knownError: NewKnownError, now: Date): Promise<KnownError>;
  get(id: number): Promise<KnownError | null>;
  /** Only those recorded from incidents the reader may open. */
  list(filter: KnownErrorFilter, limit: number, visibility: Visibility): Promise<KnownError[]>;
}

/** The notification outbox (DESIGN §3): rows written with their incident event, delivered at least once. */
export interface NotificationStore {
  /** Rows whose idempotency key exists already are skipped. */
  insert(rows: readonly NewOutboxRow[], now: Date): Promise<void>;
  /** Who got a notification of this event for the incident (a restored message follows every opened one). */
  recipientsOf(incidentId: number, event: NotificationEvent): Promise<Array<{ channelKey: string; recipient: string | null }>>;
  /** Pending rows due at `now` and not claimed by a live process, oldest due first. */
  listDue(now: Date, limit: number): Promise<OutboxRow[]>;
  /** Take a row for delivery until `lockedUntil`; false when another process has it. */
  claim(id: number, owner: string, now: Date, lockedUntil: Date): Promise<boolean>;
  markSent(id: number, owner: string, attempts: number, now: Date): Promise<void>;
  markFailed(id: number, owner: string, failure: { attempts: number; error: string; nextAttemptAt: Date; permanent: boolean }): Promise<void>;
  /** Due at once again (a person pressed "retry"); null when there is no such undelivered row. */
  retryNow(id: number, now: Date): Promise<OutboxRow | null>;
  get(id: number): Promise<OutboxRow | null>;
  listForIncident(incidentId: number): Promise<OutboxRow[]>;
  /** Rows that failed at least once and are not delivered yet, newest first. */
  listUndelivered(limit: number): Promise<OutboxRow[]>;
  /** Rows not delivered yet. */
  backlog(): Promise<number>;
}

/** What /metrics reads at every scrape: aggregates in one query each, and the incidents written since the last scrape. */
export interface MetricsStore {
  /** The newest result of every active check that has one. */
  latestResults(): Promise<LatestResult[]>;
  /** Every active integrity check with the finding counts of its newest result (none: no counts), in one query. */
  integrityFindings(): Promise<IntegrityCounts[]>;
  /** Keys of the active services. */
  serviceKeys(): Promise<string[]>;
  /** Incidents (canceled ones too) with an id above `afterId`, by id, at most `limit`: every incident, a page at a time. */
  incidentsAfter(afterId: number, limit: number): Promise<ChangedIncident[]>;
  /** Incidents (canceled ones too) whose row was written at or after `since` (its `updated_at`), by id. */
  incidentsChangedSince(since: Date): Promise<ChangedIncident[]>;
}

/** A probing process, at one probe location (its SIGAP_INSTANCE). */
export interface WorkerIdentity {
  owner: string;
  instance: string;
  pid: number;
}

export interface CheckLease {
  checkKey: string;
  owner: string;
  expiresAt: Date;
}

/** Worker heartbeats and check leases: which worker of a probe location probes which check. */
export interface LeaseStore {
  /** This worker is alive until `expiresAt`; workers whose heartbeat expired are forgotten. */
  heartbeat(worker: WorkerIdentity, now: Date, expiresAt: Date): Promise<void>;
  countLiveWorkers(instance: string, now: Date): Promise<number>;
  listLeases(instance: string): Promise<CheckLease[]>;
  /** Take or renew these leases, each only if it is free, expired or already the owner's. */
  claim(instance: string, owner: string, checkKeys: readonly string[], now: Date, expiresAt: Date): Promise<void>;
  /** Give up these leases of the owner (all of them without `checkKeys`). */
  release(instance: string, owner: string, checkKeys?: readonly string[]): Promise<void>;
  /** Release every lease of the worker and remove its heartbeat (a clean stop). */
  leave(worker: WorkerIdentity): Promise<void>;
}

/** One recipient's copy of a month's report e-mail (`report_mailings`). */
export interface ReportMailing {
  id: number;
  month: string;
  recipient: string;
  idempotencyKey: string;
  /** `pending` until delivered (`sent`); `failed` when the relay refused it for good. */
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  sentAt: Date | null;
}

/** The monthly report e-mail: one claim per month, and that month's deliveries (an outbox of its own). */
export interface ReportMailStore {
  /** Claim `month` for sending; true for the one caller that claimed it, false if it was claimed before. */
  claimMonth(month: string, owner: string, recipients: number, now: Date): Promise<boolean>;
  isClaimed(month: string): Promise<boolean>;
  /** Queue the month's copies (one per recipient); a copy queued before is left as it is. */
  queue(month: string, recipients: readonly string[], now: Date): Promise<void>;
  listDue(now: Date, limit: number): Promise<ReportMailing[]>;
  /** Take a due copy for delivery; true for exactly one of several processes. */
  claim(id: number, owner: string, now: Date, lockedUntil: Date): Promise<boolean>;
  markSent(id: number, owner: string, attempts: number, now: Date): Promise<void>;
  markFailed(id: number, owner: string, failure: { attempts: number; error: string; nextAttemptAt: Date; permanent: boolean }): Promise<void>;
  listForMonth(month: string): Promise<ReportMailing[]>;
}

/** Confirmed outages (check_outages), written by the detector in the transaction of the state change. */
export interface OutageStore {
  /** Start the check's outage of this kind (the previous one, if any, must be closed first). */
  open(checkId: number, kind: OutageKind, startedAt: Date): Promise<void>;
  /** End the check's ongoing outage, if any. */
  close(checkId: number, endedAt: Date): Promise<void>;
  /** The checks' outages overlapping [from, to) (ongoing ones included), by check then start. */
  list(checkIds: readonly number[], from: Date, to: Date): Promise<Outage[]>;
}

/** The audit trail (`audit_events`): append-only, so there is no update and no delete. */
export interface AuditStore {
  insert(entry: AuditEntry, at: Date): Promise<void>;
  /** Entries matching `filter`, newest first, after `cursor` (a `nextCursor` this store gave; anything else starts at the newest). */
  list(filter: AuditFilter, limit: number, cursor: string | null): Promise<AuditPage>;
}

/** Integrity checks: each one's baseline (`integrity_baselines`) and the integrity evidence kept with its results. */
export interface IntegrityStore {
  getBaseline(checkId: number): Promise<StoredBaseline | null>;
  /** Record the check's first baseline unless it has one; answers whether it was recorded (an existing baseline is never overwritten). */
  recordFirstBaseline(checkId: number, baseline: NewBaseline): Promise<boolean>;
  /** Insert or replace the check's baseline (a person accepted what the check sees now). */
  saveBaseline(checkId: number, baseline: NewBaseline): Promise<void>;
  /** The check's newest result with integrity evidence (`withSnapshot`: with a snapshot of the page), among its recent results; null if none. */
  latestIntegrity(checkId: number, options?: { withSnapshot?: boolean }): Promise<LatestIntegrity | null>;
}

export interface Stores {
  checks: CheckStore;
  notifications: NotificationStore;
  incidents: IncidentStore;
  accounts: AccountStore;
  rollups: RollupStore;
  maintenance: MaintenanceStore;
  knownErrors: KnownErrorStore;
  metrics: MetricsStore;
  reports: ReportStore;
  leases: LeaseStore;
  reportMails: ReportMailStore;
  outages: OutageStore;
  audit: AuditStore;
  integrity: IntegrityStore;
}

export interface OutboxWatchEvents {
  /** The PostgreSQL listening connection is open (first, or again after a drop). */
  listening?(): void;
  /** It dropped, or could not be opened: the next try is in `retryInMs`. */
  lost?(err: unknown, retryInMs: number): void;
}

export interface OutboxWatch {
  close(): Promise<void>;
}

export interface Database {
  readonly dialect: 'sqlite' | 'postgres';
  readonly stores: Stores;
  /** Run `work` in one transaction; every store it is handed writes inside it. */
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
  /**
   * Calls `wake` after every commit that wrote notification outbox rows (or made one due again),
   * never before the commit and never for a rollback: this handle's own commits at once; on
   * PostgreSQL also every other process's, through `LISTEN` on a connection of its own that is
   * opened again after a drop, with growing waits (`events` says when). A wake may be lost or
   * doubled: the reader still polls. Ends with `close()`.
   */
  watchOutbox(wake: () => void, events?: OutboxWatchEvents): OutboxWatch;
  /** Run the migrations not run yet; answers their names. */
  migrate(): Promise<string[]>;
  /** Throws unless the database answers and every migration has run. */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}
