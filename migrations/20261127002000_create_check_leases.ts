import type { Knex } from 'knex';

// Several workers at one probe location (SIGAP_INSTANCE) share its checks through leases with an
// expiry: `workers` says who is alive there (each worker's heartbeat, expiring like its leases),
// `check_leases` which worker probes which check. Keyed by (check, instance) so that each probe
// location probes every check once, however many workers it runs. The older per-check
// `checks.lease_owner` columns are not used: one row per check cannot hold one lease per location,
// and renewing leases there would queue behind the detector's row locks on `checks`.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('workers', (t) => {
    t.string('owner', 200).primary();
    t.string('instance', 200).notNullable();
    t.integer('pid').notNullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('last_seen_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['instance', 'expires_at']);
  });
  await knex.schema.createTable('check_leases', (t) => {
    t.string('check_key', 64).notNullable();
    t.string('instance', 200).notNullable();
    t.string('owner', 200).notNullable();
    t.bigInteger('expires_at').notNullable();
    t.primary(['check_key', 'instance']);
    t.index(['instance', 'owner']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('check_leases');
  await knex.schema.dropTable('workers');
}
