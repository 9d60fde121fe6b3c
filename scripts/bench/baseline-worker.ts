/**
 * The baseline's worker, a child process like the product's: same Temporal server, same worker
 * settings (the product worker's tuning defaults), its own task queue and only the bare workflow.
 */
import { Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../runtime/config';
import { connectWorkerConnection } from '../../runtime/temporal';
import { DEFAULT_WORKER_TUNING } from '../../worker/worker';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await connectWorkerConnection(config.temporal);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('./baseline-workflow'),
    ...DEFAULT_WORKER_TUNING,
  });
  console.log(JSON.stringify({ level: 'info', component: 'baseline-worker', message: 'polling', taskQueue: config.temporal.taskQueue }));
  await worker.run();
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
