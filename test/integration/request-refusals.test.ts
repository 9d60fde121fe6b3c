/**
 * Refusals (api.md "Conventions"): a wrong state is 409 naming the state and the allowed actions, a wrong
 * role 403, another client's request 404, a missing or blank field 400 naming it; and none of them leaves
 * a trace in the workflow's history (the Update validators refuse before anything is written).
 */
import assert from 'node:assert/strict';
import { REQUEST_ACTIONS, type RequestAction, type RequestStatus } from '../../domain/request-types';
import { testEnv, type TestEnv } from '../support/env';
import { acceptedUpdateNames, requestHistories, updateEventCounts } from '../support/history';
import { act, call, createClient, createStaff, fileRequest, VALID_FILING, type ClientFixture, type StaffFixture } from '../support/http';

/** A body each action would accept in a state that allows it: a refusal can then only be about the state. */
const VALID_BODIES: Record<RequestAction, Record<string, unknown>> = {
  validation: { decision: 'approve' },
  correction: { comment: 'Rack 12' },
  start: {},
  report: { actionsPerformed: 'Done.' },
  confirmation: { decision: 'accept' },
  cancellation: { reason: 'No longer needed' },
};

const OPERATOR_ACTIONS: readonly RequestAction[] = ['validation', 'start', 'report'];

/** The contract's table (api.md "RHS requests"), written out independently of the product's own table. */
const CONTRACT_FROM: Record<RequestAction, readonly RequestStatus[]> = {
  validation: ['IN_VALIDATION'],
  correction: ['AWAITING_CORRECTION'],
  start: ['APPROVED', 'MODIFICATION_REQUESTED'],
  report: ['IN_EXECUTION'],
  confirmation: ['AWAITING_CONFIRMATION'],
  cancellation: ['IN_VALIDATION', 'AWAITING_CORRECTION', 'APPROVED'],
};

/** The actions (and their bodies) that lead from filing to each state. */
const PATHS: Record<RequestStatus, [RequestAction, Record<string, unknown>][]> = {
  IN_VALIDATION: [],
  AWAITING_CORRECTION: [['validation', { decision: 'incomplete', reason: 'Which rack?' }]],
  APPROVED: [['validation', { decision: 'approve' }]],
  IN_EXECUTION: [['validation', { decision: 'approve' }], ['start', {}]],
  AWAITING_CONFIRMATION: [['validation', { decision: 'approve' }], ['start', {}], ['report', { actionsPerformed: 'Done.' }]],
  MODIFICATION_REQUESTED: [
    ['validation', { decision: 'approve' }],
    ['start', {}],
    ['report', { actionsPerformed: 'Done.' }],
    ['confirmation', { decision: 'modify', instructions: 'Also reseat the PSU.' }],
  ],
  CLOSED: [['validation', { decision: 'approve' }], ['start', {}], ['report', { actionsPerformed: 'Done.' }], ['confirmation', { decision: 'accept' }]],
  REJECTED: [['validation', { decision: 'reject', reason: 'Too risky' }]],
  CANCELLED: [['cancellation', { reason: 'Fixed remotely' }]],
};

