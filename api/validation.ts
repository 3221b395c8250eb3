// Request validation with zod: a body that is not an object is malformed (400); values that do
// not fit are invalid (422); either way every problem names its field. No text may carry U+0000:
// no field has a use for it, and PostgreSQL cannot store it.
import type { z } from 'zod';
import { issueDetails, MalformedRequestError, ValidationError, type ErrorDetail } from '../detector/errors.js';

const details = (error: z.ZodError): ErrorDetail[] => issueDetails(error.issues);

interface Visit {
  value: unknown;
  key: string | null;
  parent: Visit | null;
}

/**
 * Every string (value or key) holding a NUL character, by its path. A loop with parent links, not
 * recursion or copied paths: a 256 kB body may nest a hundred thousand levels deep.
 */
function nulCharacters(input: unknown): ErrorDetail[] {
  const found: ErrorDetail[] = [];
  const nul = (at: Visit) => {
    const path: string[] = [];
    for (let v: Visit | null = at; v?.key != null; v = v.parent) path.push(v.key.replaceAll('\u0000', '\\0'));
    path.reverse();
    const shown = path.length > 20 ? [...path.slice(0, 20), '…'] : path;
    found.push({ path: shown.join('.') || '(body)', message: 'must not contain NUL characters' });
  };
  const pending: Visit[] = [{ value: input, key: null, parent: null }];
  while (pending.length > 0 && found.length < 20) {
    const visit = pending.pop()!;
    if (typeof visit.value === 'string' && visit.value.includes('\u0000')) nul(visit);
    if (visit.value === null || typeof visit.value !== 'object') continue;
    for (const [key, value] of Object.entries(visit.value)) {
      const child = { value, key, parent: visit };
      if (key.includes('\u0000')) nul(child);
      pending.push(child);
    }
  }
  return found;
}

function validated<S extends z.ZodType>(schema: S, input: unknown, message: string): z.output<S> {
  const result = schema.safeParse(input);
  const problems = [...(result.success ? [] : details(result.error)), ...nulCharacters(input)];
  if (!result.success || problems.length > 0) throw new ValidationError(message, problems);
  return result.data;
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedRequestError('the body must be a JSON object (send Content-Type: application/json)');
  }
  return validated(schema, body, 'the request has invalid values');
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  return validated(schema, query, 'the query has invalid values');
}
