/**
 * Records the Temporal histories of the request and billing workflows' paths into test/histories/*.json, which
 * test/integration/replay.test.ts replays against the current workflow code (replay safety).
 *
 *   npm run record-histories [-- <output dir>]
 *
 * Uses the integration-test environment (a dev server on a free port, a scratch database on the
 * PostgreSQL of TEST_DATABASE_URL, the worker and the API in this process) and drives each path through
 * the public API, with short timers where a path waits for one. Re-record after a deliberate workflow
 * change only, and keep the old files too if running workflows may still carry those histories.
 */
import fs from 'node:fs';
import path from 'node:path';
import { requestWorkflowId } from '../workflows/request/messages';
import { billingRunWorkflowId, MONTHLY_TRIGGER_WORKFLOW, statementReviewWorkflowId } from '../workflows/billing/messages';
import { closingsIn, importInterventions, waitFor } from '../test/integration/billing-support';
import { historyToJson } from '../test/support/history-json';
import { startApiVariant, stopTestEnv, testEnv, type ApiVariant, type TestEnv } from '../test/support/env';
import { act, call, createClient, createStaff, fileRequest, VALID_FILING, waitForRequest, type ClientFixture, type StaffFixture } from '../test/support/http';

const DEFAULT_OUTPUT_DIR = path.resolve(__dirname, '../../test/histories');

interface Recorder {
  env: TestEnv;
  client: ClientFixture;
  staff: StaffFixture;
  shortSilence: ApiVariant;
  shortHistory: ApiVariant;
}

type Api = Pick<TestEnv, 'apiUrl'>;

/** Each path files one request and drives it to its end; returns the request's number. */
const PATHS: Record<string, (r: Recorder) => Promise<string>> = {
  'straight-through': async ({ env, client, staff }) => {
    const id = await file(env, client.authorized);
    await operatorExecutes(env, staff, id);
    await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'accept' }));
    return numberOf(env, staff, id);
  },
  'incomplete-then-corrected': async ({ env, client, staff }) => {
    const id = await file(env, client.authorized);
    await expectOk(act(env, staff.operator, id, 'validation', { decision: 'incomplete', reason: 'Which rack?' }));
    await expectOk(act(env, client.authorized, id, 'correction', { comment: 'Rack 12', instructions: 'Power-cycle rack 12 unit 7.' }));
    await operatorExecutes(env, staff, id);
    await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'accept' }));
    return numberOf(env, staff, id);
  },
  rejected: async ({ env, client, staff }) => {
    const id = await file(env, client.authorized);
    await expectOk(act(env, staff.operator, id, 'validation', { decision: 'reject', reason: 'A risk to the service' }));
    return numberOf(env, staff, id);
  },
  'modification-rounds': async ({ env, client, staff }) => {
    const id = await file(env, client.authorized);
    await operatorExecutes(env, staff, id);
    for (let round = 1; round <= 3; round += 1) {
      await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'modify', instructions: `Round ${round}: reseat PSU ${round}.` }));
      await expectOk(act(env, staff.operator, id, 'start'));
      await expectOk(act(env, staff.operator, id, 'report', { actionsPerformed: `Round ${round} done.` }));
    }
    await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'accept' }));
    return numberOf(env, staff, id);
  },
  cancelled: async ({ env, client, staff }) => {
    const id = await file(env, client.authorized);
    await expectOk(act(env, staff.operator, id, 'validation', { decision: 'approve' }));
    await expectOk(act(env, client.authorized, id, 'cancellation', { reason: 'Fixed it remotely' }));
    return numberOf(env, staff, id);
  },
  'silence-cancelled': async ({ env, client, staff, shortSilence }) => {
    const id = await file(shortSilence, client.authorized);
    await expectOk(act(env, staff.operator, id, 'validation', { decision: 'incomplete', reason: 'Which rack?' }));
    await waitForRequest(env, staff.operator, id, (r) => r.status === 'CANCELLED');
    return numberOf(env, staff, id);
  },
  'silence-tacit-conformity': async ({ env, client, staff, shortSilence }) => {
    const id = await file(shortSilence, client.authorized);
    await operatorExecutes(env, staff, id);
    await waitForRequest(env, staff.operator, id, (r) => r.status === 'CLOSED');
    return numberOf(env, staff, id);
  },
  'sla-breached': async ({ env, client, staff }) => {
    const id = await file(env, client.authorized, 'urgent');
    await waitForRequest(env, staff.operator, id, (r) => r.events.some((e: { type: string }) => e.type === 'validation_sla_breached'));
    await expectOk(act(env, staff.operator, id, 'validation', { decision: 'approve' }));
    await expectOk(act(env, staff.operator, id, 'start'));
    // The execution SLA runs from approval to the first report.
    await waitForRequest(env, staff.operator, id, (r) => r.events.some((e: { type: string }) => e.type === 'execution_sla_breached'));
    await expectOk(act(env, staff.operator, id, 'report', { actionsPerformed: 'Power-cycled; LED green.' }));
    await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'accept' }));
    return numberOf(env, staff, id);
  },
  'continued-as-new': async ({ env, client, staff, shortHistory }) => {
    const id = await file(shortHistory, client.authorized);
    await operatorExecutes(env, staff, id);
    for (let round = 1; round <= 6; round += 1) {
      await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'modify', instructions: `Round ${round}.` }));
      await expectOk(act(env, staff.operator, id, 'start'));
      await expectOk(act(env, staff.operator, id, 'report', { actionsPerformed: `Round ${round} done.` }));
    }
    await expectOk(act(env, client.authorized, id, 'confirmation', { decision: 'accept' }));
    return numberOf(env, staff, id);
  },
};

