// The account pages: /users (admins: users, API tokens, a new token shown once) and /me.
import { USER_ROLES, type ApiTokenListing, type User, type UserAccount } from '../../detector/accounts/account-types.js';
import type { SigapError } from '../../detector/errors.js';
import type { Formatters } from './formatters.js';

/** The add-user form's fields as typed (never the password). */
export interface NewUserFields {
  username: string;
  displayName: string;
  role: string;
  email: string;
  language: string;
}

export interface UsersPageState {
  error?: SigapError;
  /** Which form the error belongs to, so the page can say so. */
  errorFor?: string;
  addForm?: NewUserFields;
  newToken?: { name: string; user: string; token: string };
}

const EMPTY_USER: NewUserFields = { username: '', displayName: '', role: 'service_desk', email: '', language: 'id' };

function userRow(u: UserAccount, self: User, fmt: Formatters) {
  return {
    ...u,
    self: u.id === self.id,
    lastLogin: u.lastLoginAt ? fmt.dateTime(u.lastLoginAt) : null,
    roles: USER_ROLES.map((role) => ({ role, selected: role === u.role })),
  };
}

function tokenRow(t: ApiTokenListing, fmt: Formatters, now: Date) {
  return {
    id: t.id,
    name: t.name,
    user: t.username,
    scope: t.scope,
    createdAt: fmt.dateTime(t.createdAt),
    expiresAt: t.expiresAt ? fmt.dateTime(t.expiresAt) : null,
    expired: t.expiresAt !== null && t.expiresAt <= now,
    lastUsedAt: t.lastUsedAt ? fmt.dateTime(t.lastUsedAt) : null,
  };
}

/** `self`: the admin looking, whose own row says so and who owns a new token by default. */
export function usersView(users: UserAccount[], tokens: ApiTokenListing[], self: User, state: UsersPageState, fmt: Formatters, now: Date) {
  const addForm = state.addForm ?? EMPTY_USER;
  return {
    users: users.map((u) => userRow(u, self, fmt)),
    tokens: tokens.map((t) => tokenRow(t, fmt, now)),
    usernames: users.filter((u) => u.active).map((u) => ({ username: u.username, selected: u.id === self.id })),
    addForm: { ...addForm, roles: USER_ROLES.map((role) => ({ role, selected: role === addForm.role })) },
    error: state.error ?? null,
    errorFor: state.errorFor ?? null,
    newToken: state.newToken ?? null,
  };
}

/** `saved`: which form was just saved (`?saved=`), to say so. `mustChange`: only the password form, and why. */
export function meView(me: User, saved: unknown, state: { error?: SigapError; errorFor?: string }) {
  return {
    me,
    mustChange: me.mustChangePassword === true,
    saved: saved === 'profile' || saved === 'password' ? saved : null,
    error: state.error ?? null,
    errorFor: state.errorFor ?? null,
  };
}
