// The cursor of a newest-first keyset page ordered by (time, id): the last row's key, opaque to the
// reader. The audit trail and a check's results use it; the incident queue has a longer key of
// its own (incident-queue.ts).

export interface TimeIdKey {
  at: number;
  id: number;
}

export const encodeTimeIdCursor = (key: TimeIdKey): string => Buffer.from(JSON.stringify([key.at, key.id])).toString('base64url');

/** The key a cursor carries, or undefined when it is not one `encodeTimeIdCursor` made. */
export function decodeTimeIdCursor(text: string): TimeIdKey | undefined {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(at) && Number.isSafeInteger(id)) return { at: at as number, id: id as number };
  } catch {
    // not ours
  }
  return undefined;
}
