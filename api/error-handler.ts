// The one place where domain error codes become HTTP statuses and error bodies (DESIGN §6).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { SigapError, TooManyRequestsError, type ErrorCode } from '../detector/errors.js';

// Every code has its status: a code added to ErrorCode without one does not compile.
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  malformed_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  conflict: 409,
  not_verified: 409,
  duplicate: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  too_many_requests: 429,
  password_change_required: 403,
  internal_error: 500,
  storage_unavailable: 503,
};

/** The HTTP status of a domain error code (pages that re-render a form with the error use it). */
export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Array<{ path: string; message: string }> };
}

/** Body-parser and other middleware errors carry `type`/`status`; domain errors carry `code`. */
function describe(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof SigapError) {
    return { status: STATUS_BY_CODE[err.code], body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') {
    return { status: 400, body: { error: { code: 'malformed_request', message: 'the body is not valid JSON', details: [] } } };
  }
  if (e?.type === 'entity.too.large') {
    return { status: 413, body: { error: { code: 'payload_too_large', message: 'the body is too large', details: [] } } };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, body: { error: { code: 'malformed_request', message: e.message ?? 'bad request', details: [] } } };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'an internal error occurred; it has been logged', details: [] } } };
}

/** JSON for /api and machine routes, an error page for browsers. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body } = describe(err);
    if (status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
    const wantsHtml = !req.path.startsWith('/api') && req.accepts(['json', 'html']) === 'html';
    if (wantsHtml) {
      res.status(status).render('error', { title: `${status}`, status, message: body.error.message, details: body.error.details });
      return;
    }
    res.status(status).json(body);
  };
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new SigapError('not_found', `no route ${req.method} ${req.path}`));
}
