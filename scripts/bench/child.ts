/**
 * The processes under measurement run as children of the benchmark, each a real `node` process, so
 * their memory is theirs alone and readable from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** The last lines it wrote, for an error message. */
  tail(): string;
  /** How much it has written: a chatty process spends CPU on its logs. */
  outputBytes(): number;
  /** Lines it logged at WARN or ERROR (the Temporal SDK's core logs, e.g. a workflow task lost). */
  warnings(): number;
  /** The first of those lines (a few, shortened), so a report can say what they were. */
  warningSamples(): string[];
  stop(): Promise<void>;
}

export interface ChildOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  /** Options for node itself, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** Resolves when the child is ready to take work. */
  ready: (child: Child) => Promise<void>;
  readyTimeoutMs?: number;
}

const WARNING = /\bWARN\b|\bERROR\b|"level":"(warn|error)"/;
const MAX_WARNING_SAMPLES = 5;

export async function startChild(options: ChildOptions): Promise<Child> {
  const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    env: { ...process.env, ...options.env },
    // Output is read (a full pipe would stall the child) but only its tail is kept.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let bytes = 0;
  let warnings = 0;
  const samples: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    bytes += chunk.length;
    for (const line of text.split('\n')) {
      if (!WARNING.test(line)) continue;
      warnings += 1;
      if (samples.length < MAX_WARNING_SAMPLES) samples.push(line.trim().slice(0, 300));
    }
    output = (output + text).slice(-8000);
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  if (proc.pid === undefined) throw new Error(`${options.name}: could not start ${options.script}`);

  let stopping: Promise<void> | undefined;
  const child: Child = {
    name: options.name,
    pid: proc.pid,
    process: proc,
    tail: () => output,
    outputBytes: () => bytes,
    warnings: () => warnings,
    warningSamples: () => [...samples],
    stop() {
      stopping ??= (async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };

  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  let timer: NodeJS.Timeout | undefined;
  const failed = Promise.race([
    exited.then(() => { throw new Error(`${options.name} exited before it was ready:\n${output}`); }),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${options.name} not ready within ${timeoutMs} ms:\n${output}`)), timeoutMs); }),
  ]);
  try {
    await Promise.race([options.ready(child), failed]);
  } catch (error) {
    await child.stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  failed.catch(() => undefined); // after readiness, an exit is noticed by the calls that fail
  return child;
}

/** Resolves once the child has printed a line containing `text`. */
export function printed(text: string): (child: Child) => Promise<void> {
  return (child) => new Promise((resolve) => {
    const check = () => {
      if (child.tail().includes(text)) {
        child.process.stdout?.off('data', check);
        child.process.stderr?.off('data', check);
        resolve();
      }
    };
    child.process.stdout?.on('data', check);
    child.process.stderr?.on('data', check);
    check();
  });
}

/** Resolves once `url` answers 200. */
export function answers(url: string): () => Promise<void> {
  return async () => {
    for (let attempt = 0; attempt < 1200; attempt += 1) {
      try {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} did not answer`);
  };
}
