import type { Knex } from 'knex';

// The queue's order (open first, then resolved, then finished; by priority, then resolution due
// time) as an index, so a page of the queue reads its rows in order instead of sorting every
// incident: the difference between milliseconds and a second at 100,000 incidents. The
// expression must stay exactly the one detector/store/incident-store.ts orders by (QUEUE_RANK_SQL).
const OPEN_STATUSES = ['new', 'assigned', 'escalated', 'pending'];
const RANK = `CASE WHEN status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')}) THEN 0 WHEN status = 'resolved' THEN 1 ELSE 2 END`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX incidents_queue_order ON incidents ((${RANK}), priority, resolve_due_at, id)`);
  // Suggestions: resolved past incidents of the same category, newest resolution first.
  await knex.raw('CREATE INDEX incidents_category_resolved ON incidents (category, subcategory, resolved_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX incidents_category_resolved');
  await knex.raw('DROP INDEX incidents_queue_order');
}
