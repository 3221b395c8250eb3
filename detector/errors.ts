// Domain errors carry a stable code and no HTTP status; api/error-handler.ts maps codes to statuses.

/** Every code an error may carry, in an error or in an error body; a new one needs its HTTP status in api/error-handler.ts. */
export type ErrorCode =
  | 'malformed_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'invalid_transition'
  | 'conflict'
  | 'not_verified'
  | 'duplicate'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  | 'too_many_requests'
  | 'password_change_required'
  | 'internal_error'
  | 'storage_unavailable';

export interface ErrorDetail {
  path: string;
  message: string;
  /** What a validation rule found, for the pages and the API to say it in the reader's language (never sent as is). */
  issue?: IssueFacts;
}

/** The facts of a zod issue, plain values only: its code and the bounds, values or format it names. */
export interface IssueFacts {
  code: string;
  expected?: string;
  origin?: string;
  minimum?: number;
  maximum?: number;
  format?: string;
  values?: string[];
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  expected?: unknown;
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  format?: unknown;
  values?: unknown[];
}

/** Zod's issues as error details, each naming its field and keeping the facts of its rule. */
export function issueDetails(issues: readonly ZodIssueLike[]): ErrorDetail[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return (issue.keys ?? []).map((k) => ({ path: path ? `${path}.${k}` : k, message: 'unknown field', issue: { code: 'unrecognized_keys' } }));
    }
    const facts: IssueFacts = { code: issue.code };
    if (typeof issue.expected === 'string') facts.expected = issue.expected;
    if (typeof issue.origin === 'string') facts.origin = issue.origin;
    if (typeof issue.minimum === 'number' || typeof issue.minimum === 'bigint') facts.minimum = Number(issue.minimum);
    if (typeof issue.maximum === 'number' || typeof issue.maximum === 'bigint') facts.maximum = Number(issue.maximum);
    if (typeof issue.format === 'string') facts.format = issue.format;
    if (Array.isArray(issue.values)) facts.values = issue.values.map(String);
    return [{ path: path || '(body)', message: issue.message, issue: facts }];
  });
}

export class SigapError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is well-formed but its values are not acceptable. */
export class ValidationError extends SigapError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('validation_failed', message, details);
  }
}

/** The request itself cannot be read (not JSON, wrong shape of the envelope). */
export class MalformedRequestError extends SigapError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('malformed_request', message, details);
  }
}

export class NotFoundError extends SigapError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

export class UnauthenticatedError extends SigapError {
  constructor(message = 'log in or send an API token') {
    super('unauthenticated', message);
  }
}

export class ForbiddenError extends SigapError {
  constructor(message = 'your role does not allow this') {
    super('forbidden', message);
  }
}

/** The body is not of the one type the route reads; names the type to send. */
export class UnsupportedMediaTypeError extends SigapError {
  constructor(expected: string, example: string) {
    super('unsupported_media_type', `send ${example} with Content-Type: ${expected}`, [{ path: 'content-type', message: `must be ${expected}` }]);
  }
}

/** A lifecycle transition that the state table does not allow; names what is allowed. */
export class InvalidTransitionError extends SigapError {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly allowed: readonly string[],
  ) {
    super('invalid_transition', `an incident in state "${from}" cannot move to "${to}"; allowed: ${allowed.length ? allowed.join(', ') : 'none (terminal state)'}`, [
      { path: 'status', message: `allowed from ${from}: ${allowed.join(', ') || 'none'}` },
    ]);
  }
}

export class ConflictError extends SigapError {
  constructor(message: string, details: ErrorDetail[] = [], code: Extract<ErrorCode, 'conflict' | 'not_verified'> = 'conflict') {
    super(code, message, details);
  }
}

/** A unique constraint refused a write (translated from the driver's error by the store). */
export class DuplicateError extends SigapError {
  constructor(readonly constraint: string) {
    super('duplicate', `a record with the same ${constraint} already exists`);
  }
}

/** The database cannot be reached or refused the operation for a reason that is not the caller's. */
export class StorageUnavailableError extends SigapError {
  constructor(message: string) {
    super('storage_unavailable', message);
  }
}

/** Too many attempts: refused for `retryAfterSeconds` more (the API sends it as Retry-After). */
export class TooManyRequestsError extends SigapError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too_many_requests', message);
  }
}

/** The caller's password was chosen by someone else: they must set their own before anything else. */
export class PasswordChangeRequiredError extends SigapError {
  constructor() {
    super('password_change_required', 'set a new password first (POST /api/me/password, or the /me page): yours was chosen by someone else');
  }
}
