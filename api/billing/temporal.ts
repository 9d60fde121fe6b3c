/**
 * The API's side of the billing workflows: start (or join) a period's run, and send the review
 * workflow its Updates, turning the validators' refusals into the contract's status codes.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { allowedStatementActions, type StatementStatus } from '../../domain/billing';
import type { Actor } from '../../domain/roles';
import { OPEN_STATEMENT_STATUSES } from '../../db/billing';
import {
  billingRunWorkflowId,
  decisionUpdate,
  PERIOD_WORKFLOW,
  revisionUpdate,
  runOpenedUpdate,
  statementReviewWorkflowId,
  type BillingPeriodInput,
  type DecisionInput,
  type RevisionInput,
} from '../../workflows/billing/messages';
import { problems } from '../problem';
import { isEndedWorkflowError, updateRefusalProblem } from '../workflow-refusals';

/**
 * Starts the run of a period, or joins the one that exists (same workflow id): `started` says which.
 * Resolves once the run is recorded in the database.
 */
export async function startBillingRun(temporal: Client, taskQueue: string, input: BillingPeriodInput): Promise<{ started: boolean; workflowId: string }> {
  const workflowId = billingRunWorkflowId(input.period);
  let started = true;
  try {
    await temporal.workflow.start(PERIOD_WORKFLOW, {
      workflowId,
      taskQueue,
      args: [input],
      // One completed run per period: a period that ran is not run again, but one whose run failed or
      // was terminated can be started again (every step of a run is idempotent).
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    started = false;
  }
  try {
    await temporal.workflow.getHandle(workflowId).executeUpdate(runOpenedUpdate);
  } catch (error) {
    // The run already finished: its record in the database answers.
    if (!isEndedWorkflowError(error)) throw error;
  }
  return { started, workflowId };
}

export async function sendDecision(temporal: Client, period: string, clientId: string, status: StatementStatus, input: DecisionInput, updateId?: string): Promise<void> {
  const handle = temporal.workflow.getHandle(statementReviewWorkflowId(period, clientId));
  try {
    await handle.executeUpdate(decisionUpdate, { args: [input], updateId });
  } catch (error) {
    throw refusalToProblem(error, status, input.decision) ?? error;
  }
}

export async function sendRevision(temporal: Client, period: string, clientId: string, status: StatementStatus, input: RevisionInput, updateId?: string): Promise<void> {
  const handle = temporal.workflow.getHandle(statementReviewWorkflowId(period, clientId));
  try {
    await handle.executeUpdate(revisionUpdate, { args: [input], updateId });
  } catch (error) {
    throw refusalToProblem(error, status, 'revise') ?? error;
  }
}

export function actorOf(caller: Actor): Actor {
  return { id: caller.id, role: caller.role };
}

function refusalToProblem(error: unknown, status: StatementStatus, action: string) {
  if (isEndedWorkflowError(error)) {
    // An open statement whose review is not running yet: the run is still starting the reviews (at most
    // a minute or two for thousands of clients). Nothing is lost: the same call succeeds once it runs.
    if (OPEN_STATEMENT_STATUSES.includes(status)) {
      return problems.conflict(`the statement is ${status} but its review is still being started by the run; repeat the call in a moment`, {
        state: status,
        allowedActions: [],
      });
    }
    // No review is running: the statement is not billable, or its review has ended.
    return notInReview(status, action);
  }
  return updateRefusalProblem(error, 'statement review');
}

export function notInReview(status: StatementStatus, action: string) {
  const allowedActions = allowedStatementActions(status);
  return problems.conflict(`cannot ${action}: the statement is ${status}; allowed actions: ${allowedActions.join(', ') || 'none'}`, { state: status, allowedActions });
}
