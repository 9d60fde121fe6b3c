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
import { silentLogger, type Logger } from '../../runtime/logger';
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

type Steps = Array<() => Promise<void>>;

async function runSteps(steps: Steps): Promise<void> {
  for (const step of steps.splice(0)) await step().catch((e: unknown) => console.error('teardown:', e));
}

/** A fresh, migrated-on-open database on the test server; dropped by the given teardown steps. */
export async function createScratchDatabase(steps: Steps = teardown): Promise<string> {
  const name = `rhs_test_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_DATABASE_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  steps.push(async () => {
    const dropper = knexFactory({ client: 'pg', connection: ADMIN_DATABASE_URL, pool: { min: 0, max: 1 } });
    await dropper.raw(`drop database if exists ${name} with (force)`);
    await dropper.destroy();
  });
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function startTestEnv(): Promise<TestEnv> {
  return startEnv({}, teardown);
}

export interface SeparateEnvOptions {
  /** The dev server keeps its data in this file (default: in memory). */
  dbFile?: string;
  /** Environment variables on top of the test ones (RHS_CODEC_KEYS...). */
  vars?: Record<string, string>;
  logger?: Logger;
}

export interface SeparateEnv extends TestEnv {
  /** Stops API, worker, connections and dev server, and drops the database; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * An environment of its own (dev server, database, worker, API) for a suite that needs other settings
 * than the shared one, or must stop its dev server to inspect it. Stopped at the end of the run at the latest.
 */
export async function startSeparateEnv(options: SeparateEnvOptions): Promise<SeparateEnv> {
  const steps: Steps = [];
  const stop = () => runSteps(steps);
  teardown.unshift(stop);
  try {
    return Object.assign(await startEnv(options, steps), { stop });
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startEnv(options: SeparateEnvOptions, teardown: Steps): Promise<TestEnv> {
  installTestRuntime();
  const cliPath = await resolveTemporalCli();
  const port = await freePort();
  const devServer = await startDevServer({ cliPath, port, dbFile: options.dbFile });
  teardown.push(() => devServer.stop());

  const databaseUrl = await createScratchDatabase(teardown);
  const adminToken = `test-admin-${crypto.randomBytes(8).toString('hex')}`;
  const config = loadConfig({ ...TEST_ENV_VARS, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: devServer.address, RHS_ADMIN_TOKEN: adminToken, TEMPORAL_TASK_QUEUE: `test-${crypto.randomBytes(3).toString('hex')}`, ...options.vars });
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

  const api = await startApi({ db, temporal: temporal.client, config, logger: options.logger ?? silentLogger }, 0);
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
  // Separate environments register here too, so this runs even when the shared one never started.
  await current?.catch(() => undefined);
  await runSteps(teardown);
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
export async function startApiVariant(env: TestEnv, overrides: Record<string, string>, logger: Logger = silentLogger): Promise<ApiVariant> {
  const config = loadConfig({
    ...TEST_ENV_VARS,
    DATABASE_URL: env.databaseUrl,
    TEMPORAL_ADDRESS: env.devServer.address,
    RHS_ADMIN_TOKEN: env.adminToken,
    TEMPORAL_TASK_QUEUE: env.config.temporal.taskQueue,
    ...overrides,
  });
  const api = await startApi({ db: env.db, temporal: env.temporal, config, logger }, 0);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await api.close();
  };
  teardown.unshift(close);
  return { config, apiUrl: api.url, close };
}
