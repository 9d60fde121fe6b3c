import type { Knex } from 'knex';

/**
 * The Update id of the action an audit event records. Temporal deduplicates an Update id only within
 * one workflow run, so a keyed action retried after the request continued as new is recognised here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_events', (t) => {
    t.text('update_id');
    t.index(['request_id', 'update_id'], 'request_events_update_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('request_events', (t) => {
    t.dropIndex(['request_id', 'update_id'], 'request_events_update_id');
    t.dropColumn('update_id');
  });
}
