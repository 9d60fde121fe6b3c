/** Monthly billing (api.md, "Monthly billing"): runs, statements and their review, reports, budget operations. */
import { decideStatement, type StatementCommand } from '../../domain/billing';
import { hasPeriodEnded, isValidPeriod } from '../../domain/periods';
import { renderStatementCsv, renderStatementHtml, renderSummaryCsv, renderSummaryHtml } from '../../domain/reports';
import { computeIndicators, type IndicatorReport } from '../../domain/indicators';
import {
  findRun,
  findStatement,
  listBudgetOperations,
  listStatements,
  statementHistory,
  statementRequests,
  type StatementRow,
} from '../../db/billing';
import type { Caller } from '../auth';
import type { ApiContext } from '../context';
import { problems } from '../problem';
import { visibleClientIds } from '../request/routes';
import { defineRoute, type RouteSpec } from '../route';
import { sendKeyedAction } from '../workflow-refusals';
import { object } from '../schema';
import { actorOf, notInReview, sendDecision, sendRevision, startBillingRun } from './temporal';
import { budgetOperationView, historyView, requestLine, runView, statementView } from './views';

interface DecisionBody {
  decision: 'approve' | 'dispute';
  reasons?: string;
}

interface RevisionBody {
  excludeRequestIds?: string[];
  answer: string;
}

const READERS = ['sla_manager', 'account_executive'] as const;
const STATEMENT_PATH = '/v1/billing/periods/:period/statements/:clientId';
const KEY_HEADER = { name: 'Idempotency-Key', description: 'optional; a retried call with the same key takes effect once; the key used for another action, statement or body is 422' };

