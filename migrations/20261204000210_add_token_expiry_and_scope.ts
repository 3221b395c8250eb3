import type { Knex } from 'knex';

// API tokens may expire, and may be read-only. Existing tokens keep working as they did: no
// expiry, scope `write`.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_tokens', (t) => {
    t.bigInteger('expires_at').nullable();
    t.string('scope', 10).notNullable().defaultTo('write');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_tokens', (t) => {
    t.dropColumn('expires_at');
    t.dropColumn('scope');
  });
}
