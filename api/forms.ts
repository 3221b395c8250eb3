// The one way a page answers a form it refuses. The form's action runs; when it throws a domain
// error the person can correct on the page (a field to fix, a state that changed since the page
// was drawn, a password typed wrong, a log-in to retry later), the page answers with that error at the status the error
// handler gives its code. Anything else (not found, not allowed, storage down, a bug) goes on to
// the error handler, like any other route's error.
import type { Response } from 'express';
import { SigapError, type ErrorCode } from '../detector/errors.js';
import { statusForCode } from './error-handler.js';
import { localizedError, pageLanguage, translatorOf } from './error-text.js';

const CORRECTABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'validation_failed',
  'duplicate',
  'conflict',
  'invalid_transition',
  'not_verified',
  'unauthenticated',
  'too_many_requests',
]);

export interface FormSubmission {
  /** What the form does, its answer included (a 303 redirect, or a page). */
  action: () => Promise<void>;
  /** Answers the refusal, the status already set: the form again with the error beside what was typed, said in the page's language. */
  refused: (error: SigapError) => Promise<void> | void;
}

export async function submitForm(res: Response, { action, refused }: FormSubmission): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof SigapError) || !CORRECTABLE.has(err.code)) throw err;
    res.status(statusForCode(err.code));
    const translator = translatorOf(res.req);
    await refused(translator ? localizedError(err, pageLanguage(res.req), translator) : err);
  }
}
