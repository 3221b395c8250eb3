import type { Knex } from 'knex';

// Raw probe results, kept for `retention.raw`. Evidence (headers, body excerpt) is kept only
// for results that did not pass, so a healthy check costs a few dozen bytes a probe.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('check_results', (t) => {
    t.bigIncrements('id').primary();
    t.integer('check_id').notNullable().references('id').inTable('checks');
    t.bigInteger('started_at').notNullable();
    t.integer('duration_ms').notNullable();
    t.string('status', 10).notNullable();
    t.string('failure_kind', 20).nullable();
    t.integer('http_status').nullable();
    t.string('error_code', 64).nullable();
    t.text('timings_json').nullable();
    t.text('evidence_json').nullable();
    t.bigInteger('tls_expires_at').nullable();
    t.string('instance', 200).notNullable();
    t.index(['check_id', 'started_at']);
    t.index(['started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('check_results');
}
