import type { Knex } from 'knex';
import type { ApiToken, ApiTokenListing, Session, TokenScope, User, UserAccount, UserRole } from '../accounts/account-types.js';
import type { LoginHistory, LoginHistoryWindow } from '../accounts/login-throttle.js';
import { toBool, toDate } from './row-mapping.js';
import type { AccountStore, UserPatch } from './store-types.js';

type Row = Record<string, unknown>;

function toUser(r: Row): User {
  return {
    id: r.id as number,
    username: r.username as string,
    displayName: r.display_name as string,
    role: r.role as UserRole,
    language: r.language === 'en' ? 'en' : 'id',
    active: toBool(r.active),
    email: (r.email as string | null) ?? null,
    mustChangePassword: toBool(r.must_change_password),
  };
}

function toToken(r: Row): ApiToken {
  return {
    id: r.id as number,
    name: r.name as string,
    userId: r.user_id as number,
    createdAt: toDate(r.created_at as number)!,
    expiresAt: toDate(r.expires_at as number | null),
    scope: r.scope === 'read' ? 'read' : 'write',
  };
}

function toUserAccount(r: Row): UserAccount {
  return { ...toUser(r), lastLoginAt: toDate(r.last_login_at as number | null) };
}

export class KnexAccountStore implements AccountStore {
  constructor(private readonly db: Knex) {}

  async countUsers(): Promise<number> {
    const row = (await this.db('users').count({ n: '*' }).first()) as { n: number | string };
    return Number(row.n);
  }

  async createUser(
    u: { username: string; displayName: string; role: UserRole; passwordHash: string; email?: string | null; language?: 'id' | 'en'; mustChangePassword?: boolean },
    now: Date,
  ): Promise<User> {
    const [row] = (await this.db('users')
      .insert({
        email: u.email ?? null,
        language: u.language ?? 'id',
        username: u.username,
        display_name: u.displayName,
        role: u.role,
        password_hash: u.passwordHash,
        must_change_password: u.mustChangePassword ?? false,
        created_at: now.getTime(),
        updated_at: now.getTime(),
      })
      .returning('id')) as Array<{ id: number }>;
    return toUser((await this.db('users').where({ id: row!.id }).first()) as Row);
  }

  async findUserByUsername(username: string): Promise<(User & { passwordHash: string }) | null> {
    const row = (await this.db('users').where({ username }).first()) as Row | undefined;
    return row ? { ...toUser(row), passwordHash: row.password_hash as string } : null;
  }

  async listReachableUsers(roles: readonly UserRole[]): Promise<User[]> {
    if (roles.length === 0) return [];
    const rows = (await this.db('users').whereIn('role', roles).where('active', true).whereNotNull('email').orderBy('id')) as Row[];
    return rows.map(toUser);
  }

  async listUsers(): Promise<UserAccount[]> {
    return ((await this.db('users').orderBy('username')) as Row[]).map(toUserAccount);
  }

  async updateUser(id: number, patch: UserPatch, now: Date): Promise<UserAccount | null> {
    const columns: Row = { updated_at: now.getTime() };
    if (patch.displayName !== undefined) columns.display_name = patch.displayName;
    if (patch.role !== undefined) columns.role = patch.role;
    if (patch.email !== undefined) columns.email = patch.email;
    if (patch.language !== undefined) columns.language = patch.language;
    if (patch.active !== undefined) columns.active = patch.active;
    if (patch.passwordHash !== undefined) columns.password_hash = patch.passwordHash;
    if (patch.mustChangePassword !== undefined) columns.must_change_password = patch.mustChangePassword;
    await this.db('users').where({ id }).update(columns);
    const row = (await this.db('users').where({ id }).first()) as Row | undefined;
    return row ? toUserAccount(row) : null;
  }

  async deleteSessionsOf(userId: number, exceptIdHash: string | null = null): Promise<number> {
    const query = this.db('sessions').where({ user_id: userId });
    if (exceptIdHash) query.whereNot({ id_hash: exceptIdHash });
    return query.delete();
  }

  async findUserById(id: number): Promise<User | null> {
    const row = (await this.db('users').where({ id }).first()) as Row | undefined;
    return row ? toUser(row) : null;
  }

  async recordLogin(userId: number, now: Date): Promise<void> {
    await this.db('users').where({ id: userId }).update({ last_login_at: now.getTime() });
  }

  async createSession(s: Omit<Session, 'createdAt'> & { ip: string | null; userAgent: string | null }, now: Date): Promise<void> {
    await this.db('sessions').insert({
      id_hash: s.idHash,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      created_at: now.getTime(),
      last_seen_at: s.lastSeenAt.getTime(),
      expires_at: s.expiresAt.getTime(),
      ip: s.ip,
      user_agent: s.userAgent?.slice(0, 300) ?? null,
    });
  }

