/**
 * The integration-test environment, started once per mocha run and shared by the suites: a real
 * Temporal dev server (built CLI, free port, in memory), a fresh database on the real PostgreSQL
 * server, the worker and the API in this process. Nothing here is mocked.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Runtime, type Worker } from '@temporalio/worker';
import knexFactory from 'knex';
import type { Db } from '../../db/connection';
import { startApi, type RunningApi } from '../../api/server';
import { connectTemporal, openDatabase, type TemporalServices } from '../../runtime/bootstrap';
import { loadConfig, type Config } from '../../runtime/config';
import { freePort, startDevServer, type DevServer } from '../../runtime/dev-server';
import { silentLogger } from '../../runtime/logger';
import { resolveTemporalCli } from '../../runtime/temporal-cli';
import { createWorker } from '../../worker/worker';

/** Where test databases are created; override with TEST_DATABASE_URL (any database on the server). */
const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestEnv {
  config: Config;
  db: Db;
  temporal: Client;
  devServer: DevServer;
  api: RunningApi;
  apiUrl: string;
  adminToken: string;
  databaseUrl: string;
  worker: Worker;
  /** Stops and starts the worker (for crash-like tests). */
  restartWorker(): Promise<void>;
}

/** Short timings so the tests can watch timers fire; a test may override with its own config. */
export const TEST_ENV_VARS: Record<string, string> = {
  RHS_VALIDATION_SLA: 'urgent=2s,high=1h,normal=1h,low=1h',
  RHS_EXECUTION_SLA: 'urgent=2s,high=1h,normal=1h,low=1h',
  RHS_REMINDER_EVERY: '1h',
  RHS_SILENCE_AFTER: '2h',
  RHS_RATE_LIMIT_PER_MINUTE: '100000',
};

let current: Promise<TestEnv> | undefined;
let runtimeInstalled = false;

/** The SDK runtime may be installed once per process; the env and the replay test both need it. */
export function installTestRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ shutdownSignals: [] });
  runtimeInstalled = true;
}
const teardown: Array<() => Promise<void>> = [];

export function testEnv(): Promise<TestEnv> {
  current ??= startTestEnv();
  return current;
}

async function createScratchDatabase(): Promise<string> {
  const name = `rhs_test_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  teardown.push(async () => {
    const dropper = knexFactory({ client: 'pg', connection: ADMIN_DATABASE_URL, pool: { min: 0, max: 1 } });
    await dropper.raw(`drop database if exists ${name} with (force)`);
    await dropper.destroy();
  });
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startTestEnv(): Promise<TestEnv> {
  installTestRuntime();
  const cliPath = await resolveTemporalCli();
  const port = await freePort();
  const devServer = await startDevServer({ cliPath, port });
  teardown.push(() => devServer.stop());

  const databaseUrl = await createScratchDatabase();
  const adminToken = `test-admin-${crypto.randomBytes(8).toString('hex')}`;
  const config = loadConfig({ ...TEST_ENV_VARS, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: devServer.address, RHS_ADMIN_TOKEN: adminToken, TEMPORAL_TASK_QUEUE: `test-${crypto.randomBytes(3).toString('hex')}` });
  const db = await openDatabase(databaseUrl);
  teardown.unshift(() => db.destroy());
  const temporal: TemporalServices = await connectTemporal(config.temporal);
  teardown.unshift(() => temporal.close());

  const startWorker = async () => {
    const worker = await createWorker({ connection: temporal.workerConnection, temporal: temporal.client, db, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue });
    const running = worker.run();
    return { worker, running };
  };
  let workerState = await startWorker();
  const stopWorker = async () => {
    if (workerState.worker.getState() === 'RUNNING') workerState.worker.shutdown();
    await workerState.running;
  };
  teardown.unshift(stopWorker);

  const api = await startApi({ db, temporal: temporal.client, config, logger: silentLogger }, 0);
  teardown.unshift(api.close);

  const env: TestEnv = {
    config,
    db,
    temporal: temporal.client,
    devServer,
    api,
    apiUrl: api.url,
    adminToken,
    databaseUrl,
    get worker() {
      return workerState.worker;
    },
    async restartWorker() {
      await stopWorker();
      workerState = await startWorker();
    },
  };
  return env;
}

export async function stopTestEnv(): Promise<void> {
  if (!current) return;
  await current.catch(() => undefined);
  for (const step of teardown.splice(0)) await step().catch((e: unknown) => console.error('teardown:', e));
  current = undefined;
}

export interface ApiVariant {
  config: Config;
  apiUrl: string;
  close(): Promise<void>;
}

/**
 * A second API on the same database, Temporal server and worker, with other configuration (short
 * silence timers, a small history limit...). Requests filed through it capture that configuration, the
 * way production requests capture theirs, so timers run for real, only shorter.
 */
export async function startApiVariant(env: TestEnv, overrides: Record<string, string>): Promise<ApiVariant> {
  const config = loadConfig({
    ...TEST_ENV_VARS,
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: env.devServer.address,
    RHS_ADMIN_TOKEN: env.adminToken,
    TEMPORAL_TASK_QUEUE: env.config.temporal.taskQueue,
    ...overrides,
  });
  const api = await startApi({ db: env.db, temporal: env.temporal, config, logger: silentLogger }, 0);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await api.close();
  };
  teardown.unshift(close);
  return { config, apiUrl: api.url, close };
}
