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
    from: string,
    to: string,
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
