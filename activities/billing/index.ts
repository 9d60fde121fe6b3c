/**
 * Activities of the billing workflows. Each is one idempotent step: a retry after a crash writes
 * nothing twice (keys in the database), a review started twice is the same workflow (its id).
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { computeIndicators } from '../../domain/indicators';
import { periodBounds } from '../../domain/periods';
import * as billing from '../../db/billing';
import type { Db } from '../../db/connection';
import { REVIEW_WORKFLOW, statementReviewWorkflowId, type ReviewPolicy, type StatementReviewInput } from '../../workflows/billing/messages';
import { notificationsForStatementEvent } from '../../domain/notifications';

export type ProjectStatementInput = Omit<billing.StatementChange, 'notifications'>;

// Reviews of one page are started this many at a time, so a page of 500 is a handful of round trips.
// More in flight does not help on one dev server: scripts/bench-billing measured 25 and 100 alike (it is
// CPU-bound); see docs/billing-performance.md.
const START_CONCURRENCY = 25;

/**
 * Heartbeats while a long statement runs, so a worker that dies mid-extraction is noticed within the
 * heartbeat timeout rather than the (long) start-to-close timeout, and a long extraction is not cut short.
 */
async function whileHeartbeating<T>(work: () => Promise<T>, everyMs = 5_000): Promise<T> {
  const context = currentActivityContext();
  const timer = setInterval(() => context?.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Undefined when called outside an activity (a test or a script calling the function directly). */
function currentActivityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function createBillingActivities(db: Db, temporal: Client) {
  return {
    async openRun(input: { period: string; timeZone: string; workflowId: string; startedAt: number }): Promise<{ status: billing.RunStatus }> {
      const run = await billing.openRun(db, { ...input, startedAt: new Date(input.startedAt) });
      return { status: run.status };
    },

    async extractPeriod({ period, timeZone }: { period: string; timeZone: string }): Promise<billing.ExtractionResult> {
      return whileHeartbeating(() => billing.extractPeriod(db, period, periodBounds(period, timeZone), new Date()));
    },

    /** D3/D7: the summary's indicators are stored once; the figures are read from the statements when rendered. */
    async summarizePeriod({ period, timeZone }: { period: string; timeZone: string }): Promise<void> {
      await whileHeartbeating(async () => {
        const indicators = computeIndicators(await billing.indicatorRows(db, periodBounds(period, timeZone)));
        await billing.storeRunSummary(db, period, { indicators, generatedAt: new Date().toISOString() });
      });
    },

    /** Starts the reviews of one page of open statements; returns the page's client ids. */
    async startStatementReviews(input: { period: string; policy: ReviewPolicy; periodWorkflowId: string; afterClientId: string; limit: number }): Promise<{ clientIds: string[] }> {
      const page = await billing.openStatementsPage(db, input.period, input.afterClientId, input.limit);
      const taskQueue = Context.current().info.taskQueue;
      for (let i = 0; i < page.length; i += START_CONCURRENCY) {
        await Promise.all(page.slice(i, i + START_CONCURRENCY).map((statement) => startReview(temporal, taskQueue, input, statement)));
        Context.current().heartbeat(i);
      }
      return { clientIds: page.map((s) => s.clientId) };
    },

    /** IN_REVIEW once every review runs (decisions are accepted from then on), COMPLETED once all ended. */
    async advanceRun({ period, status }: { period: string; status: Exclude<billing.RunStatus, 'RUNNING'> }): Promise<void> {
      await billing.advanceRun(db, period, status, new Date());
    },

    async projectStatementChange(change: ProjectStatementInput): Promise<void> {
      const waitingFor = typeof change.event.details.waitingFor === 'string' ? change.event.details.waitingFor : undefined;
      await billing.projectStatementChange(db, { ...change, notifications: notificationsForStatementEvent(change.event.type, change.clientId, waitingFor) });
    },

    /** B5 / D5: once per client and period, whatever is retried. */
    async registerBudgetOperation(input: { period: string; clientId: string; seq: number; at: number }): Promise<{ id: string; created: boolean }> {
      const { operation, created } = await billing.registerBudgetOperation(db, { ...input, at: new Date(input.at), registeredBy: 'system' });
      return { id: operation.id, created };
    },
  };
}

async function startReview(
  temporal: Client,
  taskQueue: string,
  page: { period: string; policy: ReviewPolicy; periodWorkflowId: string },
  statement: billing.OpenStatement,
): Promise<void> {
  const input: StatementReviewInput = { period: page.period, policy: page.policy, periodWorkflowId: page.periodWorkflowId, ...statement };
  try {
    await temporal.workflow.start(REVIEW_WORKFLOW, {
      workflowId: statementReviewWorkflowId(page.period, statement.clientId),
      taskQueue,
      args: [input],
      // A retried page finds the running review; a finished review is never started again.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
