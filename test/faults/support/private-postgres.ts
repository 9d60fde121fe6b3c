/**
 * A PostgreSQL cluster of the suite's own (initdb into a temp folder, its own port on 127.0.0.1), so
 * the database-outage fault can stop it without disturbing the machine's shared server, which other
 * engineers' tests use at the same time. As root, initdb refuses to run: the cluster then belongs to
 * the `postgres` user and every server command runs through `runuser`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../runtime/dev-server';

export interface PrivatePostgres {
  url: string;
  port: number;
  dataDir: string;
  /** Fast shutdown: open connections are cut, new ones refused until start(). */
  stop(): void;
  start(): void;
  /** Stops the cluster for good and removes its folder. */
  destroy(): void;
}

/** The server binaries of the newest PostgreSQL installed as a Debian package, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server binary as the cluster's owner: `postgres` when we are root, ourselves otherwise. */
function runAsOwner(bin: string, args: string[]): void {
  const [command, fullArgs] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(command, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql: install the postgresql package');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rhs-faults-pg-'));
  if (isRoot()) execFileSync('chown', ['postgres:postgres', dataDir]);
  const port = await freePort();
  runAsOwner(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const pgCtl = path.join(bin, 'pg_ctl');
  // Loopback only, socket in the cluster's own folder, no fsync: the suite tests crashes of processes, not of the disk.
  const serverOptions = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const logFile = path.join(dataDir, 'server.log');
  let running = false;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start() {
      runAsOwner(pgCtl, ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start']);
      running = true;
    },
    stop() {
      runAsOwner(pgCtl, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    destroy() {
      if (running || fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
        const args = ['-D', dataDir, '-m', 'immediate', '-w', 'stop'];
        // Synchronous on purpose: also called from process 'exit', where nothing asynchronous runs.
        if (isRoot()) spawnSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
        else spawnSync(pgCtl, args, { stdio: 'ignore' });
        running = false;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  // pg_ctl start daemonizes: without this a failed run would leave a server behind.
  process.once('exit', () => cluster.destroy());
  cluster.start();
  return cluster;
}
