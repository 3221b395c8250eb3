import type { Knex } from 'knex';

// A manual incident records how the report came in (`reported_via`: phone, whatsapp, …; null for
// probe and Alertmanager incidents), whether the reporter is to be told when it is fixed
// (`inform_reporter`, null: there is no reporter), and when a message to the reporter was
// delivered (`reporter_informed_at`, which ticks the closure checklist).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.string('reported_via', 20).nullable();
    t.boolean('inform_reporter').nullable();
    t.bigInteger('reporter_informed_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.dropColumn('reporter_informed_at');
    t.dropColumn('inform_reporter');
    t.dropColumn('reported_via');
  });
}
