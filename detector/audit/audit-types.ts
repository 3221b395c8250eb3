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

/** Where a change came from, beside who made it: a web request's client address, or the command line (`via: 'cli'`, no address). */
export interface AuditOrigin {
  ip: string | null;
  via?: 'cli';
}

/** An entry as the trail keeps it. */
export interface AuditEvent {
  id: number;
  at: Date;
  action: string;
  actor: AuditActor;
  ip: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

/** The audit page's filters; every one optional. An `action` without a dot, or ending in one, is a prefix: `login` and `login.` match every `login.*`. */
export interface AuditFilter {
  from?: Date;
  /** Exclusive. */
  to?: Date;
  action?: string;
  actor?: string;
  target?: string;
}

/** One page of the trail, newest first; `nextCursor` continues after its last entry. */
export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

/** Who asks for a change and from where, for a service method that is not otherwise told who calls it. */
export interface AuditBy extends AuditOrigin {
  /** Null: Sigap itself (the bootstrap admin). */
  actor: { id: number; username: string } | null;
}
