/**
 * One fault run: start the lifecycles, let the injector hit them mid-way, wait for every lifecycle to
 * finish, audit what they left, record the figures. The test asserts on the result.
 */
import crypto from 'node:crypto';
import { API_TIMEOUT_MS, type FaultEnv } from './fault-env';
import { createClientParty, createStaff } from './fixtures';
import { auditLifecycles, type LifecycleAudit } from './lifecycle-audit';
import { driveLifecycles, type Driver, type LifecycleOutcome } from './lifecycle-driver';
import { failureOf, recordFault } from './report';

export interface Injection {
  faultsInjected: number;
  /** Lifecycles started and not finished when the first fault hit. */
  inFlight: number;
  notes?: string[];
}

export interface ScenarioResult {
  audit: LifecycleAudit;
  failedLifecycles: LifecycleOutcome[];
  injection: Injection;
  driver: Driver;
}

export async function runFaultScenario(
  env: FaultEnv,
  options: { fault: string; faultDescription: string; count: number; inject: (driver: Driver) => Promise<Injection> },
): Promise<ScenarioResult> {
  const client = await createClientParty(env.apiUrl, env.adminToken);
  const staff = await createStaff(env.apiUrl, env.adminToken);
  const label = `${options.fault}-${crypto.randomBytes(3).toString('hex')}`;
  const driver = driveLifecycles({
    apiUrl: env.apiUrl,
    client,
    operator: staff.operator,
    count: options.count,
    label,
    deadlineMs: 300_000,
    callTimeoutMs: API_TIMEOUT_MS + 5_000,
    concurrentCalls: 16,
  });
  const workload = `${options.count} request lifecycles (file, approve, start, report, accept) driven concurrently through the API`;
  // The injector runs beside the lifecycles; if it throws, the lifecycles still finish before we report.
  const injected = options.inject(driver).then((i) => ({ ok: true as const, i }), (error: unknown) => ({ ok: false as const, error }));
  let outcomes: LifecycleOutcome[];
  let injection: Awaited<typeof injected>;
  let audit: LifecycleAudit;
  try {
    outcomes = await driver.done;
    injection = await injected;
    if (!injection.ok) throw injection.error;
    audit = await auditLifecycles(env.db, env.temporal, { clientId: client.clientId, label, count: options.count });
  } catch (error) {
    // A run that broke before it could count still leaves its row, marked failed.
    recordFault({ fault: options.fault, workload, inFlight: null, faultsInjected: 0, faultDescription: options.faultDescription, lost: null, duplicated: null, passed: false, failure: failureOf(error) });
    throw error;
  }
  const failedLifecycles = outcomes.filter((o) => o.error !== undefined);
  recordFault({
    fault: options.fault,
    workload,
    inFlight: injection.i.inFlight,
    faultsInjected: injection.i.faultsInjected,
    faultDescription: options.faultDescription,
    lost: audit.lost,
    duplicated: audit.duplicated,
    passed: audit.lost === 0 && audit.duplicated === 0 && failedLifecycles.length === 0 && audit.closed === options.count,
    notes: [`client retries: ${driver.retries()}`, ...(injection.i.notes ?? []), ...audit.problems.slice(0, 5), ...failedLifecycles.slice(0, 5).map((f) => `#${f.index}: ${f.error}`)],
  });
  return { audit, failedLifecycles, injection: injection.i, driver };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
