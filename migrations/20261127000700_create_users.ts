import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('username', 64).notNullable().unique();
    t.string('display_name', 200).notNullable();
    t.string('role', 20).notNullable();
    t.text('password_hash').notNullable();
    t.string('language', 5).notNullable().defaultTo('id');
    t.string('email', 200).nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('last_login_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
