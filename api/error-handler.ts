// The one place where domain error codes become HTTP statuses and error bodies (DESIGN §6).
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { SigapError, TooManyRequestsError, type ErrorCode } from '../detector/errors.js';
import { apiLanguage, localizeError, pageLanguage, translatorOf } from './error-text.js';
import type { Language, Translator } from './i18n.js';

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
function describe(err: unknown): { status: number; error: SigapError } {
  if (err instanceof SigapError) return { status: STATUS_BY_CODE[err.code], error: err };
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return { status: 400, error: new SigapError('malformed_request', 'the body is not valid JSON') };
  if (e?.type === 'entity.too.large') return { status: 413, error: new SigapError('payload_too_large', 'the body is too large') };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, error: new SigapError('malformed_request', e.message ?? 'bad request') };
  }
  return { status: 500, error: new SigapError('internal_error', 'an internal error occurred; it has been logged') };
}

/**
 * The §6 body. English by default, as written (scripts rely on it); in the caller's language when
 * asked (`apiLanguage`: `?lang=id` or `Accept-Language: id`) — the code and paths stay as they are.
 */
function bodyOf(error: SigapError, lang: Language, translator: Translator | null): ErrorBody {
  if (lang === 'en' || !translator) return { error: { code: error.code, message: error.message, details: error.details.map(({ path, message }) => ({ path, message })) } };
  const shown = localizeError(error, lang, translator);
  return { error: { code: shown.code, message: shown.message, details: shown.details.map(({ path, message }) => ({ path, message })) } };
}

/** JSON for /api and machine routes, an error page for browsers (in the page's language, every field in words). */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, error } = describe(err);
    if (status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    if (res.headersSent) return;
    if (err instanceof TooManyRequestsError) res.set('Retry-After', String(err.retryAfterSeconds));
    const wantsHtml = !req.path.startsWith('/api') && req.accepts(['json', 'html']) === 'html';
    const translator = translatorOf(req);
    if (wantsHtml) {
      const lang = pageLanguage(req);
      const shown = translator ? localizeError(error, lang, translator) : { message: error.message, details: error.details };
      res.status(status).render('error', {
        title: `${status}`,
        status,
        lang,
        user: req.auth?.user ?? null,
        csrfToken: req.auth?.session?.csrfToken ?? null,
        message: shown.message,
        details: shown.details,
      });
      return;
    }
    res.status(status).json(bodyOf(error, apiLanguage(req), translator));
  };
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new SigapError('not_found', `no route ${req.method} ${req.path}`));
}
