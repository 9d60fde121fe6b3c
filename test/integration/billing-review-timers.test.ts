/**
 * D4 timing of a review, with a due date seconds away instead of day 10: reminders before it (to the
 * side that must act), one escalation after it, all in the statement's history and the outbox.
 */
import assert from 'node:assert/strict';
import { REVIEW_WORKFLOW, statementReviewWorkflowId, type StatementReviewInput } from '../../workflows/billing/messages';
import { testEnv, type TestEnv } from '../support/env';
import { call, createClient, createUser } from '../support/http';
import { waitFor } from './billing-support';

describe('statement review timers (D4)', function () {
  this.timeout(60_000);
  let env: TestEnv;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
  });

  it('D4: reminders before the due date and an escalation after it go through the outbox; approval still ends in one budget operation', async () => {
    const period = '2021-08';
    const client = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '10.00', currency: 'USD' });
    const executive = (await createUser(env, env.adminToken, { role: 'account_executive', clientIds: [client.clientId] })).token;
    await env.db('statements').insert({
      period, client_id: client.clientId, interventions: 6, included_interventions: 5, billing_mode: 'excess',
      billable_quantity: 1, unit_price_minor: 1000, amount_minor: 1000, currency: 'USD', status: 'PENDING_REVIEW', version: 1,
    });
    const now = Date.now();
    const input: StatementReviewInput = {
      period,
      clientId: client.clientId,
      contract: { includedInterventions: 5, billingMode: 'excess', unitPriceMinor: 1000, currency: 'USD' },
      requestIds: ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'],
      excludedRequestIds: [],
      status: 'PENDING_REVIEW',
      seq: 1,
      policy: { deadlineAt: now + 4000, reminderLeadsMs: [3000, 1500] },
      periodWorkflowId: `rhs-billing-${period}`, // not running: the finished review's signal goes nowhere, harmlessly
    };
    await env.temporal.workflow.start(REVIEW_WORKFLOW, { workflowId: statementReviewWorkflowId(period, client.clientId), taskQueue: env.config.temporal.taskQueue, args: [input] });

    const history = await waitFor(
      () => env.db('statement_history').where({ period, client_id: client.clientId }).orderBy('seq'),
      (rows) => rows.some((r) => r.type === 'escalated'),
      'the escalation',
    );
    assert.deepEqual(history.map((r) => r.type), ['reminder_sent', 'reminder_sent', 'escalated']);
    const [first, second, escalation] = history.map((r) => r.at.getTime());
    assert.ok(first < now + 4000 && second < now + 4000, 'reminders come before the due date');
    assert.ok(escalation >= now + 4000, 'the escalation comes after it');

    const outbox = await env.db('notifications').where({ period }).whereRaw("payload->>'clientId' = ?", [client.clientId]).orderBy('id');
    assert.deepEqual(
      outbox.map((n) => `${n.kind} → ${n.recipient}`),
      [
        `statement_review_reminder → account_executives:${client.clientId}`,
        `statement_review_reminder → account_executives:${client.clientId}`,
        'statement_review_overdue → role:sla_manager',
        `statement_review_overdue → account_executives:${client.clientId}`,
      ],
    );

    const approved = await call(env, 'POST', `/v1/billing/periods/${period}/statements/${client.clientId}/decision`, { token: executive, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await waitFor(() => env.db('budget_operations').where({ period, client_id: client.clientId }), (rows) => rows.length === 1, 'the budget operation');
  });
});
