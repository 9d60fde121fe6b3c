/**
 * `npm run bench [-- --quick] [-- --out FILE]`: lifecycle throughput and latency of the product
 * against the bare Temporal ceiling, measured in one run on one dev server (issue 6). A benchmark, not a
 * test: it prints figures and says which goals they meet; it fails only if the run itself fails.
 *
 * Everything measured is a real child process: the worker and the API (this build's
 * dist/{worker,api}/main.js) and the baseline's worker, so each one's memory is read from /proc.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection, Client } from '@temporalio/client';
import { openDatabase } from '../runtime/bootstrap';
import { loadConfig } from '../runtime/config';
import { freePort, startDevServer, type DevServer } from '../runtime/dev-server';
import { resolveTemporalCli } from '../runtime/temporal-cli';
import { apiCaller, createFixture } from './bench/api-client';
import { parseArgs } from './bench/args';
import { runBaseline } from './bench/baseline';
import { answers, printed, startChild } from './bench/child';
import { runLifecycles } from './bench/lifecycles';
import { loadAverage, machineInfo } from './bench/machine';
import { fileOpenRequests } from './bench/open-requests';
import { formatTable, goalsMet, STEPS, type BenchResult } from './bench/report';
import { readMemory } from './bench/rss';
import { createScratchDatabase, type ScratchDatabase } from './bench/scratch-db';
import { cpuSeconds, cpuSnapshot } from './bench/cpu';
import { historyCost } from './bench/history';
import type { Db } from '../db/connection';
import { DEFAULT_WORKER_TUNING } from '../worker/worker';

/** The build this script belongs to: works from dist/ or any other output folder. */
const BUILD_ROOT = path.resolve(__dirname, '..');
const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  log(`${args.quick ? 'quick' : 'full'} run: ${args.count} lifecycles and ${args.count} baseline workflows, ${args.concurrency} in flight; load average ${machine.loadAverage.join(' ')}`);

  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const devServer: DevServer = await startDevServer({ cliPath: await resolveTemporalCli(), port: await freePort() });
    cleanup.push(() => devServer.stop());
    const scratch: ScratchDatabase = await createScratchDatabase();
    cleanup.push(() => scratch.drop());
    log(`dev server ${devServer.address}, database ${new URL(scratch.url).pathname.slice(1)}`);

    const adminToken = `bench-admin-${crypto.randomBytes(8).toString('hex')}`;
    const apiPort = await freePort();
    const env: Record<string, string> = {
      DATABASE_URL: scratch.url,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: `bench-rhs-${crypto.randomBytes(3).toString('hex')}`,
      RHS_ADMIN_TOKEN: adminToken,
      PORT: String(apiPort),
      // One benchmark token makes thousands of calls a minute; the per-token limit is not what is measured.
      RHS_RATE_LIMIT_PER_MINUTE: '10000000',
    };
    const config = loadConfig({ ...process.env, ...env });
    // Migrated here once, so the two children do not race to migrate.
    const db = await openDatabase(scratch.url);
    cleanup.push(() => db.destroy());
    const connection = await Connection.connect({ address: devServer.address });
    cleanup.push(() => connection.close());
    const temporal = new Client({ connection, namespace: config.temporal.namespace });

    const nodeArgs = (name: string) => (args.profileDir ? ['--cpu-prof', '--cpu-prof-dir', args.profileDir, '--cpu-prof-name', `${name}.cpuprofile`] : []);
    const workflowBundle = fs.existsSync(path.join(BUILD_ROOT, 'workflow-bundle.js'));
    const worker = await startChild({ name: 'worker', script: path.join(BUILD_ROOT, 'worker/main.js'), env, nodeArgs: nodeArgs('worker'), ready: printed('"message":"polling"') });
    cleanup.push(() => worker.stop());
    const api = await startChild({ name: 'api', script: path.join(BUILD_ROOT, 'api/main.js'), env, nodeArgs: nodeArgs('api'), ready: answers(`http://127.0.0.1:${apiPort}/healthz`) });
    cleanup.push(() => api.stop());
    const http = apiCaller(`http://127.0.0.1:${apiPort}`);
    const fixture = await createFixture(http, adminToken);
    log(`worker pid ${worker.pid}, api pid ${api.pid}`);

    // The bare ceiling first: the server then holds the product's histories too, never the other way round.
    const baselineQueue = `bench-baseline-${crypto.randomBytes(3).toString('hex')}`;
    const baselineWorker = await startChild({ name: 'baseline worker', script: path.join(__dirname, 'bench/baseline-worker.js'), env: { ...env, TEMPORAL_TASK_QUEUE: baselineQueue }, ready: printed('"message":"polling"') });
    cleanup.push(() => baselineWorker.stop());
    log('baseline: warm-up');
    await runBaseline(temporal, baselineQueue, args.warmup, args.concurrency);
    log('baseline: measuring');
    const baselineGroups = { devServer: [devServer.process.pid!], worker: [baselineWorker.pid], loadGenerator: [process.pid] };
    const baselineCpu = await measureCpu(baselineGroups, args.count, () => runBaseline(temporal, baselineQueue, args.count, args.concurrency));
    const baseline = baselineCpu.result;
    log(`baseline: ${baseline.perSecond.toFixed(1)}/s`);
    await baselineWorker.stop();

    log('lifecycles: warm-up');
    await runLifecycles(http, fixture, args.warmup, args.concurrency);
    log('lifecycles: measuring');
    const productGroups = { devServer: [devServer.process.pid!], worker: [worker.pid], api: [api.pid], loadGenerator: [process.pid] };
    const productCpu = await measureCpu(productGroups, args.count, () => runLifecycles(http, fixture, args.count, args.concurrency), db);
    const lifecycles = productCpu.result;
    log(`lifecycles: ${lifecycles.perSecond.toFixed(1)}/s; warnings logged so far: worker ${worker.warnings()}, api ${api.warnings()}`);
    if (process.env.BENCH_DEBUG) log(`worker tail:\n${worker.tail().slice(-3000)}`);
    const rssMb = { worker: readMemory(worker.pid).rssMb, api: readMemory(api.pid).rssMb };
    log(`throughput ratio ${(lifecycles.perSecond / baseline.perSecond).toFixed(3)}; RSS worker ${rssMb.worker} MB, api ${rssMb.api} MB`);

    log(`open requests: filing ${args.openRequests}`);
    // A failure here must not lose the figures measured above: it is reported with them.
    let openError: string | undefined;
    const filing = await fileOpenRequests({ db, temporal, config }, fixture, args.openRequests, args.concurrency, (n) => log(`  ${n} filed; worker RSS ${readMemory(worker.pid).rssMb} MB, load ${loadAverage()[0]}`))
      .catch((error: unknown) => {
        openError = error instanceof Error ? error.message : String(error);
        log(`open requests: ${openError}`);
        return { seconds: NaN, retries: NaN };
      });
    // A moment for the last workflow tasks and projections to settle before reading memory.
    await new Promise((r) => setTimeout(r, 3000));
    const open = readMemory(worker.pid);

    const history = {
      product: lifecycles.sampleWorkflowId ? await historyCost(temporal, lifecycles.sampleWorkflowId) : undefined,
      baseline: baseline.sampleWorkflowId ? await historyCost(temporal, baseline.sampleWorkflowId) : undefined,
    };
    const partial: Omit<BenchResult, 'goals'> = {
      lifecycles: { count: lifecycles.count, perSecond: round2(lifecycles.perSecond) },
      baseline: { count: baseline.count, perSecond: round2(baseline.perSecond) },
      ratio: Math.round((lifecycles.perSecond / baseline.perSecond) * 1000) / 1000,
      latencyMs: Object.fromEntries(STEPS.map((s) => [s, lifecycles.latency.percentiles(s)])) as BenchResult['latencyMs'],
      rssMb,
      openRequests: { count: args.openRequests, workerRssMb: open.rssMb, workerPeakRssMb: open.peakRssMb, filedPerSecond: round2(args.openRequests / filing.seconds), retries: filing.retries, quick: args.quick, ...(openError ? { error: openError } : {}) },
      warnings: { worker: worker.warnings(), api: api.warnings(), samples: { worker: worker.warningSamples(), api: api.warningSamples() } },
      baselineLatencyMs: Object.fromEntries(STEPS.map((s) => [s, baseline.latency.percentiles(s)])) as BenchResult['baselineLatencyMs'],
      profile: { cpuMsPerLifecycle: productCpu.msPerUnit, cpuMsPerBaselineWorkflow: baselineCpu.msPerUnit, history, seconds: { lifecycles: round2(lifecycles.seconds), baseline: round2(baseline.seconds) } },
      settings: { quick: args.quick, concurrency: args.concurrency, warmup: args.warmup, workflowBundle, workerTuning: { ...DEFAULT_WORKER_TUNING } },
      machine: { ...machine, loadAverageAtEnd: loadAverage() },
      at: new Date().toISOString(),
    };
    const result: BenchResult = { ...partial, goals: goalsMet(partial) };
    console.log(formatTable(result));
    if (args.out) {
      fs.writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
      log(`written to ${args.out}`);
    }
  } finally {
    await stopAll();
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Runs a phase and reports the CPU milliseconds each group of processes spent per unit of work. With a
 * database, its server processes for this database count as `postgres`.
 */
async function measureCpu<T>(groups: Record<string, number[]>, units: number, phase: () => Promise<T>, db?: Db): Promise<{ result: T; msPerUnit: Record<string, number> }> {
  const postgresPids = async () => (db ? (await db.raw<{ rows: { pid: number }[] }>('select pid from pg_stat_activity where datname = current_database()')).rows.map((r) => r.pid) : []);
  const all = async () => [...Object.values(groups).flat(), ...(await postgresPids())];
  const before = cpuSnapshot(await all());
  const result = await phase();
  const pg = await postgresPids();
  const after = cpuSnapshot([...Object.values(groups).flat(), ...pg]);
  const msPerUnit: Record<string, number> = {};
  const entries: Array<[string, number[]]> = [...Object.entries(groups), ...(db ? [['postgres', pg] as [string, number[]]] : [])];
  let total = 0;
  for (const [name, pids] of entries) {
    const ms = (cpuSeconds(before, after, pids) * 1000) / units;
    msPerUnit[name] = Math.round(ms * 10) / 10;
    total += ms;
  }
  msPerUnit.total = Math.round(total * 10) / 10;
  return { result, msPerUnit };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
