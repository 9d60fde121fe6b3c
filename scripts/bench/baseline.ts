/** Drives the bare workflows from a Temporal client: update-with-start for the first step, then four Updates. */
import crypto from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { BASELINE_STEPS, baselineUpdates, type BaselineStep, type baselineWorkflow } from './baseline-workflow';
import type { PhaseResult } from './lifecycles';
import { runBounded } from './pool';
import { LatencyRecorder } from './stats';

async function oneBaseline(client: Client, taskQueue: string, latency: LatencyRecorder<BaselineStep>): Promise<string> {
  const workflowId = `bench-baseline-${crypto.randomUUID()}`;
  const start = new WithStartWorkflowOperation<typeof baselineWorkflow>('baselineWorkflow', {
    workflowId,
    taskQueue,
    args: [],
    // As the product files: one workflow per id, a repeat joins it.
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  await latency.time('file', () => client.workflow.executeUpdateWithStart(baselineUpdates.file, { startWorkflowOperation: start }));
  const handle = client.workflow.getHandle(workflowId);
  for (const step of BASELINE_STEPS.slice(1)) {
    await latency.time(step, () => handle.executeUpdate(baselineUpdates[step]));
  }
  return workflowId;
}

export async function runBaseline(client: Client, taskQueue: string, count: number, concurrency: number): Promise<PhaseResult<BaselineStep>> {
  const latency = new LatencyRecorder<BaselineStep>();
  const started = performance.now();
  let sampleWorkflowId: string | undefined;
  await runBounded(count, concurrency, async () => {
    sampleWorkflowId = await oneBaseline(client, taskQueue, latency);
  });
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: count / seconds, latency, sampleWorkflowId };
}
