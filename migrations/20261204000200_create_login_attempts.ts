import type { Knex } from 'knex';

// Log-in attempts, failed and successful, shared by every web process: the per-account slow-down
// and lockout and the per-address refusal are counted from here (detector/accounts/login-throttle.ts).
// `username` is the name as typed (an unknown name counts too); rows older than 30 days are pruned.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.string('username', 64).notNullable();
    t.string('ip', 64).nullable();
    t.boolean('succeeded').notNullable();
    t.bigInteger('at').notNullable();
    t.index(['username', 'at']);
    t.index(['ip', 'at']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_attempts');
}
