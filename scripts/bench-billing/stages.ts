/**
 * Where the run's time went, read from the period workflow's own history: each activity's scheduled,
 * started and completed instants (server clock, the same machine as the benchmark's), so the stages are
 * measured where they ran rather than guessed from outside.
 */
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';

const EventType = proto.api.enums.v1.EventType;

export interface ActivitySpan {
  name: string;
  /** Milliseconds after the benchmark called startBillingRun. */
  scheduledMs: number;
  startedMs?: number;
  completedMs?: number;
}

export interface Stage {
  /** From the first schedule to the last completion of this activity type, ms after the start call. */
  fromMs: number;
  toMs: number;
  /** Time the activities themselves ran (started → completed, summed over attempts' last run). */
  runMs: number;
  count: number;
}

export async function activitySpans(client: Client, workflowId: string, t0EpochMs: number): Promise<{ workflowStartedMs?: number; spans: ActivitySpan[] }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const byScheduledId = new Map<string, ActivitySpan>();
  let workflowStartedMs: number | undefined;
  const at = (event: proto.api.history.v1.IHistoryEvent) => Math.round(tsToMs(event.eventTime) - t0EpochMs);
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        workflowStartedMs ??= at(event);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        byScheduledId.set(id, { name: event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', scheduledMs: at(event) });
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const span = byScheduledId.get(String(event.activityTaskStartedEventAttributes?.scheduledEventId));
        if (span) span.startedMs = at(event);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const span = byScheduledId.get(String(event.activityTaskCompletedEventAttributes?.scheduledEventId));
        if (span) span.completedMs = at(event);
        break;
      }
    }
  }
  return { workflowStartedMs, spans: [...byScheduledId.values()] };
}

/** One stage per activity type, in the order they first ran. */
export function stagesOf(spans: ActivitySpan[]): Record<string, Stage> {
  const stages: Record<string, Stage> = {};
  for (const span of spans) {
    const end = span.completedMs ?? span.scheduledMs;
    const run = span.startedMs !== undefined && span.completedMs !== undefined ? span.completedMs - span.startedMs : 0;
    const stage = stages[span.name];
    if (!stage) stages[span.name] = { fromMs: span.scheduledMs, toMs: end, runMs: run, count: 1 };
    else {
      stage.fromMs = Math.min(stage.fromMs, span.scheduledMs);
      stage.toMs = Math.max(stage.toMs, end);
      stage.runMs += run;
      stage.count += 1;
    }
  }
  return stages;
}
