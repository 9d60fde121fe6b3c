/**
 * The floor the run is compared with: the one SQL that counts a period's CLOSED interventions per
 * client, with the WHERE of the product's extraction (db/billing.ts extractPeriod), rows fetched to Node.
 */
import type { Db } from '../../db/connection';
import { OPEN_STATEMENT_STATUSES } from '../../db/billing';

export const BARE_AGGREGATION_SQL = `select client_id, count(*)::int as interventions
  from requests
 where status = 'CLOSED' and closed_at >= ? and closed_at < ?
 group by client_id`;

export async function timeBareAggregation(db: Db, bounds: { start: Date; end: Date }, repeats: number): Promise<{ samplesMs: number[]; medianMs: number; clients: number }> {
  const samplesMs: number[] = [];
  let clients = 0;
  for (let i = 0; i < repeats; i += 1) {
    const started = performance.now();
    const { rows } = await db.raw<{ rows: unknown[] }>(BARE_AGGREGATION_SQL, [bounds.start, bounds.end]);
    samplesMs.push(Math.round((performance.now() - started) * 10) / 10);
    clients = rows.length;
  }
  return { samplesMs, medianMs: median(samplesMs), clients };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 10) / 10;
}

/**
 * EXPLAIN ANALYZE of the bare aggregation and of the reads the run repeats (the extraction's select,
 * a page of open statements). Read-only statements only: the run's writes have happened already.
 */
export async function explainReads(db: Db, period: string, bounds: { start: Date; end: Date }): Promise<Record<string, string>> {
  const explain = async (sql: string, bindings: unknown[]) => {
    const { rows } = await db.raw<{ rows: { 'QUERY PLAN': string }[] }>(`explain (analyze, buffers) ${sql}`, bindings as never);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  };
  return {
    bareAggregation: await explain(BARE_AGGREGATION_SQL, [bounds.start, bounds.end]),
    // The select of the extraction's request-line insert, as db/billing.ts writes it (client ids as one JSON array).
    statementRequestLines: await explain(
      `select ?, r.client_id, r.id
         from requests r
        where r.status = 'CLOSED' and r.closed_at >= ? and r.closed_at < ? and r.client_id in (select jsonb_array_elements_text(?::jsonb))`,
      [period, bounds.start, bounds.end, JSON.stringify(await periodClients(db, period))],
    ),
    openStatementsPage: await explain(
      `select s.client_id,
              coalesce((select array_agg(sr.request_id order by sr.request_id) from statement_requests sr
                         where sr.period = s.period and sr.client_id = s.client_id), '{}') as request_ids,
              coalesce((select max(h.seq) from statement_history h where h.period = s.period and h.client_id = s.client_id), 0) as seq
         from statements s
        where s.period = ? and s.client_id > '' and s.status in (select jsonb_array_elements_text(?::jsonb))
        order by s.client_id limit 500`,
      [period, JSON.stringify(OPEN_STATEMENT_STATUSES)],
    ),
  };
}

async function periodClients(db: Db, period: string): Promise<string[]> {
  const rows = await db('statements').where({ period }).orderBy('client_id').pluck('client_id');
  return rows as string[];
}
