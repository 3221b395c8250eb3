// Users, sessions and API tokens as the rest of Sigap sees them.

export type UserRole = 'service_desk' | 'support' | 'vendor' | 'manager' | 'admin';
export const USER_ROLES: readonly UserRole[] = ['service_desk', 'support', 'vendor', 'manager', 'admin'];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  language: 'id' | 'en';
  active: boolean;
  /** Where notifications to the user's role go (DESIGN §3 routes with `roles`); null: none. */
  email: string | null;
  /** Someone else chose the password (generated at bootstrap, reset by an admin): the user must set their own first. */
  mustChangePassword?: boolean;
}

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  /** The log-in: a session ends SESSION_MAX_MS after it, however active. */
  createdAt: Date;
  /** The idle expiry, moved on by activity. */
  expiresAt: Date;
  lastSeenAt: Date;
}

/** `read`: GET and HEAD only; `write`: everything its user may do. */
export type TokenScope = 'read' | 'write';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];

export interface ApiToken {
  id: number;
  name: string;
  userId: number;
  createdAt: Date;
  /** After it the token is refused; null: never expires. */
  expiresAt: Date | null;
  scope: TokenScope;
}

/** A user as an administrator sees it. */
export interface UserAccount extends User {
  lastLoginAt: Date | null;
}

/** An API token as an administrator sees it: whose it is and when it was last used, never its secret. */
export interface ApiTokenListing extends ApiToken {
  username: string;
  lastUsedAt: Date | null;
}
