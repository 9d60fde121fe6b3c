/**
 * The monthly run of one period (B1-B5): extract and compute the statements, write the summary with
 * the D7 indicators, start one review per billable client, and complete once every review finished.
 *
 * Scale (5,000 billable clients): the reviews are started by an activity through the client API in
 * keyset pages (not as Temporal child workflows), because a parent may hold at most 2,000 pending
 * children by default and each child costs the parent ~3 history events. Here each page costs 3
 * events, and a review tells the run it finished with one signal; the run continues as new, carrying
 * the open client ids, when its history grows long.
 */
import { condition, continueAsNew, ApplicationFailure, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { BillingActivities } from '../../activities/billing';
import { hasPeriodEnded, reviewDeadline } from '../../domain/periods';
import { RhsPeriod } from '../search-attributes';
import {
  billingRunWorkflowId,
  DEFAULT_REMINDER_LEADS_MS,
  DEFAULT_REVIEW_DEADLINE_DAY,
  reviewFinishedSignal,
  runOpenedUpdate,
  type BillingPeriodInput,
} from './messages';

const RETRY: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' };
// Short steps: a worker that dies during one is noticed by the start-to-close timeout.
const { openRun, advanceRun } = proxyActivities<BillingActivities>({ startToCloseTimeout: '30s', retry: RETRY });
// Long steps heartbeat (extraction and summary while their SQL runs, review starts per page), so a
// crashed worker is noticed within 30 s while a long step may still take its time.
const { extractPeriod, summarizePeriod, startStatementReviews } = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30m',
  heartbeatTimeout: '30s',
  retry: RETRY,
});

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_HISTORY_EVENT_LIMIT = 5000;

export interface PeriodOutcome {
  period: string;
  status: 'COMPLETED';
  statements: number;
  reviews: number;
}

export async function billingPeriodWorkflow(input: BillingPeriodInput): Promise<PeriodOutcome | undefined> {
  const { period, timeZone } = input;
  const workflowId = billingRunWorkflowId(period);
  let opened = Boolean(input.carried);
  const pending = new Set<string>(input.carried?.pending ?? []);
  const finished = new Set<string>(input.carried?.finished ?? []);
  setHandler(runOpenedUpdate, async () => {
    await condition(() => opened);
  });
  setHandler(reviewFinishedSignal, ({ clientId }) => {
    finished.add(clientId);
  });
  upsertSearchAttributes([{ key: RhsPeriod, value: period }]);

  let statements = 0;
  if (!input.carried) {
    if (!hasPeriodEnded(period, new Date(Date.now()), timeZone)) {
      throw ApplicationFailure.nonRetryable(`the period ${period} has not ended yet in ${timeZone}`, 'PeriodNotEnded');
    }
    const run = await openRun({ period, timeZone, workflowId, startedAt: workflowInfo().startTime.getTime() });
    opened = true;
    // A run recorded as completed (its workflow since removed by retention) is not run again.
    if (run.status === 'COMPLETED') return undefined;

    const extraction = await extractPeriod({ period, timeZone });
    statements = extraction.clients;
    await summarizePeriod({ period, timeZone });

    const policy = {
      deadlineAt: reviewDeadline(period, timeZone, input.reviewDeadlineDay ?? DEFAULT_REVIEW_DEADLINE_DAY).getTime(),
      reminderLeadsMs: input.reminderLeadsMs ?? DEFAULT_REMINDER_LEADS_MS,
    };
    const batchSize = input.reviewBatchSize ?? DEFAULT_BATCH_SIZE;
    let after = '';
    for (;;) {
      const page = await startStatementReviews({ period, policy, periodWorkflowId: workflowId, afterClientId: after, limit: batchSize });
      page.clientIds.forEach((id) => pending.add(id));
      if (page.clientIds.length < batchSize) break;
      after = page.clientIds[page.clientIds.length - 1];
    }
    await advanceRun({ period, status: 'IN_REVIEW' });
  }

  const historyTooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT);
  const allFinished = () => [...pending].every((id) => finished.has(id));
  while (!allFinished()) {
    await condition(() => allFinished() || historyTooLong());
    if (!allFinished() && historyTooLong()) {
      await continueAsNew<typeof billingPeriodWorkflow>({ ...input, carried: { pending: [...pending], finished: [...finished].filter((id) => pending.has(id)) } });
    }
  }
  await advanceRun({ period, status: 'COMPLETED' });
  return { period, status: 'COMPLETED', statements, reviews: pending.size };
}
