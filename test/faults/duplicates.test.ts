/**
 * Issue "Duplicates": one filing sent many times at once with one Idempotency-Key, one Update retried
 * many times by the client (same update id), a period's run triggered repeatedly: each takes effect once.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { callApi } from './support/api-client';
import { prepareBillingMonth, waitUntil } from './support/billing-fixtures';
import { faultEnv, type FaultEnv } from './support/fault-env';
import { createClientParty, createStaff } from './support/fixtures';
import { recordFault } from './support/report';
import { callUntilAnswered } from './support/retrying-call';
import { scale } from './support/scale';
import { billingRunWorkflowId } from '../../workflows/billing/messages';
import { requestWorkflowId } from '../../workflows/request/messages';

async function countRows(env: FaultEnv, table: string, where: Record<string, string>): Promise<number> {
  return Number((await env.db(table).where(where).count<{ n: string }[]>('* as n'))[0].n);
}

/** Update-accepted events in a workflow's history: how many times an Update took effect. */
async function acceptedUpdates(env: FaultEnv, workflowId: string): Promise<number> {
  const history = await env.temporal.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

/** Runs of one workflow id in Temporal's visibility (eventually consistent: wait for at least one). */
async function executionsOf(env: FaultEnv, workflowId: string): Promise<number> {
  return waitUntil(async () => {
    let n = 0;
    for await (const _ of env.temporal.workflow.list({ query: `WorkflowId = "${workflowId}"` })) n += 1;
    return n;
  }, (n) => n >= 1, `${workflowId} to be listed`, 20_000);
}

describe('duplicates take effect once', function () {
  this.timeout(300_000);
  let env: FaultEnv;

  before(async function () {
    this.timeout(180_000);
    env = await faultEnv();
  });

  it(`one filing sent ${scale.concurrentFilings} times concurrently with one Idempotency-Key: one request, one workflow, one audit event, one notification`, async () => {
    const client = await createClientParty(env.apiUrl, env.adminToken);
    const key = `dup-${crypto.randomUUID()}`;
    const body = { site: 'DC-DUP', summary: 'Sent many times at once', instructions: 'Reseat the patch cable in port 7.' };
    const answers = await Promise.all(Array.from({ length: scale.concurrentFilings }, () =>
      callApi(env.apiUrl, { method: 'POST', path: '/v1/requests', token: client.authorized.token, body, headers: { 'Idempotency-Key': key }, timeoutMs: 60_000 })));
    const statuses = answers.map((a) => a.status);
    const ids = new Set(answers.map((a) => a.body?.id));
    const requests = await countRows(env, 'requests', { client_id: client.clientId });
    const [id] = ids;
    const events = await countRows(env, 'request_events', { request_id: String(id) });
    const notifications = await countRows(env, 'notifications', { request_id: String(id) });
    const number = answers[0].body?.number as string;
    recordFault({
      fault: 'duplicate-filing',
      workload: `one filing sent ${scale.concurrentFilings} times concurrently with one Idempotency-Key`,
      inFlight: scale.concurrentFilings,
      faultsInjected: scale.concurrentFilings - 1,
      faultDescription: 'concurrent repeats of one POST /v1/requests (same key, same body)',
      lost: requests === 0 ? 1 : 0,
      duplicated: Math.max(0, requests - 1) + Math.max(0, events - 1) + Math.max(0, notifications - 1),
      passed: requests === 1 && events === 1 && notifications === 1,
    });
    assert.equal(statuses.filter((s) => s === 201).length, 1, `exactly one 201: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 200).length, scale.concurrentFilings - 1, 'the repeats answer 200');
    assert.equal(ids.size, 1, 'every answer is the same request');
    assert.equal(requests, 1);
    assert.equal(events, 1);
    assert.equal(notifications, 1);
    assert.equal(await executionsOf(env, requestWorkflowId(number)), 1, 'one workflow');
  });

  it(`one Update retried ${scale.updateRetries} times by the client (same update id), concurrently and in sequence: it takes effect once`, async () => {
    const client = await createClientParty(env.apiUrl, env.adminToken);
    const staff = await createStaff(env.apiUrl, env.adminToken);
    const filed = await callApi(env.apiUrl, { method: 'POST', path: '/v1/requests', token: client.authorized.token, body: { site: 'DC-DUP', summary: 'Retried update', instructions: 'Replace the fan tray.' } });
    assert.equal(filed.status, 201);
    const id = filed.body.id as string;
    const approve = await callApi(env.apiUrl, { method: 'POST', path: `/v1/requests/${id}/validation`, token: staff.operator.token, body: { decision: 'approve' } });
    assert.equal(approve.status, 200);
    const start = () => callApi(env.apiUrl, { method: 'POST', path: `/v1/requests/${id}/start`, token: staff.operator.token, body: {}, headers: { 'Idempotency-Key': 'start-once' }, timeoutMs: 60_000 });
    const half = Math.floor(scale.updateRetries / 2);
    const concurrent = await Promise.all(Array.from({ length: half }, start));
    const sequential = [];
    for (let i = 0; i < scale.updateRetries - half; i += 1) sequential.push(await start());
    const answers = [...concurrent, ...sequential];
    const started = await countRows(env, 'request_events', { request_id: id, type: 'execution_started' });
    const notifications = await countRows(env, 'notifications', { request_id: id, kind: 'request_execution_started' });
    const accepted = await acceptedUpdates(env, requestWorkflowId(filed.body.number));
    recordFault({
      fault: 'duplicate-update',
      workload: `one Update (start) sent ${scale.updateRetries} times with one update id (Idempotency-Key), half concurrently, half in sequence`,
      inFlight: half,
      faultsInjected: scale.updateRetries - 1,
      faultDescription: 'client retries of one Update with the same update id',
      lost: started === 0 ? 1 : 0,
      duplicated: Math.max(0, started - 1) + Math.max(0, notifications - 1),
      passed: started === 1 && notifications === 1,
    });
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [200], 'every repeat answers 200');
    assert.ok(answers.every((a) => a.body.status === 'IN_EXECUTION'));
    assert.equal(started, 1, 'one execution_started event');
    assert.equal(notifications, 1, 'one notification');
    // The filing's Update, the approval and the start: three Updates accepted, the start once.
    assert.equal(accepted, 3);
  });

  it('a period run triggered repeatedly, concurrently and after it completed: one run, one workflow, one set of statements, one budget operation', async () => {
    const period = '2025-04';
    const month = await prepareBillingMonth(env.apiUrl, env.adminToken, period, [7, 3]);
    // Repeated like a client does: a 503 (the run not recorded within the API's timeout) is tried again.
    const trigger = () => callUntilAnswered(env.apiUrl, { method: 'POST', path: `/v1/billing/periods/${period}/run`, token: month.slaManager.token, timeoutMs: 60_000 });
    const concurrent = await Promise.all(Array.from({ length: 30 }, trigger));
    const statuses = concurrent.map((a) => a.status);
    assert.ok(statuses.every((s) => s === 200 || s === 201), `every trigger answers 200 or 201: ${JSON.stringify(concurrent.filter((a) => a.status >= 300).map((a) => a.body))}`);
    // The one that started the run says 201, unless its answer was a 503 and its repeat joined (200).
    assert.ok(statuses.filter((s) => s === 201).length <= 1, `at most one 201: ${statuses.join(',')}`);

    const billableClient = month.clients[0].clientId;
    await waitUntil(
      () => callApi(env.apiUrl, { method: 'GET', path: `/v1/billing/periods/${period}`, token: month.slaManager.token }),
      (a) => a.status === 200 && a.body.status === 'IN_REVIEW',
      'the run to reach IN_REVIEW',
      120_000,
    );
    const approved = await callApi(env.apiUrl, { method: 'POST', path: `/v1/billing/periods/${period}/statements/${billableClient}/decision`, token: month.accountExecutive.token, body: { decision: 'approve' } });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await waitUntil(
      () => callApi(env.apiUrl, { method: 'GET', path: `/v1/billing/periods/${period}`, token: month.slaManager.token }),
      (a) => a.status === 200 && a.body.status === 'COMPLETED',
      'the run to complete',
      120_000,
    );
    const again = [];
    for (let i = 0; i < 10; i += 1) again.push(await trigger());
    assert.deepEqual([...new Set(again.map((a) => a.status))], [200], 'a completed run is returned, not run again');
    assert.ok(again.every((a) => a.body.status === 'COMPLETED'));

    const runs = await countRows(env, 'billing_runs', { period });
    const statements = await countRows(env, 'statements', { period });
    const operations = await countRows(env, 'budget_operations', { period });
    const executions = await executionsOf(env, billingRunWorkflowId(period));
    recordFault({
      fault: 'duplicate-run',
      workload: `one period's run triggered 30 times concurrently, then 10 times after it completed (${month.clients.length} clients, 1 billable)`,
      inFlight: 30,
      faultsInjected: 39,
      faultDescription: 'repeated POST /v1/billing/periods/{period}/run',
      lost: runs === 0 || operations === 0 ? 1 : 0,
      duplicated: Math.max(0, runs - 1) + Math.max(0, executions - 1) + Math.max(0, statements - 2) + Math.max(0, operations - 1),
      passed: runs === 1 && executions === 1 && statements === 2 && operations === 1,
    });
    assert.equal(runs, 1);
    assert.equal(executions, 1, 'one workflow run for the period');
    assert.equal(statements, 2);
    assert.equal(operations, 1);
  });
});
