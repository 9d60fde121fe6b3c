/**
 * `npm run bench:billing [-- --quick] [-- --out FILE]`: one period's billing run end to end against the
 * bare SQL aggregation of the same period on the same data (the billing issue's last "Done when").
 * A benchmark, not a test: it prints figures and fails only if the run itself fails.
 *
 * Seeds --requests CLOSED requests over --months months for --clients clients into a scratch database,
 * then times the last seeded period (the month that just ended, as the monthly Schedule bills it):
 *  - bare: the one aggregation query with the extraction's WHERE, the median of --repeats runs;
 *  - run: startBillingRun (as the API calls it) until billing_runs.status = 'IN_REVIEW', which the period
 *    workflow writes only after extraction (statements, request lines, first history event), the
 *    summary (D7 indicators) and every review page (every review workflow accepted by Temporal).
 * The worker is the product's own process (this build's worker/main.js) on an in-memory dev server.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startBillingRun } from '../api/billing/temporal';
import { findRun, type RunStatus } from '../db/billing';
import type { Db } from '../db/connection';
import { hasPeriodEnded, periodBounds, previousPeriod, reviewDeadline, shiftPeriod } from '../domain/periods';
import { openDatabase } from '../runtime/bootstrap';
import { loadConfig } from '../runtime/config';
import { freePort, startDevServer } from '../runtime/dev-server';
import { connectClient } from '../runtime/temporal';
import { resolveTemporalCli } from '../runtime/temporal-cli';
import { DEFAULT_REMINDER_LEADS_MS, REVIEW_WORKFLOW } from '../workflows/billing/messages';
import { explainReads, timeBareAggregation } from './bench-billing/aggregation';
import { parseArgs } from './bench-billing/args';
import { profileExtraction } from './bench-billing/profile';
import { periodShape, seed } from './bench-billing/seed';
import { activitySpans, stagesOf, type Stage } from './bench-billing/stages';
import { measureStartCeiling, type StartCeiling } from './bench-billing/start-ceiling';
import { printed, startChild } from './bench/child';
import { loadAverage, machineInfo } from './bench/machine';
import { createScratchDatabase } from './bench/scratch-db';

/** The build this script belongs to: works from dist/ or any other output folder. */
const BUILD_ROOT = path.resolve(__dirname, '..');
const log = (message: string) => console.error(`[bench-billing ${new Date().toISOString().slice(11, 19)}] ${message}`);
const POLL_MS = 20;
const RUN_TIMEOUT_MS = 30 * 60_000;

