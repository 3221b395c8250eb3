import type { Knex } from 'knex';

// How far each check's hourly rollups are complete: `rolled_up_to` is the first hour not yet
// final (housekeeping recomputes from there and prunes only raw results before it), and
// `last_result_id` the newest result seen, so results written late into final hours are found.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rollup_progress', (t) => {
    t.integer('check_id').primary().references('id').inTable('checks');
    t.bigInteger('rolled_up_to').notNullable();
    t.bigInteger('last_result_id').notNullable().defaultTo(0);
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rollup_progress');
}
