/**
 * Monthly billing in PostgreSQL (B1-B5, D1-D5): set-based extraction of a period's interventions, the
 * statements (the projection of the review workflows), their history, the budget operations and the
 * run. Every write is keyed so a retried or repeated call changes nothing the second time.
 */
import { computeStatement, type BillingMode, type Contract, type StatementFigures, type StatementStatus } from '../domain/billing';
import type { IndicatorRow } from '../domain/indicators';
import type { Notification } from '../domain/notifications';
import type { Priority } from '../domain/request-types';
import { NEXT_NUMBER_SQL } from './requests';
import type { Db } from './connection';
import { changeNotificationParts, runAsOneStatement } from './outbox';

type Executor = Db;

export const RUN_STATUSES = ['RUNNING', 'IN_REVIEW', 'COMPLETED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses whose review is still open: their review workflow must be running. */
export const OPEN_STATEMENT_STATUSES: readonly StatementStatus[] = ['PENDING_REVIEW', 'DISPUTED', 'APPROVED'];

export interface RunRow {
  period: string;
  status: RunStatus;
  workflow_id: string;
  time_zone: string;
  summary: Record<string, unknown> | null;
  started_at: Date;
  completed_at: Date | null;
}

export interface StatementRow {
  period: string;
  client_id: string;
  client_code: string;
  client_name: string;
  interventions: number;
  included_interventions: number;
  billing_mode: BillingMode;
  billable_quantity: number;
  unit_price_minor: string; // bigint comes back from pg as text
  amount_minor: string;
  currency: string;
  status: StatementStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface StatementRequestRow {
  request_id: string;
  number: string;
  created_at: Date;
  closed_at: Date;
  site: string;
  summary: string;
  task_type: string | null;
  executed_by: string | null;
  excluded: boolean;
  exclusion_reason: string | null;
}

export interface HistoryRow {
  seq: number;
  type: string;
  at: Date;
  actor_id: string;
  actor_role: string;
  details: Record<string, unknown>;
}

export interface BudgetOperationRow {
  id: string;
  period: string;
  client_id: string;
  amount_minor: string;
  currency: string;
  quantity: number;
  statement_ref: string;
  registered_by: string;
  registered_at: Date;
}

// --- Runs ------------------------------------------------------------------------------------

/** Opens the run of a period once; a repeat returns the row as it is (maybe already COMPLETED). */
export async function openRun(db: Executor, run: { period: string; workflowId: string; timeZone: string; startedAt: Date }): Promise<RunRow> {
  await db('billing_runs')
    .insert({ period: run.period, status: 'RUNNING', workflow_id: run.workflowId, time_zone: run.timeZone, started_at: run.startedAt })
    .onConflict('period')
    .ignore();
  return (await findRun(db, run.period)) as RunRow;
}

export async function findRun(db: Executor, period: string): Promise<RunRow | undefined> {
  return db<RunRow>('billing_runs').where({ period }).first();
}

/** Moves a run forward only (RUNNING → IN_REVIEW → COMPLETED), so a late retry never moves it back. */
export async function advanceRun(db: Executor, period: string, status: RunStatus, at: Date): Promise<void> {
  const earlier = RUN_STATUSES.slice(0, RUN_STATUSES.indexOf(status));
  await db('billing_runs')
    .where({ period })
    .whereIn('status', earlier)
    .update({ status, ...(status === 'COMPLETED' ? { completed_at: at } : {}) });
}

/** D3/D7: the summary's indicators, computed once when the run extracts the month. */
export async function storeRunSummary(db: Executor, period: string, summary: Record<string, unknown>): Promise<void> {
  await db('billing_runs').where({ period }).update({ summary: JSON.stringify(summary) });
}

// --- Extraction (B1, B2, D1, D2) -------------------------------------------------------------

export interface ExtractionResult {
  clients: number;
  billable: number;
  interventions: number;
  /** Statements this call wrote; 0 on a repeat. */
  inserted: number;
}

interface ClientInterventions {
  client_id: string;
  interventions: number;
  included_interventions: number;
  billing_mode: BillingMode;
  unit_price_minor: string;
  currency: string;
}

// Every statement row has 12 columns; PostgreSQL allows 65535 bindings per statement.
const STATEMENT_INSERT_CHUNK = 2000;

/**
 * D1: a period's interventions are the CLOSED requests whose closing instant is in [start, end), the
 * month's bounds in the billing time zone. One aggregation segments them per client (B2); each client's
 * figures come from its contract through computeStatement (D2). One transaction: statements,
 * their request lines and their first history event are written together, or not at all; an existing
 * statement is never touched (ON CONFLICT DO NOTHING), so a second run of a period changes nothing.
 */
export async function extractPeriod(db: Db, period: string, bounds: { start: Date; end: Date }, at: Date): Promise<ExtractionResult> {
  // REPEATABLE READ: the count and the request lines read one snapshot, so an import committed between
  // them cannot add a line the statement's figures did not count.
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: ClientInterventions[] }>(
      `select c.id as client_id, i.interventions, c.included_interventions, c.billing_mode, c.unit_price_minor, c.currency
         from (select client_id, count(*)::int as interventions
                 from requests
                where status = 'CLOSED' and closed_at >= ? and closed_at < ?
                group by client_id) i
         join clients c on c.id = i.client_id
        order by c.id`,
      [bounds.start, bounds.end],
    );
    const statements = rows.map((row) => statementRow(period, row, computeStatement(contractOf(row), row.interventions), at));
    const insertedClients: string[] = [];
    for (let i = 0; i < statements.length; i += STATEMENT_INSERT_CHUNK) {
      const inserted = await trx('statements')
        .insert(statements.slice(i, i + STATEMENT_INSERT_CHUNK))
        .onConflict(['period', 'client_id'])
        .ignore()
        .returning('client_id');
      insertedClients.push(...inserted.map((r: { client_id: string }) => r.client_id));
    }
    if (insertedClients.length > 0) {
      // Request lines and the first history event only for the statements this call created.
      await trx.raw(
        `insert into statement_requests (period, client_id, request_id)
         select ?, r.client_id, r.id
           from requests r
          where r.status = 'CLOSED' and r.closed_at >= ? and r.closed_at < ? and r.client_id in (select jsonb_array_elements_text(?::jsonb))
         on conflict do nothing`,
        [period, bounds.start, bounds.end, JSON.stringify(insertedClients)],
      );
      await trx.raw(
        `insert into statement_history (period, client_id, seq, type, at, actor_id, actor_role, details)
         select s.period, s.client_id, 1, 'computed', ?, 'system', 'system',
                jsonb_build_object('status', s.status, 'interventions', s.interventions, 'billableQuantity', s.billable_quantity,
                                   'amountMinor', s.amount_minor, 'currency', s.currency)
           from statements s
          where s.period = ? and s.client_id in (select jsonb_array_elements_text(?::jsonb))
         on conflict do nothing`,
        [at, period, JSON.stringify(insertedClients)],
      );
    }
    return {
      clients: statements.length,
      billable: statements.filter((s) => s.status !== 'NOT_BILLABLE').length,
      interventions: statements.reduce((sum, s) => sum + s.interventions, 0),
      inserted: insertedClients.length,
    };
  }, { isolationLevel: 'repeatable read' });
}

