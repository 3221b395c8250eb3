import type { Knex } from 'knex';

// One streak per check and probe location (SIGAP_INSTANCE), so that checks confirmed by k of n
// locations (`confirm: { locations: k }`) judge each location on its own results instead of one
// streak interleaving every location's. Times are epoch milliseconds, as everywhere.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('check_location_states', (t) => {
    t.integer('check_id').notNullable().references('id').inTable('checks');
    t.string('instance', 200).notNullable();
    t.string('state', 16).notNullable();
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.integer('consecutive_successes').notNullable().defaultTo(0);
    t.bigInteger('streak_started_at').nullable();
    // The last result that judged the service (an `unknown` from an offline probing host does not).
    t.bigInteger('last_result_at').notNullable();
    // The failing layer of the location's current failure streak; null while it passes.
    t.string('failure_kind', 32).nullable();
    t.primary(['check_id', 'instance']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('check_location_states');
}
