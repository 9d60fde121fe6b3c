import assert from 'node:assert/strict';
import { computeIndicators } from '../../domain/indicators';
import {
  csvCell,
  escapeHtml,
  formatDuration,
  formatShare,
  renderStatementCsv,
  renderStatementHtml,
  renderSummaryCsv,
  renderSummaryHtml,
  type StatementRequestLine,
  type StatementView,
  toCsv,
} from '../../domain/reports';

function statement(overrides: Partial<StatementView> = {}): StatementView {
  return {
    clientId: 'c-1',
    clientCode: 'ACME',
    clientName: 'Acme, Inc.',
    period: '2026-01',
    interventions: 6,
    includedInterventions: 5,
    billableQuantity: 1,
    unitPrice: '150.00',
    currency: 'USD',
    amount: '150.00',
    status: 'PENDING_REVIEW',
    billingMode: 'excess',
    ...overrides,
  };
}

function line(number: number, overrides: Partial<StatementRequestLine> = {}): StatementRequestLine {
  return {
    requestId: `r-${number}`,
    number,
    filedAt: '2026-01-05T10:00:00.000Z',
    closedAt: '2026-01-05T15:00:00.000Z',
    site: 'MAD1',
    summary: `Reboot server ${number}`,
    taskType: 'reboot',
    executedBy: 'Operator One',
    excluded: false,
    ...overrides,
  };
}