function contractOf(row: Pick<ClientInterventions, 'included_interventions' | 'billing_mode' | 'unit_price_minor' | 'currency'>): Contract {
  return {
    includedInterventions: row.included_interventions,
    billingMode: row.billing_mode,
    unitPriceMinor: Number(row.unit_price_minor),
    currency: row.currency,
  };
}

function statementRow(period: string, row: ClientInterventions, figures: StatementFigures, at: Date) {
  return {
    period,
    client_id: row.client_id,
    interventions: figures.interventions,
    included_interventions: figures.includedInterventions,
    billing_mode: figures.billingMode,
    billable_quantity: figures.billableQuantity,
    unit_price_minor: row.unit_price_minor,
    amount_minor: figures.amountMinor,
    currency: figures.currency,
    status: figures.billable ? 'PENDING_REVIEW' : 'NOT_BILLABLE',
    version: 1,
    created_at: at,
    updated_at: at,
  };
}

// --- Review inputs --------------------------------------------------------------------------

export interface OpenStatement {
  clientId: string;
  contract: Contract;
  status: StatementStatus;
  requestIds: string[];
  excludedRequestIds: string[];
  seq: number;
}

/**
 * One page (keyset on client id) of the statements whose review is still open, with everything their
 * review workflow needs, in one query.
 */
