// Users, sessions and API tokens. Passwords are hashed with scrypt (password-hash.ts); session ids
// and tokens are random and only their SHA-256 is stored, so a leaked database opens no door.
// Log-ins pass the LoginGate: slowed, then locked, per user name and per address, in the database.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ApiToken, ApiTokenListing, TokenScope, User, UserAccount, UserRole } from './account-types.js';
import { TOKEN_SCOPES, USER_ROLES } from './account-types.js';
import { ConflictError, DuplicateError, issueDetails, NotFoundError, UnauthenticatedError, ValidationError } from '../errors.js';
import type { AccountStore } from '../store/store-types.js';
import type { AuditBy, AuditEntry, AuditOrigin, AuditRecorder } from '../audit/audit-types.js';
import { LoginGate, type LoginClient } from './login-gate.js';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password-hash.js';

const SESSION_IDLE_MS = 12 * 3_600_000;
/** A session ends this long after its log-in, however active it is. */
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;
/** Write last-seen at most this often, not on every request. */
const SESSION_TOUCH_MS = 60_000;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** A password for a new user or a reset, shown once to whoever asked for it. */
export const generatePassword = () => randomToken(18);

const usernameRule = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'must be 2-64 lower-case letters, digits, . _ or -');
const displayNameRule = z.string().trim().min(1, 'must not be empty').max(200);
const passwordRule = z.string().min(8, 'must be at least 8 characters').max(1024, 'must be at most 1024 characters');
const emailRule = z
  .string()
  .trim()
  .max(200)
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address')
  .nullable();
const roleRule = z.enum(USER_ROLES as [UserRole, ...UserRole[]], { error: `must be one of ${USER_ROLES.join(', ')}` });
const languageRule = z.enum(['id', 'en'], { error: 'must be id or en' });

/** The rules for users, shared by the API, the pages and the command line. */
export const newUserInput = z
  .object({ username: usernameRule, displayName: displayNameRule, role: roleRule, password: passwordRule, email: emailRule.optional(), language: languageRule.optional() })
  .strict();
export const userPatchInput = z.object({ displayName: displayNameRule, role: roleRule, email: emailRule, language: languageRule, active: z.boolean() }).partial().strict();
export const profilePatchInput = z.object({ displayName: displayNameRule, email: emailRule, language: languageRule }).partial().strict();
export const passwordInput = z.object({ password: passwordRule }).strict();
export const passwordChangeInput = z.object({ currentPassword: z.string().min(1, 'must not be empty').max(1024), newPassword: passwordRule }).strict();

export type NewUserInput = z.input<typeof newUserInput>;
export type UserPatchInput = z.input<typeof userPatchInput>;
export type ProfilePatchInput = z.input<typeof profilePatchInput>;

function checked<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(`${what} is not valid`, issueDetails(result.error.issues));
}

export const tokenOptionsInput = z
  .object({
    expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date and time, e.g. 2027-01-31T17:00:00+07:00' }).nullable(),
    scope: z.enum(TOKEN_SCOPES as [TokenScope, ...TokenScope[]], { error: 'must be read or write' }),
  })
  .partial();
export type TokenOptions = z.input<typeof tokenOptionsInput>;

export interface SessionContext {
  user: User;
  csrfToken: string;
  sessionIdHash: string;
}

export interface AccountOptions {
  /** pino: log-ins, failures and lockouts (user name, address, outcome; never a password). */
  logger?: Logger;
  /** scrypt cost of new hashes; DEFAULT_SCRYPT (N = 2^17) unless a test asks for a cheaper one. */
  scrypt?: ScryptParams;
}

export class AccountService {
  private readonly scrypt: ScryptParams;
  private readonly gate: LoginGate;
  /** A throwaway hash at the current cost: a log-in for an unknown user is as slow as for a known one. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly accounts: AccountStore,
    private readonly clock: () => Date,
    private readonly audit?: AuditRecorder,
    options: AccountOptions = {},
  ) {
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.gate = new LoginGate(accounts, clock, audit, options.logger);
  }

  private hash(password: string): Promise<string> {
    return hashPassword(password, this.scrypt);
  }

  /** The audit entry of a change already made; no recorder (tests, tools), no entry. */
  private async audited(by: AuditBy | undefined, entry: Omit<AuditEntry, 'actor' | 'ip'>): Promise<void> {
    if (!this.audit) return;
    const actor = by?.actor ? { userId: by.actor.id, username: by.actor.username } : { userId: null, username: null };
    const detail = by?.via ? { ...entry.detail, via: by.via } : entry.detail;
    await this.audit.record({ ...entry, actor, ip: by?.ip ?? null, detail });
  }

  /** On first start with no users, create `admin`. Answers the generated password, if one was made. */
  async bootstrapAdmin(password: string | null): Promise<{ created: boolean; generatedPassword: string | null }> {
    if ((await this.accounts.countUsers()) > 0) return { created: false, generatedPassword: null };
    const generated = password ? null : randomToken(18);
    try {
      // A generated password was printed to a console: the admin must replace it at the first log-in.
      const flags = { mustChangePassword: generated !== null };
      await this.createUser({ username: 'admin', displayName: 'Administrator', role: 'admin', password: password ?? generated! }, { actor: null, ip: null }, flags);
    } catch (err) {
      // Another process starting on the same new database created it a moment earlier.
      if (err instanceof DuplicateError) return { created: false, generatedPassword: null };
      throw err;
    }
    return { created: true, generatedPassword: generated };
  }

