import type { Knex } from 'knex';

// Checks come from sigap.yaml (`file`, read-only in the dashboard) or are added by an admin in
// the dashboard (`dashboard`, with the definition kept in `definition_json`).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checks', (t) => {
    t.string('source', 10).notNullable().defaultTo('file');
    t.text('definition_json').nullable();
    t.string('updated_by', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checks', (t) => {
    t.dropColumn('updated_by');
    t.dropColumn('definition_json');
    t.dropColumn('source');
  });
}
