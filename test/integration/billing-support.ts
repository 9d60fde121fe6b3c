/** Helpers of the billing tests: interventions by import, runs, and waiting for the workflows. */
import crypto from 'node:crypto';
import type { TestEnv } from '../support/env';
import { call } from '../support/http';

/** Imports `closedAt.length` closed interventions of a client, one per closing instant. */
export async function importInterventions(env: TestEnv, clientId: string, closedAt: string[]): Promise<void> {
  const requests = closedAt.map((at, i) => ({
    externalId: `legacy-${crypto.randomBytes(6).toString('hex')}`,
    clientId,
    site: 'DC-1',
    summary: `Legacy intervention ${i + 1}`,
    instructions: 'Swap the failed disk in rack 3.',
    createdAt: new Date(Date.parse(at) - 3_600_000).toISOString(),
    closedAt: at,
  }));
  const result = await call(env, 'POST', '/v1/imports/requests', { token: env.adminToken, body: { requests } });
  if (result.status !== 200 || result.body.imported !== closedAt.length) throw new Error(`import: ${result.status} ${JSON.stringify(result.body)}`);
}

/** `count` closing instants spread over the middle of a (UTC) month. */
export function closingsIn(period: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${period}-${String(10 + (i % 15)).padStart(2, '0')}T12:00:00Z`);
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** The period as the SLA manager sees it, once extraction has written the statements. */
export async function periodAfterExtraction(env: TestEnv, token: string, period: string) {
  const result = await waitFor(
    () => call(env, 'GET', `/v1/billing/periods/${period}`, { token }),
    (r) => r.status === 200 && r.body.status !== 'RUNNING',
    `the run of ${period} to extract`,
  );
  return result.body;
}

export async function statementOf(env: TestEnv, token: string, period: string, clientId: string) {
  return call(env, 'GET', `/v1/billing/periods/${period}/statements/${clientId}`, { token });
}
