/**
 * D3 reports: per client and month, every intervention and the totals; plus the SLA manager's summary
 * across clients. CSV (RFC 4180) for machines, a self-contained HTML document for people.
 *
 * Pure string output: no I/O, no clock. Every value that came from a user is untrusted: CSV cells are
 * guarded against spreadsheet formula injection, HTML values are escaped.
 */
import type { DurationStats, IndicatorReport, Indicators } from './indicators';
import { PRIORITIES } from './request-types';
import { formatAmount, parseAmount, sumMinor } from './money';

/** A client's statement for a month, as the API shows it (amounts are decimal strings). */
export interface StatementView {
  clientId: string;
  clientCode: string;
  clientName: string;
  period: string;
  interventions: number;
  includedInterventions: number;
  billableQuantity: number;
  unitPrice: string;
  currency: string;
  amount: string;
  status: string;
  billingMode: string;
}

/** One intervention (D1) of the statement. */
export interface StatementRequestLine {
  requestId: string;
  number: number | string;
  /** ISO 8601 / RFC 3339. */
  filedAt: string;
  closedAt: string;
  site: string;
  summary: string;
  taskType?: string;
  executedBy?: string;
  /** Excluded by the SLA manager in a revision (D4); an excluded line is not counted. */
  excluded: boolean;
  exclusionReason?: string;
}

/** A value a report cell may hold; null and undefined render empty. */
export type Cell = string | number | boolean | null | undefined;

// ---------------------------------------------------------------------------------------------
// CSV

const CRLF = '\r\n';
// A spreadsheet treats a cell starting with one of these as a formula (or strips the whitespace first).
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/** One CSV cell: formula guard first, then RFC 4180 quoting. */
export function csvCell(value: Cell): string {
  const text = cellText(value);
  const guarded = text.length > 0 && FORMULA_TRIGGERS.has(text[0]) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** RFC 4180 text: CRLF after every record, including the last. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',') + CRLF).join('');
}

const LINE_HEADER = [
  'number',
  'filedAt',
  'closedAt',
  'site',
  'summary',
  'taskType',
  'executedBy',
  'excluded',
  'exclusionReason',
] as const;

/**
 * The client's report as CSV: a header and one line per intervention, a blank record, then the totals
 * as `field,value` records.
 */
export function renderStatementCsv(statement: StatementView, requests: readonly StatementRequestLine[]): string {
  const lines: Cell[][] = [[...LINE_HEADER]];
  for (const line of sortedLines(requests)) {
    lines.push([
      line.number,
      line.filedAt,
      line.closedAt,
      line.site,
      line.summary,
      line.taskType,
      line.executedBy,
      line.excluded,
      line.exclusionReason,
    ]);
  }
  return toCsv([...lines, [], ['field', 'value'], ...statementTotals(statement, requests)]);
}

/** The SLA manager's cross-client summary: one record per client, a blank record, then the totals. */
export function renderSummaryCsv(period: string, statements: readonly StatementView[]): string {
  const header: Cell[] = [
    'period',
    'clientCode',
    'clientName',
    'interventions',
    'includedInterventions',
    'billableQuantity',
    'unitPrice',
    'currency',
    'amount',
    'billingMode',
    'status',
  ];
  const rows: Cell[][] = sortedStatements(statements).map((s) => [
    period,
    s.clientCode,
    s.clientName,
    s.interventions,
    s.includedInterventions,
    s.billableQuantity,
    s.unitPrice,
    s.currency,
    s.amount,
    s.billingMode,
    s.status,
  ]);
  return toCsv([header, ...rows, [], ['field', 'value'], ...summaryTotals(period, statements)]);
}

function statementTotals(statement: StatementView, requests: readonly StatementRequestLine[]): Cell[][] {
  return [
    ['clientCode', statement.clientCode],
    ['clientName', statement.clientName],
    ['period', statement.period],
    ['interventions', statement.interventions],
    ['excludedRequests', requests.filter((r) => r.excluded).length],
    ['includedInterventions', statement.includedInterventions],
    ['billingMode', statement.billingMode],
    ['billableQuantity', statement.billableQuantity],
    ['unitPrice', statement.unitPrice],
    ['currency', statement.currency],
    ['amount', statement.amount],
    ['status', statement.status],
  ];
}

