import type { Knex } from 'knex';

// Known errors: "if it happened before, the solution comes from the documentation".
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('known_errors', (t) => {
    t.increments('id').primary();
    t.string('title', 300).notNullable();
    t.integer('service_id').nullable().references('id').inTable('services');
    t.integer('check_id').nullable().references('id').inTable('checks');
    t.string('failure_kind', 20).nullable();
    t.string('category', 40).notNullable();
    t.string('subcategory', 40).notNullable();
    t.text('symptoms').notNullable().defaultTo('');
    t.text('workaround').notNullable().defaultTo('');
    t.text('resolution').notNullable().defaultTo('');
    t.integer('source_incident_id').nullable().references('id').inTable('incidents');
    t.string('created_by', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['check_id', 'failure_kind']);
    t.index(['category', 'subcategory']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('known_errors');
}
