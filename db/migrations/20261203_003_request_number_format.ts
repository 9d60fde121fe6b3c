import type { Knex } from 'knex';

/**
 * The request number, `RHS-000042`, formatted in one SQL function. lpad(…, 6) alone cuts longer text
 * down to 6 characters: request 1,000,000 would have become RHS-100000, a duplicate.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create or replace function rhs_request_number(n bigint) returns text
    language sql immutable strict
    as $$ select 'RHS-' || lpad(n::text, greatest(6, length(n::text)), '0') $$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function if exists rhs_request_number(bigint)');
}