export async function openStatementsPage(db: Db, period: string, afterClientId: string, limit: number): Promise<OpenStatement[]> {
  const { rows } = await db.raw<{
    rows: (Omit<ClientInterventions, 'interventions'> & { status: StatementStatus; request_ids: string[]; excluded_ids: string[]; seq: number })[];
  }>(
    `select s.client_id, s.included_interventions, s.billing_mode, s.unit_price_minor, s.currency, s.status,
            coalesce((select array_agg(sr.request_id order by sr.request_id) from statement_requests sr
                       where sr.period = s.period and sr.client_id = s.client_id), '{}') as request_ids,
            coalesce((select array_agg(sr.request_id order by sr.request_id) from statement_requests sr
                       where sr.period = s.period and sr.client_id = s.client_id and sr.excluded), '{}') as excluded_ids,
            coalesce((select max(h.seq) from statement_history h where h.period = s.period and h.client_id = s.client_id), 0) as seq
       from statements s
      where s.period = ? and s.client_id > ? and s.status in (select jsonb_array_elements_text(?::jsonb))
      order by s.client_id
      limit ?`,
    [period, afterClientId, JSON.stringify(OPEN_STATEMENT_STATUSES), limit],
  );
  return rows.map((row) => ({
    clientId: row.client_id,
    contract: contractOf(row),
    status: row.status,
    requestIds: row.request_ids,
    excludedRequestIds: row.excluded_ids,
    seq: row.seq,
  }));
}

// --- Statement changes (B3, B4, D4) ---------------------------------------------------------

export interface StatementChange {
  period: string;
  clientId: string;
  figures: Pick<StatementFigures, 'interventions' | 'billableQuantity' | 'amountMinor'>;
  status: StatementStatus;
  /** The history seq of this change, also the statement row's version. */
  seq: number;
  event: { type: string; at: number; actorId: string; actorRole: string; details: Record<string, unknown> };
  /** Every request excluded so far (the review's state), and why the ones this change excludes are. */
  excludedRequestIds?: string[];
  exclusions?: { requestIds: string[]; reason: string };
  notifications: Notification[];
  /** The review's history length when it made the change: which workflow task wrote it (migration 004). */
  historyLength?: number;
}

/**
 * One change of a statement in one transaction: the row, its exclusions, the history event and its
 * notifications. A retried write changes nothing (keys: the version, the seq, the dedupe keys); for one
 * seq the write of the longest history wins, so a change whose workflow task was lost and made again
 * differently is replaced, exclusions included, not kept.
 */
export async function projectStatementChange(db: Db, change: StatementChange): Promise<void> {
  const at = new Date(change.event.at);
  const historyLength = change.historyLength ?? 0;
  const source = `statement:${change.period}:${change.clientId}:${change.seq}`;
  await db.transaction(async (trx) => {
    const updated = await trx('statements')
      .where({ period: change.period, client_id: change.clientId })
      .whereRaw('(version, history_length) < (?, ?)', [change.seq, historyLength])
      .update({
        interventions: change.figures.interventions,
        billable_quantity: change.figures.billableQuantity,
        amount_minor: change.figures.amountMinor,
        status: change.status,
        version: change.seq,
        history_length: historyLength,
        updated_at: at,
      });
    if (updated > 0 && change.excludedRequestIds) {
      // The lines follow the review's whole exclusion set, so one excluded by a superseded write is back.
      const newly = change.exclusions?.requestIds ?? [];
      await trx.raw(
        `update statement_requests
            set excluded = request_id = any(?::text[]),
                exclusion_reason = case when request_id = any(?::text[]) then ? when request_id = any(?::text[]) then exclusion_reason end
          where period = ? and client_id = ?`,
        [change.excludedRequestIds, newly, change.exclusions?.reason ?? null, change.excludedRequestIds, change.period, change.clientId],
      );
    } else if (updated > 0 && change.exclusions && change.exclusions.requestIds.length > 0) {
      // A change made by a review started before the whole set was sent: only its new exclusions.
      await trx('statement_requests')
        .where({ period: change.period, client_id: change.clientId, excluded: false })
        .whereIn('request_id', change.exclusions.requestIds)
        .update({ excluded: true, exclusion_reason: change.exclusions.reason });
    }
    await trx.raw(
      `insert into statement_history (period, client_id, seq, type, at, actor_id, actor_role, details, history_length)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (period, client_id, seq) do update
          set type = excluded.type, at = excluded.at, actor_id = excluded.actor_id, actor_role = excluded.actor_role,
              details = excluded.details, history_length = excluded.history_length
        where statement_history.history_length < excluded.history_length`,
      [change.period, change.clientId, change.seq, change.event.type, at, change.event.actorId, change.event.actorRole, JSON.stringify(change.event.details), historyLength],
    );
    await runAsOneStatement(
      trx,
      changeNotificationParts({
        source,
        historyLength,
        supersededIf: {
          sql: 'exists (select 1 from statement_history where period = ? and client_id = ? and seq = ? and history_length > ?)',
          bindings: [change.period, change.clientId, change.seq, historyLength],
        },
        entries: change.notifications.map((n) => ({
          dedupe_key: `${source}:${n.recipient}`,
          recipient: n.recipient,
          kind: n.kind,
          period: change.period,
          payload: { clientId: change.clientId, event: change.event.type, status: change.status },
        })),
      }),
    );
  });
}

