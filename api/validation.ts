// Request validation with zod: a body that is not an object is malformed (400); values that do
// not fit are invalid (422); either way every problem names its field.
import type { z } from 'zod';
import { MalformedRequestError, ValidationError, type ErrorDetail } from '../detector/errors.js';

function details(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: path ? `${path}.${k}` : k, message: 'unknown field' }));
    return [{ path: path || '(body)', message: issue.message }];
  });
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedRequestError('the body must be a JSON object (send Content-Type: application/json)');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new ValidationError('the request has invalid values', details(result.error));
  return result.data;
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw new ValidationError('the query has invalid values', details(result.error));
  return result.data;
}
