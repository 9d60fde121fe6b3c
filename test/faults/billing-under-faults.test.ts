/**
 * Issue "Billing under faults": SIGKILL the worker while a period's run extracts and starts its
 * reviews, and again while approved statements register their budget operations. The run finishes
 * with the statements the month must produce, and exactly one budget operation per approved statement (D5).
 */
import assert from 'node:assert/strict';
import { prepareBillingMonth, statementMismatches, waitUntil } from './support/billing-fixtures';
import { faultEnv } from './support/fault-env';
import { sleep } from './support/fault-scenario';
import { recordFault } from './support/report';
import { callUntilAnswered } from './support/retrying-call';

const PERIOD = '2025-03';
// 24 billable clients (6-11 interventions) and 6 within their included five.
const COUNTS = [...Array.from({ length: 24 }, (_, i) => 6 + (i % 6)), 1, 2, 3, 4, 5, 5];

describe('fault: the worker is SIGKILLed during a billing run and during budget registration', function () {
  this.timeout(600_000);

  it('the run ends with the expected statements and exactly one budget operation per approved statement', async () => {
    const env = await faultEnv();
    const month = await prepareBillingMonth(env.apiUrl, env.adminToken, PERIOD, COUNTS);
    const billable = [...month.expected.values()].filter((s) => s.billable);
    const notes: string[] = [];
    const runPath = `/v1/billing/periods/${PERIOD}`;

    // Fault 1: the worker dies as soon as the run is recorded, while it extracts and starts the reviews.
    const trigger = callUntilAnswered(env.apiUrl, { method: 'POST', path: `${runPath}/run`, token: month.slaManager.token });
    await waitUntil(() => env.db('billing_runs').where({ period: PERIOD }).first(), (row) => row !== undefined, 'the run to be recorded', 60_000);
    await env.worker.kill();
    const statementsAtKill = Number((await env.db('statements').where({ period: PERIOD }).count<{ n: string }[]>('* as n'))[0].n);
    notes.push(`first kill: run recorded, ${statementsAtKill} of ${COUNTS.length} statements written`);
    await sleep(2000);
    await env.worker.start();
    const triggered = await trigger;
    assert.ok([200, 201].includes(triggered.status), `run: ${triggered.status} ${JSON.stringify(triggered.body)}`);

    const inReview = await waitUntil(
      () => callUntilAnswered(env.apiUrl, { method: 'GET', path: runPath, token: month.slaManager.token }),
      (a) => a.status === 200 && a.body.status === 'IN_REVIEW',
      'the run to reach IN_REVIEW',
      180_000,
    );
    assert.deepEqual(statementMismatches(month, inReview.body.statements), [], 'the run produced the statements of the month');

    // Fault 2: approvals go in a few at a time; the worker dies once some budget operations are registered.
    const budgetOps = async () => Number((await env.db('budget_operations').where({ period: PERIOD }).count<{ n: string }[]>('* as n'))[0].n);
    const killer = (async () => {
      await waitUntil(budgetOps, (n) => n >= Math.ceil(billable.length / 3), 'a third of the budget operations', 240_000);
      await env.worker.kill();
      notes.push(`second kill: ${await budgetOps()} of ${billable.length} budget operations registered`);
      await sleep(2000);
      await env.worker.start();
    })();
    const queue = [...billable];
    const approve = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const path = `${runPath}/statements/${s.clientId}/decision`;
        const answer = await callUntilAnswered(env.apiUrl, { method: 'POST', path, token: month.accountExecutive.token, body: { decision: 'approve' }, headers: { 'Idempotency-Key': `approve-${s.clientId}` } });
        // A 409 after a lost answer is fine if the earlier attempt approved it.
        if (answer.status === 409 && ['APPROVED', 'BUDGET_REGISTERED'].includes(answer.body.status)) continue;
        assert.equal(answer.status, 200, `approve ${s.clientId}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    };
    await Promise.all([approve(), approve(), approve()]);
    await killer;

    const completed = await waitUntil(
      () => callUntilAnswered(env.apiUrl, { method: 'GET', path: runPath, token: month.slaManager.token }),
      (a) => a.status === 200 && a.body.status === 'COMPLETED',
      'the run to complete',
      240_000,
    );
    const statements = completed.body.statements as Array<{ clientId: string; status: string; interventions: number; billableQuantity: number; amount: string }>;
    assert.deepEqual(statementMismatches(month, statements), [], 'the same statements after the faults');
    const notRegistered = statements.filter((s) => month.expected.get(s.clientId)?.billable && s.status !== 'BUDGET_REGISTERED');
    assert.deepEqual(notRegistered.map((s) => `${s.clientId} ${s.status}`), []);

    const operations = await env.db('budget_operations').where({ period: PERIOD }).select<{ client_id: string; amount_minor: string }[]>('client_id', 'amount_minor');
    const perClient = new Map<string, number>();
    for (const op of operations) perClient.set(op.client_id, (perClient.get(op.client_id) ?? 0) + 1);
    const duplicated = operations.length - perClient.size;
    const missing = billable.filter((s) => !perClient.has(s.clientId)).length;
    const wrongAmount = operations.filter((op) => Number(op.amount_minor) !== month.expected.get(op.client_id)?.amountMinor);
    const listed = await callUntilAnswered(env.apiUrl, { method: 'GET', path: `/v1/budget-operations?period=${PERIOD}`, token: month.slaManager.token });

    // Each statement's history is written once per change: seq 1..n without a gap.
    const gaps = await env.db.raw<{ rows: { client_id: string }[] }>(
      `select client_id from statement_history where period = ? group by client_id having count(*) <> max(seq) or min(seq) <> 1`, [PERIOD]);

    recordFault({
      fault: 'billing-worker-crash',
      workload: `one billing run (${COUNTS.length} clients, ${billable.length} billable statements approved 3 at a time)`,
      inFlight: billable.length,
      faultsInjected: 2,
      faultDescription: 'SIGKILL of the worker while the run extracts and starts the reviews, and again after a third of the budget operations were registered; restarted 2 s later each time',
      lost: missing + notRegistered.length,
      duplicated,
      passed: missing === 0 && duplicated === 0 && notRegistered.length === 0 && wrongAmount.length === 0,
      notes,
    });
    assert.equal(duplicated, 0, 'no second budget operation for any statement');
    assert.equal(missing, 0, 'one budget operation per approved statement');
    assert.equal(operations.length, billable.length);
    assert.deepEqual(wrongAmount, []);
    assert.equal(listed.body.items.length, billable.length);
    assert.deepEqual(gaps.rows, [], 'statement histories without gaps');
  });
});