describe('request refusals leave no trace', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let client: ClientFixture;
  let other: ClientFixture;
  let staff: StaffFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    client = await createClient(env);
    other = await createClient(env);
    staff = await createStaff(env, [client.clientId]);
  });

  const tokenFor = (action: RequestAction) => (OPERATOR_ACTIONS.includes(action) ? staff.operator : client.authorized);

  /** Files a request and walks it to `status` through the API; returns it with the actions that succeeded. */
  async function requestIn(status: RequestStatus): Promise<{ id: string; number: string; accepted: string[] }> {
    const filed = await fileRequest(env, client.authorizer);
    assert.equal(filed.status, 201, JSON.stringify(filed.body));
    for (const [action, body] of PATHS[status]) {
      const result = await act(env, tokenFor(action), filed.body.id, action, body);
      assert.equal(result.status, 200, `${action}: ${JSON.stringify(result.body)}`);
    }
    const read = await call(env, 'GET', `/v1/requests/${filed.body.id}`, { token: staff.operator });
    assert.equal(read.body.status, status);
    return { id: filed.body.id, number: filed.body.number, accepted: ['filed', ...PATHS[status].map(([action]) => action)] };
  }

  /**
   * The history holds exactly the accepted Updates: a refusal by a validator leaves nothing (Temporal
   * does not write rejected Updates), while one by a handler would show as an accepted Update.
   */
  async function assertHistoryHoldsOnly(request: { number: string; accepted: string[] }) {
    const histories = await requestHistories(env, request.number);
    assert.deepEqual(acceptedUpdateNames(histories), request.accepted);
    assert.equal(updateEventCounts(histories).completed, request.accepted.length);
  }

  for (const status of Object.keys(PATHS) as RequestStatus[]) {
    it(`R2-R5, D6: in ${status} every action the contract does not allow is 409 naming the state and the allowed actions`, async () => {
      const request = await requestIn(status);
      const refused = REQUEST_ACTIONS.filter((action) => !CONTRACT_FROM[action].includes(status));
      for (const action of refused) {
        const result = await act(env, tokenFor(action), request.id, action, VALID_BODIES[action]);
        assert.equal(result.status, 409, `${action} in ${status}: ${result.status} ${JSON.stringify(result.body)}`);
        assert.equal(result.headers.get('content-type')?.split(';')[0], 'application/problem+json');
        assert.equal(result.body.status, 409, 'the problem keeps its numeric status (RFC 9457)');
        assert.equal(result.body.state, status, 'the problem names the current state in `state`');
        assert.match(result.body.detail, new RegExp(`\\b${status}\\b`), `detail must name the state: ${result.body.detail}`);
        const allowedForRole = REQUEST_ACTIONS.filter((a) => CONTRACT_FROM[a].includes(status) && OPERATOR_ACTIONS.includes(a) === OPERATOR_ACTIONS.includes(action));
        assert.deepEqual(result.body.allowedActions, allowedForRole, `${action} in ${status}`);
        for (const allowed of allowedForRole) assert.match(result.body.detail, new RegExp(`\\b${allowed}\\b`));
        if (allowedForRole.length === 0) assert.match(result.body.detail, /none/);
      }
      const after = await call(env, 'GET', `/v1/requests/${request.id}`, { token: staff.operator });
      assert.equal(after.body.status, status, 'a refused action changed the state');
      assert.equal(after.body.events.length, request.accepted.length, 'a refused action reached the audit trail');
      await assertHistoryHoldsOnly(request);
    });
  }

  it('R2: concurrent conflicting decisions on one request: exactly one wins, the others are 409, and only the winner is in history', async () => {
    const request = await requestIn('IN_VALIDATION');
    const decisions = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? { decision: 'approve' } : { decision: 'reject', reason: `Risk ${i}` }));
    const results = await Promise.all(decisions.map((body) => act(env, staff.operator, request.id, 'validation', body)));
    const winners = results.filter((r) => r.status === 200);
    assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.ok(results.every((r) => r.status === 200 || r.status === 409), JSON.stringify(results.map((r) => r.status)));
    const read = await call(env, 'GET', `/v1/requests/${request.id}`, { token: staff.operator });
    assert.equal(read.body.events.length, 2, 'one decision recorded');
    assert.equal(read.body.status, winners[0].body.status);
    await assertHistoryHoldsOnly({ number: request.number, accepted: ['filed', 'validation'] });
  });

  it('R1-R5: a role the action is not for gets 403, in a state where the action is allowed', async () => {
    const inValidation = await requestIn('IN_VALIDATION');
    const awaiting = await requestIn('AWAITING_CONFIRMATION');
    const approved = await requestIn('APPROVED');
    const cases: [string, { id: string }, RequestAction][] = [
      [client.authorized, inValidation, 'validation'],
      [client.authorizer, approved, 'start'],
      [staff.slaManager, inValidation, 'validation'],
      [staff.accountExecutive, approved, 'start'],
      [env.adminToken, inValidation, 'validation'],
      [staff.operator, awaiting, 'confirmation'],
      [staff.operator, inValidation, 'cancellation'],
      [staff.accountExecutive, awaiting, 'confirmation'],
      [env.adminToken, inValidation, 'cancellation'],
    ];
    for (const [token, request, action] of cases) {
      const result = await act(env, token, request.id, action, VALID_BODIES[action]);
      assert.equal(result.status, 403, `${action}: ${JSON.stringify(result.body)}`);
    }
    const filedByOperator = await fileRequest(env, staff.operator);
    assert.equal(filedByOperator.status, 403);
    for (const request of [inValidation, awaiting, approved]) await assertHistoryHoldsOnly(request);
  });

  it("R1: another client's request is 404 to read and to act on, as an unknown id is", async () => {
    const request = await requestIn('AWAITING_CONFIRMATION');
    const unknown = await call(env, 'GET', '/v1/requests/00000000-0000-4000-8000-000000000000', { token: other.authorized });
    assert.equal(unknown.status, 404);
    for (const token of [other.authorized, other.authorizer]) {
      const read = await call(env, 'GET', `/v1/requests/${request.id}`, { token });
      assert.equal(read.status, 404);
      assert.doesNotMatch(JSON.stringify(read.body), new RegExp(request.number), 'a 404 must not reveal the request');
      const byNumber = await call(env, 'GET', `/v1/requests/${request.number}`, { token });
      assert.equal(byNumber.status, 404);
      for (const action of ['confirmation', 'correction', 'cancellation'] as const) {
        const result = await act(env, token, request.id, action, VALID_BODIES[action]);
        assert.equal(result.status, 404, `${action}: ${JSON.stringify(result.body)}`);
      }
    }
    await assertHistoryHoldsOnly(request);
  });

  it('R1, R2, R4, D6: a missing or blank required field is 400 naming the field, in a state that allows the action', async () => {
    const inValidation = await requestIn('IN_VALIDATION');
    const awaitingCorrection = await requestIn('AWAITING_CORRECTION');
    const inExecution = await requestIn('IN_EXECUTION');
    const awaitingConfirmation = await requestIn('AWAITING_CONFIRMATION');
    const cases: [{ id: string }, RequestAction, Record<string, unknown>, string][] = [
      [inValidation, 'validation', {}, 'decision'],
      [inValidation, 'validation', { decision: 'maybe' }, 'decision'],
      [inValidation, 'validation', { decision: 'reject' }, 'reason'],
      [inValidation, 'validation', { decision: 'incomplete', reason: '   ' }, 'reason'],
      [inValidation, 'cancellation', {}, 'reason'],
      [inValidation, 'cancellation', { reason: '\t' }, 'reason'],
      [awaitingCorrection, 'correction', {}, 'comment'],
      [awaitingCorrection, 'correction', { comment: ' ' }, 'comment'],
      [awaitingCorrection, 'correction', { comment: 'see new text', instructions: '  ' }, 'instructions'],
      [inExecution, 'report', {}, 'actionsPerformed'],
      [inExecution, 'report', { actionsPerformed: '' }, 'actionsPerformed'],
      [awaitingConfirmation, 'confirmation', {}, 'decision'],
      [awaitingConfirmation, 'confirmation', { decision: 'modify' }, 'instructions'],
      [awaitingConfirmation, 'confirmation', { decision: 'modify', instructions: ' \n ' }, 'instructions'],
    ];
    for (const [request, action, body, field] of cases) {
      const result = await act(env, tokenFor(action), request.id, action, body);
      assert.equal(result.status, 400, `${action} ${JSON.stringify(body)}: ${JSON.stringify(result.body)}`);
      assert.deepEqual(result.body.errors.map((e: { path: string }) => e.path), [field], `${action} ${JSON.stringify(body)}`);
    }
    for (const field of ['site', 'summary', 'instructions'] as const) {
      const { [field]: _omitted, ...missing } = VALID_FILING;
      const filedWithout = await fileRequest(env, client.authorized, missing);
      assert.equal(filedWithout.status, 400);
      assert.deepEqual(filedWithout.body.errors.map((e: { path: string }) => e.path), [field]);
      const filedBlank = await fileRequest(env, client.authorized, { ...VALID_FILING, [field]: '  ' });
      assert.equal(filedBlank.status, 400);
      assert.deepEqual(filedBlank.body.errors.map((e: { path: string }) => e.path), [field]);
    }
    for (const request of [inValidation, awaitingCorrection, inExecution, awaitingConfirmation]) await assertHistoryHoldsOnly(request);
  });
});