function summaryTotals(period: string, statements: readonly StatementView[]): Cell[][] {
  const billable = statements.filter((s) => s.billableQuantity > 0);
  return [
    ['period', period],
    ['clients', statements.length],
    ['billableClients', billable.length],
    ['interventions', statements.reduce((sum, s) => sum + s.interventions, 0)],
    ['billableQuantity', statements.reduce((sum, s) => sum + s.billableQuantity, 0)],
    ...amountsByCurrency(statements).map(([currency, amount]): Cell[] => [`amount ${currency}`, amount]),
  ];
}

// ---------------------------------------------------------------------------------------------
// HTML

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: Cell): string {
  return cellText(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; margin: 2rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
.subtitle { color: #52606d; margin-top: 0; }
table { border-collapse: collapse; margin-top: 0.5rem; }
th, td { border: 1px solid #cbd2d9; padding: 0.35rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.excluded td { color: #9aa5b1; text-decoration: line-through; }
dl.totals { display: grid; grid-template-columns: max-content auto; gap: 0.25rem 1rem; }
dl.totals dt { font-weight: 600; }
dl.totals dd { margin: 0; }
.empty { color: #52606d; font-style: italic; }
`;

/** The client's report as a self-contained HTML document (D3). */
export function renderStatementHtml(statement: StatementView, requests: readonly StatementRequestLine[]): string {
  const title = `Remote Hand Service statement ${statement.period} - ${statement.clientName}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="subtitle">Client ${escapeHtml(statement.clientCode)} (${escapeHtml(statement.clientName)}), period ${escapeHtml(statement.period)}, status ${escapeHtml(statement.status)}</p>`,
    '<h2>Totals</h2>',
    definitionList([
      ['Interventions', statement.interventions],
      ['Excluded requests', requests.filter((r) => r.excluded).length],
      ['Billable quantity', statement.billableQuantity],
      ['Amount', `${statement.amount} ${statement.currency}`],
    ]),
    '<h2>Contract</h2>',
    definitionList([
      ['Included interventions per month', statement.includedInterventions],
      ['Billing mode', billingModeText(statement.billingMode)],
      ['Unit price', `${statement.unitPrice} ${statement.currency}`],
    ]),
    '<h2>Interventions</h2>',
    interventionsTable(requests),
  ];
  return htmlDocument(title, body);
}

/** The SLA manager's cross-client summary with the month's indicators (D3, D7). */
export function renderSummaryHtml(
  period: string,
  statements: readonly StatementView[],
  indicators: IndicatorReport,
): string {
  const title = `Remote Hand Service summary ${period}`;
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    '<h2>Statements</h2>',
    statementsTable(statements),
    '<h2>Totals</h2>',
    definitionList(summaryTotals(period, statements).map(([field, value]) => [String(field), value])),
    '<h2>Indicators</h2>',
    indicatorsTable(statements, indicators),
    '<h2>SLA attainment per priority (all clients)</h2>',
    slaTable(indicators.overall),
  ];
  return htmlDocument(title, body);
}

function htmlDocument(title: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function definitionList(entries: readonly (readonly [string, Cell])[]): string {
  const items = entries.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(value)}</dd>`);
  return `<dl class="totals">${items.join('')}</dl>`;
}

/** `numeric` marks right-aligned columns. */
function table(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  numeric: ReadonlySet<number>,
  rowClass?: (index: number) => string | undefined,
): string {
  if (rows.length === 0) return '<p class="empty">None.</p>';
  const head = `<tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row, index) => {
    const cells = row.map((cell, column) => `<td${numeric.has(column) ? ' class="num"' : ''}>${escapeHtml(cell)}</td>`);
    const css = rowClass?.(index);
    return `<tr${css ? ` class="${escapeHtml(css)}"` : ''}>${cells.join('')}</tr>`;
  });
  return `<table><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`;
}

function interventionsTable(requests: readonly StatementRequestLine[]): string {
  const lines = sortedLines(requests);
  const rows = lines.map((line) => [
    line.number,
    line.filedAt,
    line.closedAt,
    line.site,
    line.summary,
    line.taskType ?? '',
    line.executedBy ?? '',
    line.excluded ? `Excluded: ${line.exclusionReason ?? ''}` : '',
  ]);
  const headers = ['Number', 'Filed', 'Closed', 'Site', 'Summary', 'Task', 'Executed by', 'Excluded'];
  return table(headers, rows, new Set([0]), (index) => (lines[index].excluded ? 'excluded' : undefined));
}

function statementsTable(statements: readonly StatementView[]): string {
  const headers = ['Client', 'Name', 'Interventions', 'Included', 'Billable', 'Unit price', 'Amount', 'Mode', 'Status'];
  const rows = sortedStatements(statements).map((s) => [
    s.clientCode,
    s.clientName,
    s.interventions,
    s.includedInterventions,
    s.billableQuantity,
    `${s.unitPrice} ${s.currency}`,
    `${s.amount} ${s.currency}`,
    s.billingMode,
    s.status,
  ]);
  return table(headers, rows, new Set([2, 3, 4, 5, 6]));
}

function indicatorsTable(statements: readonly StatementView[], report: IndicatorReport): string {
  const names = new Map(statements.map((s) => [s.clientId, `${s.clientCode} (${s.clientName})`]));
  const headers = [
    'Client',
    'Requests',
    'Closed',
    'Time to validate (median / mean)',
    'Time to execute (median / mean)',
    'Time to close (median / mean)',
    'Sent back incomplete',
    'Rejected',
    'First time right',
  ];
  const row = (label: string, i: Indicators): Cell[] => [
    label,
    i.count,
    i.closed,
    durationText(i.timeToValidate),
    durationText(i.timeToExecute),
    durationText(i.timeToClose),
    formatShare(i.sentBackIncompleteShare),
    formatShare(i.rejectionShare),
    formatShare(i.firstTimeRightShare),
  ];
  const clientRows = Object.keys(report.perClient)
    .map((clientId) => row(names.get(clientId) ?? clientId, report.perClient[clientId]))
    .sort((a, b) => compareText(String(a[0]), String(b[0])));
  return table(headers, [row('All clients', report.overall), ...clientRows], new Set([1, 2, 3, 4, 5, 6, 7, 8]));
}

function slaTable(indicators: Indicators): string {
  const headers = ['Priority', 'Requests', 'Validation on time', 'Execution on time', 'No breach'];
  const rows = PRIORITIES.map((priority) => {
    const sla = indicators.slaAttainment[priority];
    return [priority, sla.requests, formatShare(sla.validation), formatShare(sla.execution), formatShare(sla.overall)];
  });
  return table(headers, rows, new Set([1, 2, 3, 4]));
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Human-readable duration: "45 min", "3 h 05 min", "2 d 4 h". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A share in [0, 1] as a percentage with one decimal, "—" when undefined. */
export function formatShare(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)} %`;
}

function durationText(stats: DurationStats): string {
  return stats.count === 0 ? '—' : `${formatDuration(stats.medianMs)} / ${formatDuration(stats.meanMs)}`;
}

function billingModeText(mode: string): string {
  if (mode === 'excess') return 'excess (interventions above the included number are billed)';
  if (mode === 'all') return 'all (every intervention of a month above the included number is billed)';
  return mode;
}

/** Per currency, the sum of the statements' amounts (exact: summed in minor units). */
function amountsByCurrency(statements: readonly StatementView[]): [string, string][] {
  const minorByCurrency = new Map<string, number[]>();
  for (const s of statements) {
    const amounts = minorByCurrency.get(s.currency) ?? [];
    amounts.push(parseAmount(s.amount, s.currency));
    minorByCurrency.set(s.currency, amounts);
  }
  return [...minorByCurrency.keys()].sort().map((currency) => {
    const total = sumMinor(minorByCurrency.get(currency) ?? []);
    return [currency, formatAmount(total, currency)];
  });
}

/** Request number order, so the report reads in filing order whatever order the rows came in. */
function sortedLines(requests: readonly StatementRequestLine[]): StatementRequestLine[] {
  return [...requests].sort((a, b) => compareNumbers(a.number, b.number) || compareText(a.requestId, b.requestId));
}

function sortedStatements(statements: readonly StatementView[]): StatementView[] {
  return [...statements].sort((a, b) => compareText(a.clientCode, b.clientCode) || compareText(a.clientId, b.clientId));
}

function compareNumbers(a: number | string, b: number | string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) return x - y;
  return compareText(String(a), String(b));
}

// Code-point order: deterministic everywhere (no locale data involved).
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}
