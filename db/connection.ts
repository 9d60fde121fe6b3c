import path from 'node:path';
import knexFactory, { Knex } from 'knex';

export type Db = Knex;

export interface DbOptions {
  url: string;
  /**
   * Embedded PGlite is one session whose socket server multiplexes per message, not per transaction:
   * two pooled connections would interleave each other's transactions, so embedded mode uses one.
   */
  singleConnection?: boolean;
  poolMax?: number;
}

export function createDb({ url, singleConnection = false, poolMax = 10 }: DbOptions): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'remote-hands' },
    pool: singleConnection ? { min: 1, max: 1 } : { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
    // knex prints pool errors with stacks; one line is enough (start-up explains the cause itself).
    log: {
      warn: (message: unknown) => console.error(`database: ${firstLine(message)}`),
      error: (message: unknown) => console.error(`database: ${firstLine(message)}`),
      deprecate: () => undefined,
      debug: () => undefined,
    },
  });
}

function firstLine(message: unknown): string {
  return String(message instanceof Error ? message.message : message).split('\n')[0];
}

/** Migrations are compiled with the rest of the code; knex reads the .js files next to this module. */
export async function migrateToLatest(db: Db): Promise<void> {
  await db.migrate.latest({
    directory: path.join(__dirname, 'migrations'),
    loadExtensions: ['.js'],
    tableName: 'knex_migrations',
  });
}

export async function isDbReachable(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
