import type { Knex } from 'knex';

// Services and checks mirror sigap.yaml (synced at start) and carry each check's live state, so
// failure/success streaks survive a restart. Timestamps everywhere are epoch milliseconds (bigint).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('services', (t) => {
    t.increments('id').primary();
    t.string('key', 64).notNullable().unique();
    t.string('name', 200).notNullable();
    t.string('impact', 10).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('checks', (t) => {
    t.increments('id').primary();
    t.string('key', 64).notNullable().unique();
    t.integer('service_id').notNullable().references('id').inTable('services');
    t.string('type', 10).notNullable();
    t.text('target').notNullable();
    t.text('config_json').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    // live state
    t.string('state', 10).notNullable().defaultTo('unknown');
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.integer('consecutive_successes').notNullable().defaultTo(0);
    t.bigInteger('streak_started_at').nullable();
    t.bigInteger('last_result_at').nullable();
    t.bigInteger('last_state_change_at').nullable();
    t.text('recent_changes_json').notNullable().defaultTo('[]');
    // several workers share checks through leases (SIGAP_ROLE=worker)
    t.string('lease_owner', 200).nullable();
    t.bigInteger('lease_expires_at').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['service_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('checks');
  await knex.schema.dropTable('services');
}
