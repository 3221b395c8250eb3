import type { Knex } from 'knex';

// Transactional outbox: a row is written with the incident event that causes it and delivered
// later, with retries, by whichever worker claims it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notification_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.integer('incident_id').notNullable().references('id').inTable('incidents');
    t.bigInteger('event_id').nullable().references('id').inTable('incident_events');
    t.string('event', 20).notNullable();
    t.string('channel_key', 64).notNullable();
    t.string('recipient', 300).nullable();
    t.string('idempotency_key', 200).notNullable().unique();
    t.text('payload_json').notNullable();
    t.string('status', 10).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.text('last_error').nullable();
    t.string('locked_by', 200).nullable();
    t.bigInteger('locked_until').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at').nullable();
    t.index(['status', 'next_attempt_at']);
    t.index(['incident_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notification_outbox');
}
