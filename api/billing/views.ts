/** The billing resources as the API shows them (amounts as decimal strings, times in RFC 3339 UTC). */
import { formatAmount } from '../../domain/money';
import type { StatementRequestLine, StatementView } from '../../domain/reports';
import type { BudgetOperationRow, HistoryRow, RunRow, StatementRequestRow, StatementRow } from '../../db/billing';

export function runView(run: RunRow) {
  return {
    period: run.period,
    status: run.status,
    workflowId: run.workflow_id,
    timeZone: run.time_zone,
    startedAt: run.started_at.toISOString(),
    completedAt: run.completed_at ? run.completed_at.toISOString() : null,
  };
}

/** The statement's figures; `interventions` counts the interventions left after exclusions. */
export function statementView(row: StatementRow): StatementView & { version: number; updatedAt: string } {
  return {
    clientId: row.client_id,
    clientCode: row.client_code,
    clientName: row.client_name,
    period: row.period,
    interventions: row.interventions,
    includedInterventions: row.included_interventions,
    billableQuantity: row.billable_quantity,
    unitPrice: formatAmount(Number(row.unit_price_minor), row.currency),
    currency: row.currency,
    amount: formatAmount(Number(row.amount_minor), row.currency),
    status: row.status,
    billingMode: row.billing_mode,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
  };
}

export function requestLine(row: StatementRequestRow): StatementRequestLine {
  return {
    requestId: row.request_id,
    number: row.number,
    filedAt: row.created_at.toISOString(),
    closedAt: row.closed_at.toISOString(),
    site: row.site,
    summary: row.summary,
    taskType: row.task_type ?? undefined,
    executedBy: row.executed_by ?? undefined,
    excluded: row.excluded,
    exclusionReason: row.exclusion_reason ?? undefined,
  };
}

export function historyView(row: HistoryRow) {
  return { seq: row.seq, at: row.at.toISOString(), type: row.type, actor: { id: row.actor_id, role: row.actor_role }, ...row.details };
}

export function budgetOperationView(row: BudgetOperationRow) {
  return {
    id: row.id,
    period: row.period,
    clientId: row.client_id,
    quantity: row.quantity,
    amount: formatAmount(Number(row.amount_minor), row.currency),
    currency: row.currency,
    statementRef: row.statement_ref,
    registeredBy: row.registered_by,
    registeredAt: row.registered_at.toISOString(),
  };
}
