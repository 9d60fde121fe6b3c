/**
 * The API's side of the request workflow: start it (update-with-start, one round trip) and send it
 * Updates, turning the validators' refusals into the contract's status codes.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, TypedSearchAttributes } from '@temporalio/common';
import { allowedActions } from '../../domain/request-lifecycle';
import type { RequestCommand, RequestFields } from '../../domain/request-types';
import { findRequest, hasEventOfUpdate, type RequestRow } from '../../db/requests';
import { ACTION_UPDATES, FILED_UPDATE_ID, filedUpdate, REQUEST_WORKFLOW_REVISION, requestWorkflowId } from '../../workflows/request/messages';
import { RhsClientId, RhsNumber, RhsPriority, RhsSite, RhsStatus } from '../../workflows/search-attributes';
import type { requestWorkflow } from '../../workflows/request/workflow';
import type { Caller } from '../auth';
import type { ApiContext } from '../context';
import { problems } from '../problem';
import { isEndedWorkflowError, updateRefusalProblem } from '../workflow-refusals';

/** Bounds every call to Temporal so no API call hangs past its timeout. */
async function bounded<T>(context: ApiContext, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(problems.unavailable('the workflow did not answer in time; the action may still complete: read the request, or repeat the call with the same Idempotency-Key')),
      context.config.api.requestTimeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function fileRequest(
  context: ApiContext,
  request: { requestId: string; number: string; clientId: string; fields: RequestFields; filedBy: Caller },
): Promise<void> {
  const { temporal, config } = context;
  const workflowId = requestWorkflowId(request.number);
  const start = new WithStartWorkflowOperation<typeof requestWorkflow>('requestWorkflow', {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    // One workflow per request number, even under concurrent repeats of one Idempotency-Key.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [{
      requestId: request.requestId,
      number: request.number,
      clientId: request.clientId,
      fields: request.fields,
      filedBy: { id: request.filedBy.id, role: request.filedBy.role, clientId: request.filedBy.clientId },
      policy: config.timing,
      revision: REQUEST_WORKFLOW_REVISION,
      // Captured at filing like the policy; unset leaves the workflow's own default.
      ...(config.temporal.historyEventLimit !== undefined ? { historyEventLimit: config.temporal.historyEventLimit } : {}),
    }],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: RhsStatus, value: 'IN_VALIDATION' },
      { key: RhsClientId, value: request.clientId },
      { key: RhsSite, value: request.fields.site },
      { key: RhsPriority, value: request.fields.priority },
      { key: RhsNumber, value: request.number },
    ]),
  });
  try {
    await bounded(context, temporal.workflow.executeUpdateWithStart(filedUpdate, { updateId: FILED_UPDATE_ID, startWorkflowOperation: start }));
  } catch (error) {
    // A repeat of a filing whose request already ended: nothing to start, the stored request answers.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}

/**
 * Sends one action. With an update id (a keyed call), a retry whose first attempt took effect answers
 * as a success: Temporal recognises the id within a run, the audit trail (request_events.update_id)
 * across runs. The check after a refusal covers a first attempt projected while the retry was sent.
 */
export async function sendAction(context: ApiContext, row: RequestRow, command: RequestCommand, caller: Caller, updateId?: string): Promise<void> {
  const handle = context.temporal.workflow.getHandle(requestWorkflowId(row.number));
  const actor = { id: caller.id, role: caller.role, clientId: caller.clientId };
  const update = ACTION_UPDATES[command.action] as typeof ACTION_UPDATES.validation;
  // A retry whose first attempt is already in the audit trail: after a continue-as-new the state may
  // allow the same action again (a start in a later round), and it must not happen twice.
  if (updateId && (await hasEventOfUpdate(context.db, row.id, updateId))) return;
  try {
    await bounded(context, handle.executeUpdate(update, { args: [{ command: command as Extract<RequestCommand, { action: 'validation' }>, actor }], updateId }));
  } catch (error) {
    const problem = await refusalToProblem(context, error, row, caller);
    if (problem?.status === 409 && updateId && (await hasEventOfUpdate(context.db, row.id, updateId))) return;
    throw problem ?? error;
  }
}

async function refusalToProblem(context: ApiContext, error: unknown, row: RequestRow, caller: Caller) {
  // The workflow has ended (closed, rejected, cancelled): every action is refused in its final state,
  // read now, since the request may have ended after the caller's row was read.
  if (isEndedWorkflowError(error)) {
    const status = (await findRequest(context.db, row.id))?.status ?? row.status;
    const allowed = allowedActions(status, caller.role);
    return problems.conflict(`the request is ${status}; allowed: ${allowed.join(', ') || 'none'}`, { state: status, allowedActions: allowed });
  }
  return updateRefusalProblem(error, 'request');
}
