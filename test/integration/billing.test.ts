/**
 * Monthly reporting and billing (B1-B5, D1-D5, D7) end to end, against the real Temporal dev server
 * and PostgreSQL. Each test bills its own past period, so runs never see each other's interventions.
 */
import assert from 'node:assert/strict';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createBillingActivities } from '../../activities/billing';
import { ensureBillingSchedule } from '../../api/billing/schedule';
import { startBillingRun } from '../../api/billing/temporal';
import { periodOf, previousPeriod } from '../../domain/periods';
import { BILLING_SCHEDULE_ID, decisionUpdate, MONTHLY_TRIGGER_WORKFLOW, PERIOD_WORKFLOW, REVIEW_WORKFLOW } from '../../workflows/billing/messages';
import { WORKFLOW_BUNDLE_PATH } from '../../worker/worker';
import { testEnv, type TestEnv } from '../support/env';
import { call, createClient, createStaff, createUser, type StaffFixture } from '../support/http';
import { closingsIn, importInterventions, periodAfterExtraction, statementOf, waitFor } from './billing-support';

describe('monthly billing (B1-B5) as scheduled workflows', function () {
  this.timeout(60_000);
  let env: TestEnv;
  let staff: StaffFixture;

  before(async function () {
    this.timeout(120_000);
    env = await testEnv();
    staff = await createStaff(env);
  });

  const run = (period: string, token = staff.slaManager) => call(env, 'POST', `/v1/billing/periods/${period}/run`, { token });
  const executiveFor = async (...clientIds: string[]) => (await createUser(env, env.adminToken, { role: 'account_executive', clientIds })).token;
  const decide = (token: string, period: string, clientId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(env, 'POST', `/v1/billing/periods/${period}/statements/${clientId}/decision`, { token, body, headers });
  const revise = (period: string, clientId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(env, 'POST', `/v1/billing/periods/${period}/statements/${clientId}/revision`, { token: staff.slaManager, body, headers });
  const types = (statement: { history: { type: string }[] }) => statement.history.map((h) => h.type);

  it('B1: a month not yet ended is refused (409); a malformed period is 400; only the SLA manager runs', async () => {
    const current = periodOf(new Date(), env.config.billingTimeZone);
    const early = await run(current);
    assert.equal(early.status, 409, JSON.stringify(early.body));
    assert.match(early.body.detail, /not ended/);
    assert.equal((await run('2024-13')).status, 400);
    assert.equal((await run('24-01')).status, 400);
    assert.equal((await run('2023-01', staff.accountExecutive)).status, 403);
  });

  it('B2: 5 interventions → NOT_BILLABLE, still reported (D3)', async () => {
    const period = '2023-01';
    const client = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '150.00', currency: 'USD' });
    await importInterventions(env, client.clientId, closingsIn(period, 5));
    const started = await run(period);
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.period, period);
    assert.equal(started.body.workflowId, `rhs-billing-${period}`);
    assert.ok(started.body.startedAt);

    await periodAfterExtraction(env, staff.slaManager, period);
    const statement = (await statementOf(env, staff.slaManager, period, client.clientId)).body;
    assert.equal(statement.status, 'NOT_BILLABLE');
    assert.equal(statement.interventions, 5);
    assert.equal(statement.includedInterventions, 5);
    assert.equal(statement.billableQuantity, 0);
    assert.equal(statement.amount, '0.00');
    assert.equal(statement.unitPrice, '150.00');
    assert.equal(statement.requests.length, 5);
    assert.deepEqual(types(statement), ['computed']);

    const csv = await call(env, 'GET', `/v1/billing/periods/${period}/statements/${client.clientId}/report.csv`, { token: staff.slaManager });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.body, /^number,filedAt,closedAt,site/);
    assert.match(csv.body, /status,NOT_BILLABLE/);
    assert.equal((csv.body as string).split('\r\n').filter((l) => l.startsWith('RHS-')).length, 5);

    // No billable client: nothing to review, the run completes on its own.
    const done = await waitFor(() => call(env, 'GET', `/v1/billing/periods/${period}`, { token: staff.slaManager }), (r) => r.body.status === 'COMPLETED', 'the run to complete');
    assert.ok(done.body.completedAt);
  });

  it('B2/D2: 6 interventions → billable 1 in excess mode and 6 in all mode; an account executive sees only its clients', async () => {
    const period = '2023-02';
    const excess = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '150.00', currency: 'USD' });
    const all = await createClient(env, { includedInterventions: 5, billingMode: 'all', unitPrice: '100.00', currency: 'EUR' });
    await importInterventions(env, excess.clientId, closingsIn(period, 6));
    await importInterventions(env, all.clientId, closingsIn(period, 6));
    assert.equal((await run(period)).status, 201);
    await periodAfterExtraction(env, staff.slaManager, period);

    const excessStatement = (await statementOf(env, staff.slaManager, period, excess.clientId)).body;
    assert.equal(excessStatement.status, 'PENDING_REVIEW');
    assert.equal(excessStatement.billableQuantity, 1);
    assert.equal(excessStatement.amount, '150.00');
    assert.equal(excessStatement.currency, 'USD');
    const allStatement = (await statementOf(env, staff.slaManager, period, all.clientId)).body;
    assert.equal(allStatement.billableQuantity, 6);
    assert.equal(allStatement.amount, '600.00');
    assert.equal(allStatement.currency, 'EUR');

    const executive = await executiveFor(excess.clientId);
    const seen = await call(env, 'GET', `/v1/billing/periods/${period}`, { token: executive });
    assert.deepEqual(seen.body.statements.map((s: { clientId: string }) => s.clientId), [excess.clientId]);
    assert.equal((await statementOf(env, executive, period, all.clientId)).status, 404, 'another client is never revealed');
    assert.equal((await decide(executive, period, all.clientId, { decision: 'approve' })).status, 404);

    // D3/D7: the SLA manager's summary, as JSON, CSV and a document.
    const summary = await call(env, 'GET', `/v1/billing/periods/${period}/summary`, { token: staff.slaManager });
    assert.equal(summary.status, 200);
    assert.equal(summary.body.statements.length, 2);
    assert.equal(summary.body.indicators.overall.count, 12);
    assert.equal(summary.body.indicators.overall.closed, 12);
    const summaryCsv = await call(env, 'GET', `/v1/billing/periods/${period}/summary.csv`, { token: staff.slaManager });
    assert.match(summaryCsv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(summaryCsv.body, /amount EUR,600\.00/);
    const summaryHtml = await call(env, 'GET', `/v1/billing/periods/${period}/summary.html`, { token: staff.slaManager });
    assert.match(summaryHtml.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(summaryHtml.body, /Indicators/);
    assert.equal((await call(env, 'GET', `/v1/billing/periods/${period}/summary`, { token: executive })).status, 403);
    const html = await call(env, 'GET', `/v1/billing/periods/${period}/statements/${excess.clientId}/report.html`, { token: executive });
    assert.equal(html.status, 200);
    assert.match(html.body, /<h2>Interventions<\/h2>/);

    // D4: the review was due on day 10 of the next month, long ago: escalated through the outbox.
    await waitFor(
      () => env.db('notifications').where({ period, kind: 'statement_review_overdue' }).whereRaw("payload->>'clientId' = ?", [excess.clientId]),
      (rows) => rows.length === 2,
      'the escalation',
    );
  });

  it('D1: an intervention closed late on the last day of the month in the billing time zone counts in that month', async () => {
    const period = '2022-06';
    const timeZone = 'America/Argentina/Buenos_Aires'; // UTC-3
    const client = await createClient(env);
    // 23:30 on 30 June in Buenos Aires is already 1 July in UTC; 00:30 on 1 July there is July.
    await importInterventions(env, client.clientId, ['2022-07-01T02:30:00Z', '2022-07-01T03:30:00Z', '2022-06-01T02:30:00Z']);
    const { started } = await startBillingRun(env.temporal, env.config.temporal.taskQueue, { period, timeZone });
    assert.equal(started, true);
    const view = await periodAfterExtraction(env, staff.slaManager, period);
    assert.equal(view.timeZone, timeZone);
    const statement = (await statementOf(env, staff.slaManager, period, client.clientId)).body;
    assert.equal(statement.interventions, 1);
    assert.deepEqual(statement.requests.map((r: { closedAt: string }) => r.closedAt), ['2022-07-01T02:30:00.000Z']);
  });

  it('B3/B4/D4: a dispute → revision → approval loop; an excluded request changes the quantity and amount; B5 registers the budget', async () => {
    const period = '2023-03';
    const client = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '10.00', currency: 'USD' });
    await importInterventions(env, client.clientId, closingsIn(period, 8));
    const executive = await executiveFor(client.clientId);
    assert.equal((await run(period)).status, 201);
    await periodAfterExtraction(env, staff.slaManager, period);
    const issued = (await statementOf(env, executive, period, client.clientId)).body;
    assert.equal(issued.billableQuantity, 3);
    assert.equal(issued.amount, '30.00');

    assert.equal((await decide(staff.slaManager, period, client.clientId, { decision: 'approve' })).status, 403);
    const noReasons = await decide(executive, period, client.clientId, { decision: 'dispute' });
    assert.equal(noReasons.status, 400, 'B3: a dispute states its reasons');
    assert.deepEqual(noReasons.body.errors.map((e: { path: string }) => e.path), ['reasons']);
    assert.equal((await revise(period, client.clientId, { answer: 'Nothing disputed yet' })).status, 409);

    const key = { 'Idempotency-Key': `dispute-${client.clientId}` };
    const disputed = await decide(executive, period, client.clientId, { decision: 'dispute', reasons: 'Request 1 was our own mistake' }, key);
    assert.equal(disputed.status, 200, JSON.stringify(disputed.body));
    assert.equal(disputed.body.status, 'DISPUTED');
    // The key is bound to that dispute: the same key with another body is 422; the same call answers as it did.
    const otherBody = await decide(executive, period, client.clientId, { decision: 'dispute', reasons: 'Something else' }, key);
    assert.equal(otherBody.status, 422, JSON.stringify(otherBody.body));
    const repeated = await decide(executive, period, client.clientId, { decision: 'dispute', reasons: 'Request 1 was our own mistake' }, key);
    assert.equal(repeated.status, 200, JSON.stringify(repeated.body));
    assert.equal(repeated.body.history.filter((h: { type: string }) => h.type === 'disputed').length, 1);
    const approveWhileDisputed = await decide(executive, period, client.clientId, { decision: 'approve' });
    assert.equal(approveWhileDisputed.status, 409);
    assert.match(approveWhileDisputed.body.detail, /DISPUTED/);

    const excludedId = issued.requests[0].requestId;
    // A call refused as invalid input did not run: its key stays free for the corrected call.
    const revisionKey = { 'Idempotency-Key': `revise-${client.clientId}` };
    const unknownId = await revise(period, client.clientId, { answer: 'x', excludeRequestIds: ['not-a-request'] }, revisionKey);
    assert.equal(unknownId.status, 400);
    assert.deepEqual(unknownId.body.errors.map((e: { path: string }) => e.path), ['excludeRequestIds[0]']);
    const revised = await revise(period, client.clientId, { answer: 'Agreed: excluded, it was a cabling error on our side', excludeRequestIds: [excludedId] }, revisionKey);
    assert.equal(revised.status, 200, JSON.stringify(revised.body));
    assert.equal(revised.body.status, 'PENDING_REVIEW');
    assert.equal(revised.body.interventions, 7);
    assert.equal(revised.body.billableQuantity, 2);
    assert.equal(revised.body.amount, '20.00');
    const line = revised.body.requests.find((r: { requestId: string }) => r.requestId === excludedId);
    assert.equal(line.excluded, true);
    assert.match(line.exclusionReason, /cabling error/);

    const approved = await decide(executive, period, client.clientId, { decision: 'approve' });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'APPROVED');

    const registered = await waitFor(() => statementOf(env, executive, period, client.clientId), (r) => r.body.status === 'BUDGET_REGISTERED', 'the budget operation');
    const history = types(registered.body).filter((t) => t !== 'escalated' && t !== 'reminder_sent');
    assert.deepEqual(history, ['computed', 'disputed', 'revised', 'approved', 'budget_registered']);
    const disputeEvent = registered.body.history.find((h: { type: string }) => h.type === 'disputed');
    assert.equal(disputeEvent.reasons, 'Request 1 was our own mistake');
    assert.equal(disputeEvent.actor.role, 'account_executive');

    const operations = await call(env, 'GET', `/v1/budget-operations?period=${period}`, { token: staff.slaManager });
    assert.equal(operations.status, 200);
    assert.equal(operations.body.items.length, 1);
    assert.equal(operations.body.items[0].amount, '20.00');
    assert.equal(operations.body.items[0].quantity, 2);
    assert.equal((await call(env, 'GET', `/v1/budget-operations?period=${period}`, { token: executive })).status, 403);
    const finished = await decide(executive, period, client.clientId, { decision: 'approve' });
    assert.equal(finished.status, 409);

    await waitFor(() => call(env, 'GET', `/v1/billing/periods/${period}`, { token: staff.slaManager }), (r) => r.body.status === 'COMPLETED', 'the run to complete');
  });

  it('D4: a revision whose exclusions leave the included interventions or fewer makes the statement NOT_BILLABLE, with no budget operation', async () => {
    const period = '2021-09';
    const client = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '10.00', currency: 'USD' });
    await importInterventions(env, client.clientId, closingsIn(period, 6));
    const executive = await executiveFor(client.clientId);
    assert.equal((await run(period)).status, 201);
    await periodAfterExtraction(env, staff.slaManager, period);
    const issued = (await statementOf(env, executive, period, client.clientId)).body;
    assert.equal(issued.billableQuantity, 1);
    assert.equal((await decide(executive, period, client.clientId, { decision: 'dispute', reasons: 'One was a warranty swap' })).status, 200);
    const revised = await revise(period, client.clientId, { answer: 'Warranty swap excluded', excludeRequestIds: [issued.requests[0].requestId] });
    assert.equal(revised.status, 200, JSON.stringify(revised.body));
    assert.equal(revised.body.status, 'NOT_BILLABLE');
    assert.equal(revised.body.interventions, 5);
    assert.equal(revised.body.billableQuantity, 0);
    assert.equal(revised.body.amount, '0.00');
    assert.equal((await decide(executive, period, client.clientId, { decision: 'approve' })).status, 409, 'nothing left to approve');
    await waitFor(() => call(env, 'GET', `/v1/billing/periods/${period}`, { token: staff.slaManager }), (r) => r.body.status === 'COMPLETED', 'the run to complete');
    assert.equal((await env.db('budget_operations').where({ period })).length, 0);
  });

  it('B5/D5: a second run of a period changes nothing', async () => {
    const period = '2023-04';
    const client = await createClient(env, { includedInterventions: 5, billingMode: 'all', unitPrice: '5.00', currency: 'USD' });
    await importInterventions(env, client.clientId, closingsIn(period, 7));
    const executive = await executiveFor(client.clientId);
    assert.equal((await run(period)).status, 201);
    const joined = await run(period);
    assert.equal(joined.status, 200, 'joining the run that exists');
    await periodAfterExtraction(env, staff.slaManager, period);
    await decide(executive, period, client.clientId, { decision: 'approve' });
    await waitFor(() => call(env, 'GET', `/v1/billing/periods/${period}`, { token: staff.slaManager }), (r) => r.body.status === 'COMPLETED', 'the run to complete');

    const snapshot = async () => ({
      statements: await env.db('statements').where({ period }).orderBy('client_id'),
      lines: await env.db('statement_requests').where({ period }).orderBy('request_id'),
      history: await env.db('statement_history').where({ period }).orderBy(['client_id', 'seq']),
      budget: await env.db('budget_operations').where({ period }),
    });
    const before = await snapshot();
    assert.equal(before.budget.length, 1);

    const again = await run(period);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'COMPLETED');
    // Even the extraction itself, repeated directly, writes nothing.
    const activities = createBillingActivities(env.db, env.temporal);
    const repeated = await activities.extractPeriod({ period, timeZone: env.config.billingTimeZone });
    assert.equal(repeated.inserted, 0);
    assert.deepEqual(await snapshot(), before);

    // A second execution of the period's run workflow (what starting it after retention removed the
    // finished one gives): the run's own record (COMPLETED) stops it before it extracts anything.
    const second = await env.temporal.workflow.execute(PERIOD_WORKFLOW, {
      workflowId: `rhs-billing-${period}-second-execution`,
      taskQueue: env.config.temporal.taskQueue,
      args: [{ period, timeZone: env.config.billingTimeZone }],
    });
    assert.equal(second, undefined, 'the run found its period completed');
    assert.deepEqual(await snapshot(), before);
  });

  it('B1: a run that was terminated can be started again and finishes with the same statements', async () => {
    const period = '2021-07';
    const client = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '3.00', currency: 'USD' });
    await importInterventions(env, client.clientId, closingsIn(period, 6));
    const executive = await executiveFor(client.clientId);
    assert.equal((await run(period)).status, 201);
    const first = await periodAfterExtraction(env, staff.slaManager, period);
    // An operator terminates the run from the Temporal UI while the review waits for its decision.
    await env.temporal.workflow.getHandle(`rhs-billing-${period}`).terminate('operator mistake');

    const again = await run(period);
    assert.equal(again.status, 201, `a new run of the period: ${JSON.stringify(again.body)}`);
    const second = await periodAfterExtraction(env, staff.slaManager, period);
    assert.deepEqual(second.statements, first.statements, 'the same statements: nothing extracted twice');
    assert.equal((await decide(executive, period, client.clientId, { decision: 'approve' })).status, 200);
    await waitFor(() => call(env, 'GET', `/v1/billing/periods/${period}`, { token: staff.slaManager }), (r) => r.body.status === 'COMPLETED', 'the new run to complete');
    assert.equal((await env.db('budget_operations').where({ period })).length, 1);
  });

  it('D5: a budget activity retried by Temporal after it wrote registers once', async () => {
    const period = '2021-05';
    const client = await createClient(env, { includedInterventions: 0, billingMode: 'excess', unitPrice: '12.50', currency: 'USD' });
    const contract = { includedInterventions: 0, billingMode: 'excess' as const, unitPriceMinor: 1250, currency: 'USD' };
    await env.db('statements').insert({
      period, client_id: client.clientId, interventions: 2, included_interventions: 0, billing_mode: 'excess',
      billable_quantity: 2, unit_price_minor: 1250, amount_minor: 2500, currency: 'USD', status: 'PENDING_REVIEW', version: 1,
    });

    // The real activities, on a task queue of this test, except that the budget activity's first
    // attempt fails after its transaction committed: a worker lost between the write and the answer.
    const activities = createBillingActivities(env.db, env.temporal);
    const attempts: { created: boolean; threw: boolean }[] = [];
    const taskQueue = `${env.config.temporal.taskQueue}-budget-retry`;
    const connection = await NativeConnection.connect({ address: env.devServer.address });
    const worker = await Worker.create({
      connection,
      namespace: env.config.temporal.namespace,
      taskQueue,
      workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
      activities: {
        ...createActivities({ db: env.db, temporal: env.temporal }),
        async registerBudgetOperation(input: Parameters<typeof activities.registerBudgetOperation>[0]) {
          const result = await activities.registerBudgetOperation(input);
          const threw = attempts.length === 0;
          attempts.push({ created: result.created, threw });
          if (threw) throw new Error('the worker was lost after the budget operation committed');
          return result;
        },
      },
    });
    const review = await worker.runUntil(async () => {
      const handle = await env.temporal.workflow.start(REVIEW_WORKFLOW, {
        workflowId: `test-budget-retry-${client.clientId}`,
        taskQueue,
        args: [{
          period, clientId: client.clientId, contract, requestIds: ['r1', 'r2'], excludedRequestIds: [], status: 'PENDING_REVIEW', seq: 1,
          policy: { deadlineAt: Date.now() + 86_400_000, reminderLeadsMs: [] }, periodWorkflowId: 'no-such-run',
        }],
      });
      await handle.executeUpdate(decisionUpdate, { args: [{ decision: 'approve', actor: { id: 'ae-1', role: 'account_executive' } }] });
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    await connection.close();

    assert.deepEqual(attempts, [{ created: true, threw: true }, { created: false, threw: false }], 'Temporal retried the activity once; the retry found the operation');
    const scheduled = (review.history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'registerBudgetOperation');
    assert.equal(scheduled.length, 1, 'one activity, two attempts');
    assert.equal(review.result.status, 'BUDGET_REGISTERED');
    const operations = await env.db('budget_operations').where({ period, client_id: client.clientId });
    assert.equal(operations.length, 1);
    assert.equal(Number(operations[0].amount_minor), 2500);
    const history = await env.db('statement_history').where({ period, client_id: client.clientId }).orderBy('seq');
    assert.deepEqual(history.map((h) => h.type), ['approved', 'budget_registered']);
    assert.equal((await env.db('statements').where({ period, client_id: client.clientId }).first()).status, 'BUDGET_REGISTERED');

    // Called again directly, even with another seq, it registers nothing more.
    const late = await activities.registerBudgetOperation({ period, clientId: client.clientId, seq: 9, at: Date.now() });
    assert.equal(late.created, false);
    assert.equal(late.id, operations[0].id);
    assert.equal((await env.db('budget_operations').where({ period, client_id: client.clientId })).length, 1);
    // The database backs the promise even past the activity: a second row is refused.
    await assert.rejects(env.db('budget_operations').insert({ ...operations[0], id: 'another' }), /unique|duplicate/i);
  });

  it('B3: a decision on a statement whose review the run has not started yet is a 409 to repeat, never a 5xx', async () => {
    const period = '2021-06';
    const client = await createClient(env);
    // What a run with thousands of billable clients shows for a minute: statements written, reviews starting.
    await env.db('statements').insert({
      period, client_id: client.clientId, interventions: 7, included_interventions: 5, billing_mode: 'excess',
      billable_quantity: 2, unit_price_minor: 0, amount_minor: 0, currency: 'USD', status: 'PENDING_REVIEW', version: 1,
    });
    const answer = await decide(await executiveFor(client.clientId), period, client.clientId, { decision: 'approve' });
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.equal(answer.body.state, 'PENDING_REVIEW');
    assert.match(answer.body.detail, /review is still being started/);
    assert.equal((await env.db('statements').where({ period, client_id: client.clientId }).first()).status, 'PENDING_REVIEW');
  });

  it('B1: the monthly trigger starts the run of the month that just ended, and joins it after', async () => {
    const timeZone = env.config.billingTimeZone;
    const execute = (n: number) =>
      env.temporal.workflow.execute(MONTHLY_TRIGGER_WORKFLOW, { workflowId: `test-trigger-${Date.now()}-${n}`, taskQueue: env.config.temporal.taskQueue, args: [{ timeZone }] });
    const first = (await execute(1)) as { period: string; started: boolean };
    assert.equal(first.period, previousPeriod(new Date(), timeZone), 'the month that just ended, not the current one');
    const second = (await execute(2)) as { period: string; started: boolean };
    assert.equal(second.period, first.period);
    assert.equal(second.started, false, 'a period has one run');
    const description = await env.temporal.workflow.getHandle(`rhs-billing-${first.period}`).describe();
    assert.equal(description.type, 'billingPeriodWorkflow');
  });

  it('B1: the monthly schedule is created or updated idempotently with its spec, time zone, catch-up window and overlap policy', async () => {
    await ensureBillingSchedule(env.temporal, { ...env.config, billingTimeZone: 'Europe/Madrid' });
    await ensureBillingSchedule(env.temporal, { ...env.config, billingTimeZone: 'America/Argentina/Buenos_Aires' });
    const schedule = await env.temporal.schedule.getHandle(BILLING_SCHEDULE_ID).describe();
    assert.equal(schedule.spec.timezone, 'America/Argentina/Buenos_Aires');
    const calendar = schedule.spec.calendars?.[0];
    assert.deepEqual(calendar?.dayOfMonth, [{ start: 1, end: 1, step: 1 }]);
    assert.deepEqual(calendar?.hour, [{ start: 0, end: 0, step: 1 }]);
    assert.deepEqual(calendar?.minute, [{ start: 5, end: 5, step: 1 }]);
    assert.equal(schedule.policies.catchupWindow, 10 * 86_400_000);
    assert.equal(schedule.policies.overlap, 'SKIP');
    assert.equal(schedule.action.type, 'startWorkflow');
    assert.equal(schedule.action.workflowType, MONTHLY_TRIGGER_WORKFLOW);
    assert.equal(schedule.action.taskQueue, env.config.temporal.taskQueue);
    const schedules: string[] = [];
    for await (const s of env.temporal.schedule.list()) schedules.push(s.scheduleId);
    assert.equal(schedules.filter((id) => id === BILLING_SCHEDULE_ID).length, 1);
  });
});
