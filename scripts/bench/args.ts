/** The benchmark's command line: `--quick`, `--out FILE`, and overrides for the sizes. */
export interface BenchArgs {
  quick: boolean;
  out?: string;
  /** Full lifecycles measured (and as many baseline workflows). */
  count: number;
  /** Lifecycles (or baseline workflows) in flight at once. */
  concurrency: number;
  /** Run first and not measured: JIT, caches, connection pools. */
  warmup: number;
  /** Requests left open for the worker-memory measurement. */
  openRequests: number;
  /** Writes V8 CPU profiles of the worker and the API here (for finding where the time goes). */
  profileDir?: string;
}

const USAGE = 'usage: bench [--quick] [--out FILE] [--count N] [--concurrency N] [--warmup N] [--open N] [--profile DIR]';

export function parseArgs(argv: string[]): BenchArgs {
  const quick = argv.includes('--quick');
  const args: BenchArgs = quick
    ? { quick, count: 100, concurrency: 32, warmup: 10, openRequests: 500 } // under two minutes even on a busy 2-core machine
    : { quick, count: 500, concurrency: 32, warmup: 50, openRequests: 10_000 };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--quick') continue;
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    i += 1;
    switch (flag) {
      case '--out': args.out = value; break;
      case '--profile': args.profileDir = value; break;
      case '--count': args.count = positive(flag, value); break;
      case '--concurrency': args.concurrency = positive(flag, value); break;
      case '--warmup': args.warmup = positive(flag, value, true); break;
      case '--open': args.openRequests = positive(flag, value, true); break;
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return args;
}

function positive(flag: string, raw: string, zeroOk = false): number {
  const n = Number(raw);
  // Bounded so a typo cannot start a run of hours.
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1) || n > 100_000) throw new Error(`${flag} must be an integer from ${zeroOk ? 0 : 1} to 100000`);
  return n;
}
