import type { Knex } from 'knex';

// An integrity check's baseline: the page as it should be (title, meta description, outbound
// domains, text fingerprint), one per check. Recorded automatically from the check's first clean
// result (`accepted_by` null) or accepted by a person, who is named here.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('integrity_baselines', (t) => {
    t.integer('check_id').primary().references('id').inTable('checks');
    t.text('url').notNullable();
    t.text('title').notNullable();
    t.text('description').notNullable();
    t.text('domains_json').notNullable();
    t.string('fingerprint', 32).notNullable();
    t.bigInteger('accepted_at').notNullable();
    t.string('accepted_by', 64).nullable();
    t.integer('accepted_by_user_id').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('integrity_baselines');
}
