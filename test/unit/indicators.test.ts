import assert from 'node:assert/strict';
import { computeIndicators, type IndicatorRow, median, share } from '../../domain/indicators';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-05T09:00:00Z');

/** A request closed at the first attempt: validated after 1 h, executed in 2 h, closed after 5 h. */
function closedRow(overrides: Partial<IndicatorRow> = {}): IndicatorRow {
  return {
    clientId: 'c-1',
    priority: 'normal',
    status: 'CLOSED',
    filedAt: T0,
    validatedAt: T0 + 1 * HOUR,
    executionStartedAt: T0 + 2 * HOUR,
    reportedAt: T0 + 4 * HOUR,
    closedAt: T0 + 5 * HOUR,
    incompleteRounds: 0,
    modificationRounds: 0,
    validationSlaBreached: false,
    executionSlaBreached: false,
    ...overrides,
  };
}

function rejectedRow(overrides: Partial<IndicatorRow> = {}): IndicatorRow {
  return {
    clientId: 'c-1',
    priority: 'normal',
    status: 'REJECTED',
    filedAt: T0,
    incompleteRounds: 0,
    modificationRounds: 0,
    validationSlaBreached: false,
    executionSlaBreached: false,
    ...overrides,
  };
}

describe('indicators: helpers', () => {
  it('share is null when nothing is counted', () => {
    assert.equal(share(0, 0), null);
    assert.equal(share(1, 4), 0.25);
  });

  it('median takes the middle, or the mean of the two middles', () => {
    assert.equal(median([]), null);
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([10, 2, 100]), 10); // numeric order, not text order
  });
});

describe('indicators: D7', () => {
  it('D7: no rows give zero counts and null shares and durations', () => {
    const { overall, perClient } = computeIndicators([]);
    assert.deepEqual(perClient, {});
    assert.equal(overall.count, 0);
    assert.deepEqual(overall.timeToClose, { count: 0, medianMs: null, meanMs: null });
    assert.equal(overall.rejectionShare, null);
    assert.equal(overall.firstTimeRightShare, null);
    assert.deepEqual(overall.slaAttainment.urgent, { requests: 0, validation: null, execution: null, overall: null });
  });

  it('D7: times to validate, execute and close as median and mean', () => {
    const rows = [
      closedRow(),
      closedRow({ closedAt: T0 + 7 * HOUR }),
      closedRow({ closedAt: T0 + 12 * HOUR, reportedAt: T0 + 8 * HOUR, validatedAt: T0 + 3 * HOUR }),
    ];
    const { overall } = computeIndicators(rows);
    assert.deepEqual(overall.timeToValidate, { count: 3, medianMs: 1 * HOUR, meanMs: Math.round((5 * HOUR) / 3) });
    assert.deepEqual(overall.timeToExecute, { count: 3, medianMs: 2 * HOUR, meanMs: Math.round((10 * HOUR) / 3) });
    assert.deepEqual(overall.timeToClose, { count: 3, medianMs: 7 * HOUR, meanMs: 8 * HOUR });
  });

  it('D7: open requests count for validation time but not for closing time', () => {
    const open = closedRow({ status: 'IN_EXECUTION', reportedAt: undefined, closedAt: undefined });
    const { overall } = computeIndicators([open]);
    assert.equal(overall.timeToValidate.count, 1);
    assert.equal(overall.timeToExecute.count, 0);
    assert.equal(overall.timeToClose.count, 0);
    assert.equal(overall.closed, 0);
  });

  it('D7: an inconsistent (negative) duration is left out', () => {
    const { overall } = computeIndicators([closedRow({ validatedAt: T0 - HOUR })]);
    assert.equal(overall.timeToValidate.count, 0);
    assert.equal(overall.timeToClose.count, 1);
  });

  it('D7/R2: shares sent back incomplete and rejected are over all requests', () => {
    const rows = [closedRow({ incompleteRounds: 2 }), closedRow(), rejectedRow(), rejectedRow({ incompleteRounds: 1 })];
    const { overall } = computeIndicators(rows);
    assert.equal(overall.count, 4);
    assert.equal(overall.sentBackIncompleteShare, 0.5);
    assert.equal(overall.rejected, 2);
    assert.equal(overall.rejectionShare, 0.5);
  });

  it('D7/R4: first time right is closed with zero modification rounds over closed', () => {
    const rows = [closedRow(), closedRow({ modificationRounds: 1 }), closedRow({ modificationRounds: 3 }), closedRow(), rejectedRow()];
    const { overall } = computeIndicators(rows);
    assert.equal(overall.closed, 4);
    assert.equal(overall.firstTimeRightShare, 0.5);
  });

  it('D7: SLA attainment per priority; execution counts only requests whose execution clock ran', () => {
    const rows = [
      closedRow({ priority: 'urgent' }),
      closedRow({ priority: 'urgent', executionSlaBreached: true }),
      closedRow({ priority: 'urgent', validationSlaBreached: true }),
      rejectedRow({ priority: 'urgent' }), // never validated: no execution SLA
      closedRow({ priority: 'low' }),
    ];
    const { overall } = computeIndicators(rows);
    assert.deepEqual(overall.slaAttainment.urgent, { requests: 4, validation: 0.75, execution: 2 / 3, overall: 0.5 });
    assert.deepEqual(overall.slaAttainment.low, { requests: 1, validation: 1, execution: 1, overall: 1 });
    assert.deepEqual(overall.slaAttainment.high, { requests: 0, validation: null, execution: null, overall: null });
  });

  it('D7: an approved request not yet started that breached its execution SLA counts as a miss', () => {
    const waiting: IndicatorRow = closedRow({
      status: 'APPROVED',
      validatedAt: undefined,
      executionStartedAt: undefined,
      reportedAt: undefined,
      closedAt: undefined,
      executionSlaBreached: true,
    });
    assert.equal(computeIndicators([waiting]).overall.slaAttainment.normal.execution, 0);
  });

  it('D7: per client and overall, keyed by client in sorted order', () => {
    const rows = [
      closedRow({ clientId: 'zeta' }),
      closedRow({ clientId: 'alpha', modificationRounds: 1 }),
      rejectedRow({ clientId: 'alpha' }),
      closedRow({ clientId: '__proto__' }),
    ];
    const { overall, perClient } = computeIndicators(rows);
    assert.deepEqual(Object.keys(perClient), ['__proto__', 'alpha', 'zeta']);
    assert.equal(overall.count, 4);
    assert.equal(perClient.alpha.count, 2);
    assert.equal(perClient.alpha.rejectionShare, 0.5);
    assert.equal(perClient.alpha.firstTimeRightShare, 0);
    assert.equal(perClient.zeta.firstTimeRightShare, 1);
    assert.equal(perClient['__proto__'].count, 1);
  });

  it('D7: 100k rows are handled in one pass, quickly', () => {
    const rows: IndicatorRow[] = [];
    for (let i = 0; i < 100_000; i += 1) {
      rows.push(closedRow({ clientId: `c-${i % 50}`, closedAt: T0 + 5 * HOUR + i, modificationRounds: i % 3 }));
    }
    const started = process.hrtime.bigint();
    const { overall, perClient } = computeIndicators(rows);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(overall.count, 100_000);
    assert.equal(Object.keys(perClient).length, 50);
    assert.ok(elapsedMs < 2_000, `took ${elapsedMs} ms`);
  });
});
