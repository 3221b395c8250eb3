// Users and API tokens as the JSON API answers them: never a password hash, a token only once.
import type { ApiToken, ApiTokenListing, User } from '../../detector/accounts/account-types.js';

/** The caller as log-in answers it. */
export function userJson(u: User) {
  return { username: u.username, displayName: u.displayName, role: u.role, language: u.language };
}

/** A user account as admins and the user themself see it. */
export function accountJson(u: User & { lastLoginAt?: Date | null }) {
  return {
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    language: u.language,
    email: u.email,
    active: u.active,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    // True until the user sets their own password; meanwhile other calls answer 403 password_change_required.
    mustChangePassword: u.mustChangePassword === true,
  };
}

export function tokenJson(t: ApiTokenListing) {
  return {
    id: t.id,
    name: t.name,
    user: t.username,
    scope: t.scope,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  };
}

/** A token just made: its secret, shown this once. */
export function newTokenJson(record: ApiToken, token: string) {
  return { name: record.name, token, scope: record.scope, createdAt: record.createdAt.toISOString(), expiresAt: record.expiresAt?.toISOString() ?? null };
}
