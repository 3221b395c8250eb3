import type { Request } from 'express';

/** The `:id` of a path; anything that is not one is, like an unknown id, no such record (0). */
export function idOf(req: Request): number {
  const id = Number(req.params.id);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}
