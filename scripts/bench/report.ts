/** The benchmark's result: the JSON written to --out and the table printed for people. */
import type { Percentiles } from './stats';
import type { MachineInfo } from './machine';
import type { HistoryCost } from './history';

export const STEPS = ['file', 'validation', 'start', 'report', 'confirmation'] as const;
type Step = (typeof STEPS)[number];

export interface BenchResult {
  lifecycles: { count: number; perSecond: number };
  baseline: { count: number; perSecond: number };
  ratio: number;
  latencyMs: Record<Step, Percentiles>;
  rssMb: { worker: number; api: number };
  /** The worker's memory with many requests open; `count` says how many (10,000 in a full run). */
  openRequests: { count: number; workerRssMb: number; workerPeakRssMb: number; filedPerSecond: number; retries: number; quick: boolean; error?: string };
  /** WARN/ERROR lines the worker and the API logged during the run, and the first few of them. */
  warnings: { worker: number; api: number; samples: { worker: string[]; api: string[] } };
  /** Not part of the goals: the bare workflow's Update latencies, for comparison. */
  baselineLatencyMs: Record<Step, Percentiles>;
  /** Where the time goes: CPU per lifecycle by process, and what one history holds. */
  profile: {
    cpuMsPerLifecycle: Record<string, number>;
    cpuMsPerBaselineWorkflow: Record<string, number>;
    history: { product?: HistoryCost; baseline?: HistoryCost };
    seconds: { lifecycles: number; baseline: number };
  };
  settings: { quick: boolean; concurrency: number; warmup: number; workflowBundle: boolean; workerTuning: Record<string, number> };
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  goals: { ratio: boolean; p99: boolean; openRequestsRss: boolean };
  at: string;
}

export const GOALS = { ratio: 0.5, p99Ms: 250, openRssMb: 1024 } as const;

export function goalsMet(result: Omit<BenchResult, 'goals'>): BenchResult['goals'] {
  return {
    ratio: result.ratio >= GOALS.ratio,
    p99: STEPS.every((step) => result.latencyMs[step].p99 < GOALS.p99Ms),
    // Only a run with 10,000 open requests can meet the memory goal.
    openRequestsRss: !result.openRequests.quick && !result.openRequests.error && result.openRequests.workerRssMb < GOALS.openRssMb,
  };
}

const historyLine = (h?: HistoryCost) => (h ? `${h.events} events, ${h.workflowTasks} workflow tasks, ${h.localActivityMarkers} local-activity markers, ${h.searchAttributeUpserts} search-attribute upserts` : 'n/a');
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

export function formatTable(r: BenchResult): string {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  const lines = [
    '',
    `Remote Hands benchmark (${r.settings.quick ? 'QUICK' : 'full'} run, ${r.at})`,
    `machine: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, node ${r.machine.node}`,
    `load average: ${r.machine.loadAverage.join(' ')} at start, ${r.machine.loadAverageAtEnd.join(' ')} at end`,
    `concurrency ${r.settings.concurrency}, warm-up ${r.settings.warmup}, product workflow bundle: ${r.settings.workflowBundle ? 'prebuilt' : 'bundled at start-up'}, worker ${JSON.stringify(r.settings.workerTuning)}`,
    '',
    `                     count   per second`,
    `full lifecycles    ${pad(r.lifecycles.count, 7)}   ${pad(round(r.lifecycles.perSecond, 2), 10)}`,
    `bare baseline      ${pad(r.baseline.count, 7)}   ${pad(round(r.baseline.perSecond, 2), 10)}`,
    `ratio              ${pad(round(r.ratio, 3), 7)}   (goal >= ${GOALS.ratio}: ${mark(r.goals.ratio)})`,
    '',
    `latency ms          product p50   p99   |  bare p50   p99`,
    ...STEPS.map((s) => `  ${s.padEnd(14)} ${pad(r.latencyMs[s].p50, 10)} ${pad(r.latencyMs[s].p99, 6)}   | ${pad(r.baselineLatencyMs[s].p50, 8)} ${pad(r.baselineLatencyMs[s].p99, 6)}`),
    `  (goal: every product p99 < ${GOALS.p99Ms} ms: ${mark(r.goals.p99)})`,
    '',
    `CPU ms per unit      ${Object.entries(r.profile.cpuMsPerLifecycle).map(([k, v]) => `${k} ${v}`).join(', ')} (per lifecycle)`,
    `                     ${Object.entries(r.profile.cpuMsPerBaselineWorkflow).map(([k, v]) => `${k} ${v}`).join(', ')} (per bare workflow)`,
    `history of one       ${historyLine(r.profile.history.product)} (lifecycle)`,
    `                     ${historyLine(r.profile.history.baseline)} (bare workflow)`,
    '',
    `RSS after the lifecycles: worker ${r.rssMb.worker} MB, api ${r.rssMb.api} MB`,
    `worker RSS with ${r.openRequests.count} open requests: ${r.openRequests.workerRssMb} MB (peak ${r.openRequests.workerPeakRssMb} MB; filed at ${round(r.openRequests.filedPerSecond)}/s, ${r.openRequests.retries} timed out and repeated)`,
    `warnings logged: worker ${r.warnings.worker}, api ${r.warnings.api}`,
    ...[...r.warnings.samples.worker.map((l) => `  worker: ${l}`), ...r.warnings.samples.api.map((l) => `  api: ${l}`)],
    r.openRequests.error
      ? `  FAILED before all were open: ${r.openRequests.error}`
      : r.openRequests.quick
      ? `  QUICK run: only ${r.openRequests.count} open requests, not 10,000; the memory goal is judged on a full run`
      : `  (goal < ${GOALS.openRssMb} MB: ${mark(r.goals.openRequestsRss)})`,
    '',
  ];
  return lines.join('\n');
}
