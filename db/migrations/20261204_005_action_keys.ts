import type { Knex } from 'knex';

/**
 * Idempotency-Keys of actions (request actions, statement decisions and revisions): each key of a user
 * is bound to the first call it came with (what it acts on, and the body's fingerprint), so a key
 * reused for another call or body is refused (422) instead of being answered as that first call.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('action_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('key').notNullable();
    t.text('fingerprint').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('action_keys');
}
