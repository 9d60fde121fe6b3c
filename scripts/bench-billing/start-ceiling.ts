/**
 * Temporal's own ceiling for the review stage: the same review inputs started on a task queue no
 * worker polls, so neither the worker's CPU nor the database is in the figure, only client → dev
 * server → its store. Compared with the run's review rate it says how much of that stage is Temporal.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { openStatementsPage } from '../../db/billing';
import type { Db } from '../../db/connection';
import { REVIEW_WORKFLOW, type ReviewPolicy, type StatementReviewInput } from '../../workflows/billing/messages';
import { runBounded } from '../bench/pool';

export interface StartCeiling {
  concurrency: number;
  starts: number;
  perSecond: number;
}

export async function measureStartCeiling(db: Db, temporal: Client, period: string, policy: ReviewPolicy, count: number, concurrency: number): Promise<StartCeiling> {
  const inputs: StatementReviewInput[] = [];
  let after = '';
  // Bounded: at most count / 500 + 1 pages.
  for (let page = 0; inputs.length < count && page <= count / 500 + 1; page += 1) {
    const statements = await openStatementsPage(db, period, after, 500);
    if (statements.length === 0) break;
    inputs.push(...statements.map((s) => ({ period, policy, periodWorkflowId: 'bench-ceiling', ...s })));
    after = statements[statements.length - 1].clientId;
  }
  const starts = Math.min(count, inputs.length);
  const taskQueue = `bench-billing-ceiling-${crypto.randomBytes(3).toString('hex')}`;
  const started = performance.now();
  await runBounded(starts, concurrency, async (i) => {
    await temporal.workflow.start(REVIEW_WORKFLOW, {
      workflowId: `bench-ceiling-${taskQueue}-${i}`,
      taskQueue,
      args: [inputs[i]],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  });
  const seconds = (performance.now() - started) / 1000;
  return { concurrency, starts, perSecond: Math.round((starts / seconds) * 10) / 10 };
}
