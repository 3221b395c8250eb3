// Helpers for the row ⇄ domain seam: timestamps are epoch milliseconds, JSON is text, and SQLite
// answers booleans as 0/1.

export function toDate(ms: number | string | null | undefined): Date | null {
  return ms === null || ms === undefined ? null : new Date(Number(ms));
}

export function toMs(date: Date | null | undefined): number | null {
  return date ? date.getTime() : null;
}

export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function parseJson<T>(text: string | null | undefined): T | null {
  if (text === null || text === undefined || text === '') return null;
  return JSON.parse(text) as T;
}
