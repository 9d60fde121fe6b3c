/**
 * Filing with an Idempotency-Key (api.md "Conventions"): concurrent repeats make one request and one
 * workflow; repeats answer 200 with the same request; the same key with another body is 422.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { requestWorkflowId } from '../../workflows/request/messages';
import { testEnv, type TestEnv } from '../support/env';
import { requestHistories, updateEventCounts } from '../support/history';
import { act, call, createClient, createStaff, fileRequest, VALID_FILING, type ClientFixture, type StaffFixture } from '../support/http';

describe('R1: idempotent filing', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let client: ClientFixture;
  let staff: StaffFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    client = await createClient(env);
    staff = await createStaff(env);
  });

  const newKey = () => `key-${crypto.randomUUID()}`;

  async function workflowsOfClient(clientId: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const execution of env.temporal.workflow.list({ query: `RhsClientId = "${clientId}"` })) ids.push(execution.workflowId);
    return ids;
  }

  it('R1: 20 concurrent filings with one Idempotency-Key make one request and one workflow; one 201, the rest 200 with the same id', async () => {
    const own = await createClient(env);
    const key = newKey();
    const body = { ...VALID_FILING, summary: `Concurrent ${key}` };
    const results = await Promise.all(Array.from({ length: 20 }, () => fileRequest(env, own.authorized, body, { 'Idempotency-Key': key })));
    const statuses = results.map((r) => r.status).sort((a, b) => a - b);
    assert.deepEqual(statuses, [...Array<number>(19).fill(200), 201], JSON.stringify(results.filter((r) => r.status >= 300).map((r) => r.body)));
    const ids = new Set(results.map((r) => r.body.id));
    const numbers = new Set(results.map((r) => r.body.number));
    assert.equal(ids.size, 1);
    assert.equal(numbers.size, 1);
    for (const result of results) assert.deepEqual(result.body.events.map((e: { type: string }) => e.type), ['filed']);

    assert.equal(await env.db('requests').where({ client_id: own.clientId }).count<{ count: string }[]>('* as count').then((r) => Number(r[0].count)), 1);
    const [number] = numbers;
    const histories = await requestHistories(env, number);
    assert.equal(histories.length, 1, 'one run');
    assert.equal(updateEventCounts(histories).accepted, 1, 'the filing Update was accepted once');
    // Visibility is eventually consistent: wait for the workflow to be listed, then expect exactly it.
    const deadline = Date.now() + 10_000;
    let listed = await workflowsOfClient(own.clientId);
    while (listed.length < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = await workflowsOfClient(own.clientId);
    }
    assert.deepEqual(listed, [requestWorkflowId(number)]);
  });

  it('R1: the same key with a different body is 422 and files nothing; a repeat after the request moved on returns it as it is now', async () => {
    const key = newKey();
    const first = await fileRequest(env, client.authorized, VALID_FILING, { 'Idempotency-Key': key });
    assert.equal(first.status, 201);
    const different = await fileRequest(env, client.authorized, { ...VALID_FILING, instructions: 'Something else entirely.' }, { 'Idempotency-Key': key });
    assert.equal(different.status, 422, JSON.stringify(different.body));
    assert.equal(different.headers.get('content-type')?.split(';')[0], 'application/problem+json');

    await act(env, staff.operator, first.body.id, 'validation', { decision: 'approve' });
    const repeat = await fileRequest(env, client.authorized, VALID_FILING, { 'Idempotency-Key': key });
    assert.equal(repeat.status, 200);
    assert.equal(repeat.body.id, first.body.id);
    assert.equal(repeat.body.status, 'APPROVED');

    await act(env, client.authorized, first.body.id, 'cancellation', { reason: 'done' });
    const afterEnd = await fileRequest(env, client.authorized, VALID_FILING, { 'Idempotency-Key': key });
    assert.equal(afterEnd.status, 200, JSON.stringify(afterEnd.body));
    assert.equal(afterEnd.body.id, first.body.id);
    assert.equal(afterEnd.body.status, 'CANCELLED');
  });

  it('R1: a repeat whose request is in the database but no longer in Temporal (retention) answers from the database and starts nothing', async () => {
    // An ended request whose workflow retention removed: its row and its filing key, no workflow. The
    // dev server does not carry out deletions, so the request comes from an import (a row that never
    // had a workflow) and the key is claimed for it the way a filing claims one.
    const externalId = `retained-${crypto.randomUUID()}`;
    const imported = await call(env, 'POST', '/v1/imports/requests', {
      token: env.adminToken,
      body: { requests: [{ externalId, clientId: client.clientId, site: VALID_FILING.site, summary: VALID_FILING.summary, instructions: VALID_FILING.instructions, createdAt: '2025-01-06T09:00:00Z', closedAt: '2025-01-06T10:00:00Z' }] },
    });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const row = await env.db('requests').where({ external_id: externalId }).first();
    const key = newKey();
    const firstAttempt = await fileRequest(env, client.authorized, VALID_FILING, { 'Idempotency-Key': key });
    assert.equal(firstAttempt.status, 201);
    // Point the key at the workflow-less request, as if it were the one this key filed.
    await env.db('filing_keys').where({ key }).update({ request_id: row.id, number: row.number });

    const repeat = await fileRequest(env, client.authorized, VALID_FILING, { 'Idempotency-Key': key });
    assert.equal(repeat.status, 200, JSON.stringify(repeat.body));
    assert.equal(repeat.body.id, row.id);
    assert.equal(repeat.body.status, 'CLOSED');
    const started = await env.temporal.workflow.getHandle(requestWorkflowId(row.number)).describe().then(() => true, () => false);
    assert.equal(started, false, 'no workflow was started for a request that already exists');
  });

  it('R3: an action retried with the same Idempotency-Key takes effect once and answers the same', async () => {
    const { body: request } = await fileRequest(env, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'approve' });
    const key = newKey();
    const attempts = await Promise.all(Array.from({ length: 5 }, () => act(env, staff.operator, request.id, 'start', {}, { 'Idempotency-Key': key })));
    assert.deepEqual(attempts.map((a) => a.status), Array<number>(5).fill(200), JSON.stringify(attempts.map((a) => a.body)));
    const started = attempts[0].body.events.filter((e: { type: string }) => e.type === 'execution_started');
    assert.equal(started.length, 1);
    const histories = await requestHistories(env, request.number);
    assert.equal(updateEventCounts(histories).accepted, 3, 'filed, validation, one start');
    const retriedLater = await act(env, staff.operator, request.id, 'start', {}, { 'Idempotency-Key': key });
    assert.equal(retriedLater.status, 200);
    assert.equal(retriedLater.body.status, 'IN_EXECUTION');
    const withoutKey = await act(env, staff.operator, request.id, 'start');
    assert.equal(withoutKey.status, 409, 'without the key it is a new action, refused in IN_EXECUTION');
  });

  it('R2/R3: an action key reused for another body, action or request is 422 and changes nothing; the same call repeated still answers', async () => {
    const { body: first } = await fileRequest(env, client.authorized);
    const { body: second } = await fileRequest(env, client.authorized);
    const key = newKey();
    const approved = await act(env, staff.operator, first.id, 'validation', { decision: 'approve' }, { 'Idempotency-Key': key });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    const refusals = [
      await act(env, staff.operator, first.id, 'validation', { decision: 'reject', reason: 'Too risky' }, { 'Idempotency-Key': key }),
      await act(env, staff.operator, first.id, 'start', {}, { 'Idempotency-Key': key }),
      await act(env, staff.operator, second.id, 'validation', { decision: 'approve' }, { 'Idempotency-Key': key }),
    ];
    for (const refused of refusals) {
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.match(refused.body.detail, /Idempotency-Key/);
    }
    const repeated = await act(env, staff.operator, first.id, 'validation', { decision: 'approve' }, { 'Idempotency-Key': key });
    assert.equal(repeated.status, 200);
    assert.equal(repeated.body.status, 'APPROVED');
    assert.deepEqual(repeated.body.events.map((e: { type: string }) => e.type), ['filed', 'validation_approved']);
    const untouched = await call(env, 'GET', `/v1/requests/${second.id}`, { token: staff.operator });
    assert.equal(untouched.body.status, 'IN_VALIDATION');
    assert.equal(updateEventCounts(await requestHistories(env, first.number)).accepted, 2, 'filed and the one validation');
    assert.equal(updateEventCounts(await requestHistories(env, second.number)).accepted, 1, 'filed only');
  });

  it('R1: one key used by two users files two requests (keys belong to their user)', async () => {
    const key = newKey();
    const a = await fileRequest(env, client.authorized, VALID_FILING, { 'Idempotency-Key': key });
    const b = await fileRequest(env, client.authorizer, VALID_FILING, { 'Idempotency-Key': key });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.id, b.body.id);
  });
});