  async findSession(idHash: string): Promise<Session | null> {
    const row = (await this.db('sessions').where({ id_hash: idHash }).first()) as Row | undefined;
    if (!row) return null;
    return {
      idHash,
      userId: row.user_id as number,
      csrfToken: row.csrf_token as string,
      createdAt: toDate(row.created_at as number)!,
      expiresAt: toDate(row.expires_at as number)!,
      lastSeenAt: toDate(row.last_seen_at as number)!,
    };
  }

  async touchSession(idHash: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
    await this.db('sessions').where({ id_hash: idHash }).update({ last_seen_at: lastSeenAt.getTime(), expires_at: expiresAt.getTime() });
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db('sessions').where({ id_hash: idHash }).delete();
  }

  async createToken(t: { name: string; tokenHash: string; userId: number; expiresAt?: Date | null; scope?: TokenScope }, now: Date): Promise<ApiToken> {
    const [row] = (await this.db('api_tokens')
      .insert({ name: t.name, token_hash: t.tokenHash, user_id: t.userId, created_at: now.getTime(), expires_at: t.expiresAt?.getTime() ?? null, scope: t.scope ?? 'write' })
      .returning('id')) as Array<{ id: number }>;
    return { id: row!.id, name: t.name, userId: t.userId, createdAt: now, expiresAt: t.expiresAt ?? null, scope: t.scope ?? 'write' };
  }

  async findToken(tokenHash: string): Promise<ApiToken | null> {
    const row = (await this.db('api_tokens').where({ token_hash: tokenHash }).whereNull('revoked_at').first()) as Row | undefined;
    return row ? toToken(row) : null;
  }

  async touchToken(id: number, now: Date): Promise<void> {
    await this.db('api_tokens').where({ id }).update({ last_used_at: now.getTime() });
  }

  async listTokens(): Promise<ApiTokenListing[]> {
    const rows = (await this.db('api_tokens as t')
      .join('users as u', 'u.id', 't.user_id')
      .whereNull('t.revoked_at')
      .select('t.id', 't.name', 't.user_id', 't.created_at', 't.last_used_at', 't.expires_at', 't.scope', 'u.username')
      .orderBy('t.id')) as Row[];
    return rows.map((r) => ({ ...toToken(r), username: r.username as string, lastUsedAt: toDate(r.last_used_at as number | null) }));
  }

  async revokeToken(id: number, now: Date): Promise<boolean> {
    return (await this.db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: now.getTime() })) > 0;
  }

  async getSetting(key: string): Promise<string | null> {
    const row = (await this.db('settings').where({ key }).first()) as Row | undefined;
    return row ? (row.value as string) : null;
  }

  async putSettingIfAbsent(key: string, value: string, now: Date): Promise<string> {
    await this.db('settings').insert({ key, value, updated_at: now.getTime() }).onConflict('key').ignore();
    return (await this.getSetting(key))!;
  }

  async recordLoginAttempt(attempt: { username: string; ip: string | null; succeeded: boolean }, now: Date): Promise<void> {
    await this.db('login_attempts').insert({ username: attempt.username.slice(0, 64), ip: attempt.ip?.slice(0, 64) ?? null, succeeded: attempt.succeeded, at: now.getTime() });
  }

  async loginHistory(username: string, ip: string | null, window: LoginHistoryWindow): Promise<LoginHistory> {
    const name = username.slice(0, 64);
    // By id, not time: a failure in the same millisecond as a success still comes after it.
    const lastSuccess = (await this.db('login_attempts').where({ username: name, succeeded: true }).max({ id: 'id' }).first()) as { id: number | string | null } | undefined;
    const failures = (await this.db('login_attempts')
      .where({ username: name, succeeded: false })
      .where('id', '>', Number(lastSuccess?.id ?? 0))
      .where('at', '>', window.accountSince.getTime())
      .orderBy('id', 'desc')
      .limit(window.accountFailures)
      .select('at')) as Array<{ at: number | string }>;
    const addressNames = ip
      ? ((await this.db('login_attempts')
          .where({ ip, succeeded: false })
          .where('at', '>', window.addressSince.getTime())
          .groupBy('username')
          .select('username')
          .max({ last: 'at' })
          .orderBy('last', 'desc')
          .limit(window.addressNames)) as Array<{ username: string; last: number | string }>)
      : [];
    const trusted = ip ? await this.db('login_attempts').where({ username: name, ip, succeeded: true }).where('at', '>', window.trustedSince.getTime()).first('id') : undefined;
    return {
      accountFailures: failures.map((r) => new Date(Number(r.at))),
      addressNames: addressNames.map((r) => ({ username: r.username, lastAt: new Date(Number(r.last)) })),
      trustedAddress: trusted !== undefined,
    };
  }

  async pruneLoginAttempts(before: Date): Promise<number> {
    return this.db('login_attempts').where('at', '<', before.getTime()).delete();
  }
}