// --- Budget operation (B5, D5) --------------------------------------------------------------

export class StatementNotApprovedError extends Error {
  override readonly name = 'StatementNotApprovedError';
}

export const budgetOperationId = (period: string, clientId: string) => `budget-${period}-${clientId}`;

/**
 * D5: the budget operation of an approved statement, registered once. In one transaction: the
 * operation (the unique (period, client_id) constraint makes a second insert a no-op), the statement's
 * status and its history event; a retry after a successful write finds the operation and writes nothing.
 */
export async function registerBudgetOperation(
  db: Db,
  input: { period: string; clientId: string; seq: number; at: Date; registeredBy: string },
): Promise<{ operation: BudgetOperationRow; created: boolean }> {
  return db.transaction(async (trx) => {
    const statement = await trx<StatementRow>('statements').where({ period: input.period, client_id: input.clientId }).forUpdate().first();
    if (!statement) throw new StatementNotApprovedError(`no statement for ${input.clientId} in ${input.period}`);
    const existing = await trx<BudgetOperationRow>('budget_operations').where({ period: input.period, client_id: input.clientId }).first();
    if (existing) return { operation: existing, created: false };
    if (statement.status !== 'APPROVED') {
      throw new StatementNotApprovedError(`the statement is ${statement.status}; a budget operation is registered only for an APPROVED statement`);
    }
    const inserted = await trx<BudgetOperationRow>('budget_operations')
      .insert({
        id: budgetOperationId(input.period, input.clientId),
        period: input.period,
        client_id: input.clientId,
        amount_minor: statement.amount_minor,
        currency: statement.currency,
        quantity: statement.billable_quantity,
        statement_ref: `statement:${input.period}:${input.clientId}:v${statement.version}`,
        registered_by: input.registeredBy,
        registered_at: input.at,
      })
      .onConflict(['period', 'client_id'])
      .ignore()
      .returning('*');
    const operation = inserted[0] ?? (await trx<BudgetOperationRow>('budget_operations').where({ period: input.period, client_id: input.clientId }).first());
    if (!operation) throw new Error('budget operation vanished after a conflict');
    await trx('statements')
      .where({ period: input.period, client_id: input.clientId })
      .update({ status: 'BUDGET_REGISTERED', version: Math.max(statement.version, input.seq), updated_at: input.at });
    await trx('statement_history')
      .insert({
        period: input.period,
        client_id: input.clientId,
        seq: input.seq,
        type: 'budget_registered',
        at: input.at,
        actor_id: input.registeredBy,
        actor_role: 'system',
        details: JSON.stringify({ budgetOperationId: operation.id, amountMinor: operation.amount_minor, currency: operation.currency, quantity: operation.quantity }),
      })
      .onConflict(['period', 'client_id', 'seq'])
      .ignore();
    return { operation, created: inserted.length > 0 };
  });
}

export async function listBudgetOperations(db: Db, period?: string): Promise<BudgetOperationRow[]> {
  const query = db<BudgetOperationRow>('budget_operations').orderBy([{ column: 'period' }, { column: 'client_id' }]);
  if (period) query.where({ period });
  return query;
}

// --- Reads for the API and the reports -------------------------------------------------------

const STATEMENT_COLUMNS = ['s.*', 'c.code as client_code', 'c.name as client_name'];

export async function listStatements(db: Db, period: string, clientIds?: string[]): Promise<StatementRow[]> {
  const query = db('statements as s').join('clients as c', 'c.id', 's.client_id').where('s.period', period).select(STATEMENT_COLUMNS).orderBy('c.code');
  if (clientIds) query.whereIn('s.client_id', clientIds);
  return query;
}

export async function findStatement(db: Db, period: string, clientId: string): Promise<StatementRow | undefined> {
  return db('statements as s').join('clients as c', 'c.id', 's.client_id').where('s.period', period).where('s.client_id', clientId).first(STATEMENT_COLUMNS);
}