/** Minimal RFC 4180 reader for checking output: returns records of fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
  }
  assert.equal(field, '', 'text must end with CRLF');
  return records;
}

describe('reports: CSV cells (RFC 4180)', () => {
  it('leaves plain values alone', () => {
    assert.equal(csvCell('MAD1'), 'MAD1');
    assert.equal(csvCell(42), '42');
    assert.equal(csvCell(true), 'true');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(null), '');
  });

  it('quotes fields with a comma, a quote or a line break, doubling quotes', () => {
    assert.equal(csvCell('Acme, Inc.'), '"Acme, Inc."');
    assert.equal(csvCell('the "blue" cable'), '"the ""blue"" cable"');
    assert.equal(csvCell('line 1\nline 2'), '"line 1\nline 2"');
    assert.equal(csvCell('a\r\nb'), '"a\r\nb"');
  });

  it('D3: guards against formula injection with a leading single quote', () => {
    assert.equal(csvCell('=HYPERLINK("http://evil","x")'), `"'=HYPERLINK(""http://evil"",""x"")"`);
    assert.equal(csvCell('+1+2'), "'+1+2");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1'), "'\t=1");
    assert.equal(csvCell('\r=1'), `"'\r=1"`);
    assert.equal(csvCell('a=1'), 'a=1');
  });

  it('ends every record with CRLF', () => {
    assert.equal(toCsv([['a', 'b'], [], ['c']]), 'a,b\r\n\r\nc\r\n');
  });
});

describe('reports: D3 client statement CSV', () => {
  it('D3: one line per intervention under a header, then the totals', () => {
    const csv = renderStatementCsv(statement(), [line(2), line(1, { executedBy: undefined })]);
    const records = parseCsv(csv);
    assert.deepEqual(records[0], ['number', 'filedAt', 'closedAt', 'site', 'summary', 'taskType', 'executedBy', 'excluded', 'exclusionReason']);
    assert.deepEqual(records[1], ['1', '2026-01-05T10:00:00.000Z', '2026-01-05T15:00:00.000Z', 'MAD1', 'Reboot server 1', 'reboot', '', 'false', '']);
    assert.equal(records[2][0], '2', 'lines in request number order');
    assert.deepEqual(records[3], ['']);
    const totals = new Map(records.slice(5).map(([field, value]) => [field, value]));
    assert.equal(records[4].join(','), 'field,value');
    assert.equal(totals.get('clientName'), 'Acme, Inc.');
    assert.equal(totals.get('interventions'), '6');
    assert.equal(totals.get('billableQuantity'), '1');
    assert.equal(totals.get('amount'), '150.00');
    assert.equal(totals.get('currency'), 'USD');
    assert.equal(totals.get('excludedRequests'), '0');
  });

  it('D3/D4: an excluded request shows as excluded with its reason', () => {
    const records = parseCsv(renderStatementCsv(statement(), [line(1, { excluded: true, exclusionReason: 'Warranty, not billable' })]));
    assert.deepEqual(records[1].slice(7), ['true', 'Warranty, not billable']);
  });

  it('D3: a malicious summary cannot become a spreadsheet formula', () => {
    const csv = renderStatementCsv(statement(), [line(1, { summary: '=cmd|\' /C calc\'!A0', site: '@evil' })]);
    const records = parseCsv(csv);
    assert.equal(records[1][4], "'=cmd|' /C calc'!A0");
    assert.equal(records[1][3], "'@evil");
  });

  it('D3: a statement with no intervention still has its header and totals', () => {
    const records = parseCsv(renderStatementCsv(statement({ interventions: 0, billableQuantity: 0, amount: '0.00' }), []));
    assert.equal(records[0][0], 'number');
    assert.deepEqual(records[1], ['']);
  });
});

describe('reports: D3 client statement HTML', () => {
  it('escapes the five HTML special characters', () => {
    assert.equal(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
  });

  it('D3: a self-contained document with title, client, period, totals, contract and interventions', () => {
    const html = renderStatementHtml(statement(), [line(1), line(2, { excluded: true, exclusionReason: 'duplicate' })]);
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<meta charset="utf-8">/);
    assert.match(html, /<title>Remote Hand Service statement 2026-01 - Acme, Inc.<\/title>/);
    assert.match(html, /<style>/);
    assert.doesNotMatch(html, /<link|<script|src=/, 'no external resources, no scripts');
    assert.match(html, /Reboot server 1/);
    assert.match(html, /Excluded: duplicate/);
    assert.match(html, /150\.00 USD/);
    assert.match(html, /Included interventions per month<\/dt><dd>5</);
    assert.match(html, /<\/html>\n$/);
  });

  it('D3: every interpolated value is HTML-escaped', () => {
    const attack = '<script>alert("x")</script>';
    const html = renderStatementHtml(statement({ clientName: attack, clientCode: '<b>' }), [
      line(1, { summary: attack, site: '"><img src=x onerror=alert(1)>', executedBy: 'O\'Brien & Co' }),
    ]);
    assert.doesNotMatch(html, /<script>/);
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /<b>/);
    assert.match(html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(html, /O&#39;Brien &amp; Co/);
  });
});

describe('reports: D3 SLA manager summary', () => {
  const statements = [
    statement({ clientId: 'c-2', clientCode: 'ZETA', clientName: 'Zeta', interventions: 3, billableQuantity: 0, amount: '0.00', status: 'NOT_BILLABLE' }),
    statement(),
    statement({ clientId: 'c-3', clientCode: 'NIPPON', clientName: 'Nippon', currency: 'JPY', unitPrice: '1000', amount: '7000', billingMode: 'all', interventions: 7, billableQuantity: 7 }),
    statement({ clientId: 'c-4', clientCode: 'BETA', clientName: 'Beta', amount: '300.50', billableQuantity: 2, interventions: 7 }),
  ];

  it('D3: one record per client in client code order, then totals per currency', () => {
    const records = parseCsv(renderSummaryCsv('2026-01', statements));
    assert.equal(records[0].join(','), 'period,clientCode,clientName,interventions,includedInterventions,billableQuantity,unitPrice,currency,amount,billingMode,status');
    assert.deepEqual(records.slice(1, 5).map((r) => r[1]), ['ACME', 'BETA', 'NIPPON', 'ZETA']);
    assert.deepEqual(records[1], ['2026-01', 'ACME', 'Acme, Inc.', '6', '5', '1', '150.00', 'USD', '150.00', 'excess', 'PENDING_REVIEW']);
    const totals = new Map(records.slice(7).map(([field, value]) => [field, value]));
    assert.equal(totals.get('clients'), '4');
    assert.equal(totals.get('billableClients'), '3');
    assert.equal(totals.get('interventions'), '23');
    assert.equal(totals.get('billableQuantity'), '10');
    assert.equal(totals.get('amount USD'), '450.50');
    assert.equal(totals.get('amount JPY'), '7000');
  });

  it('D3/D7: the HTML summary lists statements, totals and indicators, escaped', () => {
    const indicators = computeIndicators([
      {
        clientId: 'c-1',
        priority: 'urgent',
        status: 'CLOSED',
        filedAt: 0,
        validatedAt: 30 * 60_000,
        executionStartedAt: 60 * 60_000,
        reportedAt: 150 * 60_000,
        closedAt: 200 * 60_000,
        incompleteRounds: 0,
        modificationRounds: 0,
        validationSlaBreached: false,
        executionSlaBreached: true,
      },
    ]);
    const html = renderSummaryHtml('2026-01', [...statements, statement({ clientId: 'c-5', clientCode: 'X<Y', clientName: '&' })], indicators);
    assert.match(html, /<title>Remote Hand Service summary 2026-01<\/title>/);
    assert.match(html, /ACME \(Acme, Inc\.\)/);
    assert.match(html, /X&lt;Y/);
    assert.doesNotMatch(html, /X<Y/);
    assert.match(html, /30 min \/ 30 min/);
    assert.match(html, /1 h 30 min/);
    assert.match(html, /100\.0 %/);
    assert.match(html, /<td>urgent<\/td><td class="num">1<\/td><td class="num">100\.0 %<\/td><td class="num">0\.0 %<\/td>/);
  });
});

describe('reports: readable figures', () => {
  it('formats durations', () => {
    assert.equal(formatDuration(null), '—');
    assert.equal(formatDuration(10_000), '< 1 min');
    assert.equal(formatDuration(45 * 60_000), '45 min');
    assert.equal(formatDuration(185 * 60_000), '3 h 05 min');
    assert.equal(formatDuration((2 * 24 + 4) * 3_600_000), '2 d 4 h');
  });

  it('formats shares as percentages', () => {
    assert.equal(formatShare(null), '—');
    assert.equal(formatShare(0.875), '87.5 %');
    assert.equal(formatShare(1), '100.0 %');
  });
});
