/**
 * The ceiling the product is compared with: a bare workflow taking the same five Updates as a request's
 * lifecycle, each handler only changing a state variable (no activity, no database, no HTTP).
 * Benchmark-only: bundled by its own worker, never part of the product's workflow bundle.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const BASELINE_STEPS = ['file', 'validation', 'start', 'report', 'confirmation'] as const;
export type BaselineStep = (typeof BASELINE_STEPS)[number];

/** Each step's state after it, the same walk as the product's happy path. */
const NEXT: Record<BaselineStep, string> = {
  file: 'IN_VALIDATION',
  validation: 'APPROVED',
  start: 'IN_EXECUTION',
  report: 'AWAITING_CONFIRMATION',
  confirmation: 'CLOSED',
};

export const baselineUpdates = Object.fromEntries(BASELINE_STEPS.map((step) => [step, defineUpdate<string>(step)])) as Record<BaselineStep, UpdateDefinition<string, []>>;

export async function baselineWorkflow(): Promise<string> {
  let status = 'NEW';
  for (const step of BASELINE_STEPS) {
    setHandler(baselineUpdates[step], () => {
      status = NEXT[step];
      return status;
    });
  }
  await condition(() => status === 'CLOSED');
  return status;
}
