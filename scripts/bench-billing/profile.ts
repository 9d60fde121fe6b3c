/**
 * Where the extraction and the summary spend their time, measured on the month BEFORE the benchmarked
 * one (same size, not extracted yet) inside transactions that are rolled back, so nothing is left behind.
 */
import * as billing from '../../db/billing';
import type { Db } from '../../db/connection';
import { computeIndicators } from '../../domain/indicators';

export interface ExtractionProfile {
  period: string;
  /** db/billing.ts extractPeriod as the activity calls it (rolled back). */
  extractPeriodMs: number;
  /** EXPLAIN ANALYZE of the request-line insert alone: plan, row triggers (the foreign key) included. */
  requestLinesInsertPlan: string;
  /** The summary's two halves: rows read into Node, then the indicators computed in JS. */
  indicatorRowsMs: number;
  indicatorRows: number;
  computeIndicatorsMs: number;
}

class Rollback extends Error {}

export async function profileExtraction(db: Db, period: string, bounds: { start: Date; end: Date }): Promise<ExtractionProfile> {
  let extractPeriodMs = 0;
  await db.transaction(async (trx) => {
    const started = performance.now();
    await billing.extractPeriod(trx, period, bounds, new Date());
    extractPeriodMs = Math.round(performance.now() - started);
    throw new Rollback();
  }).catch((e: unknown) => { if (!(e instanceof Rollback)) throw e; });

  const explainInsert = async () => {
    let plan = '';
    await db.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { 'QUERY PLAN': string }[] }>(
        `explain (analyze, buffers)
         insert into statement_requests (period, client_id, request_id)
         select ?, r.client_id, r.id from requests r
          where r.status = 'CLOSED' and r.closed_at >= ? and r.closed_at < ?
         on conflict do nothing`,
        [period, bounds.start, bounds.end],
      );
      plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      throw new Rollback();
    }).catch((e: unknown) => { if (!(e instanceof Rollback)) throw e; });
    return plan;
  };
  const requestLinesInsertPlan = await explainInsert();

  const read = performance.now();
  const rows = await billing.indicatorRows(db, bounds);
  const computed = performance.now();
  computeIndicators(rows);
  const done = performance.now();
  return {
    period,
    extractPeriodMs,
    requestLinesInsertPlan,
    indicatorRowsMs: Math.round(computed - read),
    indicatorRows: rows.length,
    computeIndicatorsMs: Math.round(done - computed),
  };
}
