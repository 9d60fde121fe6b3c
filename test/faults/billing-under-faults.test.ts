/**
 * Issue "Billing under faults": SIGKILL the worker while a period's run extracts its statements, and
 * again while approved statements register their budget operations. The run finishes with the
 * statements the month must produce, and exactly one budget operation per approved statement (D5).
 *
 * Each kill must hit work in flight, whatever the machine's speed: the test holds the writes of the step
 * it aims at (a SHARE lock on the table: reads go on, INSERT and UPDATE wait), waits until the worker's
 * transactions are blocked on it, kills the worker, then lets go. A blocked transaction of a killed
 * worker never commits, so the retried step starts from nothing, as after a crash at any other moment.
 */
import assert from 'node:assert/strict';
import type { Db } from '../../db/connection';
import { billingRunWorkflowId, statementReviewWorkflowId } from '../../workflows/billing/messages';
import { prepareBillingMonth, statementMismatches, waitUntil, type ExpectedStatement } from './support/billing-fixtures';
import { faultEnv, type FaultEnv } from './support/fault-env';
import { sleep } from './support/fault-scenario';
import { failureOf, recordFault } from './support/report';
import { callUntilAnswered } from './support/retrying-call';

const PERIOD = '2025-03';
// 24 billable clients (6-11 interventions) and 6 within their included five.
const COUNTS = [...Array.from({ length: 24 }, (_, i) => 6 + (i % 6)), 1, 2, 3, 4, 5, 5];

type HeldTable = 'statements' | 'budget_operations';

/** Holds every write to `table` until released (reads go on); the worker's writes wait on it. */
async function holdWrites(db: Db, table: HeldTable): Promise<() => Promise<void>> {
  const trx = await db.transaction();
  await trx.raw(`lock table ${table} in share mode`);
  return async () => {
    if (!trx.isCompleted()) await trx.rollback();
  };
}

/** Transactions waiting to write `table`: the work a kill now would hit in flight. */
async function heldWriters(db: Db, table: HeldTable): Promise<number> {
  const { rows } = await db.raw<{ rows: { n: number }[] }>('select count(*)::int as n from pg_locks where relation = ?::regclass and not granted', [table]);
  return rows[0].n;
}

const countOf = async (query: PromiseLike<{ n: string | number }[]>) => Number((await query)[0].n);

