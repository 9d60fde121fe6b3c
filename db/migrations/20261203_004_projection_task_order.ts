import type { Knex } from 'knex';

/**
 * Which workflow task wrote a projected change: the workflow's history length when it made the change.
 *
 * A local activity writes before its workflow task is recorded. When that task is lost (a worker
 * killed, a task timed out on a starved machine), the retried task may make a different change under
 * the same seq (an Update that arrived meanwhile is handled before the timer that fired), and the
 * first write, a change that never reached history, would have stood: seq and version alone cannot
 * tell them apart. The retried task always has the longer history, so for one seq the write of the
 * longest history wins, whichever lands last. Outbox rows carry the change they came from (`source`),
 * so the notifications of a superseded change are withdrawn while undelivered.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['requests', 'request_events', 'statements', 'statement_history', 'notifications']) {
    await knex.schema.alterTable(table, (t) => {
      t.integer('history_length').notNullable().defaultTo(0);
    });
  }
  await knex.schema.alterTable('notifications', (t) => {
    t.text('source');
    t.index(['source'], 'notifications_source');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('notifications', (t) => {
    t.dropIndex(['source'], 'notifications_source');
    t.dropColumn('source');
  });
  for (const table of ['requests', 'request_events', 'statements', 'statement_history', 'notifications']) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumn('history_length');
    });
  }
}
