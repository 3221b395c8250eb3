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
}

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
}

export interface ApiToken {
  id: number;
  name: string;
  userId: number;
  createdAt: Date;
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
