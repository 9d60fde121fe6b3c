/** Every workflow the worker runs: the entry of the workflow bundle. */
export { requestWorkflow } from './request/workflow';
export { billingPeriodWorkflow } from './billing/period-workflow';
export { statementReviewWorkflow } from './billing/review-workflow';
export { monthlyBillingTriggerWorkflow } from './billing/monthly-trigger';