describe('fault: the worker is SIGKILLed during a billing run and during budget registration', function () {
  this.timeout(600_000);

  it('the run ends with the expected statements and exactly one budget operation per approved statement', async () => {
    const env = await faultEnv();
    const notes: string[] = [];
    const figures: { inFlight: number | null; lost: number | null; duplicated: number | null } = { inFlight: null, lost: null, duplicated: null };
    let billableCount: number | undefined;
    let faultsInjected = 0;
    const holds: Array<() => Promise<void>> = [];
    let workerDown = false;
    let failure: unknown;
    try {
      const month = await prepareBillingMonth(env.apiUrl, env.adminToken, PERIOD, COUNTS);
      const billable = [...month.expected.values()].filter((s) => s.billable);
      billableCount = billable.length;
      const runPath = `/v1/billing/periods/${PERIOD}`;
      const statementsWritten = () => countOf(env.db('statements').where({ period: PERIOD }).count<{ n: string }[]>('* as n'));
      const budgetOps = () => countOf(env.db('budget_operations').where({ period: PERIOD }).count<{ n: string }[]>('* as n'));
      const killWorker = async () => {
        await env.worker.kill();
        workerDown = true;
        faultsInjected += 1;
      };
      const restartWorker = async () => {
        await sleep(2000);
        await env.worker.start();
        workerDown = false;
      };

      // Fault 1: the run is recorded and its extraction is writing the statements when the worker dies.
      const releaseStatements = await holdWrites(env.db, 'statements');
      holds.push(releaseStatements);
      const trigger = callUntilAnswered(env.apiUrl, { method: 'POST', path: `${runPath}/run`, token: month.slaManager.token });
      await waitUntil(() => heldWriters(env.db, 'statements'), (n) => n > 0, 'the extraction to write its statements', 60_000);
      await killWorker();
      // Measured after the kill, while the dead worker's transaction still waits: it is what the kill hit.
      const runAtKill = await env.db('billing_runs').where({ period: PERIOD }).first<{ status: string } | undefined>();
      const statementsAtKill = await statementsWritten();
      const extractionHeld = await heldWriters(env.db, 'statements');
      notes.push(`first kill: run ${runAtKill?.status ?? 'not recorded'}, ${statementsAtKill} of ${COUNTS.length} statements written, ${extractionHeld} extraction transaction(s) waiting to write them`);
      assert.equal(runAtKill?.status, 'RUNNING', 'the first kill hits a recorded run that is not yet IN_REVIEW');
      assert.ok(statementsAtKill < COUNTS.length, `the first kill hits the extraction before every statement exists (${statementsAtKill} of ${COUNTS.length})`);
      await releaseStatements();
      await restartWorker();
      const triggered = await trigger;
      assert.ok([200, 201].includes(triggered.status), `run: ${triggered.status} ${JSON.stringify(triggered.body)}`);

      const inReview = await waitUntil(
        () => callUntilAnswered(env.apiUrl, { method: 'GET', path: runPath, token: month.slaManager.token }),
        (a) => a.status === 200 && a.body.status === 'IN_REVIEW',
        'the run to reach IN_REVIEW',
        180_000,
      );
      assert.deepEqual(statementMismatches(month, inReview.body.statements), [], 'the run produced the statements of the month');

      // Fault 2: approvals go in three waves, 3 at a time. The first wave's budget operations are registered
      // with the worker up; the second wave's registrations are in flight (held) when the worker dies; the
      // third wave is approved after the restart.
      const approveAll = async (statements: ExpectedStatement[]) => {
        const queue = [...statements];
        const approve = async () => {
          for (let s = queue.shift(); s; s = queue.shift()) {
            const path = `${runPath}/statements/${s.clientId}/decision`;
            const answer = await callUntilAnswered(env.apiUrl, { method: 'POST', path, token: month.accountExecutive.token, body: { decision: 'approve' }, headers: { 'Idempotency-Key': `approve-${s.clientId}` } });
            // A 409 after a lost answer is fine if the earlier attempt approved it.
            if (answer.status === 409 && ['APPROVED', 'BUDGET_REGISTERED'].includes(answer.body.state)) continue;
            assert.equal(answer.status, 200, `approve ${s.clientId}: ${answer.status} ${JSON.stringify(answer.body)}`);
          }
        };
        await Promise.all([approve(), approve(), approve()]);
      };
      const third = Math.ceil(billable.length / 3);
      const [first, second, last] = [billable.slice(0, third), billable.slice(third, 2 * third), billable.slice(2 * third)];
      await approveAll(first);
      await waitUntil(budgetOps, (n) => n >= first.length, "the first wave's budget operations", 120_000);
      const releaseOperations = await holdWrites(env.db, 'budget_operations');
      holds.push(releaseOperations);
      await approveAll(second);
      await waitUntil(() => heldWriters(env.db, 'budget_operations'), (n) => n >= second.length, "the second wave's budget registrations to be in flight", 60_000);
      const registrationsInFlight = await heldWriters(env.db, 'budget_operations');
      await killWorker();
      const operationsAtKill = await budgetOps();
      const approvedWithoutOperation = await countOf(env.db('statements').where({ period: PERIOD, status: 'APPROVED' }).count<{ n: string }[]>('* as n'));
      notes.push(`second kill: ${operationsAtKill} of ${billable.length} budget operations registered, ${registrationsInFlight} registrations in flight, ${approvedWithoutOperation} approved statements without their operation`);
      assert.ok(operationsAtKill < billable.length, `the second kill hits budget registration with operations pending (${operationsAtKill} of ${billable.length})`);
      assert.ok(approvedWithoutOperation > 0, 'the second kill hits approved statements whose budget operation is not registered');
      figures.inFlight = COUNTS.length - statementsAtKill + registrationsInFlight;
      await releaseOperations();
      await restartWorker();
      await approveAll(last);

      const completed = await waitUntil(
        () => callUntilAnswered(env.apiUrl, { method: 'GET', path: runPath, token: month.slaManager.token }),
        (a) => a.status === 200 && a.body.status === 'COMPLETED',
        'the run to complete',
        240_000,
      ).catch(async (error: unknown) => {
        throw new Error(`${failureOf(error).slice(0, 80)}...; ${await stuckReviews(env, PERIOD)}`);
      });
      const statements = completed.body.statements as Array<{ clientId: string; status: string; interventions: number; billableQuantity: number; amount: string }>;
      assert.deepEqual(statementMismatches(month, statements), [], 'the same statements after the faults');
      const notRegistered = statements.filter((s) => month.expected.get(s.clientId)?.billable && s.status !== 'BUDGET_REGISTERED');

      const operations = await env.db('budget_operations').where({ period: PERIOD }).select<{ client_id: string; amount_minor: string }[]>('client_id', 'amount_minor');
      const perClient = new Map<string, number>();
      for (const op of operations) perClient.set(op.client_id, (perClient.get(op.client_id) ?? 0) + 1);
      const duplicated = operations.length - perClient.size;
      const missing = billable.filter((s) => !perClient.has(s.clientId)).length;
      figures.lost = missing + notRegistered.length;
      figures.duplicated = duplicated;
      const wrongAmount = operations.filter((op) => Number(op.amount_minor) !== month.expected.get(op.client_id)?.amountMinor);
      const listed = await callUntilAnswered(env.apiUrl, { method: 'GET', path: `/v1/budget-operations?period=${PERIOD}`, token: month.slaManager.token });

      // Each statement's history is written once per change: seq 1..n without a gap.
      const gaps = await env.db.raw<{ rows: { client_id: string }[] }>(
        `select client_id from statement_history where period = ? group by client_id having count(*) <> max(seq) or min(seq) <> 1`, [PERIOD]);

      assert.deepEqual(notRegistered.map((s) => `${s.clientId} ${s.status}`), []);
      assert.equal(duplicated, 0, 'no second budget operation for any statement');
      assert.equal(missing, 0, 'one budget operation per approved statement');
      assert.equal(operations.length, billable.length);
      assert.deepEqual(wrongAmount, []);
      assert.equal(listed.body.items.length, billable.length);
      assert.deepEqual(gaps.rows, [], 'statement histories without gaps');
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // Whatever failed, the next test finds the tables writable and a worker polling.
      for (const release of holds) await release().catch(() => undefined);
      if (workerDown) await restartAfterFailure(env, notes);
      recordFault({
        fault: 'billing-worker-crash',
        workload: `one billing run (${COUNTS.length} clients, ${billableCount ?? '?'} billable statements approved in three waves, 3 at a time); in flight: statements the run still had to write at the first kill + budget registrations under way at the second`,
        inFlight: figures.inFlight,
        faultsInjected,
        faultDescription: 'SIGKILL of the worker while the run extracts the statements, and again while the second wave of approved statements registers its budget operations (both held mid-write so the kill lands there); restarted 2 s later each time',
        lost: figures.lost,
        duplicated: figures.duplicated,
        passed: failure === undefined,
        failure: failure === undefined ? undefined : failureOf(failure),
        notes,
      });
    }
  });
});

