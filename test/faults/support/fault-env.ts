/**
 * The fault suite's environment, started once per mocha run and shared by its files: a private
 * PostgreSQL cluster (so it can be stopped), a Temporal dev server with a database file on a fixed
 * port (so it can be restarted and keep its history), the worker as a child process (so it can be
 * SIGKILLed), and the API in this process. Every address is 127.0.0.1.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startApi, type RunningApi } from '../../../api/server';
import type { Db } from '../../../db/connection';
import { openDatabase } from '../../../runtime/bootstrap';
import { loadConfig, type Config } from '../../../runtime/config';
import { freePort, startDevServer, type DevServer } from '../../../runtime/dev-server';
import { silentLogger } from '../../../runtime/logger';
import { connectClient } from '../../../runtime/temporal';
import { resolveTemporalCli } from '../../../runtime/temporal-cli';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { workerProcess, type WorkerProcess } from './worker-process';

/** Short enough that an outage test sees many timeouts, long enough for normal calls under load. */
export const API_TIMEOUT_MS = 5000;

export interface FaultEnv {
  config: Config;
  apiUrl: string;
  adminToken: string;
  /** For the checks; a pool of its own so the API's pool is what the faults disturb. */
  db: Db;
  temporal: Client;
  postgres: PrivatePostgres;
  worker: WorkerProcess;
  restartTemporal(pauseMs: number): Promise<void>;
  temporalRestarts(): number;
}

let current: Promise<FaultEnv> | undefined;
const teardown: Array<() => Promise<void>> = [];

export function faultEnv(): Promise<FaultEnv> {
  current ??= startFaultEnv();
  return current;
}

/**
 * The API's pool logs one line per failed connection: thousands during the outage. Counted and
 * summed up at the end instead, so the run's output stays readable; every other line passes.
 */
function quietDatabaseLog(): () => void {
  const original = console.error;
  let dropped = 0;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('database: ')) dropped += 1;
    else original(...args);
  };
  return () => {
    console.error = original;
    if (dropped > 0) console.error(`(the API's database pool logged ${dropped} connection errors during the faults)`);
  };
}

async function startFaultEnv(): Promise<FaultEnv> {
  const restoreLog = quietDatabaseLog();
  teardown.push(async () => restoreLog());
  const postgres = await startPrivatePostgres();
  teardown.push(async () => postgres.destroy());

  const temporalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rhs-faults-temporal-'));
  teardown.push(async () => fs.rmSync(temporalDir, { recursive: true, force: true }));
  const cliPath = await resolveTemporalCli();
  const temporalPort = await freePort();
  const devServerOptions = { cliPath, port: temporalPort, dbFile: path.join(temporalDir, 'temporal.db') };
  let devServer: DevServer = await startDevServer(devServerOptions);
  let restarts = 0;
  // Whichever server runs at the end: a failed run must not leave it listening.
  process.once('exit', () => devServer.process.kill('SIGKILL'));
  teardown.unshift(() => devServer.stop());

  const adminToken = `faults-admin-${crypto.randomBytes(8).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: `faults-${crypto.randomBytes(3).toString('hex')}`,
    RHS_ADMIN_TOKEN: adminToken,
    RHS_API_TIMEOUT_MS: String(API_TIMEOUT_MS),
    RHS_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const db = await openDatabase(postgres.url); // runs the migrations
  teardown.unshift(() => db.destroy());
  const apiDb = await openDatabase(postgres.url, { poolMax: 20 });
  teardown.unshift(() => apiDb.destroy());

  const temporal = await connectClient(config.temporal);
  teardown.unshift(() => temporal.connection.close());

  const worker = workerProcess({
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    RHS_LOG_LEVEL: 'warn',
  });
  await worker.start();
  teardown.unshift(() => worker.stop());

  const api: RunningApi = await startApi({ db: apiDb, temporal, config, logger: silentLogger }, 0, '127.0.0.1');
  teardown.unshift(api.close);

  return {
    config,
    apiUrl: api.url,
    adminToken,
    db,
    temporal,
    postgres,
    worker,
    async restartTemporal(pauseMs: number) {
      await devServer.stop();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      devServer = await startDevServer(devServerOptions);
      restarts += 1;
    },
    temporalRestarts: () => restarts,
  };
}

export async function stopFaultEnv(): Promise<void> {
  if (!current) return;
  await current.catch(() => undefined);
  for (const step of teardown.splice(0)) await step().catch((e: unknown) => console.error('fault env teardown:', e));
  current = undefined;
}