/** Each billing path drives workflows of the monthly billing to their end; returns their workflow ids. */
const BILLING_PERIOD = '2022-11';
const BILLING_PATHS: Record<string, (r: Recorder) => Promise<string[]>> = {
  'billing-dispute-revise-approve': async ({ env }) => {
    const billable = await createClient(env, { includedInterventions: 5, billingMode: 'excess', unitPrice: '100.00', currency: 'USD' });
    const quiet = await createClient(env);
    const staff = await createStaff(env, [billable.clientId]);
    await importInterventions(env, billable.clientId, closingsIn(BILLING_PERIOD, 7));
    await importInterventions(env, quiet.clientId, closingsIn(BILLING_PERIOD, 2));
    await expectOk(call(env, 'POST', `/v1/billing/periods/${BILLING_PERIOD}/run`, { token: staff.slaManager }));
    const statementPath = `/v1/billing/periods/${BILLING_PERIOD}/statements/${billable.clientId}`;
    const pending = await waitFor(() => call(env, 'GET', statementPath, { token: staff.slaManager }), (r) => r.body.status === 'PENDING_REVIEW', 'the statement to await review');
    await expectOk(call(env, 'POST', `${statementPath}/decision`, { token: staff.accountExecutive, body: { decision: 'dispute', reasons: 'One of these was a warranty swap.' } }));
    const excluded = pending.body.requests[0].requestId as string;
    await expectOk(call(env, 'POST', `${statementPath}/revision`, { token: staff.slaManager, body: { excludeRequestIds: [excluded], answer: 'Warranty swap excluded.' } }));
    await expectOk(call(env, 'POST', `${statementPath}/decision`, { token: staff.accountExecutive, body: { decision: 'approve' } }));
    await waitFor(() => call(env, 'GET', `/v1/billing/periods/${BILLING_PERIOD}`, { token: staff.slaManager }), (r) => r.body.status === 'COMPLETED', 'the run to complete');
    return [billingRunWorkflowId(BILLING_PERIOD), statementReviewWorkflowId(BILLING_PERIOD, billable.clientId)];
  },
  'billing-monthly-trigger': async ({ env }) => {
    const workflowId = 'record-monthly-trigger';
    await env.temporal.workflow.execute(MONTHLY_TRIGGER_WORKFLOW, { workflowId, taskQueue: env.config.temporal.taskQueue, args: [{ timeZone: env.config.billingTimeZone }] });
    return [workflowId];
  },
};

