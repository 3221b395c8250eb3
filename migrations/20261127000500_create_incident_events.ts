import type { Knex } from 'knex';

// The append-only history of every incident: who did what, when, from which state to which.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('incident_events', (t) => {
    t.bigIncrements('id').primary();
    t.integer('incident_id').notNullable().references('id').inTable('incidents');
    t.bigInteger('at').notNullable();
    t.string('actor', 64).notNullable();
    t.string('type', 30).notNullable();
    t.string('from_status', 12).nullable();
    t.string('to_status', 12).nullable();
    t.text('note').nullable();
    t.text('data_json').nullable();
    t.index(['incident_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('incident_events');
}
