/**
 * The request workflow's messages, imported by the workflow (handlers) and by the API (callers).
 * Updates: every person's action, each with a validator so a refused action never reaches history.
 * Query: the current state.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/roles';
import type { RequestAction, RequestCommand, RequestFields } from '../../domain/request-types';
import type { TimingPolicy } from '../../domain/request-lifecycle';
import type { RequestState } from '../../domain/request-state';

export const REQUEST_TASK_QUEUE_DEFAULT = 'remote-hands';

export interface RequestWorkflowInput {
  requestId: string;
  number: string;
  clientId: string;
  fields: RequestFields;
  filedBy: Actor;
  /** Captured at filing, so a request keeps the SLA and silence policy it was filed under. */
  policy: TimingPolicy;
  /** Continue-as-new after this many history events (Temporal also suggests it on its own). */
  historyEventLimit?: number;
  /** Set when the workflow continued as new: the state carried over. */
  carried?: RequestState;
  /**
   * The workflow behaviour this request was started with (absent: 1). A version carried in the input
   * rather than patched(), because patched() costs every request a marker and a TemporalChangeVersion
   * search-attribute upsert, the very history this revision saves; a history replays with the
   * revision it started with. 2: one durable timer per deadline (kept while the deadline stands, left
   * pending at the end), and no search-attribute upsert at the start (the API sets them when starting).
   */
  revision?: number;
}

/** The revision new requests (and every continued run) are started with. */
export const REQUEST_WORKFLOW_REVISION = 2;

export interface ActionInput<C extends RequestCommand = RequestCommand> {
  command: C;
  actor: Actor;
}

export type RequestSnapshot = Pick<RequestState, 'requestId' | 'number' | 'clientId' | 'status' | 'version'>;

type CommandOf<A extends RequestAction> = Extract<RequestCommand, { action: A }>;
const actionUpdate = <A extends RequestAction>(action: A) => defineUpdate<RequestSnapshot, [ActionInput<CommandOf<A>>]>(action);

export const validationUpdate = actionUpdate('validation');
export const correctionUpdate = actionUpdate('correction');
export const startUpdate = actionUpdate('start');
export const reportUpdate = actionUpdate('report');
export const confirmationUpdate = actionUpdate('confirmation');
export const cancellationUpdate = actionUpdate('cancellation');

export const ACTION_UPDATES = {
  validation: validationUpdate,
  correction: correctionUpdate,
  start: startUpdate,
  report: reportUpdate,
  confirmation: confirmationUpdate,
  cancellation: cancellationUpdate,
} as const;

/** Completes once the filing is projected to the database; sent with update-with-start when filing. */
export const filedUpdate = defineUpdate<RequestSnapshot>('filed');
/** The update id of `filedUpdate`: fixed, so repeated filings of one request dedupe on it. */
export const FILED_UPDATE_ID = 'filed';

export const stateQuery = defineQuery<RequestState>('state');

export function requestWorkflowId(number: string): string {
  return `rhs-request-${number}`;
}

/** Error types the validators throw; the API maps them to 403, 400 and 409. */
export const REFUSAL_TYPES = { forbidden: 'Forbidden', invalid_input: 'InvalidInput', invalid_state: 'InvalidState' } as const;
