/** Reading a request workflow's Temporal history from the tests, across continue-as-new. */
import type { History } from '@temporalio/common/lib/proto-utils';
import { requestWorkflowId } from '../../workflows/request/messages';
import type { TestEnv } from './env';

export type HistoryEvent = NonNullable<History['events']>[number];

/** The histories of every run of the request's workflow, oldest first (continue-as-new chains runs). */
export async function requestHistories(env: Pick<TestEnv, 'temporal'>, number: string): Promise<HistoryEvent[][]> {
  const workflowId = requestWorkflowId(number);
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined = (await env.temporal.workflow.getHandle(workflowId).describe()).runId;
  // Walk back from the latest run along the "continued from" links.
  while (runId) {
    const events: HistoryEvent[] = (await env.temporal.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

/** Update events in a set of histories: what a refused action must leave untouched. */
export function updateEventCounts(histories: HistoryEvent[][]): { admitted: number; accepted: number; completed: number } {
  const events = histories.flat();
  const count = (has: (e: HistoryEvent) => unknown) => events.filter((e) => Boolean(has(e))).length;
  return {
    admitted: count((e) => e.workflowExecutionUpdateAdmittedEventAttributes),
    accepted: count((e) => e.workflowExecutionUpdateAcceptedEventAttributes),
    completed: count((e) => e.workflowExecutionUpdateCompletedEventAttributes),
  };
}

/** The update names accepted in these histories, in order ("filed", "validation", ...). */
export function acceptedUpdateNames(histories: HistoryEvent[][]): string[] {
  return histories
    .flat()
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)
    .filter((name): name is string => typeof name === 'string');
}

export function continuedAsNewCount(histories: HistoryEvent[][]): number {
  return histories.flat().filter((e) => e.workflowExecutionContinuedAsNewEventAttributes).length;
}
