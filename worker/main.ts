/**
 * The worker process: `node dist/worker/main.js`. Needs DATABASE_URL (a worker process of its own
 * cannot share the embedded database; `npm start` runs worker and API in one process for that).
 */
import { Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../runtime/config';
import { connectTemporal, openDatabase, StartupError } from '../runtime/bootstrap';
import { exitWithMessage } from '../runtime/shutdown';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new StartupError('the worker process needs DATABASE_URL (or use `npm start`, which runs an embedded database)');
  const db = await openDatabase(config.databaseUrl);
  // Installed before any native connection. The SDK runtime then shuts the worker down gracefully
  // on SIGINT/SIGTERM: in-flight tasks finish first.
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const temporal = await connectTemporal(config.temporal);
  const worker = await createWorker({ connection: temporal.workerConnection, temporal: temporal.client, db, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue });
  console.log(JSON.stringify({ level: 'info', component: 'worker', message: 'polling', taskQueue: config.temporal.taskQueue }));
  await worker.run();
  await temporal.close();
  await db.destroy();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) exitWithMessage(error.message);
  console.error(error);
  process.exit(1);
});
