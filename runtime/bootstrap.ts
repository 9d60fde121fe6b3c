/**
 * Start-up steps shared by the entry points (worker, API, `npm start`) and the test harness. Each
 * failure becomes a StartupError whose message says what is wrong and what to check.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { createDb, migrateToLatest, type Db } from '../db/connection';
import type { TemporalConfig } from './config';
import { connectClient, connectWorkerConnection, DEV_SERVER_ADDRESS, ensureSearchAttributes } from './temporal';

export class StartupError extends Error {
  override name = 'StartupError';
}

/** Never print a password that came in a URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export async function openDatabase(url: string, options: { singleConnection?: boolean; poolMax?: number } = {}): Promise<Db> {
  const db = createDb({ url, ...options });
  try {
    await db.raw('select 1');
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new StartupError(`cannot reach PostgreSQL at ${redactUrl(url)} (${error instanceof Error ? error.message : String(error)}). Check DATABASE_URL, or unset it to use the embedded database.`);
  }
  await migrateToLatest(db);
  return db;
}

export interface TemporalServices {
  client: Client;
  workerConnection: NativeConnection;
  close(): Promise<void>;
}

export async function connectTemporal(config: TemporalConfig): Promise<TemporalServices> {
  const address = config.address ?? DEV_SERVER_ADDRESS;
  let client: Client;
  try {
    client = await connectClient(config);
    await client.connection.withDeadline(Date.now() + 5000, () => client.workflowService.getSystemInfo({}));
  } catch (error) {
    throw new StartupError(`cannot reach Temporal at ${address} (${error instanceof Error ? error.message : String(error)}). Check TEMPORAL_ADDRESS and its TLS/API-key settings, or unset it so \`npm start\` runs the dev server.`);
  }
  await ensureSearchAttributes(client).catch((error: unknown) => {
    // Temporal Cloud does not let an API key add search attributes: they are set in its console.
    console.error(`warning: could not register search attributes (${error instanceof Error ? error.message : String(error)})`);
  });
  const workerConnection = await connectWorkerConnection(config);
  return {
    client,
    workerConnection,
    async close() {
      await workerConnection.close();
      await client.connection.close();
    },
  };
}