  async createUser(input: NewUserInput, by?: AuditBy, flags: { mustChangePassword?: boolean } = {}): Promise<User> {
    const { password, ...user } = checked(newUserInput, input, 'the user');
    const created = await this.accounts.createUser({ ...user, passwordHash: await this.hash(password), mustChangePassword: flags.mustChangePassword ?? false }, this.clock());
    await this.audited(by, { action: 'user.created', target: created.username, detail: { role: created.role } });
    return created;
  }

  listUsers(): Promise<UserAccount[]> {
    return this.accounts.listUsers();
  }

  /** The user with this name, or null. */
  async userNamed(username: string): Promise<User | null> {
    const found = await this.accounts.findUserByUsername(username);
    if (!found) return null;
    const { passwordHash: _omit, ...user } = found;
    return user;
  }

  async findUser(username: string): Promise<User> {
    const user = await this.userNamed(username);
    if (!user) throw new NotFoundError(`user "${username}"`);
    return user;
  }

  /** An admin changes a user. Nobody deactivates or demotes themselves: another admin must. */
  async updateUser(actor: User, username: string, input: UserPatchInput, origin?: AuditOrigin): Promise<UserAccount> {
    const patch = checked(userPatchInput, input, 'the change');
    const target = await this.findUser(username);
    if (target.id === actor.id && (patch.active === false || (patch.role !== undefined && patch.role !== 'admin'))) {
      const path = patch.active === false ? 'active' : 'role';
      throw new ConflictError('you cannot deactivate or demote yourself; another admin can', [{ path, message: 'not for your own account' }]);
    }
    const updated = await this.accounts.updateUser(target.id, patch, this.clock());
    if (!updated) throw new NotFoundError(`user "${username}"`);
    if (patch.active === false) await this.accounts.deleteSessionsOf(target.id);
    const changes = Object.fromEntries(
      Object.entries(patch).flatMap(([field, to]) => (target[field as keyof User] === to ? [] : [[field, { from: target[field as keyof User], to }]])),
    );
    await this.audited({ actor, ip: null, ...origin }, { action: 'user.updated', target: username, detail: { changes } });
    return updated;
  }

  /**
   * An admin (or the command line) sets a new password; every session of the user ends, and the
   * user must choose their own at the next log-in: nobody but them should know it.
   */
  async setPassword(username: string, password: string, by?: AuditBy): Promise<User> {
    const { password: valid } = checked(passwordInput, { password }, 'the password');
    const target = await this.findUser(username);
    await this.accounts.updateUser(target.id, { passwordHash: await this.hash(valid), mustChangePassword: true }, this.clock());
    await this.accounts.deleteSessionsOf(target.id);
    await this.audited(by, { action: 'user.password_set', target: target.username });
    return target;
  }

  /** A user changes their own language, name or e-mail address (never their role). */
  async updateProfile(user: User, input: ProfilePatchInput): Promise<User> {
    const patch = checked(profilePatchInput, input, 'the change');
    const updated = await this.accounts.updateUser(user.id, patch, this.clock());
    if (!updated) throw new NotFoundError(`user "${user.username}"`);
    return updated;
  }

  /** A user changes their own password; their other sessions end, the one asking stays. */
  async changePassword(user: User, currentSessionIdHash: string | null, currentPassword: string, newPassword: string, origin?: AuditOrigin): Promise<void> {
    const input = checked(passwordChangeInput, { currentPassword, newPassword }, 'the password change');
    const found = await this.accounts.findUserByUsername(user.username);
    if (!found || !(await verifyPassword(input.currentPassword, found.passwordHash))) {
      throw new ValidationError('the password change is not valid', [{ path: 'currentPassword', message: 'is not your current password' }]);
    }
    if (input.newPassword === input.currentPassword) {
      throw new ValidationError('the password change is not valid', [{ path: 'newPassword', message: 'must differ from your current password' }]);
    }
    await this.accounts.updateUser(found.id, { passwordHash: await this.hash(input.newPassword), mustChangePassword: false }, this.clock());
    await this.accounts.deleteSessionsOf(found.id, currentSessionIdHash);
    await this.audited({ actor: user, ip: null, ...origin }, { action: 'user.password_changed', target: user.username });
  }

