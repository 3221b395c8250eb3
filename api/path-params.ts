import type { Request } from 'express';

/**
 * The `:id` of a path: decimal digits only (`+4`, `4e0`, `0x4` and ` 4` name no record, though
 * `Number` would read them as 4). Anything else is, like an unknown id, no such record (0).
 */
export function idOf(req: Request): number {
  const raw = String(req.params.id);
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : 0;
  return Number.isSafeInteger(id) ? id : 0;
}
