import type { Knex } from 'knex';

// Reminders while an incident is unacknowledged (DESIGN §3 `notifications.reminders`): when the
// last one went out and how many, stored so a restart neither repeats nor forgets one.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.bigInteger('reminded_at').nullable();
    t.integer('reminder_count').notNullable().defaultTo(0);
  });
  await knex.raw('CREATE INDEX notification_outbox_incident_event ON notification_outbox (incident_id, event)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX notification_outbox_incident_event');
  await knex.schema.alterTable('incidents', (t) => {
    t.dropColumn('reminded_at');
    t.dropColumn('reminder_count');
  });
}
