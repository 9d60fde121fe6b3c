/** The billing benchmark's command line: sizes, the output file, and the time zone the months are cut in. */
import { isValidTimeZone } from '../../domain/periods';

export interface BillingBenchArgs {
  quick: boolean;
  requests: number;
  clients: number;
  months: number;
  /** Times the bare aggregation runs; the median is reported. */
  repeats: number;
  /** The billing time zone (RHS_BILLING_TIMEZONE, default UTC): seeding and the run cut months in it. */
  timeZone: string;
  /** Prints EXPLAIN ANALYZE of the extraction's queries after the run. */
  explain: boolean;
  /** Review starts timed on Temporal alone after the run (per concurrency level). */
  ceilingStarts: number;
  out?: string;
}

const USAGE = 'usage: bench-billing [--quick] [--requests N] [--clients N] [--months N] [--repeats N] [--ceiling N] [--time-zone TZ] [--explain] [--out FILE]';

export function parseArgs(argv: string[], defaultTimeZone: string): BillingBenchArgs {
  const quick = argv.includes('--quick');
  const args: BillingBenchArgs = quick
    ? { quick, requests: 100_000, clients: 1_000, months: 12, repeats: 5, timeZone: defaultTimeZone, explain: false, ceilingStarts: 500 }
    : { quick, requests: 1_000_000, clients: 5_000, months: 12, repeats: 5, timeZone: defaultTimeZone, explain: false, ceilingStarts: 1000 };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--quick') continue;
    if (flag === '--explain') {
      args.explain = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    i += 1;
    switch (flag) {
      case '--out': args.out = value; break;
      // Bounded so a typo cannot fill the disk or start a run of hours.
      case '--requests': args.requests = integer(flag, value, 1, 20_000_000); break;
      case '--clients': args.clients = integer(flag, value, 10, 200_000); break;
      case '--months': args.months = integer(flag, value, 1, 120); break;
      case '--ceiling': args.ceilingStarts = integer(flag, value, 1, 100_000); break;
      case '--repeats': args.repeats = integer(flag, value, 1, 100); break;
      case '--time-zone':
        if (!isValidTimeZone(value)) throw new Error(`--time-zone: ${value} is not an IANA time zone`);
        args.timeZone = value;
        break;
      default: throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return args;
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}
