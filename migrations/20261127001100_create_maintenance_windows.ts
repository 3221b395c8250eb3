import type { Knex } from 'knex';

// One-off (starts_at/ends_at) or weekly recurring (weekdays + local start time + duration)
// windows, for one check, one service, or everything when both are null.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('maintenance_windows', (t) => {
    t.increments('id').primary();
    t.string('title', 300).notNullable();
    t.integer('service_id').nullable().references('id').inTable('services');
    t.integer('check_id').nullable().references('id').inTable('checks');
    t.string('recurrence', 10).notNullable().defaultTo('none');
    t.bigInteger('starts_at').nullable();
    t.bigInteger('ends_at').nullable();
    t.string('weekdays', 20).nullable();
    t.string('local_start', 5).nullable();
    t.integer('duration_minutes').nullable();
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['starts_at', 'ends_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('maintenance_windows');
}
