// The performance goals as rows of the closing summary: each suite states its own figures against
// its goal, and `summary.ts` prints them all in one table.

export interface GoalRow {
  /** The suite that measured it: `probes`, `web`, `detection`, `scale`, `storage`. */
  suite: string;
  /** What was measured, e.g. "CPU per probe ÷ blackbox_exporter's, 1,000 checks". */
  figure: string;
  /** `SQLite`, `PostgreSQL`, or `—` when no database is involved. */
  database: string;
  /** The measured figure, with its unit. */
  value: string;
  /** The goal as people read it, e.g. "≤ 0.7×", "p95 ≤ 50 ms". */
  goal: string;
  /** True when met, false when not, null for a figure reported without a goal. */
  met: boolean | null;
}

export function verdict(met: boolean | null): string {
  if (met === null) return '—';
  return met ? 'MET' : 'NOT MET';
}
