// The audit trail's vocabulary: who did what, when and from where. Entries are append-only; a
// service records one for every change a person (or the command line, or Sigap itself) makes to
// users, tokens, checks, maintenance windows, notifications, known errors and the configuration,
// and for every log-in, failed log-in and lockout.

/** Who acted. `userId`/`username` are null for an unknown user name (a failed log-in) and for Sigap itself. */
export interface AuditActor {
  userId: number | null;
  username: string | null;
}

export interface AuditEntry {
  /** Dotted and past tense: `login.succeeded`, `login.failed`, `login.locked`, `user.created`, `token.revoked`, … */
  action: string;
  actor: AuditActor;
  /** The client address the request came from; null from the command line or Sigap itself. */
  ip: string | null;
  /** What was acted on, as a person reads it: a user name, a check key, `maintenance 12`. */
  target?: string | null;
  /** What changed: field names and non-secret values. Never a password, token or header value. */
  detail?: Record<string, unknown>;
}

export interface AuditRecorder {
  record(entry: AuditEntry): Promise<void>;
}
