import type { Knex } from 'knex';

// SLA warnings (DESIGN §4: "a warning goes out at warnAt") are acted on from stored times, like
// breaches, so a restart forgets nothing. On a business clock the warning time is not a fixed
// fraction of wall-clock time, so it is computed with the due times and stored beside them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.bigInteger('response_warn_at').nullable();
    t.bigInteger('resolve_warn_at').nullable();
  });
  // Incidents logged before this migration: three quarters of the way (the default warnAt) on
  // the wall clock, close enough for the few rows an upgrade meets.
  await knex('incidents').update({
    response_warn_at: knex.raw('detected_at + (response_due_at - detected_at) * 3 / 4'),
    resolve_warn_at: knex.raw('detected_at + (resolve_due_at - detected_at) * 3 / 4'),
  });
  await knex.raw('CREATE INDEX incidents_status_response_due ON incidents (status, response_due_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX incidents_status_response_due');
  await knex.schema.alterTable('incidents', (t) => {
    t.dropColumn('response_warn_at');
    t.dropColumn('resolve_warn_at');
  });
}
