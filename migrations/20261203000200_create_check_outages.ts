import type { Knex } from 'knex';

// Confirmed outages: one row per span a check spent confirmed down (or confirmed degraded), from
// the first failed probe of the failure that was confirmed to the restoration the detector
// recorded (null while it lasts). Availability counts these, not probe-level failures, and they
// are kept for as long as the rollups: raw-result retention does not prune them. A check that goes
// from down to degraded (or back) without recovering ends one row and starts the next at that
// result. Times are epoch milliseconds, as everywhere.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('check_outages', (t) => {
    t.increments('id').primary();
    t.integer('check_id').notNullable().references('id').inTable('checks');
    t.string('kind', 16).notNullable();
    t.bigInteger('started_at').notNullable();
    t.bigInteger('ended_at').nullable();
    t.index(['check_id', 'started_at']);
  });
  // A check already confirmed failing when this runs: its outage so far, from its failure streak
  // when it is still failing, else from when its state last changed.
  const failing: Array<{ id: number; state: string; consecutive_failures: number; streak_started_at: number | string | null; last_state_change_at: number | string | null }> =
    await knex('checks').whereIn('state', ['down', 'degraded']).select('id', 'state', 'consecutive_failures', 'streak_started_at', 'last_state_change_at');
  for (const c of failing) {
    const since = c.consecutive_failures > 0 && c.streak_started_at !== null ? c.streak_started_at : c.last_state_change_at;
    if (since === null) continue;
    await knex('check_outages').insert({ check_id: c.id, kind: c.state, started_at: Number(since), ended_at: null });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('check_outages');
}