  /**
   * Check the password and open a new session (a new id every time; `client.endSession`, the
   * session the browser presented, ends). Refused with too_many_requests while the user name or
   * the address is slowed or locked (login-throttle.ts). Answers the cookie value, shown once.
   */
  async logIn(username: string, password: string, client: LoginClient & { endSession?: string | null }): Promise<{ sessionToken: string; context: SessionContext }> {
    const verdict = await this.gate.judge(username, client);
    if (verdict.kind === 'refuse') throw await this.gate.refused(username, client, verdict);
    const found = await this.accounts.findUserByUsername(username);
    const userId = found?.id ?? null;
    this.dummyHash ??= this.hash(randomToken());
    const ok = found ? await verifyPassword(password, found.passwordHash) : (await verifyPassword(password, await this.dummyHash), false);
    if (!found || !ok || !found.active) {
      await this.gate.failed(username, userId, client);
      if (verdict.kind === 'check-strictly') throw await this.gate.refused(username, client, verdict, true);
      throw new UnauthenticatedError('wrong user name or password');
    }
    if (needsRehash(found.passwordHash, this.scrypt)) {
      await this.accounts.updateUser(found.id, { passwordHash: await this.hash(password) }, this.clock());
    }
    await this.gate.succeeded(username, found.id, client);
    if (client.endSession) await this.accounts.deleteSession(client.endSession);
    const now = this.clock();
    const sessionToken = randomToken();
    const session = { idHash: sha256(sessionToken), userId: found.id, csrfToken: randomToken(24), lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_IDLE_MS) };
    await this.accounts.createSession({ ...session, ip: client.ip, userAgent: client.userAgent }, now);
    await this.accounts.recordLogin(found.id, now);
    const { passwordHash: _omit, ...user } = found;
    return { sessionToken, context: { user, csrfToken: session.csrfToken, sessionIdHash: session.idHash } };
  }

  /** The session behind a cookie value, sliding its expiry; null when unknown or expired. */
  async resolveSession(sessionToken: string): Promise<SessionContext | null> {
    const idHash = sha256(sessionToken);
    const session = await this.accounts.findSession(idHash);
    const now = this.clock();
    if (!session) return null;
    // Idle too long, or logged in too long ago, whatever the activity since.
    if (session.expiresAt <= now || session.createdAt.getTime() + SESSION_MAX_MS <= now.getTime()) {
      await this.accounts.deleteSession(idHash);
      return null;
    }
    const user = await this.accounts.findUserById(session.userId);
    if (!user || !user.active) return null;
    if (now.getTime() - session.lastSeenAt.getTime() > SESSION_TOUCH_MS) {
      const idle = now.getTime() + SESSION_IDLE_MS;
      await this.accounts.touchSession(idHash, now, new Date(Math.min(idle, session.createdAt.getTime() + SESSION_MAX_MS)));
    }
    return { user, csrfToken: session.csrfToken, sessionIdHash: idHash };
  }

  async logOut(sessionIdHash: string): Promise<void> {
    await this.accounts.deleteSession(sessionIdHash);
  }

  /**
   * A new API token acting as `owner`; the secret is answered once and stored only as a hash.
   * `expiresAt` (optional) must lie ahead; `scope` read allows GET and HEAD only (default write).
   */
  async createToken(owner: User, name: string, options: TokenOptions = {}, by?: AuditBy): Promise<{ token: string; record: ApiToken }> {
    const { expiresAt, scope } = checked(tokenOptionsInput, options, 'the token');
    const now = this.clock();
    const expiry = expiresAt ? new Date(expiresAt) : null;
    if (expiry && expiry <= now) throw new ValidationError('the token is not valid', [{ path: 'expiresAt', message: 'must lie in the future' }]);
    const token = `sigap_${randomToken()}`;
    const record = await this.accounts.createToken({ name, tokenHash: sha256(token), userId: owner.id, expiresAt: expiry, scope: scope ?? 'write' }, now);
    await this.audited(by, {
      action: 'token.created',
      target: `token ${record.id}`,
      detail: { name: record.name, user: owner.username, scope: record.scope, expiresAt: record.expiresAt?.toISOString() ?? null },
    });
    return { token, record };
  }

  listTokens(): Promise<ApiTokenListing[]> {
    return this.accounts.listTokens();
  }

  async revokeToken(id: number, by?: AuditBy): Promise<void> {
    const listed = by && this.audit ? (await this.accounts.listTokens()).find((t) => t.id === id) : undefined;
    if (!(await this.accounts.revokeToken(id, this.clock()))) throw new NotFoundError(`token ${id}`);
    await this.audited(by, { action: 'token.revoked', target: `token ${id}`, detail: listed ? { name: listed.name, user: listed.username } : {} });
  }

  /** The user a token acts as, and its scope; null when unknown or revoked. An expired token is refused by name. */
  async resolveToken(token: string): Promise<{ user: User; scope: TokenScope } | null> {
    const record = await this.accounts.findToken(sha256(token));
    if (!record) return null;
    const now = this.clock();
    if (record.expiresAt && record.expiresAt <= now) {
      throw new UnauthenticatedError(`the API token "${record.name}" expired at ${record.expiresAt.toISOString()}; an admin can make a new one`);
    }
    const user = await this.accounts.findUserById(record.userId);
    if (!user || !user.active) return null;
    await this.accounts.touchToken(record.id, now);
    return { user, scope: record.scope };
  }

  /** SESSION_SECRET if given, else one generated on first start and kept in the database. */
  async sessionSecret(configured: string | null): Promise<string> {
    return configured ?? this.accounts.putSettingIfAbsent('session_secret', randomToken(32), this.clock());
  }
}
