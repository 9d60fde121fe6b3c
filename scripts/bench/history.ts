/** What one workflow's history costs: events and workflow tasks, the units the server and worker pay for. */
import type { Client } from '@temporalio/client';

export interface HistoryCost {
  events: number;
  workflowTasks: number;
  localActivityMarkers: number;
  searchAttributeUpserts: number;
}

export async function historyCost(client: Client, workflowId: string): Promise<HistoryCost> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const count = (predicate: (e: (typeof events)[number]) => boolean) => events.filter(predicate).length;
  return {
    events: events.length,
    workflowTasks: count((e) => e.workflowTaskCompletedEventAttributes != null),
    localActivityMarkers: count((e) => e.markerRecordedEventAttributes != null),
    searchAttributeUpserts: count((e) => e.upsertWorkflowSearchAttributesEventAttributes != null),
  };
}
