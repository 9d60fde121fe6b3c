/**
 * Embedded PostgreSQL for running without a DATABASE_URL.
 *
 * PGlite (`@electric-sql/pglite`, Postgres 18 compiled to WASM) keeps its
 * cluster in `dataDir` on the real filesystem, and `@electric-sql/pglite-socket`
 * serves it on a local TCP port, so knex + pg talk to it like a normal server.
 *
 * Module loading: both packages ship a CommonJS build next to the ESM one
 * (`exports.require` -> `dist/index.cjs`), and their types resolve under
 * `"moduleResolution": "node"`, so plain `import` statements (compiled to
 * `require`) work; no dynamic-`import()` workaround is needed.
 *
 * ONE CONNECTION ONLY. PGlite is a single Postgres backend (one session).
 * The socket server funnels every client into that same session and queues
 * work per protocol *message*, not per connection/transaction. Findings from
 * experiments with pglite-socket 0.2.17 / pglite 0.5.14 / pg 8.23.1:
 *   - `maxConnections` defaults to 1 (and we keep it at 1). The server also
 *     sets `net.Server#maxConnections`, so a second simultaneous TCP client is
 *     dropped straight away: pg reports "Connection terminated unexpectedly".
 *     The first connection is unaffected. Once the first client disconnects
 *     a new one is accepted (so a pool can replace a dead connection).
 *   - With `maxConnections > 1` the extra clients connect, but they are NOT
 *     separate sessions: session state leaks between them (a `SET` on one
 *     is visible on the other; temp tables, prepared statements, advisory locks
 *     are shared too). While one client is inside a transaction the queue
 *     holds back the other clients' messages until it ends. If the code that
 *     holds the transaction waits on another connection, it hangs for ever
 *     (there is no timeout). Outside transactions, the order of messages is
 *     only kept by timing, not by design.
 *     Because of this, the whole application must use exactly ONE connection
 *     in embedded mode: knex `pool: { min: 1, max: 1 }`, and no other pg
 *     clients or pools. Code that opens a transaction and then runs a query
 *     through the outer `knex` instead of `trx` will block until knex's
 *     acquireConnectionTimeout, as it would with any single-connection pool.
 *
 * Checked through knex (client 'pg', pool {min:1,max:1}): CREATE TABLE,
 * INSERT ... ON CONFLICT DO NOTHING RETURNING, transaction + rollback,
 * CREATE SEQUENCE + nextval, jsonb columns and SELECT ... FOR UPDATE all work.
 * (`FOR UPDATE` takes row locks as usual, but with a single session it never
 * blocks or excludes anything.)
 *
 * Startup (measured on the dev container): first start on an empty folder runs
 * initdb, about 11 s; later starts on an existing folder take about 1.3 s.
 * A folder holds about 40 MB.
 *
 * A data folder must be used by only one PGlite instance at a time. This module
 * refuses a second concurrent start on the same folder within one process;
 * PGlite has no lock file, so two *processes* on one folder would corrupt it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** Connection string for pg/knex, e.g. postgres://postgres:postgres@127.0.0.1:54321/postgres */
  url: string;
  port: number;
  /** Closes the socket server, then PGlite (clean shutdown). Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster; created if missing. */
  dataDir: string;
  /** Loopback address to bind to; default 127.0.0.1. Non-loopback addresses are rejected. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1']);

/** Data folders with a running instance in this process. */
const activeDataDirs = new Set<string>();

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`Embedded Postgres listens on loopback only (127.0.0.1 or ::1), not on ${host}`);
  }
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new Error(`Invalid port for embedded Postgres: ${String(options.port)}`);
  }

  // Absolute path: PGlite gives special meaning to prefixes like "memory://" and "idb://".
  const dataDir = path.resolve(options.dataDir);
  if (activeDataDirs.has(dataDir)) {
    throw new Error(`Embedded Postgres is already running on ${dataDir}`);
  }
  activeDataDirs.add(dataDir);

  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    await fs.mkdir(dataDir, { recursive: true });
    db = await PGlite.create({ dataDir });

    // maxConnections 1: see the comment at the top of this file.
    server = new PGLiteSocketServer({ db, host, port: requestedPort, maxConnections: 1 });
    let boundPort: number | undefined;
    server.addEventListener('listening', (event) => {
      const detail = (event as CustomEvent<{ port?: number }>).detail;
      if (typeof detail?.port === 'number') boundPort = detail.port;
    });
    await server.start();
    const port = boundPort ?? portFromConn(server.getServerConn());

    const urlHost = host.includes(':') ? `[${host}]` : host;
    const url = `postgres://postgres:postgres@${urlHost}:${port}/postgres`;

    const runningDb = db;
    const runningServer = server;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        try {
          // Disconnects clients (an open transaction is rolled back) and closes the listener.
          await runningServer.stop();
        } finally {
          try {
            // Waits for any running query, then shuts Postgres down cleanly.
            if (!runningDb.closed) await runningDb.close();
          } finally {
            activeDataDirs.delete(dataDir);
          }
        }
      })();
      return stopping;
    };

    return { url, port, stop };
  } catch (err) {
    // Startup failed (e.g. port in use): release what was opened.
    await server?.stop().catch(() => undefined);
    if (db && !db.closed) await db.close().catch(() => undefined);
    activeDataDirs.delete(dataDir);
    throw err;
  }
}

function portFromConn(conn: string): number {
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(`Could not read the embedded Postgres port from "${conn}"`);
  }
  return port;
}
