// Free-text search of incidents: `q` matches when it is a substring of the incident's ref, title,
// description or the note of any of its events, with the letters A–Z matched case-insensitively and
// every other character exactly (LIKE's `%`, `_` and `\` are plain characters here). Both
// databases answer from `incident_search` (migration 20261207000100), kept in step by triggers:
// SQLite an FTS5 trigram phrase, PostgreSQL `LIKE` served by a pg_trgm index. A trigram needs three
// characters, so a shorter `q`, or one spanning lines (the body keeps each field on its own line),
// is answered by scanning the incidents and their notes instead: the same results, without the index.
import type { Knex } from 'knex';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** Folds A–Z to a–z and nothing else: what SQLite's lower() does and what the index stores. */
export function foldSearchText(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** True when the index can answer `q`: at least three characters and no line break. */
export function indexableSearch(q: string): boolean {
  return [...q].length >= 3 && !/[\n]/.test(q);
}

/** Restricts `query` (incidents aliased `i`) to those `q` matches. */
export function whereSearchMatches(query: Knex.QueryBuilder, dialect: 'sqlite' | 'postgres', q: string): void {
  const folded = foldSearchText(q);
  const like = `%${folded.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  if (indexableSearch(q)) {
    if (dialect === 'sqlite') query.whereRaw('i.id in (select rowid from incident_search where incident_search match ?)', [`"${folded.replace(/"/g, '""')}"`]);
    else query.whereRaw(`i.id in (select incident_id from incident_search where body like ? escape '\\')`, [like]);
    return;
  }
  // SQLite's lower() folds A–Z only; PostgreSQL's follows the locale, so translate() instead.
  const fold = (col: string) => (dialect === 'sqlite' ? `lower(${col})` : `translate(${col}, '${UPPER}', '${LOWER}')`);
  query.where((w) => {
    w.whereRaw(`${fold('i.ref')} like ? escape '\\'`, [like])
      .orWhereRaw(`${fold('i.title')} like ? escape '\\'`, [like])
      .orWhereRaw(`${fold('i.description')} like ? escape '\\'`, [like])
      .orWhereRaw(`exists (select 1 from incident_events e where e.incident_id = i.id and e.note is not null and ${fold('e.note')} like ? escape '\\')`, [like]);
  });
}
