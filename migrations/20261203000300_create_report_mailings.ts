import type { Knex } from 'knex';

// The monthly report by e-mail. `report_months` is the claim: one row per month, written by the
// one process that sends that month's report (a unique key, so two workers and a restart agree).
// `report_mailings` is that month's outbox, one row per recipient, delivered with retries like
// `notification_outbox` (whose rows belong to an incident, which a report does not).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('report_months', (t) => {
    t.string('month', 7).primary();
    t.string('claimed_by', 200).notNullable();
    t.bigInteger('claimed_at').notNullable();
    t.integer('recipients').notNullable();
  });
  await knex.schema.createTable('report_mailings', (t) => {
    t.bigIncrements('id').primary();
    t.string('month', 7).notNullable().references('month').inTable('report_months');
    t.string('recipient', 300).notNullable();
    t.string('idempotency_key', 200).notNullable().unique();
    t.string('status', 10).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.bigInteger('next_attempt_at').notNullable();
    t.text('last_error').nullable();
    t.string('locked_by', 200).nullable();
    t.bigInteger('locked_until').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('sent_at').nullable();
    t.index(['status', 'next_attempt_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('report_mailings');
  await knex.schema.dropTable('report_months');
}
