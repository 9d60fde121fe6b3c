import type { Knex } from 'knex';

/**
 * The application's projection of the workflows (Temporal holds the authoritative state) and the
 * tables whose unique constraints back the "never twice" promises: audit events per (request, seq),
 * outbox rows per dedupe key, one filing per idempotency key, one budget operation per client and period.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('clients', (t) => {
    t.text('id').primary();
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.integer('included_interventions').notNullable().defaultTo(5);
    t.text('billing_mode').notNullable().defaultTo('excess');
    t.bigInteger('unit_price_minor').notNullable().defaultTo(0);
    t.text('currency').notNullable().defaultTo('USD');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('email').notNullable();
    t.text('role').notNullable();
    t.text('client_id').references('clients.id');
    // The clients an account executive covers.
    t.specificType('client_ids', 'text[]').notNullable().defaultTo('{}');
    t.text('token_hash').notNullable().unique();
    t.text('created_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
  });

  await knex.raw('create sequence request_number_seq');
  await knex.schema.createTable('requests', (t) => {
    t.text('id').primary();
    t.text('number').notNullable().unique();
    t.text('client_id').notNullable().references('clients.id');
    t.text('status').notNullable();
    t.text('site').notNullable();
    t.text('summary').notNullable();
    t.text('instructions').notNullable();
    t.text('priority').notNullable();
    t.text('location');
    t.text('task_type');
    t.text('scheduled_for');
    t.text('filed_by');
    t.text('executed_by');
    t.text('external_id').unique();
    t.text('closure');
    t.integer('incomplete_rounds').notNullable().defaultTo(0);
    t.integer('modification_rounds').notNullable().defaultTo(0);
    t.boolean('validation_sla_breached').notNullable().defaultTo(false);
    t.boolean('execution_sla_breached').notNullable().defaultTo(false);
    // Version of the workflow state this row reflects: a late or retried write of an older one is ignored.
    t.integer('version').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('validated_at', { useTz: true });
    t.timestamp('execution_started_at', { useTz: true });
    t.timestamp('executed_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['client_id', 'created_at', 'id']);
    t.index(['status', 'created_at', 'id']);
    t.index(['created_at', 'id']);
  });
  // Billing extraction reads closed interventions by closing time.
  await knex.raw(`create index requests_closed_idx on requests (closed_at, client_id) where status = 'CLOSED'`);

  await knex.schema.createTable('request_events', (t) => {
    t.text('request_id').notNullable().references('requests.id');
    t.integer('seq').notNullable();
    t.text('type').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('actor_id').notNullable();
    t.text('actor_role').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.primary(['request_id', 'seq']);
  });

  await knex.schema.createTable('filing_keys', (t) => {
    t.text('user_id').notNullable();
    t.text('key').notNullable();
    t.text('body_hash').notNullable();
    t.text('request_id').notNullable();
    t.text('number').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'key']);
  });

  await knex.schema.createTable('notifications', (t) => {
    t.bigIncrements('id');
    t.text('dedupe_key').notNullable().unique();
    t.text('recipient').notNullable();
    t.text('kind').notNullable();
    t.text('request_id');
    t.text('period');
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
  });

  await knex.schema.createTable('billing_runs', (t) => {
    t.text('period').primary();
    t.text('status').notNullable();
    t.text('workflow_id').notNullable();
    t.text('time_zone').notNullable();
    t.jsonb('summary');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
  });

  await knex.schema.createTable('statements', (t) => {
    t.text('period').notNullable();
    t.text('client_id').notNullable().references('clients.id');
    t.integer('interventions').notNullable();
    t.integer('included_interventions').notNullable();
    t.text('billing_mode').notNullable();
    t.integer('billable_quantity').notNullable();
    t.bigInteger('unit_price_minor').notNullable();
    t.bigInteger('amount_minor').notNullable();
    t.text('currency').notNullable();
    t.text('status').notNullable();
    t.integer('version').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['period', 'client_id']);
  });

  await knex.schema.createTable('statement_requests', (t) => {
    t.text('period').notNullable();
    t.text('client_id').notNullable();
    t.text('request_id').notNullable().references('requests.id');
    t.boolean('excluded').notNullable().defaultTo(false);
    t.text('exclusion_reason');
    t.primary(['period', 'client_id', 'request_id']);
  });

  await knex.schema.createTable('statement_history', (t) => {
    t.text('period').notNullable();
    t.text('client_id').notNullable();
    t.integer('seq').notNullable();
    t.text('type').notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('actor_id').notNullable();
    t.text('actor_role').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.primary(['period', 'client_id', 'seq']);
  });

  await knex.schema.createTable('budget_operations', (t) => {
    t.text('id').primary();
    t.text('period').notNullable();
    t.text('client_id').notNullable().references('clients.id');
    t.bigInteger('amount_minor').notNullable();
    t.text('currency').notNullable();
    t.integer('quantity').notNullable();
    t.text('statement_ref').notNullable();
    t.text('registered_by').notNullable();
    t.timestamp('registered_at', { useTz: true }).notNullable();
    // D5: exactly one budget operation per client and month, whatever is retried or re-run.
    t.unique(['period', 'client_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['budget_operations', 'statement_history', 'statement_requests', 'statements', 'billing_runs',
    'notifications', 'filing_keys', 'request_events', 'requests', 'users', 'clients']) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('drop sequence if exists request_number_seq');
}
