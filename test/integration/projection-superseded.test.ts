/**
 * A local activity writes before its workflow task is recorded. When that task is lost (a worker
 * killed, a task timed out) the retried task may make a different change under the same seq: the
 * Update that arrived meanwhile is handled before the timer that fired. The projection must end up with
 * the change that reached history, whichever write lands last (migration 004), in the real PostgreSQL.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createBillingActivities } from '../../activities/billing';
import { createRequestActivities } from '../../activities/request';
import { projectRequestChange } from '../../db/requests';
import { notificationsForRequestEvent } from '../../domain/notifications';
import { applyCommand, applyDeadline, fileRequest } from '../../domain/request-state';
import type { TimingPolicy } from '../../domain/request-lifecycle';
import { testEnv, type TestEnv } from '../support/env';
import { createClient } from '../support/http';

const SILENCE = { correction: 'cancel', confirmation: 'close_tacit' } as TimingPolicy['silencePolicy'];

describe('D5/R2: a change superseded by a retried workflow task is replaced in the projection, not kept', function () {
  this.timeout(60_000);
  let env: TestEnv;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
  });

  it('R2: the request row, its audit event at that seq and its notifications follow the longer history, in either order', async () => {
    const { clientId } = await createClient(env);
    const { projectChange } = createRequestActivities(env.db);
    const requestId = crypto.randomUUID();
    const operator = { id: 'op-1', role: 'operator_l1' as const };
    const filing = fileRequest({
      requestId, number: `RHS-T${Date.now()}`, clientId, now: Date.now(),
      fields: { site: 'DC-1', summary: 'Swap disk', instructions: 'Swap disk 3.', priority: 'urgent' },
      filedBy: { id: 'u-1', role: 'client_authorized' },
    });
    await projectChange({ ...filing, historyLength: 3 });
    // The lost task: the validation SLA fired first (seq 2, written by the local activity, never recorded).
    const lost = applyDeadline(filing.state, 'validation_sla_breach', SILENCE, Date.now())!;
    // The retried task: the approval that arrived meanwhile is handled first, under the same seq.
    const kept = applyCommand(filing.state, { action: 'validation', decision: 'approve' }, operator, 'APPROVED', 'validation_approved', Date.now());
    assert.equal(lost.event.seq, kept.event.seq);

    const read = async () => ({
      row: await env.db('requests').where({ id: requestId }).first(),
      events: await env.db('request_events').where({ request_id: requestId }).orderBy('seq'),
      notifications: (await env.db('notifications').where({ request_id: requestId }).orderBy('dedupe_key')).map((n) => `${n.kind}→${n.recipient}`),
    });
    await projectChange({ ...lost, historyLength: 7 });
    assert.equal((await read()).events[1].type, 'validation_sla_breached');
    await projectChange({ ...kept, historyLength: 12 });
    const after = await read();
    assert.equal(after.row.status, 'APPROVED');
    assert.equal(after.row.validation_sla_breached, false);
    assert.deepEqual(after.events.map((e) => e.type), ['filed', 'validation_approved']);
    assert.deepEqual(after.notifications, ['request_filed→role:operator_l1', `request_validation_approved→client:${clientId}`], 'the superseded change\'s notification is withdrawn');

    // The lost task's write landing late (a starved worker) changes nothing; nor does a retry of the kept one.
    await projectChange({ ...lost, historyLength: 7 });
    await projectChange({ ...kept, historyLength: 12 });
    assert.deepEqual(await read(), after);
  });

  it('R2: a superseded write landing late adds no notification, even when the change that won has none', async () => {
    const { clientId } = await createClient(env);
    const requestId = crypto.randomUUID();
    const filing = fileRequest({
      requestId, number: `RHS-N${Date.now()}`, clientId, now: Date.now(),
      fields: { site: 'DC-1', summary: 'Patch cable', instructions: 'Patch port 4 to port 9.', priority: 'urgent' },
      filedBy: { id: 'u-1', role: 'client_authorized' },
    });
    await projectRequestChange(env.db, filing.state, filing.event, [], 3);
    const lost = applyDeadline(filing.state, 'validation_sla_breach', SILENCE, Date.now())!;
    const kept = applyCommand(filing.state, { action: 'validation', decision: 'approve' }, { id: 'op-1', role: 'operator_l1' }, 'APPROVED', 'validation_approved', Date.now());
    // The winning change is written without notifications; the lost one, which has two, lands after it.
    await projectRequestChange(env.db, kept.state, kept.event, [], 12);
    await projectRequestChange(env.db, lost.state, lost.event, notificationsForRequestEvent(lost.event.type, clientId), 7);
    assert.deepEqual(await env.db('notifications').where({ request_id: requestId }).select('kind'), []);
    assert.deepEqual((await env.db('request_events').where({ request_id: requestId }).orderBy('seq')).map((e) => e.type), ['filed', 'validation_approved']);
  });

  it('B4/D4: the statement, its history at that seq and its exclusions follow the longer history', async () => {
    const { clientId } = await createClient(env, { includedInterventions: 1, billingMode: 'excess', unitPrice: '10.00', currency: 'USD' });
    const period = '2021-10';
    const requestIds = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await env.db('requests').insert(requestIds.map((id, i) => ({
      id, number: `RHS-S${Date.now()}-${i}`, client_id: clientId, status: 'CLOSED', site: 'DC-1', summary: 's', instructions: 'i', priority: 'normal',
      created_at: new Date('2021-10-05T10:00:00Z'), closed_at: new Date('2021-10-05T12:00:00Z'), updated_at: new Date('2021-10-05T12:00:00Z'),
    })));
    await env.db('statements').insert({
      period, client_id: clientId, interventions: 3, included_interventions: 1, billing_mode: 'excess',
      billable_quantity: 2, unit_price_minor: 1000, amount_minor: 2000, currency: 'USD', status: 'DISPUTED', version: 2,
    });
    await env.db('statement_requests').insert(requestIds.map((request_id) => ({ period, client_id: clientId, request_id })));
    const { projectStatementChange } = createBillingActivities(env.db, env.temporal);
    const base = { period, clientId, seq: 3 };
    // Lost task: a revision excluding the first request. Retried task: the same revision excluding the second.
    const revision = (excluded: string, historyLength: number) => ({
      ...base,
      figures: { interventions: 2, billableQuantity: 1, amountMinor: 1000 },
      status: 'PENDING_REVIEW' as const,
      event: { type: 'revised', at: Date.now(), actorId: 'sla-1', actorRole: 'sla_manager', details: { excludedRequestIds: [excluded] } },
      excludedRequestIds: [excluded],
      exclusions: { requestIds: [excluded], reason: `not ${excluded.slice(0, 4)}` },
      historyLength,
    });
    const excludedLines = async () => (await env.db('statement_requests').where({ period, client_id: clientId, excluded: true })).map((l) => l.request_id);
    await projectStatementChange(revision(requestIds[0], 20));
    assert.deepEqual(await excludedLines(), [requestIds[0]]);
    await projectStatementChange(revision(requestIds[1], 25));
    await projectStatementChange(revision(requestIds[0], 20));
    assert.deepEqual(await excludedLines(), [requestIds[1]], 'only the kept revision\'s exclusion stands');
    const history = await env.db('statement_history').where({ period, client_id: clientId });
    assert.deepEqual(history.map((h) => [h.seq, h.details.excludedRequestIds]), [[3, [requestIds[1]]]]);
    const statement = await env.db('statements').where({ period, client_id: clientId }).first();
    assert.equal(statement.version, 3);
    assert.equal(statement.status, 'PENDING_REVIEW');
  });
});
