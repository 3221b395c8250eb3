import type { Knex } from 'knex';

// Hourly and daily summaries of probe results, kept for years after raw results are pruned.
function rollupColumns(t: Knex.CreateTableBuilder): void {
  t.integer('check_id').notNullable().references('id').inTable('checks');
  t.bigInteger('bucket_start').notNullable();
  t.integer('probes').notNullable().defaultTo(0);
  t.integer('ok').notNullable().defaultTo(0);
  t.integer('degraded').notNullable().defaultTo(0);
  t.integer('down').notNullable().defaultTo(0);
  t.integer('unknown').notNullable().defaultTo(0);
  t.bigInteger('down_ms').notNullable().defaultTo(0);
  t.bigInteger('degraded_ms').notNullable().defaultTo(0);
  t.bigInteger('unknown_ms').notNullable().defaultTo(0);
  t.bigInteger('maintenance_ms').notNullable().defaultTo(0);
  t.bigInteger('observed_ms').notNullable().defaultTo(0);
  t.bigInteger('latency_sum_ms').notNullable().defaultTo(0);
  t.integer('latency_p95_ms').nullable();
  t.primary(['check_id', 'bucket_start']);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('check_rollups_hourly', rollupColumns);
  await knex.schema.createTable('check_rollups_daily', rollupColumns);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('check_rollups_daily');
  await knex.schema.dropTable('check_rollups_hourly');
}