async function main(): Promise<void> {
  const baseConfig = loadConfig();
  const args = parseArgs(process.argv.slice(2), baseConfig.billingTimeZone);
  const machine = machineInfo();
  const now = new Date();
  // The month that just ended is what the monthly Schedule bills; the seeded months end with it.
  const period = previousPeriod(now, args.timeZone);
  const firstPeriod = shiftPeriod(period, -(args.months - 1));
  const bounds = periodBounds(period, args.timeZone);
  log(`${args.quick ? 'quick' : 'full'}: ${args.requests} requests, ${args.clients} clients, ${args.months} months (${firstPeriod} to ${period}, ${args.timeZone}); load average ${machine.loadAverage.join(' ')}`);
  warnIfRemindersDue(period, args.timeZone, now);

  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((e: unknown) => log(`cleanup: ${String(e)}`));
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const scratch = await createScratchDatabase(undefined, 'rhs_bench_billing');
    cleanup.push(() => scratch.drop());
    const devServer = await startDevServer({ cliPath: await resolveTemporalCli(), port: await freePort() });
    cleanup.push(() => devServer.stop());
    log(`dev server ${devServer.address}, database ${new URL(scratch.url).pathname.slice(1)}`);
    const db = await openDatabase(scratch.url);
    cleanup.push(() => db.destroy());

    const seeded = await seed(db, { requests: args.requests, clients: args.clients, months: args.months, firstPeriod, timeZone: args.timeZone }, log);
    log(`seeded in ${seeded.seconds.total} s (clients ${seeded.seconds.clients} s, requests ${seeded.seconds.requests} s, vacuum analyze ${seeded.seconds.analyze} s)`);
    const shape = await periodShape(db, bounds);
    log(`period ${period}: ${shape.interventions} interventions of ${shape.clients} clients (${shape.underFive} under 5, at most ${shape.maxPerClient} for one)`);

    const bare = await timeBareAggregation(db, bounds, args.repeats);
    log(`bare aggregation: median ${bare.medianMs} ms of ${bare.samplesMs.join(', ')} ms (${bare.clients} rows)`);

    const env: Record<string, string> = {
      DATABASE_URL: scratch.url,
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: `bench-billing-${crypto.randomBytes(3).toString('hex')}`,
      RHS_BILLING_TIMEZONE: args.timeZone,
      RHS_LOG_LEVEL: 'warn',
    };
    const config = loadConfig({ ...process.env, ...env });
    const worker = await startChild({ name: 'worker', script: path.join(BUILD_ROOT, 'worker/main.js'), env, ready: printed('"message":"polling"') });
    cleanup.push(() => worker.stop());
    const temporal = await connectClient(config.temporal);
    cleanup.push(() => temporal.connection.close());
    const taskQueue = config.temporal.taskQueue;

    // Warm-up on an empty month: the worker's workflow sandbox, the activities' code and pools are hot.
    const warmPeriod = shiftPeriod(firstPeriod, -1);
    await startBillingRun(temporal, taskQueue, { period: warmPeriod, timeZone: args.timeZone });
    await waitForRunStatus(db, warmPeriod, 'COMPLETED', 60_000);
    log(`warm-up run of the empty ${warmPeriod} completed; worker pid ${worker.pid}`);

    const loadBefore = loadAverage();
    const t0Epoch = Date.now();
    const t0 = performance.now();
    const { workflowId } = await startBillingRun(temporal, taskQueue, { period, timeZone: args.timeZone });
    const recordedMs = performance.now() - t0;
    await waitForRunStatus(db, period, 'IN_REVIEW', RUN_TIMEOUT_MS);
    const runMs = performance.now() - t0;
    const loadAfter = loadAverage();
    log(`run: IN_REVIEW after ${Math.round(runMs)} ms (recorded after ${Math.round(recordedMs)} ms)`);

    const check = await verify(db, temporal, period, shape.clients);
    const { workflowStartedMs, spans } = await activitySpans(temporal, workflowId, t0Epoch);
    const stages = stagesOf(spans);
    const settledMs = await waitForWorkflowBacklog(temporal, config.temporal.namespace, taskQueue, t0, 5 * 60_000);
    const explain = args.explain ? await explainReads(db, period, bounds) : undefined;
    const previous = shiftPeriod(period, -1);
    const profile = args.explain ? await profileExtraction(db, previous, periodBounds(previous, args.timeZone)) : undefined;
    if (profile) log(`profile on ${previous}: extractPeriod ${profile.extractPeriodMs} ms; indicator rows ${profile.indicatorRowsMs} ms (${profile.indicatorRows} rows), computeIndicators ${profile.computeIndicatorsMs} ms`);
    // After the run, so it does not compete with it; the worker is idle by now.
    const policy = { deadlineAt: reviewDeadline(period, args.timeZone).getTime(), reminderLeadsMs: DEFAULT_REMINDER_LEADS_MS };
    const ceilings: StartCeiling[] = [];
    for (const concurrency of [25, 100]) {
      ceilings.push(await measureStartCeiling(db, temporal, period, policy, Math.min(check.reviews, args.ceilingStarts), concurrency));
      log(`Temporal alone: ${ceilings[ceilings.length - 1].perSecond} starts/s at concurrency ${concurrency}`);
    }

    const ratio = Math.round((runMs / bare.medianMs) * 10) / 10;
    const reviewStage = stages.startStatementReviews;
    const result = {
      period,
      timeZone: args.timeZone,
      sizes: { requests: args.requests, clients: args.clients, months: args.months, quick: args.quick },
      seed: { ...seeded, period: shape },
      bareAggregationMs: { median: bare.medianMs, samples: bare.samplesMs },
      runMs: Math.round(runMs),
      ratio,
      aimMet: ratio <= 5,
      end: "billing_runs.status = 'IN_REVIEW' seen by polling every 20 ms: written by the period workflow after extraction, summary and every review workflow was started",
      recordedMs: Math.round(recordedMs),
      workflowStartedMs,
      stages,
      reviewsStartedPerSecond: reviewStage && check.reviews > 0 ? Math.round((check.reviews / ((reviewStage.toMs - reviewStage.fromMs) / 1000)) * 10) / 10 : undefined,
      reviewsFirstTasksDoneMs: settledMs,
      temporalStartCeiling: ceilings,
      check,
      machine: { ...machine, loadAverageBeforeRun: loadBefore, loadAverageAfterRun: loadAfter, loadAverageAtEnd: loadAverage() },
      explain,
      profile,
      at: new Date().toISOString(),
    };
    console.log(formatResult(result.bareAggregationMs.median, result.runMs, ratio, stages, result.recordedMs, check, settledMs, result.reviewsStartedPerSecond, ceilings, loadBefore, loadAfter));
    // Lines cut: the request-line plan repeats the period's client ids (one JSON parameter) in full.
    if (explain) for (const [name, plan] of Object.entries(explain)) console.log(`\nEXPLAIN ANALYZE ${name}:\n${plan.split('\n').map((l) => (l.length > 240 ? `${l.slice(0, 240)}...` : l)).join('\n')}`);
    if (profile) console.log(`\nEXPLAIN ANALYZE request-line insert (${previous}, rolled back):\n${profile.requestLinesInsertPlan}`);
    if (args.out) {
      fs.writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');
      log(`written to ${args.out}`);
    }
  } finally {
    await stopAll();
  }
}

