/**
 * Drives many request lifecycles (R1 filing → approve → start → report → accept) concurrently through
 * the API, the way a well-behaved client would under faults: every call carries an Idempotency-Key,
 * a 5xx, 429 or no answer is retried with the same key, and a 409 is resolved by reading the request
 * (the earlier attempt may have taken effect before its answer was lost).
 */
import { callApi, type ApiAnswer, type ApiCall } from './api-client';
import type { ClientParty, Party } from './fixtures';

/** The happy path's states in order: a step is done once the request reached its target or beyond. */
const PATH = ['IN_VALIDATION', 'APPROVED', 'IN_EXECUTION', 'AWAITING_CONFIRMATION', 'CLOSED'] as const;
const rank = (status: string) => PATH.indexOf(status as (typeof PATH)[number]);

/** What one completed lifecycle leaves behind: its audit events and its notifications (domain/notifications.ts). */
export const EVENTS_PER_LIFECYCLE = ['filed', 'validation_approved', 'execution_started', 'execution_reported', 'conformity_recorded'];
export const NOTIFICATIONS_PER_LIFECYCLE = 5;
const STEPS_PER_LIFECYCLE = EVENTS_PER_LIFECYCLE.length;

export interface LifecyclePlan {
  apiUrl: string;
  client: ClientParty;
  operator: Party;
  count: number;
  /** Makes Idempotency-Keys and summaries unique to this run. */
  label: string;
  /** A lifecycle that has not closed by then is reported as failed. */
  deadlineMs: number;
  /** Client-side limit of one call; the API's own timeout is shorter. */
  callTimeoutMs: number;
  /**
   * Calls on the wire at once. Every lifecycle is open together, but like a team of operators the
   * clients act on a few at a time: without a bound the calls only time out on each other.
   */
  concurrentCalls: number;
}

export interface LifecycleOutcome {
  index: number;
  requestId?: string;
  status?: string;
  error?: string;
}

export interface CallRecord {
  startedAt: number;
  endedAt: number;
  status: number;
  contentType: string;
  failure?: 'timeout' | 'network';
}

export interface Driver {
  /** Lifecycles started and not yet finished. */
  inFlight(): number;
  stepsDone(): number;
  totalSteps: number;
  retries(): number;
  calls: CallRecord[];
  done: Promise<LifecycleOutcome[]>;
}

export function driveLifecycles(plan: LifecyclePlan): Driver {
  let steps = 0;
  let retries = 0;
  let running = 0;
  const calls: CallRecord[] = [];
  const deadline = Date.now() + plan.deadlineMs;

  const slots = semaphore(plan.concurrentCalls);
  const send = async (call: ApiCall): Promise<ApiAnswer> => {
    const release = await slots.acquire();
    try {
      const startedAt = Date.now();
      const answer = await callApi(plan.apiUrl, { ...call, timeoutMs: plan.callTimeoutMs });
      calls.push({ startedAt, endedAt: Date.now(), status: answer.status, contentType: answer.contentType, failure: answer.failure });
      return answer;
    } finally {
      release();
    }
  };

  /** Repeats a call until it gets a non-retryable answer or the lifecycle's deadline passes. */
  const persist = async (call: ApiCall): Promise<ApiAnswer> => {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await send(call);
      const retryable = answer.status === 0 || answer.status >= 500 || answer.status === 429;
      if (!retryable) return answer;
      if (Date.now() > deadline) return answer;
      retries += 1;
      const backoff = Math.min(3000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, backoff));
    }
  };

  const step = async (requestId: string, token: string, action: string, body: unknown, target: string, key: string): Promise<void> => {
    const answer = await persist({ method: 'POST', path: `/v1/requests/${requestId}/${action}`, token, body, headers: { 'Idempotency-Key': key } });
    if (answer.status === 200 && answer.body?.status === target) return;
    if (answer.status === 409) {
      const read = await persist({ method: 'GET', path: `/v1/requests/${requestId}`, token });
      if (read.status === 200 && rank(read.body.status) >= rank(target)) return;
      throw new Error(`${action}: 409 (${answer.body?.detail}) and the request is ${read.body?.status}`);
    }
    throw new Error(`${action}: ${answer.status} ${answer.failure ?? ''} ${JSON.stringify(answer.body).slice(0, 300)}`);
  };

  const lifecycle = async (index: number): Promise<LifecycleOutcome> => {
    running += 1;
    const outcome: LifecycleOutcome = { index };
    const key = (step: string) => `${plan.label}-${index}-${step}`;
    const client = plan.client.authorized.token;
    const operator = plan.operator.token;
    try {
      const filing = {
        site: 'DC-FAULTS',
        summary: `${plan.label} #${index}`,
        instructions: 'Power-cycle the server in rack 3, unit 12, then check the LED.',
        priority: 'normal',
      };
      const filed = await persist({ method: 'POST', path: '/v1/requests', token: client, body: filing, headers: { 'Idempotency-Key': key('file') } });
      if (filed.status !== 201 && filed.status !== 200) throw new Error(`file: ${filed.status} ${filed.failure ?? ''} ${JSON.stringify(filed.body).slice(0, 300)}`);
      outcome.requestId = filed.body.id as string;
      steps += 1;
      const id = outcome.requestId;
      await step(id, operator, 'validation', { decision: 'approve' }, 'APPROVED', key('approve'));
      steps += 1;
      await step(id, operator, 'start', {}, 'IN_EXECUTION', key('start'));
      steps += 1;
      await step(id, operator, 'report', { actionsPerformed: 'Power-cycled; LED green.' }, 'AWAITING_CONFIRMATION', key('report'));
      steps += 1;
      await step(id, client, 'confirmation', { decision: 'accept' }, 'CLOSED', key('accept'));
      steps += 1;
      outcome.status = 'CLOSED';
    } catch (error) {
      outcome.error = error instanceof Error ? error.message : String(error);
    } finally {
      running -= 1;
    }
    return outcome;
  };

  return {
    inFlight: () => running,
    stepsDone: () => steps,
    totalSteps: plan.count * STEPS_PER_LIFECYCLE,
    retries: () => retries,
    calls,
    // All at once: the issue asks for this many lifecycles in flight together.
    done: Promise.all(Array.from({ length: plan.count }, (_, i) => lifecycle(i))),
  };
}

/** Waits until the driver has done `fraction` of its steps (the moment to inject a fault). */
export async function untilProgress(driver: Driver, fraction: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (driver.stepsDone() < driver.totalSteps * fraction) {
    if (Date.now() > until) throw new Error(`driver reached only ${driver.stepsDone()}/${driver.totalSteps} steps in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** First come, first served: lifecycles advance breadth-first, so all of them are open mid-run. */
function semaphore(size: number): { acquire(): Promise<() => void> } {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    acquire() {
      if (free > 0) {
        free -= 1;
        return Promise.resolve(release);
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
}
