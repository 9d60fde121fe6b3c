/**
 * Long-lived requests: many modification rounds (R4) and continue-as-new. The audit trail must stay
 * complete (seq 1..N, no gap, no duplicate) and the state must carry over to the next run.
 */
import assert from 'node:assert/strict';
import { requestWorkflowId } from '../../workflows/request/messages';
import { startApiVariant, testEnv, type ApiVariant, type TestEnv } from '../support/env';
import { continuedAsNewCount, requestHistories, updateEventCounts } from '../support/history';
import { act, call, createClient, createStaff, fileRequest, VALID_FILING, type ClientFixture, type StaffFixture } from '../support/http';

const MODIFICATION_ROUNDS = 50;

describe('long-running requests', function () {
  this.timeout(120_000);
  let env: TestEnv;
  let client: ClientFixture;
  let staff: StaffFixture;
  /** The API with a small RHS_HISTORY_EVENT_LIMIT: requests filed through it continue as new often. */
  let shortHistory: ApiVariant;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    client = await createClient(env);
    staff = await createStaff(env);
    shortHistory = await startApiVariant(env, { RHS_HISTORY_EVENT_LIMIT: '60' });
  });
  after(() => shortHistory?.close());

  /** The seq numbers are exactly 1..n: no gap, no duplicate. */
  function assertCompleteTrail(events: { seq: number }[]) {
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: events.length }, (_, i) => i + 1));
  }

  async function runModificationRound(api: { apiUrl: string }, id: string, round: number) {
    const started = await act(api, staff.operator, id, 'start');
    assert.equal(started.status, 200, `round ${round} start: ${JSON.stringify(started.body)}`);
    const reported = await act(api, staff.operator, id, 'report', { actionsPerformed: `Round ${round} done.` });
    assert.equal(reported.status, 200, `round ${round} report: ${JSON.stringify(reported.body)}`);
    const modify = await act(api, client.authorized, id, 'confirmation', { decision: 'modify', instructions: `Round ${round + 1}: tighten cable ${round + 1}.` });
    assert.equal(modify.status, 200, `round ${round} modify: ${JSON.stringify(modify.body)}`);
    assert.equal(modify.body.status, 'MODIFICATION_REQUESTED');
  }

  it(`R4, R5, D1: a request with ${MODIFICATION_ROUNDS} modification rounds closes with its conformity and a complete audit trail`, async () => {
    const { body: request } = await fileRequest(shortHistory, client.authorized);
    assert.equal((await act(env, staff.operator, request.id, 'validation', { decision: 'approve' })).status, 200);
    for (let round = 1; round <= MODIFICATION_ROUNDS; round += 1) await runModificationRound(env, request.id, round);
    await act(env, staff.operator, request.id, 'start');
    await act(env, staff.operator, request.id, 'report', { actionsPerformed: 'Final round done.' });
    const closed = await act(env, client.authorized, request.id, 'confirmation', { decision: 'accept' });
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    assert.equal(closed.body.status, 'CLOSED');
    assert.equal(closed.body.closure, 'conformity');
    assert.equal(closed.body.modificationRounds, MODIFICATION_ROUNDS);

    const events: { seq: number; type: string; round?: number; instructions?: string }[] = closed.body.events;
    // filed, approved, then per round: started, reported, modification requested; then the final three.
    assert.equal(events.length, 2 + 3 * MODIFICATION_ROUNDS + 3);
    assertCompleteTrail(events);
    const modifications = events.filter((e) => e.type === 'modification_requested');
    assert.deepEqual(modifications.map((e) => e.round), Array.from({ length: MODIFICATION_ROUNDS }, (_, i) => i + 1));
    assert.equal(modifications[MODIFICATION_ROUNDS - 1].instructions, `Round ${MODIFICATION_ROUNDS + 1}: tighten cable ${MODIFICATION_ROUNDS + 1}.`);
    assert.equal(events.filter((e) => e.type === 'conformity_recorded').length, 1);

    const histories = await requestHistories(env, request.number);
    assert.ok(continuedAsNewCount(histories) >= 2, `expected continue-as-new with a 60-event limit, got ${histories.length} run(s)`);
    assert.equal(updateEventCounts(histories).accepted, 1 + events.length - 1, 'one accepted Update per action, plus the filing');
    const result = await env.temporal.workflow.getHandle(requestWorkflowId(request.number)).result();
    assert.equal(result.status, 'CLOSED');
    assert.equal(result.eventSeq, events.length, 'the workflow and the database agree on the last seq');
  });

  it('R2, R4: after a continue-as-new the state carries over and the next action works', async () => {
    const { body: request } = await fileRequest(shortHistory, client.authorized, { ...VALID_FILING, location: 'Row B' });
    await act(env, staff.operator, request.id, 'validation', { decision: 'incomplete', reason: 'Which unit?' });
    await act(env, client.authorized, request.id, 'correction', { comment: 'Unit 7', instructions: 'Power-cycle rack 12 unit 7.' });
    await act(env, staff.operator, request.id, 'validation', { decision: 'approve' });
    let round = 0;
    // Act until the workflow has continued as new at least once (the limit is 60 events).
    while (continuedAsNewCount(await requestHistories(env, request.number)) === 0) {
      round += 1;
      assert.ok(round <= 20, 'the workflow never continued as new');
      await runModificationRound(env, request.id, round);
    }
    const handle = env.temporal.workflow.getHandle(requestWorkflowId(request.number));
    const carried = await handle.query<{ status: string; incompleteRounds: number; modificationRounds: number; fields: { instructions: string; location?: string }; clock: { approvedAt?: number } }>('state');
    assert.equal(carried.status, 'MODIFICATION_REQUESTED');
    assert.equal(carried.incompleteRounds, 1);
    assert.equal(carried.modificationRounds, round);
    assert.equal(carried.fields.instructions, 'Power-cycle rack 12 unit 7.');
    assert.equal(carried.fields.location, 'Row B');
    assert.ok(carried.clock.approvedAt, 'the SLA clock carried over');

    const next = await act(env, staff.operator, request.id, 'start');
    assert.equal(next.status, 200, JSON.stringify(next.body));
    assert.equal(next.body.status, 'IN_EXECUTION');
    const early = await act(env, client.authorized, request.id, 'cancellation', { reason: 'too late' });
    assert.equal(early.status, 409, 'the rules still apply to the carried state');
    await act(env, staff.operator, request.id, 'report', { actionsPerformed: 'Done.' });
    const closed = await act(env, client.authorized, request.id, 'confirmation', { decision: 'accept' });
    assert.equal(closed.body.status, 'CLOSED');
    assertCompleteTrail(closed.body.events);
    const read = await call(env, 'GET', `/v1/requests/${request.id}`, { token: staff.operator });
    assert.equal(read.body.number, request.number);
    assert.equal(read.body.incompleteRounds, 1);
  });

  it('R4: a keyed action retried after the request continued as new takes effect once and answers 200', async () => {
    const { body: request } = await fileRequest(shortHistory, client.authorized);
    await act(env, staff.operator, request.id, 'validation', { decision: 'approve' });
    // Every action carries its own key, until the workflow has continued as new.
    const sent = new Map<string, { action: string; token: string; body: Record<string, unknown> }>();
    for (let round = 1; continuedAsNewCount(await requestHistories(env, request.number)) === 0; round += 1) {
      assert.ok(round <= 20, 'the workflow never continued as new');
      const steps = [
        { action: 'start', token: staff.operator, body: {} },
        { action: 'report', token: staff.operator, body: { actionsPerformed: `Round ${round} done.` } },
        { action: 'confirmation', token: client.authorized, body: { decision: 'modify', instructions: `Round ${round + 1}: reseat cable.` } },
      ];
      for (const step of steps) {
        const key = `${step.action}-${round}`;
        const answer = await act(env, step.token, request.id, step.action, step.body, { 'Idempotency-Key': key });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        sent.set(key, step);
      }
    }
    // The last action the first run accepted: Temporal's own deduplication of its id ended with that run.
    const [firstRun] = await requestHistories(env, request.number);
    const acceptedIds = firstRun.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId).filter((id): id is string => Boolean(id));
    const key = acceptedIds[acceptedIds.length - 1].split(':').slice(2).join(':');
    const step = sent.get(key);
    assert.ok(step, `the first run's last Update (${acceptedIds[acceptedIds.length - 1]}) is one of the keyed actions`);

    const before = await call(env, 'GET', `/v1/requests/${request.id}`, { token: staff.operator });
    const again = await act(env, step.token, request.id, step.action, step.body, { 'Idempotency-Key': key });
    assert.equal(again.status, 200, `the retried ${step.action} answers as the first did: ${JSON.stringify(again.body)}`);
    assert.equal(again.body.status, before.body.status);
    assert.equal(again.body.events.length, before.body.events.length, 'the retry wrote no event');
  });
});
