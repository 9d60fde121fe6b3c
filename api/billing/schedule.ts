/**
 * The monthly billing Schedule (B1), created or brought up to date at every start-up: on day 1 of
 * each month at 00:05 in the billing time zone it starts the run of the month that just ended. A
 * service down on the 1st still runs the month within ten days (catch-up window); SKIP means a period
 * never runs twice at the same time (and the run's id, derived from the period, means never twice).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../../runtime/config';
import { BILLING_SCHEDULE_ID, MONTHLY_TRIGGER_WORKFLOW } from '../../workflows/billing/messages';
import type { MonthlyTriggerInput } from '../../workflows/billing/monthly-trigger';

export function billingScheduleOptions(config: Pick<Config, 'billingTimeZone' | 'temporal'>) {
  const args: [MonthlyTriggerInput] = [{ timeZone: config.billingTimeZone }];
  return {
    scheduleId: BILLING_SCHEDULE_ID,
    spec: {
      calendars: [{ dayOfMonth: 1, hour: 0, minute: 5, comment: 'B1: run the month that just ended' }],
      timezone: config.billingTimeZone,
    },
    action: {
      type: 'startWorkflow' as const,
      workflowType: MONTHLY_TRIGGER_WORKFLOW,
      workflowId: 'rhs-billing-monthly-trigger',
      taskQueue: config.temporal.taskQueue,
      args,
    },
    policies: { catchupWindow: '10 days', overlap: ScheduleOverlapPolicy.SKIP },
  } satisfies ScheduleOptions;
}

/** Idempotent: creates the Schedule, or updates it to the current configuration if it exists. */
export async function ensureBillingSchedule(client: Client, config: Pick<Config, 'billingTimeZone' | 'temporal'>): Promise<void> {
  const options = billingScheduleOptions(config);
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
  }
}