/** Where a run that does not complete stands: its statements not yet registered and their reviews in Temporal. */
async function stuckReviews(env: FaultEnv, period: string): Promise<string> {
  const open = await env.db('statements').where({ period }).whereNot({ status: 'BUDGET_REGISTERED' }).select<{ client_id: string; status: string; billable_quantity: number }[]>('client_id', 'status', 'billable_quantity');
  const reviews = await Promise.all(open.filter((s) => Number(s.billable_quantity) > 0).map(async (s) => {
    const handle = env.temporal.workflow.getHandle(statementReviewWorkflowId(period, s.client_id));
    const status = await handle.describe().then((d) => d.status.name, (e: unknown) => failureOf(e));
    // A failed review says why: the failure and its cause (an activity's error, say).
    const cause = status === 'FAILED'
      ? await handle.result().then(() => '', (e: unknown) => `: ${failureOf(e)} / ${failureOf((e as { cause?: unknown }).cause)} / ${failureOf((e as { cause?: { cause?: unknown } }).cause?.cause)}`)
      : '';
    const review = `${status}${cause}`;
    return `${s.client_id.slice(0, 8)} ${s.status} (review ${review})`;
  }));
  const run = await env.temporal.workflow.getHandle(billingRunWorkflowId(period)).describe().then((d) => `${d.status.name}, ${d.historyLength} events`, (e: unknown) => failureOf(e));
  return `run workflow ${run}; billable statements not registered: ${reviews.join(', ') || 'none'}`;
}

async function restartAfterFailure(env: FaultEnv, notes: string[]): Promise<void> {
  try {
    await env.worker.start();
  } catch (error) {
    notes.push(`the worker did not restart after the failure: ${failureOf(error)}`);
  }
}
