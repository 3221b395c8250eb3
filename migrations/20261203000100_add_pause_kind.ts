import type { Knex } from 'knex';

// A pause of the resolution clock is either a spell `pending` (a person paused it) or a spell
// `resolved` that a reopen ended: both are time the resolution target does not count. Stored as
// intervals so a reprioritize can measure them again on the new priority's clock. Every row
// before this migration was a pending spell, which is what the default backfills.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incident_pauses', (t) => {
    t.string('kind', 16).notNullable().defaultTo('pending');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incident_pauses', (t) => {
    t.dropColumn('kind');
  });
}
