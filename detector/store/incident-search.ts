// Free-text search of incidents: `q` matches when it is a substring of the incident's ref, title,
// description or the note of any of its events, with the letters A–Z matched case-insensitively and
// every other character exactly (LIKE's `%`, `_` and `\` are plain characters here). Both
// databases keep `incident_search` (migration 20261207000100) in step by triggers: per incident one
// body, its fields and notes A–Z-folded, one per line. From three characters the index finds the
// candidates (SQLite: an FTS5 trigram phrase; PostgreSQL: `LIKE` on a pg_trgm index); when there are
// more than CANDIDATES, the queue is walked in its order keeping the incidents whose body contains `q`
// (a common word fills a page within a few rows). A `q` shorter than a trigram finds its candidates
// by reading every body, without the index. A `q` with a line break is tested field by field.
import type { Knex } from 'knex';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

/** Folds A–Z to a–z and nothing else: what SQLite's lower() does and what the index stores. */
export function foldSearchText(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** True when the trigram index can answer `q`: at least three characters and no line break. */
export function indexableSearch(q: string): boolean {
  return [...q].length >= 3 && !/[\n]/.test(q);
}

// At most this many candidates from the index are sorted into the queue's order; a query matching
// more (a common word) walks the queue in order instead and keeps the incidents whose body contains
// it, which finds a page after a few rows when that many match.
const CANDIDATES = 1000;

/** Restricts `query` (incidents aliased `i`) to those `q` matches. */
export async function whereSearchMatches(db: Knex, query: Knex.QueryBuilder, dialect: 'sqlite' | 'postgres', q: string): Promise<void> {
  const folded = foldSearchText(q);
  const like = `%${folded.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  if (!q.includes('\n')) {
    // The candidates: from the trigram index, or for a shorter `q` by reading the bodies in turn.
    const sqlite = dialect === 'sqlite';
    const [sql, bindings] = indexableSearch(q)
      ? sqlite
        ? ['select rowid as id from incident_search where incident_search match ? limit ?', [`"${folded.replace(/"/g, '""')}"`]]
        : [`select incident_id as id from incident_search where body like ? escape '\\' limit ?`, [like]]
      : sqlite
        ? ['select rowid as id from incident_search where instr(body, ?) > 0 limit ?', [folded]]
        : ['select incident_id as id from incident_search where strpos(body, ?) > 0 limit ?', [folded]];
    const answer = (await db.raw(sql, [...bindings, CANDIDATES + 1])) as Array<{ id: number }> | { rows: Array<{ id: number }> };
    const candidates = Array.isArray(answer) ? answer : answer.rows;
    if (candidates.length <= CANDIDATES) {
      const ids = candidates.map((c) => Number(c.id));
      // PostgreSQL: one array parameter, planned once, rather than up to a thousand.
      if (sqlite) query.whereIn('i.id', ids);
      else query.whereRaw('i.id = any(?)', [ids]);
      return;
    }
    // Too common to sort every match: the queue in order, keeping the incidents whose body (the
    // index's own text, one field per line) contains `q`; a page fills within a few rows.
    query.whereRaw(
      sqlite ? 'instr((select s.body from incident_search s where s.rowid = i.id), ?) > 0' : 'strpos((select s.body from incident_search s where s.incident_id = i.id), ?) > 0',
      [folded],
    );
    return;
  }
  // A line break: the body's lines could join two fields, so each field and note on its own.
  // SQLite's lower() folds A–Z only; PostgreSQL's follows the locale, so translate() instead.
  const fold = (col: string) => (dialect === 'sqlite' ? `lower(${col})` : `translate(${col}, '${UPPER}', '${LOWER}')`);
  query.where((w) => {
    w.whereRaw(`${fold('i.ref')} like ? escape '\\'`, [like])
      .orWhereRaw(`${fold('i.title')} like ? escape '\\'`, [like])
      .orWhereRaw(`${fold('i.description')} like ? escape '\\'`, [like])
      .orWhereRaw(`exists (select 1 from incident_events e where e.incident_id = i.id and e.note is not null and ${fold('e.note')} like ? escape '\\')`, [like]);
  });
}
