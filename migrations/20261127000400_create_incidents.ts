import type { Knex } from 'knex';

const OPEN_STATUSES = ['new', 'assigned', 'escalated', 'pending'] as const;

// Every field of DESIGN §6's incident JSON has a column, so reports never parse the event log.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('incident_ref_counters', (t) => {
    t.integer('year').primary();
    t.integer('last_seq').notNullable();
  });
  await knex.schema.createTable('incidents', (t) => {
    t.increments('id').primary();
    t.string('ref', 20).notNullable().unique();
    t.string('title', 300).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.integer('service_id').notNullable().references('id').inTable('services');
    t.integer('check_id').nullable().references('id').inTable('checks');
    t.string('source', 20).notNullable();
    t.string('fingerprint', 200).nullable();
    t.string('category', 40).notNullable();
    t.string('subcategory', 40).notNullable();
    t.string('failure_kind', 20).nullable();
    t.string('impact', 10).notNullable();
    t.string('urgency', 10).notNullable();
    t.string('priority', 2).notNullable();
    t.string('status', 12).notNullable();
    t.string('status_before_pending', 12).nullable();
    t.integer('escalation_level').notNullable().defaultTo(0);
    t.string('assigned_group', 40).notNullable();
    t.string('assignee', 64).nullable();
    t.string('reporter_name', 200).nullable();
    t.string('reporter_contact', 200).nullable();
    t.boolean('flapping').notNullable().defaultTo(false);
    t.boolean('manager_notified').notNullable().defaultTo(false);
    t.bigInteger('detected_at').notNullable();
    t.bigInteger('acknowledged_at').nullable();
    t.bigInteger('response_due_at').notNullable();
    t.bigInteger('resolve_due_at').notNullable();
    t.bigInteger('paused_ms').notNullable().defaultTo(0);
    t.bigInteger('service_restored_at').nullable();
    t.bigInteger('resolved_at').nullable();
    t.bigInteger('closed_at').nullable();
    t.boolean('response_breached').notNullable().defaultTo(false);
    t.boolean('resolution_breached').notNullable().defaultTo(false);
    t.boolean('response_warned').notNullable().defaultTo(false);
    t.boolean('resolution_warned').notNullable().defaultTo(false);
    t.string('resolution_code', 20).nullable();
    t.text('resolution_notes').nullable();
    t.string('closure_code', 20).nullable();
    t.text('closure_notes').nullable();
    t.integer('reopen_count').notNullable().defaultTo(0);
    t.integer('related_incident_id').nullable().references('id').inTable('incidents');
    t.text('evidence_json').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('updated_at').notNullable();
    t.index(['status', 'priority', 'resolve_due_at']);
    t.index(['service_id']);
    t.index(['check_id', 'resolved_at']);
    t.index(['detected_at']);
  });
  // The database itself guarantees at most one open incident per check and per alert
  // fingerprint: a race between two processes ends in a constraint violation, never a duplicate.
  const open = OPEN_STATUSES.map((s) => `'${s}'`).join(', ');
  await knex.raw(`CREATE UNIQUE INDEX incidents_one_open_per_check ON incidents (check_id) WHERE status IN (${open}) AND check_id IS NOT NULL`);
  await knex.raw(`CREATE UNIQUE INDEX incidents_one_open_per_fingerprint ON incidents (fingerprint) WHERE status IN (${open}) AND fingerprint IS NOT NULL`);
  await knex.schema.createTable('incident_pauses', (t) => {
    t.increments('id').primary();
    t.integer('incident_id').notNullable().references('id').inTable('incidents');
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at').nullable();
    t.text('reason').notNullable();
    t.index(['incident_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('incident_pauses');
  await knex.schema.dropTable('incidents');
  await knex.schema.dropTable('incident_ref_counters');
}
