/**
 * The billing workflows' messages and inputs, imported by the workflows (handlers), the activities
 * (which start the reviews) and the API (callers).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Contract, StatementFigures, StatementStatus } from '../../domain/billing';
import type { Actor } from '../../domain/roles';

export { REFUSAL_TYPES } from '../request/messages';

/** How the review of a statement is chased (D4): reminders before the due date, escalation after it. */
export interface ReviewPolicy {
  /** Epoch ms: the end of day 10 of the month after the period, in the billing time zone. */
  deadlineAt: number;
  /** Reminders this long before the deadline (ms), largest first. */
  reminderLeadsMs: number[];
}

export interface BillingPeriodInput {
  period: string;
  /** Captured when the run starts: the month's bounds never change under a running period. */
  timeZone: string;
  /** D4: decisions are due by this day of the following month (default 10). */
  reviewDeadlineDay?: number;
  reminderLeadsMs?: number[];
  /** Statements whose reviews one activity starts (keyset pages). */
  reviewBatchSize?: number;
  historyEventLimit?: number;
  /** Set when the workflow continued as new while waiting for the reviews. */
  carried?: { pending: string[]; finished: string[] };
}

export interface StatementReviewInput {
  period: string;
  clientId: string;
  contract: Contract;
  /** Every intervention of the statement (D1); exclusions must name one of these. */
  requestIds: string[];
  excludedRequestIds: string[];
  status: StatementStatus;
  /** The last history seq already written. */
  seq: number;
  policy: ReviewPolicy;
  /** Told when this review has finished, so the run can complete. */
  periodWorkflowId: string;
  historyEventLimit?: number;
  carried?: ReviewState;
}

export interface ReviewState {
  status: StatementStatus;
  seq: number;
  figures: StatementFigures;
  excludedRequestIds: string[];
  remindersSent: number;
  escalated: boolean;
}

export type StatementSnapshot = Pick<ReviewState, 'status' | 'seq'> & { clientId: string; period: string };

export interface DecisionInput {
  decision: 'approve' | 'dispute';
  reasons?: string;
  actor: Actor;
}

export interface RevisionInput {
  answer: string;
  excludeRequestIds: string[];
  actor: Actor;
}

/** B3/B4: the account executive approves or disputes (with reasons). */
export const decisionUpdate = defineUpdate<StatementSnapshot, [DecisionInput]>('decision');
/** D4: the SLA manager answers a dispute, maybe excluding requests. */
export const revisionUpdate = defineUpdate<StatementSnapshot, [RevisionInput]>('revision');
export const reviewStateQuery = defineQuery<ReviewState>('state');

/** Completes once the run is recorded in the database (the API answers POST .../run with it). */
export const runOpenedUpdate = defineUpdate<void>('opened');
/** A review workflow tells the period workflow it has finished. */
export const reviewFinishedSignal = defineSignal<[{ clientId: string; status: StatementStatus }]>('reviewFinished');

export function billingRunWorkflowId(period: string): string {
  return `rhs-billing-${period}`;
}

export function statementReviewWorkflowId(period: string, clientId: string): string {
  return `rhs-billing-${period}-${clientId}`;
}

/** The Schedule's id, and the type of the workflow it starts. */
export const BILLING_SCHEDULE_ID = 'rhs-billing-monthly';
export const MONTHLY_TRIGGER_WORKFLOW = 'monthlyBillingTriggerWorkflow';
export const PERIOD_WORKFLOW = 'billingPeriodWorkflow';
export const REVIEW_WORKFLOW = 'statementReviewWorkflow';

export const DEFAULT_REMINDER_LEADS_MS = [3 * 86_400_000, 86_400_000];
export const DEFAULT_REVIEW_DEADLINE_DAY = 10;
