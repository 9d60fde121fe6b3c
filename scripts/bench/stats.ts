/** Latency samples per named step, summarised as p50/p99 in milliseconds. */
export interface Percentiles {
  p50: number;
  p99: number;
}

export class LatencyRecorder<K extends string> {
  private readonly samples = new Map<K, number[]>();

  record(key: K, ms: number): void {
    const list = this.samples.get(key) ?? [];
    list.push(ms);
    this.samples.set(key, list);
  }

  /** Times one call and records it under `key`. */
  async time<T>(key: K, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    this.record(key, performance.now() - started);
    return result;
  }

  percentiles(key: K): Percentiles {
    return percentiles(this.samples.get(key) ?? []);
  }
}

/** Nearest-rank percentiles, rounded to 0.1 ms. */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p99: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(at(50)), p99: round(at(99)) };
}
