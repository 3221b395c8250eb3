import type { Knex } from 'knex';

// Free-text search over incidents: `incident_search` holds one row per incident whose body is its
// ref, title, description and the note of each of its events, each on its own line, with the
// letters A–Z folded to a–z (nothing else is folded, the same on both databases). Triggers keep it
// in step with `incidents` and `incident_events`, whoever writes them.
// - SQLite: an FTS5 table (rowid = incident id) with the trigram tokenizer, case-sensitive because
//   the body is already folded; a quoted phrase of three or more characters matches a substring.
// - PostgreSQL: a table with a pg_trgm GIN index, which answers `body LIKE '%…%'`. pg_trgm is a
//   contrib extension (Debian's postgresql-15 ships it) and trusted: the database's owner may
//   create it; a role that may not gets an error saying what to run.
// The queries are in detector/store/incident-search.ts; keep the body's shape the same there.

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function isPostgres(knex: Knex): boolean {
  return knex.client.config.client === 'pg';
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) await upPostgres(knex);
  else await upSqlite(knex);
}

async function upSqlite(knex: Knex): Promise<void> {
  // SQLite's lower() folds A–Z only (no ICU), which is the folding wanted.
  const head = (r: string) => `lower(${r}.ref) || char(10) || lower(${r}.title) || char(10) || lower(${r}.description)`;
  const notes = (id: string) =>
    `coalesce((SELECT group_concat(char(10) || lower(note), '') FROM (SELECT note FROM incident_events WHERE incident_id = ${id} AND note IS NOT NULL ORDER BY id)), '')`;
  await knex.raw(`CREATE VIRTUAL TABLE incident_search USING fts5(body, tokenize = 'trigram case_sensitive 1')`);
  await knex.raw(`INSERT INTO incident_search (rowid, body) SELECT i.id, ${head('i')} || ${notes('i.id')} FROM incidents i`);
  await knex.raw(`CREATE TRIGGER incident_search_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incident_search (rowid, body) VALUES (new.id, ${head('new')} || ${notes('new.id')});
  END`);
  await knex.raw(`CREATE TRIGGER incident_search_update AFTER UPDATE OF ref, title, description ON incidents
    WHEN old.ref IS NOT new.ref OR old.title IS NOT new.title OR old.description IS NOT new.description BEGIN
    UPDATE incident_search SET body = ${head('new')} || ${notes('new.id')} WHERE rowid = new.id;
  END`);
  await knex.raw(`CREATE TRIGGER incident_search_delete AFTER DELETE ON incidents BEGIN
    DELETE FROM incident_search WHERE rowid = old.id;
  END`);
  await knex.raw(`CREATE TRIGGER incident_search_note AFTER INSERT ON incident_events WHEN new.note IS NOT NULL BEGIN
    UPDATE incident_search SET body = body || char(10) || lower(new.note) WHERE rowid = new.incident_id;
  END`);
  // Events are append-only; should one ever be changed or removed, its incident's body is rebuilt.
  for (const [name, event, row] of [
    ['incident_search_note_update', 'UPDATE OF note, incident_id ON incident_events', 'new'],
    ['incident_search_note_delete', 'DELETE ON incident_events', 'old'],
  ] as const) {
    await knex.raw(`CREATE TRIGGER ${name} AFTER ${event} BEGIN
      UPDATE incident_search SET body = (SELECT ${head('i')} || ${notes('i.id')} FROM incidents i WHERE i.id = ${row}.incident_id) WHERE rowid = ${row}.incident_id;
    END`);
  }
}

async function upPostgres(knex: Knex): Promise<void> {
  try {
    await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  } catch (err) {
    throw new Error(
      `Free-text search needs PostgreSQL's pg_trgm extension, which this role could not create (${(err as Error).message}). ` +
        `As the database's owner or a superuser, run CREATE EXTENSION pg_trgm; in this database (Debian: part of the postgresql-15 package), then start Sigap again.`,
      { cause: err },
    );
  }
  const fold = (x: string) => `translate(${x}, '${UPPER}', '${LOWER}')`;
  const head = (r: string) => `${fold(`${r}.ref`)} || E'\\n' || ${fold(`${r}.title`)} || E'\\n' || ${fold(`${r}.description`)}`;
  const notes = (id: string) => `coalesce((SELECT string_agg(E'\\n' || ${fold('note')}, '' ORDER BY id) FROM incident_events WHERE incident_id = ${id} AND note IS NOT NULL), '')`;
  await knex.raw('CREATE TABLE incident_search (incident_id integer PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE, body text NOT NULL)');
  await knex.raw(`INSERT INTO incident_search (incident_id, body) SELECT i.id, ${head('i')} || ${notes('i.id')} FROM incidents i`);
  await knex.raw('CREATE INDEX incident_search_body ON incident_search USING gin (body gin_trgm_ops)');
  await knex.raw(`CREATE FUNCTION incident_search_incident() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO incident_search (incident_id, body) VALUES (new.id, ${head('new')} || ${notes('new.id')})
        ON CONFLICT (incident_id) DO UPDATE SET body = excluded.body;
      RETURN NULL;
    END $$`);
  await knex.raw('CREATE TRIGGER incident_search_insert AFTER INSERT ON incidents FOR EACH ROW EXECUTE FUNCTION incident_search_incident()');
  await knex.raw(
    'CREATE TRIGGER incident_search_update AFTER UPDATE OF ref, title, description ON incidents FOR EACH ROW ' +
      'WHEN ((old.ref, old.title, old.description) IS DISTINCT FROM (new.ref, new.title, new.description)) EXECUTE FUNCTION incident_search_incident()',
  );
  await knex.raw(`CREATE FUNCTION incident_search_note() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF new.note IS NOT NULL THEN
          UPDATE incident_search SET body = body || E'\\n' || ${fold('new.note')} WHERE incident_id = new.incident_id;
        END IF;
        RETURN NULL;
      END IF;
      -- Events are append-only; should one ever be changed or removed, its incident's body is rebuilt.
      UPDATE incident_search s SET body = (SELECT ${head('i')} || ${notes('i.id')} FROM incidents i WHERE i.id = s.incident_id)
        WHERE s.incident_id = old.incident_id OR (TG_OP = 'UPDATE' AND s.incident_id = new.incident_id);
      RETURN NULL;
    END $$`);
  await knex.raw(
    'CREATE TRIGGER incident_search_note AFTER INSERT OR DELETE OR UPDATE OF note, incident_id ON incident_events FOR EACH ROW EXECUTE FUNCTION incident_search_note()',
  );
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('DROP TRIGGER incident_search_note ON incident_events');
    await knex.raw('DROP TRIGGER incident_search_update ON incidents');
    await knex.raw('DROP TRIGGER incident_search_insert ON incidents');
    await knex.raw('DROP FUNCTION incident_search_note()');
    await knex.raw('DROP FUNCTION incident_search_incident()');
    await knex.raw('DROP TABLE incident_search');
    return;
  }
  for (const name of [
    'incident_search_note_delete',
    'incident_search_note_update',
    'incident_search_note',
    'incident_search_delete',
    'incident_search_update',
    'incident_search_insert',
  ]) {
    await knex.raw(`DROP TRIGGER ${name}`);
  }
  await knex.raw('DROP TABLE incident_search');
}
