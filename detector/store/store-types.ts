// What the rest of Sigap may ask of storage. Implementations live beside this file and are the
// only code that imports knex.
import type { ServiceConfig } from '../../config.js';
import type { ProbeResult } from '../../probes/probe-types.js';
import type {
  ApiToken,
  CheckRecord,
  CheckStatePatch,
  Incident,
  IncidentEvent,
  IncidentFilter,
  IncidentPatch,
  NewIncident,
  NewIncidentEvent,
  Page,
  ServiceRecord,
  Session,
  StoredResult,
  Suggestion,
  User,
  UserRole,
} from '../domain-types.js';

export interface CheckStore {
  /** Make services and checks match the config file: insert new, update changed, deactivate missing. */
  syncConfig(services: readonly ServiceConfig[], now: Date): Promise<void>;
  listServices(): Promise<ServiceRecord[]>;
  listChecks(): Promise<CheckRecord[]>;
  /** The check with its streaks; `forUpdate` locks the row until the transaction ends (PostgreSQL). */
  getCheck(key: string, options?: { forUpdate?: boolean }): Promise<CheckRecord | null>;
  updateCheckState(checkId: number, patch: CheckStatePatch): Promise<void>;
  insertResults(rows: ReadonlyArray<{ checkId: number; result: ProbeResult; instance: string }>): Promise<void>;
  listResults(checkKey: string, from: Date, to: Date, limit: number): Promise<StoredResult[]>;
}

export interface IncidentStore {
  /** The next `INC-YYYY-NNNNN` for the year; gap-free because it rolls back with the transaction. */
  nextRef(year: number): Promise<string>;
  insert(ref: string, incident: NewIncident, now: Date): Promise<Incident>;
  update(id: number, patch: IncidentPatch, now: Date): Promise<Incident>;
  findOpenForCheck(checkId: number): Promise<Incident | null>;
  findByRef(ref: string): Promise<Incident | null>;
  list(filter: IncidentFilter, limit: number, cursor: string | null): Promise<Page<Incident>>;
  appendEvent(incidentId: number, event: NewIncidentEvent): Promise<IncidentEvent>;
  listEvents(incidentId: number): Promise<IncidentEvent[]>;
  suggestionsFor(incident: Incident, limit: number): Promise<Suggestion[]>;
  /** Confirmed-down milliseconds per check within [from, to), from incident detection to restoration. */
  downtimeByCheck(from: Date, to: Date): Promise<Map<number, number>>;
}

export interface AccountStore {
  countUsers(): Promise<number>;
  createUser(user: { username: string; displayName: string; role: UserRole; passwordHash: string }, now: Date): Promise<User>;
  findUserByUsername(username: string): Promise<(User & { passwordHash: string }) | null>;
  findUserById(id: number): Promise<User | null>;
  recordLogin(userId: number, now: Date): Promise<void>;
  createSession(session: Session & { ip: string | null; userAgent: string | null }, now: Date): Promise<void>;
  findSession(idHash: string): Promise<Session | null>;
  touchSession(idHash: string, lastSeenAt: Date, expiresAt: Date): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  createToken(token: { name: string; tokenHash: string; userId: number }, now: Date): Promise<ApiToken>;
  findToken(tokenHash: string): Promise<ApiToken | null>;
  touchToken(id: number, now: Date): Promise<void>;
  getSetting(key: string): Promise<string | null>;
  /** Store `value` unless the key already has one; returns the value that is stored. */
  putSettingIfAbsent(key: string, value: string, now: Date): Promise<string>;
}

export interface Stores {
  checks: CheckStore;
  incidents: IncidentStore;
  accounts: AccountStore;
}

export interface Database {
  readonly dialect: 'sqlite' | 'postgres';
  readonly stores: Stores;
  /** Run `work` in one transaction; every store it is handed writes inside it. */
  transaction<T>(work: (stores: Stores) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  /** Throws unless the database answers and every migration has run. */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}
