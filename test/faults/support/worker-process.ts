/**
 * The worker as a separate OS process (`node <build>/worker/main.js`), so a crash is a real one:
 * SIGKILL gives it no chance to finish tasks, flush, or say goodbye to Temporal.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** Compiled next to this file: <build>/test/faults/support → <build>/worker/main.js (dist in CI). */
export const WORKER_MAIN = path.resolve(__dirname, '../../../worker/main.js');

export interface WorkerProcess {
  readonly pid: number | undefined;
  /** Resolves once the worker printed that it is polling. */
  start(): Promise<void>;
  /** SIGKILL: the crash of the issue. */
  kill(): Promise<void>;
  /** SIGTERM then wait: the clean end of a run. */
  stop(): Promise<void>;
  /** Exits the worker had that nobody asked for (a worker that dies on its own is a finding). */
  unexpectedExits(): number;
  output(): string;
}

export function workerProcess(env: Record<string, string>): WorkerProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let unexpected = 0;
  let expectingExit = false;
  let log = '';

  const waitForExit = async (timeoutMs: number) => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const timer = setTimeout(() => current.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  };

  return {
    get pid() {
      return child?.pid;
    },
    async start() {
      expectingExit = false;
      const started = spawn(process.execPath, [WORKER_MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => {
        if (!expectingExit) unexpected += 1;
        resolve();
      }));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not start polling within 60 s:\n${log}`)), 60_000);
        const onData = (chunk: Buffer) => {
          log = (log + chunk.toString()).slice(-8000);
          if (log.includes('"message":"polling"')) {
            clearTimeout(timer);
            resolve();
          }
        };
        started.stdout?.on('data', onData);
        started.stderr?.on('data', onData);
        started.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code ?? signal}) before polling:\n${log}`));
        });
      });
      // A test run that dies must not leave a worker polling behind it.
      process.once('exit', () => started.kill('SIGKILL'));
    },
    async kill() {
      expectingExit = true;
      child?.kill('SIGKILL');
      await waitForExit(5_000);
    },
    async stop() {
      expectingExit = true;
      child?.kill('SIGTERM');
      await waitForExit(15_000);
    },
    unexpectedExits: () => unexpected,
    output: () => log,
  };
}