async function expectOk(result: Promise<{ status: number; body: unknown }>): Promise<void> {
  const { status, body } = await result;
  if (status !== 200 && status !== 201) throw new Error(`unexpected ${status}: ${JSON.stringify(body)}`);
}

async function file(api: Api, token: string, priority = 'normal'): Promise<string> {
  const filed = await fileRequest(api, token, { ...VALID_FILING, priority });
  if (filed.status !== 201) throw new Error(`filing: ${filed.status} ${JSON.stringify(filed.body)}`);
  return filed.body.id;
}

async function operatorExecutes(env: TestEnv, staff: StaffFixture, id: string): Promise<void> {
  await expectOk(act(env, staff.operator, id, 'validation', { decision: 'approve' }));
  await expectOk(act(env, staff.operator, id, 'start'));
  await expectOk(act(env, staff.operator, id, 'report', { actionsPerformed: 'Power-cycled; LED green.' }));
}

async function numberOf(env: TestEnv, staff: StaffFixture, id: string): Promise<string> {
  return (await waitForRequest(env, staff.operator, id, () => true)).number;
}

/** Every run of a workflow, oldest first, once the workflow has ended. */
async function recordRuns(env: TestEnv, workflowId: string): Promise<string[]> {
  await env.temporal.workflow.getHandle(workflowId).result(); // follows continue-as-new to the last run
  const runs: string[] = [];
  let runId: string | undefined = (await env.temporal.workflow.getHandle(workflowId).describe()).runId;
  while (runId) {
    const history = await env.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(historyToJson(history));
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

function writeRuns(outputDir: string, name: string, runs: string[]): string[] {
  const files = runs.map((_, i) => (runs.length === 1 ? `${name}.json` : `${name}.run${i + 1}.json`));
  runs.forEach((json, i) => fs.writeFileSync(path.join(outputDir, files[i]), json));
  return files;
}

async function main(): Promise<void> {
  const outputDir = path.resolve(process.argv[2] ?? DEFAULT_OUTPUT_DIR);
  fs.mkdirSync(outputDir, { recursive: true });
  const env = await testEnv();
  try {
    const recorder: Recorder = {
      env,
      client: await createClient(env),
      staff: await createStaff(env),
      shortSilence: await startApiVariant(env, { RHS_REMINDER_EVERY: '1s', RHS_SILENCE_AFTER: '2500ms' }),
      shortHistory: await startApiVariant(env, { RHS_HISTORY_EVENT_LIMIT: '40' }),
    };
    const requests = await Promise.all(
      Object.entries(PATHS).map(async ([name, run]) => {
        const number = await run(recorder);
        return { name, files: writeRuns(outputDir, name, await recordRuns(env, requestWorkflowId(number))) };
      }),
    );
    // Billing paths one after another: the trigger starts the run of the month that just ended.
    const billing: { name: string; files: string[] }[] = [];
    for (const [name, run] of Object.entries(BILLING_PATHS)) {
      const workflowIds = await run(recorder);
      const files: string[] = [];
      for (const [i, workflowId] of workflowIds.entries()) {
        files.push(...writeRuns(outputDir, workflowIds.length === 1 ? name : `${name}.${i + 1}`, await recordRuns(env, workflowId)));
      }
      billing.push({ name, files });
    }
    const recorded = [...requests, ...billing];
    for (const { name, files } of recorded) console.log(`${name}: ${files.join(', ')}`);
    console.log(`histories written to ${outputDir}`);
  } finally {
    await stopTestEnv();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
