/**
 * The review of one billable client's statement for one period (B3, B4, B5, D4, D5). The workflow
 * holds the authoritative state; the account executive's decision and the SLA manager's revision
 * arrive as Updates whose validators ask the pure rules (domain/billing.ts decideStatement), so a
 * refused action never reaches history. Every change is projected to PostgreSQL (statements,
 * statement_history, outbox) before the Update returns. After approval the budget operation is
 * registered once, then the workflow tells the period's run that it has finished.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { BillingActivities } from '../../activities/billing';
import {
  allowedStatementActions,
  budgetRegistered,
  computeStatement,
  decideStatement,
  statusAfterRevision,
  type StatementCommand,
  type StatementDecision,
  type StatementStatus,
} from '../../domain/billing';
import type { Actor } from '../../domain/roles';
import {
  decisionUpdate,
  REFUSAL_TYPES,
  reviewFinishedSignal,
  reviewStateQuery,
  revisionUpdate,
  type DecisionInput,
  type ReviewState,
  type RevisionInput,
  type StatementReviewInput,
  type StatementSnapshot,
} from './messages';
import { nextReviewAlarm } from './review-alarms';

const { projectStatementChange } = proxyLocalActivities<BillingActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

const { registerBudgetOperation } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['StatementNotApprovedError'] },
});

const DEFAULT_HISTORY_EVENT_LIMIT = 2000;
const SYSTEM: Actor = { id: 'system', role: 'system' };
const OPEN: readonly StatementStatus[] = ['PENDING_REVIEW', 'DISPUTED'];

export async function statementReviewWorkflow(input: StatementReviewInput): Promise<ReviewState> {
  const counted = (excluded: readonly string[]) => computeStatement(input.contract, input.requestIds.length - excluded.length);
  let state: ReviewState = input.carried ?? {
    status: input.status,
    seq: input.seq,
    figures: counted(input.excludedRequestIds),
    excludedRequestIds: input.excludedRequestIds,
    remindersSent: 0,
    escalated: false,
  };

  let projectionQueue: Promise<void> = Promise.resolve();
  /** Records one history event (and the state it led to), projected in order. */
  const commit = async (next: Partial<ReviewState>, type: string, actor: Actor, details: Record<string, unknown>, exclusions?: { requestIds: string[]; reason: string }) => {
    const from = state.status;
    state = { ...state, ...next, seq: state.seq + 1 };
    const change = {
      period: input.period,
      clientId: input.clientId,
      figures: state.figures,
      status: state.status,
      seq: state.seq,
      event: { type, at: Date.now(), actorId: actor.id, actorRole: actor.role, details: { ...details, from, to: state.status } },
      excludedRequestIds: state.excludedRequestIds,
      exclusions,
      // Which workflow task made the change (db/billing.ts projectStatementChange).
      historyLength: workflowInfo().historyLength,
    };
    const write = projectionQueue.then(() => projectStatementChange(change));
    projectionQueue = write;
    await write;
  };
  const snapshot = (): StatementSnapshot => ({ period: input.period, clientId: input.clientId, status: state.status, seq: state.seq });

  setHandler(reviewStateQuery, () => state);
  setHandler(
    decisionUpdate,
    async ({ decision, reasons, actor }: DecisionInput) => {
      const command = decisionCommand(decision, reasons);
      const outcome = refuseUnlessOk(decideStatement(state.status, command, actor.role), state.status);
      await commit({ status: outcome }, decision === 'approve' ? 'approved' : 'disputed', actor, decision === 'dispute' ? { reasons } : {});
      return snapshot();
    },
    { validator: ({ decision, reasons, actor }: DecisionInput) => void refuseUnlessOk(decideStatement(state.status, decisionCommand(decision, reasons), actor?.role), state.status) },
  );
  setHandler(
    revisionUpdate,
    async ({ answer, excludeRequestIds, actor }: RevisionInput) => {
      refuseUnlessOk(decideStatement(state.status, reviseCommand(answer, excludeRequestIds), actor.role), state.status);
      const newly = unique(excludeRequestIds).filter((id) => !state.excludedRequestIds.includes(id));
      const excludedRequestIds = [...state.excludedRequestIds, ...newly].sort();
      const figures = counted(excludedRequestIds);
      await commit(
        { status: statusAfterRevision(figures.billable), figures, excludedRequestIds },
        'revised',
        actor,
        { answer, excludedRequestIds: newly, interventions: figures.interventions, billableQuantity: figures.billableQuantity, amountMinor: figures.amountMinor },
        { requestIds: newly, reason: answer },
      );
      return snapshot();
    },
    {
      validator: ({ answer, excludeRequestIds, actor }: RevisionInput) => {
        refuseUnlessOk(decideStatement(state.status, reviseCommand(answer, excludeRequestIds), actor?.role), state.status);
        const unknown = (excludeRequestIds ?? []).flatMap((id, index) => (input.requestIds.includes(id) ? [] : [{ path: `excludeRequestIds[${index}]`, message: 'is not a request of this statement' }]));
        if (unknown.length > 0) {
          throw ApplicationFailure.create({ message: 'invalid input', type: REFUSAL_TYPES.invalid_input, nonRetryable: true, details: [{ errors: unknown }] });
        }
      },
    },
  );

  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyEventLimit;

  while (OPEN.includes(state.status)) {
    const alarm = nextReviewAlarm(input.policy, state.remindersSent, state.escalated, Date.now());
    const seq = state.seq;
    const changedOrLong = () => state.seq !== seq || historyTooLong();
    const woke = alarm ? await condition(changedOrLong, Math.max(1, alarm.at - Date.now())) : (await condition(changedOrLong), true);
    if (!woke && alarm && OPEN.includes(state.status)) {
      if (alarm.kind === 'reminder') await commit({ remindersSent: alarm.index + 1 }, 'reminder_sent', SYSTEM, { waitingFor: waitingFor(state.status) });
      else await commit({ escalated: true }, 'escalated', SYSTEM, { waitingFor: waitingFor(state.status), deadline: new Date(input.policy.deadlineAt).toISOString() });
    }
    if (historyTooLong() && OPEN.includes(state.status)) {
      await condition(allHandlersFinished);
      await projectionQueue;
      await continueAsNew<typeof statementReviewWorkflow>({ ...input, carried: state });
    }
  }
  await condition(allHandlersFinished);
  await projectionQueue;

  if (state.status === 'APPROVED') {
    // B5 / D5: the activity is idempotent (unique (period, client_id)), so a retry registers nothing twice.
    const seq = state.seq + 1;
    await registerBudgetOperation({ period: input.period, clientId: input.clientId, seq, at: Date.now() });
    const registered = budgetRegistered(state.status);
    if (registered.ok) state = { ...state, status: registered.next, seq };
  }
  await tellRun(input.periodWorkflowId, input.clientId, state.status);
  return state;
}

