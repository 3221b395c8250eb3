import type { Knex } from 'knex';

// The audit trail: one row per change a person, the command line or Sigap itself made (users,
// tokens, checks, maintenance windows, notification retries, known errors, the configuration) and
// per log-in. Append-only: nothing updates or deletes a row, housekeeping included. `at` is epoch
// milliseconds; `detail_json` holds field names and non-secret values. The indexes serve the
// audit page's filters, newest first: by time, by action, by who acted.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('at').notNullable();
    t.string('action', 64).notNullable();
    t.integer('actor_user_id').nullable();
    t.string('actor_username', 64).nullable();
    t.string('ip', 64).nullable();
    t.string('target', 300).nullable();
    t.text('detail_json').notNullable();
    t.index(['at', 'id'], 'audit_events_at');
    t.index(['action', 'at'], 'audit_events_action');
    t.index(['actor_username', 'at'], 'audit_events_actor');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
