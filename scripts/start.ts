/**
 * `npm start`: the whole service on one machine. Starts the Temporal dev server (unless
 * TEMPORAL_ADDRESS is set) and the embedded PostgreSQL (unless DATABASE_URL is set), both keeping
 * their data under RHS_DATA_DIR; applies migrations; runs the worker and the API in this process
 * (the embedded database allows one connection, so they share it). Ctrl-C stops all of it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { startApi } from '../api/server';
import { ConfigError, loadConfig } from '../runtime/config';
import { connectTemporal, openDatabase, StartupError } from '../runtime/bootstrap';
import { startDevServer, canConnect, type DevServer } from '../runtime/dev-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../runtime/embedded-postgres';
import { createLogger } from '../runtime/logger';
import { exitWithMessage } from '../runtime/shutdown';
import { resolveTemporalCli, TemporalCliMissingError } from '../runtime/temporal-cli';
import { createWorker } from '../worker/worker';
import { ensureBillingSchedule } from '../api/billing/schedule';

/** A development admin token, kept under RHS_DATA_DIR so it survives restarts. */
function developmentAdminToken(dataDir: string): string {
  const file = path.join(dataDir, 'admin-token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = `rhs_dev_${crypto.randomBytes(24).toString('base64url')}`;
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(`stop failed: ${String(e)}`));
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    console.error('\nstopping...');
    void stopAll().then(() => process.exit(0));
  };
  // Stop in reverse order of start: API, worker, Temporal connections, database, servers.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let devServer: DevServer | undefined;
    if (!config.temporal.address) {
      const { port, uiPort } = config.devServer;
      if (await canConnect('127.0.0.1', port)) throw new StartupError(`port ${port} is taken: another Temporal server runs? Stop it, or set TEMPORAL_ADDRESS to use it.`);
      const cliPath = await resolveTemporalCli();
      // With codec keys the UI shows encrypted payloads; it decrypts them through the API's codec endpoint.
      const codecEndpoint = config.temporal.codec ? `http://127.0.0.1:${config.port}/codec` : undefined;
      devServer = await startDevServer({ cliPath, port, uiPort, dbFile: path.join(config.dataDir, 'temporal.db'), codecEndpoint });
      stops.push(() => devServer!.stop());
    }

    let embedded: EmbeddedPostgres | undefined;
    if (!config.databaseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: 0 });
      stops.push(() => embedded!.stop());
    }
    const db = await openDatabase(config.databaseUrl ?? embedded!.url, { singleConnection: Boolean(embedded) });
    stops.push(() => db.destroy());

    const adminToken = config.adminToken ?? developmentAdminToken(config.dataDir);
    const runConfig = { ...config, adminToken };
    // Before any native connection exists; the signals are ours to order (see onSignal).
    Runtime.install({ shutdownSignals: [] });
    const temporal = await connectTemporal({ ...config.temporal, address: config.temporal.address ?? devServer?.address });
    stops.push(() => temporal.close());

    const worker = await createWorker({ connection: temporal.workerConnection, temporal: temporal.client, db, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue });
    const workerRun = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await workerRun;
    });

    const logger = createLogger('api', config.logLevel);
    const context = { db, temporal: temporal.client, config: runConfig, logger };
    await ensureBillingSchedule(context.temporal, context.config); // B1: the monthly billing Schedule
    const api = await startApi(context, config.port);
    stops.push(api.close);

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      [
        '',
        `Remote Hands is ready (${seconds} s).`,
        `  API          ${api.url}   (OpenAPI: ${api.url}/openapi.json)`,
        `  Temporal UI  ${devServer?.uiUrl ?? '(external cluster: ' + config.temporal.address + ')'}`,
        `  Temporal     ${devServer?.address ?? config.temporal.address}  namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`,
        `  Database     ${embedded ? 'embedded PostgreSQL (PGlite) in ' + path.join(config.dataDir, 'postgres') : 'DATABASE_URL'}`,
        `  Admin token  ${config.adminToken ? '(from RHS_ADMIN_TOKEN)' : adminToken}`,
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof TemporalCliMissingError) exitWithMessage(error.message);
  console.error(error);
  process.exit(1);
});