async function tellRun(periodWorkflowId: string, clientId: string, status: StatementStatus): Promise<void> {
  try {
    await getExternalWorkflowHandle(periodWorkflowId).signal(reviewFinishedSignal, { clientId, status });
  } catch {
    // The run is no longer open (it was completed or terminated by an operator): nothing waits for us.
  }
}

function decisionCommand(decision: DecisionInput['decision'], reasons: string | undefined): StatementCommand {
  return decision === 'approve' ? { kind: 'approve' } : { kind: 'dispute', reasons: reasons ?? '' };
}

function reviseCommand(answer: string, excludeRequestIds: string[] | undefined): StatementCommand {
  return { kind: 'revise', answer, excludeRequestIds: excludeRequestIds ?? [] };
}

function waitingFor(status: StatementStatus): string {
  return status === 'DISPUTED' ? 'sla_manager' : 'account_executive';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The next status, or the refusal the API maps to 403, 400 or 409. */
function refuseUnlessOk(decision: StatementDecision, status: StatementStatus): StatementStatus {
  if (decision.ok) return decision.next;
  const allowedActions = decision.code === 'invalid_state' ? allowedStatementActions(status) : [];
  throw ApplicationFailure.create({
    message: decision.message,
    type: REFUSAL_TYPES[decision.code],
    nonRetryable: true,
    details: [{ status, allowedActions, errors: decision.errors }],
  });
}
