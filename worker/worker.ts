/**
 * Builds the Temporal worker: every workflow and activity on one task queue. Production uses the
 * workflow bundle built ahead (`npm run build` writes dist/workflow-bundle.js); without it the worker
 * bundles from source at start-up, which is slower but fine for development.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Db } from '../db/connection';

export const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '../workflow-bundle.js');
export const WORKFLOWS_SOURCE_PATH = require.resolve('../workflows');

export interface WorkerDeps {
  connection: NativeConnection;
  temporal: Client;
  db: Db;
  namespace: string;
  taskQueue: string;
  tuning?: Partial<Pick<WorkerOptions, 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentLocalActivityExecutions' | 'maxCachedWorkflows'>>;
}

/**
 * Defaults every worker starts with (a caller's `tuning` overrides them). The SDK sizes its workflow
 * cache from the V8 heap limit (about 2,300 workflows with node's default 4 GB limit, more with a larger
 * one), so memory grew with the machine: with 10,000 open requests the worker reached ~900 MB (issue 6).
 * A request waits hours or days between actions, so caching it buys nothing; the requests in flight
 * stay cached, and an evicted one is replayed from its short history (a few ms) on its next action.
 */
export const DEFAULT_WORKER_TUNING = {
  maxCachedWorkflows: 1000,
} as const satisfies WorkerDeps['tuning'];

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  const workflowSource = fs.existsSync(WORKFLOW_BUNDLE_PATH)
    ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: WORKFLOWS_SOURCE_PATH };
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...workflowSource,
    activities: createActivities({ db: deps.db, temporal: deps.temporal }),
    // The same payload codecs as the client (runtime/temporal.ts): both read and write what the other wrote.
    dataConverter: { payloadCodecs: [...deps.temporal.options.loadedDataConverter.payloadCodecs] },
    ...DEFAULT_WORKER_TUNING,
    ...deps.tuning,
  });
}
