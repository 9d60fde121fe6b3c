/**
 * One RHS request (one Q of PRO-2132) from filing to its end. The workflow holds the authoritative
 * state; each person's action arrives as an Update whose validator asks the pure rules
 * (domain/request-lifecycle.ts) and refuses before anything reaches history. Every change is projected
 * to PostgreSQL by a local activity before the Update returns, so the API reads what it just did.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  currentUpdateInfo,
  patched,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RequestActivities } from '../../activities/request';
import { commandInputErrors, decide, isTerminal, nextDeadline, type Deadline } from '../../domain/request-lifecycle';
import { applyCommand, applyDeadline, Change, fileRequest, RequestState } from '../../domain/request-state';
import type { RequestAction } from '../../domain/request-types';
import { RhsClientId, RhsNumber, RhsPriority, RhsSite, RhsStatus } from '../search-attributes';
import { DeadlineTimer } from './deadline-timer';
import {
  ACTION_UPDATES,
  ActionInput,
  filedUpdate,
  REFUSAL_TYPES,
  RequestSnapshot,
  REQUEST_WORKFLOW_REVISION,
  RequestWorkflowInput,
  stateQuery,
} from './messages';

const { projectChange } = proxyLocalActivities<RequestActivities>({
  startToCloseTimeout: '10s',
  // The database may be away for a while (issue 5): keep retrying, slower and slower.
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

const DEFAULT_HISTORY_EVENT_LIMIT = 2000;

export async function requestWorkflow(input: RequestWorkflowInput): Promise<RequestState> {
  let state: RequestState;
  let projected: Promise<void>;
  if (input.carried) {
    state = input.carried;
    projected = Promise.resolve();
  } else {
    const filing = fileRequest({ ...input, filedBy: { id: input.filedBy.id, role: input.filedBy.role }, now: Date.now() });
    state = filing.state;
    projected = projectChange({ ...filing, historyLength: workflowInfo().historyLength });
  }
  const leanHistory = (input.revision ?? 1) >= 2;
  // The API starts a request with its search attributes; only a continued run needs them set again.
  if (!leanHistory || input.carried) publishSearchAttributes(state);

  /** Changes are projected one after another, so the audit trail is written in order. */
  let projectionQueue = projected;
  const commit = async (change: Change): Promise<void> => {
    state = change.state;
    publishSearchAttributes(state);
    // Read now, in the workflow task that made the change (see db/requests.ts projectRequestChange).
    const historyLength = workflowInfo().historyLength;
    const write = projectionQueue.then(() => projectChange({ ...change, historyLength }));
    projectionQueue = write;
    await write;
  };
  const snapshot = (): RequestSnapshot => ({
    requestId: state.requestId,
    number: state.number,
    clientId: state.clientId,
    status: state.status,
    version: state.version,
  });

  setHandler(stateQuery, () => state);
  setHandler(filedUpdate, async () => {
    await projected;
    return snapshot();
  });
  for (const action of Object.keys(ACTION_UPDATES) as RequestAction[]) {
    setHandler(
      ACTION_UPDATES[action],
      async ({ command, actor }: ActionInput) => {
        const decision = decide(state.status, command, actor, state.clientId);
        if (!decision.ok) throw refusal(decision, state.status); // a validator passed a moment ago: only a race lands here
        const change = applyCommand(state, command, actor, decision.next, decision.event, Date.now());
        // Recorded with the event: Temporal forgets Update ids when the run continues as new; the API does not.
        await commit({ ...change, event: { ...change.event, updateId: currentUpdateInfo()?.id } });
        return snapshot();
      },
      {
        validator: ({ command, actor }: ActionInput) => {
          if (command?.action !== action) {
            throw ApplicationFailure.nonRetryable(`update '${action}' carries a '${command?.action}' command`, REFUSAL_TYPES.invalid_input);
          }
          const errors = commandInputErrors(command);
          if (errors.length > 0) {
            throw ApplicationFailure.create({ message: 'invalid input', type: REFUSAL_TYPES.invalid_input, nonRetryable: true, details: [{ errors }] });
          }
          const decision = decide(state.status, command, actor, state.clientId);
          if (!decision.ok) throw refusal(decision, state.status);
        },
      },
    );
  }

  const historyEventLimit = input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT;
  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyEventLimit;

  /**
   * A timer and an Update can land in one activation: the timer's deadline belongs to the state it was
   * set in, so it acts only if the current state still has it due (no reminder after a correction).
   */
  const isStillDue = (deadline: { kind: string; at: number }): boolean => {
    if (!patched('deadline-rechecked-on-fire')) return true;
    const due = nextDeadline(state.clock, input.policy);
    return due !== undefined && due.kind === deadline.kind && due.at <= Date.now();
  };

  const timer = new DeadlineTimer();
  while (!isTerminal(state.status)) {
    const deadline = nextDeadline(state.clock, input.policy);
    const version = state.version;
    const changedOrLong = () => state.version !== version || historyTooLong();
    let due: Deadline | undefined;
    if (leanHistory) {
      timer.aim(deadline);
      await condition(() => changedOrLong() || timer.hasFired);
      due = timer.takeFired();
    } else {
      const woke = deadline
        ? await condition(changedOrLong, Math.max(1, deadline.at - Date.now()))
        : (await condition(changedOrLong), true);
      if (!woke) due = deadline;
    }
    if (due && isStillDue(due)) {
      const change = applyDeadline(state, due.kind, input.policy.silencePolicy, Date.now());
      if (change) await commit(change);
    }
    if (historyTooLong() && !isTerminal(state.status)) {
      // Let in-flight Updates finish (and their projections land) before handing the state over.
      await condition(allHandlersFinished);
      await projectionQueue;
      // A new run has no history to replay: it takes the current revision.
      await continueAsNew<typeof requestWorkflow>({ ...input, carried: state, revision: REQUEST_WORKFLOW_REVISION });
    }
  }
  await condition(allHandlersFinished);
  await projectionQueue;
  return state;
}

function publishSearchAttributes(state: RequestState): void {
  upsertSearchAttributes([
    { key: RhsStatus, value: state.status },
    { key: RhsClientId, value: state.clientId },
    { key: RhsSite, value: state.fields.site },
    { key: RhsPriority, value: state.fields.priority },
    { key: RhsNumber, value: state.number },
  ]);
}

function refusal(decision: { code: keyof typeof REFUSAL_TYPES; message: string; allowedActions: RequestAction[]; errors?: unknown[] }, status: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: decision.message,
    type: REFUSAL_TYPES[decision.code],
    nonRetryable: true,
    details: [{ status, allowedActions: decision.allowedActions, errors: decision.errors }],
  });
}
