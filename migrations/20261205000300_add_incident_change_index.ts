import type { Knex } from 'knex';

// The live pages ask every few seconds whether any incident changed: the newest `updated_at` read
// off an index, not by scanning every incident (detector/store/incident-store.ts changeStamp).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.index(['updated_at'], 'incidents_updated_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('incidents', (t) => {
    t.dropIndex(['updated_at'], 'incidents_updated_at');
  });
}