export function billingRoutes(context: ApiContext): RouteSpec[] {
  const { db, temporal, config } = context;

  async function runOf(period: string) {
    const run = await findRun(db, requirePeriod(period));
    if (!run) throw problems.notFound(`no billing run for ${period}`);
    return run;
  }

  /** A statement the caller may see, or 404: an account executive sees only the clients it covers. */
  async function visibleStatement(caller: Caller, period: string, clientId: string): Promise<StatementRow> {
    requirePeriod(period);
    const visible = visibleClientIds(caller);
    const row = clientId.length <= 100 && (!visible || visible.includes(clientId)) ? await findStatement(db, period, clientId) : undefined;
    if (!row) throw problems.notFound('no such statement');
    return row;
  }

  async function fullStatement(row: StatementRow) {
    const [requests, history] = await Promise.all([statementRequests(db, row.period, row.client_id), statementHistory(db, row.period, row.client_id)]);
    return { ...statementView(row), requests: requests.map(requestLine), history: history.map(historyView) };
  }

  async function report(caller: Caller, params: Record<string, string>, render: typeof renderStatementCsv) {
    const row = await visibleStatement(caller, params.period, params.clientId);
    return render(statementView(row), (await statementRequests(db, row.period, row.client_id)).map(requestLine));
  }

  async function summaryOf(period: string) {
    const run = await runOf(period);
    const statements = (await listStatements(db, period)).map(statementView);
    const indicators = (run.summary?.indicators as IndicatorReport | undefined) ?? computeIndicators([]);
    return { run, statements, indicators };
  }

  const run = defineRoute({
    method: 'post',
    path: '/v1/billing/periods/:period/run',
    summary: 'B1: start the run of a month that has ended (the monthly schedule does this on its own); joins the existing run',
    description: '201 when this call started the run, 200 when it joined the one that exists. A month not yet ended in the billing time zone is 409.',
    roles: ['sla_manager'],
    success: { status: 201, description: 'the run this call started {period, status, workflowId, timeZone, startedAt, completedAt}', schema: 'BillingRun' },
    alsoSuccess: { status: 200, description: 'the run that exists, joined (or completed)' },
    errors: [400, 403, 409],
    async handler({ res, params }) {
      const period = requirePeriod(params.period);
      const existing = await findRun(db, period);
      if (existing?.status === 'COMPLETED') {
        res.status(200).json(runView(existing));
        return undefined;
      }
      if (!existing && !hasPeriodEnded(period, new Date(), config.billingTimeZone)) {
        throw problems.conflict(`the period ${period} has not ended yet in ${config.billingTimeZone}; it can run from the first day of the next month`, { state: 'NOT_ENDED', allowedActions: [] });
      }
      const timeZone = existing?.time_zone ?? config.billingTimeZone;
      const { started } = await startBillingRun(temporal, config.temporal.taskQueue, { period, timeZone });
      const row = await findRun(db, period);
      if (!row) throw problems.unavailable('the run was started but is not readable yet; repeat the call');
      // Sent here: the router would answer every success with the route's declared 201.
      res.status(started ? 201 : 200).json(runView(row));
      return undefined;
    },
  });

  const getPeriod = defineRoute({
    method: 'get',
    path: '/v1/billing/periods/:period',
    summary: 'The run of a period and its statements (an account executive sees only the clients it covers)',
    roles: READERS,
    success: { status: 200, description: '{period, status, timeZone, startedAt, completedAt, workflowId, statements}', schema: 'Period' },
    errors: [400, 404],
    async handler({ caller, params }) {
      const row = await runOf(params.period);
      const statements = await listStatements(db, row.period, visibleClientIds(caller));
      return { ...runView(row), statements: statements.map(statementView) };
    },
  });

  const getStatement = defineRoute({
    method: 'get',
    path: STATEMENT_PATH,
    summary: "A client's statement: figures, status, every intervention (requests) and its history",
    roles: READERS,
    success: { status: 200, description: '{clientId, period, interventions, includedInterventions, billableQuantity, unitPrice, currency, amount, status, requests, history}', schema: 'Statement' },
    errors: [400, 404],
    async handler({ caller, params }) {
      return fullStatement(await visibleStatement(caller, params.period, params.clientId));
    },
  });

  const reportCsv = defineRoute({
    method: 'get',
    path: `${STATEMENT_PATH}/report.csv`,
    summary: "D3: the client's report as CSV (interventions, then the totals)",
    roles: READERS,
    success: { status: 200, description: 'RFC 4180 CSV', contentType: 'text/csv; charset=utf-8' },
    errors: [400, 404],
    handler: ({ caller, params }) => report(caller, params, renderStatementCsv),
  });

  const reportHtml = defineRoute({
    method: 'get',
    path: `${STATEMENT_PATH}/report.html`,
    summary: "D3: the client's report as a document to read",
    roles: READERS,
    success: { status: 200, description: 'a self-contained HTML document', contentType: 'text/html; charset=utf-8' },
    errors: [400, 404],
    handler: ({ caller, params }) => report(caller, params, renderStatementHtml),
  });

  const decision = defineRoute<DecisionBody>({
    method: 'post',
    path: `${STATEMENT_PATH}/decision`,
    summary: 'B3/B4: the account executive approves the statement, or disputes it with reasons',
    description: 'PENDING_REVIEW → APPROVED (then BUDGET_REGISTERED once the budget operation is registered) or DISPUTED. While the run is still starting the reviews of a large month (a minute or two), an open statement answers 409 with a detail saying so: repeat the call.',
    roles: ['account_executive'],
    body: object({
      decision: { type: 'string', required: true, enum: ['approve', 'dispute'] },
      reasons: { type: 'string', maxLength: 5000, description: 'required for dispute (B3)' },
    }),
    headers: [KEY_HEADER],
    success: { status: 200, description: 'the statement after the change', schema: 'Statement' },
    errors: [400, 403, 404, 409, 422],
    async handler({ req, caller, body, params }) {
      const row = await visibleStatement(caller, params.period, params.clientId);
      const command: StatementCommand = body.decision === 'approve' ? { kind: 'approve' } : { kind: 'dispute', reasons: body.reasons ?? '' };
      precheck(row, command, caller, body.decision);
      await sendKeyedAction(db, req, caller.id, { action: 'decision', target: `${row.period}/${row.client_id}`, body }, (updateId) =>
        sendDecision(temporal, row.period, row.client_id, row.status, { ...body, actor: actorOf(caller) }, updateId));
      return fullStatement((await findStatement(db, row.period, row.client_id))!);
    },
  });

  const revision = defineRoute<RevisionBody>({
    method: 'post',
    path: `${STATEMENT_PATH}/revision`,
    summary: 'D4: the SLA manager answers a dispute, maybe excluding requests (the answer is the reason); the statement returns to review',
    description: 'DISPUTED → PENDING_REVIEW; or DISPUTED → NOT_BILLABLE when the exclusions leave no more interventions than the contract includes (nothing to bill, the review ends).',
    roles: ['sla_manager'],
    body: object({
      excludeRequestIds: { type: 'array', items: { type: 'string', required: true, maxLength: 100 }, maxItems: 1000 },
      answer: { type: 'string', required: true, maxLength: 5000 },
    }),
    headers: [KEY_HEADER],
    success: { status: 200, description: 'the statement after the change', schema: 'Statement' },
    errors: [400, 403, 404, 409, 422],
    async handler({ req, caller, body, params }) {
      const row = await visibleStatement(caller, params.period, params.clientId);
      const input = { answer: body.answer, excludeRequestIds: body.excludeRequestIds ?? [] };
      precheck(row, { kind: 'revise', ...input }, caller, 'revise');
      await sendKeyedAction(db, req, caller.id, { action: 'revision', target: `${row.period}/${row.client_id}`, body: input }, (updateId) =>
        sendRevision(temporal, row.period, row.client_id, row.status, { ...input, actor: actorOf(caller) }, updateId));
      return fullStatement((await findStatement(db, row.period, row.client_id))!);
    },
  });

  const summaryJson = defineRoute({
    method: 'get',
    path: '/v1/billing/periods/:period/summary',
    summary: "D3/D7: the SLA manager's summary across clients, with the month's indicators",
    roles: ['sla_manager'],
    success: { status: 200, description: '{period, status, statements, indicators: {overall, perClient}}', schema: 'PeriodSummary' },
    errors: [400, 404],
    async handler({ params }) {
      const { run: row, statements, indicators } = await summaryOf(params.period);
      return { ...runView(row), statements, indicators };
    },
  });

  const summaryCsv = defineRoute({
    method: 'get',
    path: '/v1/billing/periods/:period/summary.csv',
    summary: "D3: the SLA manager's summary as CSV",
    roles: ['sla_manager'],
    success: { status: 200, description: 'RFC 4180 CSV', contentType: 'text/csv; charset=utf-8' },
    errors: [400, 404],
    async handler({ params }) {
      const { run: row, statements } = await summaryOf(params.period);
      return renderSummaryCsv(row.period, statements);
    },
  });

  const summaryHtml = defineRoute({
    method: 'get',
    path: '/v1/billing/periods/:period/summary.html',
    summary: "D3/D7: the SLA manager's summary with the indicators, as a document to read",
    roles: ['sla_manager'],
    success: { status: 200, description: 'a self-contained HTML document', contentType: 'text/html; charset=utf-8' },
    errors: [400, 404],
    async handler({ params }) {
      const { run: row, statements, indicators } = await summaryOf(params.period);
      return renderSummaryHtml(row.period, statements, indicators);
    },
  });

  const budgetOperations = defineRoute<unknown, { period?: string }>({
    method: 'get',
    path: '/v1/budget-operations',
    summary: 'B5/D5: the registered budget operations (one per client and period)',
    roles: ['sla_manager', 'admin'],
    query: object({ period: { type: 'string', format: 'period' } }),
    success: { status: 200, description: '{items}', schema: 'BudgetOperations' },
    errors: [400],
    async handler({ query }) {
      return { items: (await listBudgetOperations(db, query.period)).map(budgetOperationView) };
    },
  });

  return [run, summaryCsv, summaryHtml, summaryJson, getPeriod, reportCsv, reportHtml, getStatement, decision, revision, budgetOperations];
}

function requirePeriod(period: string): string {
  if (!isValidPeriod(period)) throw problems.invalid([{ path: 'period', message: 'must be a period YYYY-MM' }]);
  return period;
}

/** Role (403) and input (400) are judged here without a round trip; the state is the workflow's to judge. */
function precheck(row: StatementRow, command: StatementCommand, caller: Caller, action: string): void {
  const outcome = decideStatement(row.status, command, caller.role);
  if (outcome.ok) return;
  if (outcome.code === 'forbidden') throw problems.forbidden(outcome.message);
  if (outcome.code === 'invalid_input') throw problems.invalid(outcome.errors ?? [], outcome.message);
  // Not under review at all (not billable, or finished): no workflow to ask.
  if (row.status === 'NOT_BILLABLE' || row.status === 'BUDGET_REGISTERED') throw notInReview(row.status, action);
}