/** Reminders fire at once when the run starts after they were due; they would then be part of what is timed. */
function warnIfRemindersDue(period: string, timeZone: string, now: Date): void {
  const firstReminder = reviewDeadline(period, timeZone).getTime() - Math.max(...DEFAULT_REMINDER_LEADS_MS);
  if (now.getTime() >= firstReminder) log(`warning: the ${period} reminders are already due; review workflows will send them while the run is timed`);
  if (!hasPeriodEnded(period, now, timeZone)) throw new Error(`${period} has not ended`);
}

async function waitForRunStatus(db: Db, period: string, status: RunStatus, timeoutMs: number): Promise<void> {
  const wanted = ['RUNNING', 'IN_REVIEW', 'COMPLETED'].indexOf(status);
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const run = await findRun(db, period);
    if (run && ['RUNNING', 'IN_REVIEW', 'COMPLETED'].indexOf(run.status) >= wanted) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`the run of ${period} did not reach ${status} within ${timeoutMs} ms`);
}

interface Check {
  statements: number;
  billable: number;
  reviews: number;
  summaryWritten: boolean;
  /** Review workflows running as Temporal's visibility counts them (eventually consistent, so waited for). */
  runningReviews: number;
}

/** The run did what it claims: one statement per client with interventions, the summary, one review per billable statement. */
async function verify(db: Db, temporal: Client, period: string, expectedStatements: number): Promise<Check> {
  const [{ statements, billable }] = (await db.raw<{ rows: { statements: number; billable: number }[] }>(
    `select count(*)::int as statements, count(*) filter (where status <> 'NOT_BILLABLE')::int as billable from statements where period = ?`,
    [period],
  )).rows;
  const run = await findRun(db, period);
  const query = `WorkflowType = '${REVIEW_WORKFLOW}' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH 'rhs-billing-${period}-'`;
  let runningReviews = 0;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    runningReviews = (await temporal.workflow.count(query)).count;
    if (runningReviews >= billable) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const check = { statements, billable, reviews: billable, summaryWritten: Boolean(run?.summary), runningReviews };
  if (statements !== expectedStatements || !check.summaryWritten || runningReviews !== billable) {
    throw new Error(`the run is incomplete: ${JSON.stringify(check)}, expected ${expectedStatements} statements`);
  }
  return check;
}

/**
 * Ms after the start call at which the workflow task queue had no backlog left: every started review
 * has run its first workflow task (set its reminder timer). Undefined if the server does not report it.
 */
async function waitForWorkflowBacklog(temporal: Client, namespace: string, taskQueue: string, t0: number, timeoutMs: number): Promise<number | undefined> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    try {
      const response = await temporal.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType: 1, reportStats: true });
      const backlog = Number(response.stats?.approximateBacklogCount ?? -1);
      if (backlog < 0) return undefined;
      if (backlog === 0) return Math.round(performance.now() - t0);
    } catch {
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

function formatResult(bareMs: number, runMs: number, ratio: number, stages: Record<string, Stage>, recordedMs: number, check: Check, settledMs: number | undefined, perSecond: number | undefined, ceilings: StartCeiling[], loadBefore: number[], loadAfter: number[]): string {
  const ms = (n: number) => `${Math.round(n).toLocaleString('en')} ms`;
  const lines = [
    '',
    `bare aggregation (median)          ${ms(bareMs)}`,
    `run end to end (until IN_REVIEW)   ${ms(runMs)}`,
    `ratio                              ${ratio}x  (aim: 5x or less: ${ratio <= 5 ? 'met' : 'not met'})`,
    '',
    `stages (ms after the start call; run = time inside the activities)`,
    `  run recorded (startBillingRun returned)  ${ms(recordedMs)}`,
    ...Object.entries(stages).map(([name, s]) => `  ${name.padEnd(24)} ${ms(s.fromMs).padStart(10)} -> ${ms(s.toMs).padStart(10)}   run ${ms(s.runMs)}${s.count > 1 ? ` in ${s.count} activities` : ''}`),
    `  reviews started per second               ${perSecond ?? 'n/a'}`,
    `  every review's first workflow task done  ${settledMs === undefined ? 'n/a' : ms(settledMs)}`,
    ...ceilings.map((c) => `  Temporal alone (no worker), ${String(c.concurrency).padStart(3)} at once  ${c.perSecond} starts/s (${c.starts} starts)`),
    '',
    `statements ${check.statements}, billable ${check.billable}, reviews running ${check.runningReviews}, summary ${check.summaryWritten ? 'written' : 'missing'}`,
    `load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