export async function statementRequests(db: Db, period: string, clientId: string): Promise<StatementRequestRow[]> {
  return db('statement_requests as sr')
    .join('requests as r', 'r.id', 'sr.request_id')
    .leftJoin('users as u', 'u.id', 'r.executed_by')
    .where({ 'sr.period': period, 'sr.client_id': clientId })
    .orderBy('r.number')
    .select(
      'sr.request_id',
      'r.number',
      'r.created_at',
      'r.closed_at',
      'r.site',
      'r.summary',
      'r.task_type',
      db.raw('coalesce(u.name, r.executed_by) as executed_by'),
      'sr.excluded',
      'sr.exclusion_reason',
    );
}

export async function statementHistory(db: Db, period: string, clientId: string): Promise<HistoryRow[]> {
  return db('statement_history').where({ period, client_id: clientId }).orderBy('seq').select('seq', 'type', 'at', 'actor_id', 'actor_role', 'details');
}

/** D7: the month's requests (filed in it), as the indicators read them; one query. */
export async function indicatorRows(db: Db, bounds: { start: Date; end: Date }): Promise<IndicatorRow[]> {
  const rows = await db('requests')
    .where('created_at', '>=', bounds.start)
    .where('created_at', '<', bounds.end)
    .select(
      'client_id',
      'priority',
      'status',
      'created_at',
      'validated_at',
      'execution_started_at',
      'executed_at',
      'closed_at',
      'incomplete_rounds',
      'modification_rounds',
      'validation_sla_breached',
      'execution_sla_breached',
    );
  const ms = (d: Date | null) => (d ? d.getTime() : undefined);
  return rows.map((r) => ({
    clientId: r.client_id,
    priority: r.priority as Priority,
    status: r.status,
    filedAt: r.created_at.getTime(),
    validatedAt: ms(r.validated_at),
    executionStartedAt: ms(r.execution_started_at),
    reportedAt: ms(r.executed_at),
    closedAt: ms(r.closed_at),
    incompleteRounds: r.incomplete_rounds,
    modificationRounds: r.modification_rounds,
    validationSlaBreached: r.validation_sla_breached,
    executionSlaBreached: r.execution_sla_breached,
  }));
}

// --- Imported interventions (they exist for billing) ----------------------------------------

export interface ImportedRequest {
  id: string;
  externalId: string;
  clientId: string;
  site: string;
  summary: string;
  instructions: string;
  priority: Priority;
  createdAt: string;
  closedAt: string;
}

/**
 * Closed interventions carried over from the previous system, in one statement: the rows (a number
 * from the request number sequence each, closure 'imported') and their 'imported' audit event. An
 * externalId already stored is skipped (ON CONFLICT DO NOTHING), so a repeated import changes nothing.
 * The input travels as one JSON parameter, so 5000 items stay far below PostgreSQL's binding limit.
 */
export async function importClosedRequests(db: Db, requests: ImportedRequest[], importedBy: { id: string; role: string }, at: Date): Promise<string[]> {
  if (requests.length === 0) return [];
  const { rows } = await db.raw<{ rows: { request_id: string }[] }>(
    `with input as (
       select * from jsonb_to_recordset(?::jsonb) as x(id text, "externalId" text, "clientId" text, site text, summary text,
                                                       instructions text, priority text, "createdAt" timestamptz, "closedAt" timestamptz)
     ), inserted as (
       insert into requests (id, number, client_id, status, site, summary, instructions, priority, filed_by, external_id, closure,
                             version, created_at, closed_at, ended_at, updated_at)
       select id, ${NEXT_NUMBER_SQL}, "clientId", 'CLOSED', site, summary, instructions,
              priority, ?, "externalId", 'imported', 1, "createdAt", "closedAt", "closedAt", ?
         from input
       on conflict (external_id) do nothing
       returning id, external_id
     )
     insert into request_events (request_id, seq, type, at, actor_id, actor_role, details)
     select id, 1, 'imported', ?, ?, ?, jsonb_build_object('externalId', external_id) from inserted
     returning request_id`,
    [JSON.stringify(requests), importedBy.id, at, at, importedBy.id, importedBy.role],
  );
  return rows.map((row) => row.request_id);
}

/** Of these periods, the ones whose run has already extracted its statements. */
export async function periodsWithRun(db: Executor, periods: string[]): Promise<string[]> {
  if (periods.length === 0) return [];
  return (await db('billing_runs').whereIn('period', periods).orderBy('period').select('period')).map((row: { period: string }) => row.period);
}
