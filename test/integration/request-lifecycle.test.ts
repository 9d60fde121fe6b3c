/**
 * PRO-2132 R1-R5 end to end through the HTTP API, against the real Temporal dev server and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { testEnv, type TestEnv } from '../support/env';
import { act, call, createClient, createStaff, fileRequest, VALID_FILING, type ClientFixture, type StaffFixture } from '../support/http';

describe('request lifecycle (R1-R5) through the API', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let client: ClientFixture;
  let staff: StaffFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    client = await createClient(env);
    staff = await createStaff(env, [client.clientId]);
  });

  const eventTypes = (request: { events: { type: string }[] }) => request.events.map((e) => e.type);

  it('R1: an authorized client user files a request with precise instructions; it starts IN_VALIDATION', async () => {
    const filed = await fileRequest(env, client.authorized);
    assert.equal(filed.status, 201, JSON.stringify(filed.body));
    assert.equal(filed.body.status, 'IN_VALIDATION');
    assert.match(filed.body.number, /^RHS-\d{6}$/);
    assert.equal(filed.body.clientId, client.clientId);
    assert.equal(filed.body.instructions, VALID_FILING.instructions);
    assert.deepEqual(eventTypes(filed.body), ['filed']);
    assert.equal(filed.body.events[0].actor.role, 'client_authorized');

    const read = await call(env, 'GET', `/v1/requests/${filed.body.id}`, { token: staff.operator });
    assert.equal(read.status, 200);
    assert.equal(read.body.number, filed.body.number);
  });

  it('R1: filing without instructions, or by a non-client role, is refused', async () => {
    const blank = await fileRequest(env, client.authorized, { ...VALID_FILING, instructions: '   ' });
    assert.equal(blank.status, 400);
    assert.equal(blank.headers.get('content-type')?.split(';')[0], 'application/problem+json');
    assert.deepEqual(blank.body.errors.map((e: { path: string }) => e.path), ['instructions']);
    const byOperator = await fileRequest(env, staff.operator);
    assert.equal(byOperator.status, 403);
  });

  it('R2: an incomplete request goes back to the client, who corrects it, and validation starts again', async () => {
    const { body: request } = await fileRequest(env, client.authorizer);
    const incomplete = await act(env, staff.operator, request.id, 'validation', { decision: 'incomplete', reason: 'Which rack?' });
    assert.equal(incomplete.status, 200, JSON.stringify(incomplete.body));
    assert.equal(incomplete.body.status, 'AWAITING_CORRECTION');

    // R2: nothing of the task may be executed while validation is under way.
    const early = await act(env, staff.operator, request.id, 'start');
    assert.equal(early.status, 409);
    assert.match(early.body.detail, /AWAITING_CORRECTION/);

    const corrected = await act(env, client.authorized, request.id, 'correction', { comment: 'Rack 12', instructions: 'Power-cycle rack 12 unit 7.' });
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    assert.equal(corrected.body.status, 'IN_VALIDATION');
    assert.equal(corrected.body.instructions, 'Power-cycle rack 12 unit 7.');
    assert.equal(corrected.body.incompleteRounds, 1);
    assert.deepEqual(eventTypes(corrected.body), ['filed', 'validation_incomplete', 'corrected']);
  });

  it('R2: a request whose instructions are a risk to the service is rejected, and nothing more can happen to it', async () => {
    const { body: request } = await fileRequest(env, client.authorized);
    const rejected = await act(env, staff.operator, request.id, 'validation', { decision: 'reject', reason: 'Would take down the whole row' });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.status, 'REJECTED');
    const after = await act(env, staff.operator, request.id, 'start');
    assert.equal(after.status, 409);
    assert.match(after.body.detail, /REJECTED/);
  });

  it('R3-R5: approved, executed, reported, accepted: conformity recorded and the request closed', async () => {
    const { body: request } = await fileRequest(env, client.authorized);
    assert.equal((await act(env, staff.operator, request.id, 'validation', { decision: 'approve' })).body.status, 'APPROVED');
    const started = await act(env, staff.operator, request.id, 'start');
    assert.equal(started.body.status, 'IN_EXECUTION');
    assert.equal(started.body.executedBy, staff.operatorId);
    const reported = await act(env, staff.operator, request.id, 'report', { actionsPerformed: 'Power-cycled; LED green.' });
    assert.equal(reported.body.status, 'AWAITING_CONFIRMATION');
    const accepted = await act(env, client.authorized, request.id, 'confirmation', { decision: 'accept' });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.status, 'CLOSED');
    assert.equal(accepted.body.closure, 'conformity');
    assert.ok(accepted.body.closedAt);
    assert.deepEqual(eventTypes(accepted.body), ['filed', 'validation_approved', 'execution_started', 'execution_reported', 'conformity_recorded']);
    const notifications = await env.db('notifications').where({ request_id: request.id }).select('kind');
    assert.ok(notifications.length >= 5);
  });

  it('R4: the client asks for documented modifications, which are executed and confirmed again', async () => {
    const { body: request } = await fileRequest(env, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'approve' });
    await act(env, staff.operator, request.id, 'start');
    await act(env, staff.operator, request.id, 'report', { actionsPerformed: 'Done.' });
    const undocumented = await act(env, client.authorized, request.id, 'confirmation', { decision: 'modify' });
    assert.equal(undocumented.status, 400, 'R4: a modification not documented in the ticket is refused');
    assert.deepEqual(undocumented.body.errors.map((e: { path: string }) => e.path), ['instructions']);
    const reported = await call(env, 'GET', `/v1/requests/${request.id}`, { token: staff.operator });
    assert.equal(reported.body.latestModification, null);
    const modify = await act(env, client.authorized, request.id, 'confirmation', { decision: 'modify', instructions: 'Also reseat the PSU.' });
    assert.equal(modify.body.status, 'MODIFICATION_REQUESTED');
    // What the operator executes next is on the ticket, beside the task as filed.
    const ticket = await call(env, 'GET', `/v1/requests/${request.id}`, { token: staff.operator });
    assert.equal(ticket.body.latestModification.round, 1);
    assert.equal(ticket.body.latestModification.instructions, 'Also reseat the PSU.');
    assert.equal(ticket.body.instructions, request.instructions);
    assert.equal((await act(env, staff.operator, request.id, 'start')).body.status, 'IN_EXECUTION');
    await act(env, staff.operator, request.id, 'report', { actionsPerformed: 'PSU reseated.' });
    const closed = await act(env, client.authorized, request.id, 'confirmation', { decision: 'accept' });
    assert.equal(closed.body.status, 'CLOSED');
    assert.equal(closed.body.modificationRounds, 1);
  });

  it('D6: a client cancels before execution starts, but not after', async () => {
    const { body: request } = await fileRequest(env, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'approve' });
    const cancelled = await act(env, client.authorized, request.id, 'cancellation', { reason: 'Fixed it remotely' });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'CANCELLED');

    const { body: running } = await fileRequest(env, client.authorized);
    await act(env, staff.operator, running.id, 'validation', { decision: 'approve' });
    await act(env, staff.operator, running.id, 'start');
    const late = await act(env, client.authorized, running.id, 'cancellation', { reason: 'too late' });
    assert.equal(late.status, 409);
    assert.match(late.body.detail, /IN_EXECUTION/);
  });
});
