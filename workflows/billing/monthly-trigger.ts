/**
 * What the monthly Schedule starts (B1): on day 1 of a month in the billing time zone it starts (or
 * finds) the run of the month that just ended. The run's workflow id is derived from the period, so a
 * period has one run whoever asks for it; the run is abandoned on completion of this short workflow.
 */
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { previousPeriod } from '../../domain/periods';
import { billingRunWorkflowId } from './messages';
import { billingPeriodWorkflow } from './period-workflow';

/** Set by the Schedule on the workflows it starts: the nominal time, even for a catch-up run days later. */
const ScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export interface MonthlyTriggerInput {
  timeZone: string;
  reviewDeadlineDay?: number;
}

export async function monthlyBillingTriggerWorkflow(input: MonthlyTriggerInput): Promise<{ period: string; started: boolean }> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(ScheduledStartTime) ?? info.startTime;
  const period = previousPeriod(scheduledAt, input.timeZone);
  try {
    await startChild(billingPeriodWorkflow, {
      workflowId: billingRunWorkflowId(period),
      args: [{ period, timeZone: input.timeZone, reviewDeadlineDay: input.reviewDeadlineDay }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A period that ran to completion (or runs) is never run again; one whose run failed or was
      // terminated may run again (every step of a run is idempotent).
      workflowIdReusePolicy: patched('rerun-failed-period')
        ? WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY
        : WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { period, started: true };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { period, started: false };
    throw error;
  }
}
