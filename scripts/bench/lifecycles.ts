/** The product under load: full request lifecycles through the HTTP API, each action timed client-side. */
import { requestWorkflowId } from '../../workflows/request/messages';
import type { ApiCaller, Fixture } from './api-client';
import { runBounded } from './pool';
import { LatencyRecorder } from './stats';

export const LIFECYCLE_STEPS = ['file', 'validation', 'start', 'report', 'confirmation'] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

export interface PhaseResult<K extends string> {
  count: number;
  seconds: number;
  perSecond: number;
  latency: LatencyRecorder<K>;
  /** The workflow id of one of them, to look at its history. */
  sampleWorkflowId?: string;
}

const FILING = {
  site: 'DC-1',
  summary: 'Reboot server r12-u7',
  instructions: 'Power-cycle the server in rack 12, unit 7, then check the front LED is green.',
  priority: 'normal',
};

interface RequestView {
  id: string;
  number: string;
  status: string;
}

/** file → approve → start → report → accept: R1 to R5, the way people drive it. */
async function oneLifecycle(api: ApiCaller, fixture: Fixture, latency: LatencyRecorder<LifecycleStep>): Promise<string> {
  const { clientUser, operator } = fixture;
  const filed = await latency.time('file', () => api.call<RequestView>('POST', '/v1/requests', clientUser.token, FILING, 201));
  const act = async (step: Exclude<LifecycleStep, 'file'>, token: string, body: Record<string, unknown>, expected: string) => {
    const view = await latency.time(step, () => api.call<RequestView>('POST', `/v1/requests/${filed.id}/${step}`, token, body));
    if (view.status !== expected) throw new Error(`${step}: expected ${expected}, got ${view.status}`);
  };
  await act('validation', operator.token, { decision: 'approve' }, 'APPROVED');
  await act('start', operator.token, {}, 'IN_EXECUTION');
  await act('report', operator.token, { actionsPerformed: 'Power-cycled; LED green.' }, 'AWAITING_CONFIRMATION');
  await act('confirmation', clientUser.token, { decision: 'accept' }, 'CLOSED');
  return requestWorkflowId(filed.number);
}

export async function runLifecycles(api: ApiCaller, fixture: Fixture, count: number, concurrency: number): Promise<PhaseResult<LifecycleStep>> {
  const latency = new LatencyRecorder<LifecycleStep>();
  const started = performance.now();
  let sampleWorkflowId: string | undefined;
  await runBounded(count, concurrency, async () => {
    sampleWorkflowId = await oneLifecycle(api, fixture, latency);
  });
  const seconds = (performance.now() - started) / 1000;
  return { count, seconds, perSecond: count / seconds, latency, sampleWorkflowId };
}
