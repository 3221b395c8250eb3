import type { Knex } from 'knex';

// A known error records why the failure happened, not only what it looked like and what fixed it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('known_errors', (t) => {
    t.text('cause').notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('known_errors', (t) => {
    t.dropColumn('cause');
  });
}
