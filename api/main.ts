/** The API process: `node dist/api/main.js`. Needs DATABASE_URL; `npm start` runs everything in one process. */
import { ConfigError, loadConfig } from '../runtime/config';
import { connectTemporal, openDatabase, StartupError } from '../runtime/bootstrap';
import { createLogger } from '../runtime/logger';
import { exitWithMessage, onShutdown } from '../runtime/shutdown';
import { ensureBillingSchedule } from './billing/schedule';
import { startApi } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new StartupError('the API process needs DATABASE_URL (or use `npm start`, which runs an embedded database)');
  if (!config.adminToken) throw new StartupError('the API process needs RHS_ADMIN_TOKEN');
  const db = await openDatabase(config.databaseUrl);
  const temporal = await connectTemporal(config.temporal);
  const logger = createLogger('api', config.logLevel);
  await ensureBillingSchedule(temporal.client, config);
  const api = await startApi({ db, temporal: temporal.client, config, logger }, config.port);
  logger.info('listening', { url: api.url });
  onShutdown([api.close, temporal.close, () => db.destroy()]);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) exitWithMessage(error.message);
  console.error(error);
  process.exit(1);
});
