import assert from 'node:assert/strict';
import {
  allowedStatementActions,
  budgetRegistered,
  computeStatement,
  type Contract,
  contractErrors,
  decideStatement,
  DEFAULT_CONTRACT,
  initialStatementStatus,
  type StatementCommand,
  type StatementDecision,
  type StatementStatus,
  STATEMENT_STATUSES,
  statusAfterRevision,
} from '../../domain/billing';
import { ROLES } from '../../domain/roles';

const priced = (overrides: Partial<Contract> = {}): Contract => ({
  includedInterventions: 5,
  billingMode: 'excess',
  unitPriceMinor: 15_000,
  currency: 'USD',
  ...overrides,
});

const APPROVE: StatementCommand = { kind: 'approve' };
const DISPUTE: StatementCommand = { kind: 'dispute', reasons: 'Two of these were warranty work' };
const REVISE: StatementCommand = { kind: 'revise', answer: 'Excluded the warranty work', excludeRequestIds: ['r-1'] };

describe('billing: D2 billable quantity', () => {
  it('D2: the default contract includes 5 interventions in excess mode', () => {
    assert.equal(DEFAULT_CONTRACT.includedInterventions, 5);
    assert.equal(DEFAULT_CONTRACT.billingMode, 'excess');
    assert.deepEqual(contractErrors(DEFAULT_CONTRACT), []);
    assert.ok(Object.isFrozen(DEFAULT_CONTRACT));
  });

  it('B2: 5 interventions are not billable', () => {
    for (const billingMode of ['excess', 'all'] as const) {
      const statement = computeStatement(priced({ billingMode }), 5);
      assert.equal(statement.billable, false);
      assert.equal(statement.billableQuantity, 0);
      assert.equal(statement.amountMinor, 0);
    }
  });

  it('B2: zero interventions are not billable', () => {
    assert.deepEqual(computeStatement(DEFAULT_CONTRACT, 0), {
      interventions: 0,
      includedInterventions: 5,
      billable: false,
      billableQuantity: 0,
      amountMinor: 0,
      currency: 'USD',
      billingMode: 'excess',
    });
  });

  it('D2: 6 interventions bill 1 in excess mode and 6 in all mode', () => {
    const excess = computeStatement(priced({ billingMode: 'excess' }), 6);
    assert.equal(excess.billable, true);
    assert.equal(excess.billableQuantity, 1);
    assert.equal(excess.amountMinor, 15_000);

    const all = computeStatement(priced({ billingMode: 'all' }), 6);
    assert.equal(all.billable, true);
    assert.equal(all.billableQuantity, 6);
    assert.equal(all.amountMinor, 90_000);
  });

  it('D2: 12 interventions with 10 included bill 2 in excess mode', () => {
    const statement = computeStatement(priced({ includedInterventions: 10 }), 12);
    assert.equal(statement.billableQuantity, 2);
    assert.equal(statement.amountMinor, 30_000);
    assert.equal(statement.includedInterventions, 10);
  });

  it('D2: with 0 included every intervention is billable in both modes', () => {
    assert.equal(computeStatement(priced({ includedInterventions: 0 }), 1).billableQuantity, 1);
    assert.equal(computeStatement(priced({ includedInterventions: 0, billingMode: 'all' }), 3).billableQuantity, 3);
    assert.equal(computeStatement(priced({ includedInterventions: 0 }), 0).billable, false);
  });

  it('D2: a billable month at price 0 still reports the quantity (B2) with amount 0', () => {
    const statement = computeStatement(DEFAULT_CONTRACT, 8);
    assert.equal(statement.billable, true);
    assert.equal(statement.billableQuantity, 3);
    assert.equal(statement.amountMinor, 0);
  });

  it('D2: the amount is exact in the currency minor units (JPY)', () => {
    const statement = computeStatement(priced({ unitPriceMinor: 12_345, currency: 'JPY' }), 7);
    assert.equal(statement.amountMinor, 24_690);
    assert.equal(statement.currency, 'JPY');
  });

  it('refuses a negative or fractional number of interventions', () => {
    assert.throws(() => computeStatement(DEFAULT_CONTRACT, -1), RangeError);
    assert.throws(() => computeStatement(DEFAULT_CONTRACT, 6.5), RangeError);
  });

  it('refuses an invalid contract, naming the fields', () => {
    const bad = { includedInterventions: -1, billingMode: 'some' as 'all', unitPriceMinor: 1.5, currency: 'usd' };
    assert.deepEqual(
      contractErrors(bad).map((e) => e.path),
      ['includedInterventions', 'billingMode', 'unitPrice', 'currency'],
    );
    assert.throws(() => computeStatement(bad, 6), /Invalid contract/);
  });
});

describe('billing: statement statuses', () => {
  it('has the state names of the public contract', () => {
    assert.deepEqual([...STATEMENT_STATUSES], ['NOT_BILLABLE', 'PENDING_REVIEW', 'DISPUTED', 'APPROVED', 'BUDGET_REGISTERED']);
  });

  it('B2: a billable month goes to review, a non-billable one does not', () => {
    assert.equal(initialStatementStatus(true), 'PENDING_REVIEW');
    assert.equal(initialStatementStatus(false), 'NOT_BILLABLE');
  });

  it('D4: a revision that leaves the month non-billable ends the review', () => {
    assert.equal(statusAfterRevision(true), 'PENDING_REVIEW');
    assert.equal(statusAfterRevision(false), 'NOT_BILLABLE');
  });
});

describe('billing: D4 review loop', () => {
  it('B4: the account executive approves a pending statement', () => {
    assert.deepEqual(decideStatement('PENDING_REVIEW', APPROVE, 'account_executive'), { ok: true, next: 'APPROVED' });
  });

  it('B3: the account executive disputes a pending statement with reasons', () => {
    assert.deepEqual(decideStatement('PENDING_REVIEW', DISPUTE, 'account_executive'), { ok: true, next: 'DISPUTED' });
  });

  it('B3: a dispute without reasons is invalid input', () => {
    for (const reasons of ['', '   ', '\n\t']) {
      const result = decideStatement('PENDING_REVIEW', { kind: 'dispute', reasons }, 'account_executive');
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.code, 'invalid_input');
        assert.deepEqual(result.errors?.map((e) => e.path), ['reasons']);
      }
    }
  });

  it('D4: the SLA manager revises a disputed statement back to review', () => {
    assert.deepEqual(decideStatement('DISPUTED', REVISE, 'sla_manager'), { ok: true, next: 'PENDING_REVIEW' });
    const answerOnly: StatementCommand = { kind: 'revise', answer: 'The charges are right', excludeRequestIds: [] };
    assert.deepEqual(decideStatement('DISPUTED', answerOnly, 'sla_manager'), { ok: true, next: 'PENDING_REVIEW' });
  });

  it('D4: a revision needs a non-blank answer and non-blank request ids', () => {
    const result = decideStatement('DISPUTED', { kind: 'revise', answer: ' ', excludeRequestIds: ['r-1', ''] }, 'sla_manager');
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, 'invalid_input');
      assert.deepEqual(result.errors?.map((e) => e.path), ['answer', 'excludeRequestIds[1]']);
    }
  });

  it('D4: the full loop pending → disputed → pending → approved → budget registered', () => {
    const steps: [StatementCommand, 'account_executive' | 'sla_manager'][] = [
      [DISPUTE, 'account_executive'],
      [REVISE, 'sla_manager'],
      [APPROVE, 'account_executive'],
    ];
    let status: StatementStatus = 'PENDING_REVIEW';
    for (const [command, role] of steps) {
      const result: StatementDecision = decideStatement(status, command, role);
      assert.ok(result.ok, `${command.kind} from ${status}`);
      status = result.next;
    }
    assert.equal(status, 'APPROVED');
    const registered = budgetRegistered(status);
    assert.deepEqual(registered, { ok: true, next: 'BUDGET_REGISTERED' });
  });

  it('B3/B4: only the account executive may approve or dispute', () => {
    for (const role of ROLES.filter((r) => r !== 'account_executive')) {
      const commands: StatementCommand[] = [APPROVE, DISPUTE];
      for (const command of commands) {
        const result: StatementDecision = decideStatement('PENDING_REVIEW', command, role);
        assert.equal(result.ok, false);
        if (!result.ok) assert.equal(result.code, 'forbidden', `${role} ${command.kind}`);
      }
    }
    const bySystem = decideStatement('PENDING_REVIEW', APPROVE, 'system');
    assert.equal(bySystem.ok ? 'ok' : bySystem.code, 'forbidden');
  });

  it('D4: only the SLA manager may revise', () => {
    for (const role of ROLES.filter((r) => r !== 'sla_manager')) {
      const result = decideStatement('DISPUTED', REVISE, role);
      assert.equal(result.ok ? 'ok' : result.code, 'forbidden', role);
    }
  });

  it('D4: an action in the wrong state is refused, naming the state and the allowed actions', () => {
    const approveDisputed = decideStatement('DISPUTED', APPROVE, 'account_executive');
    assert.equal(approveDisputed.ok, false);
    if (!approveDisputed.ok) {
      assert.equal(approveDisputed.code, 'invalid_state');
      assert.match(approveDisputed.message, /DISPUTED/);
      assert.match(approveDisputed.message, /revise \(sla_manager\)/);
    }
    const reviseApproved = decideStatement('APPROVED', REVISE, 'sla_manager');
    assert.equal(reviseApproved.ok, false);
    if (!reviseApproved.ok) {
      assert.equal(reviseApproved.code, 'invalid_state');
      assert.match(reviseApproved.message, /APPROVED; allowed actions: none/);
    }
  });

  it('D4: no person-driven action is allowed on a settled statement', () => {
    const settled: StatementStatus[] = ['NOT_BILLABLE', 'APPROVED', 'BUDGET_REGISTERED'];
    for (const status of settled) {
      assert.deepEqual(allowedStatementActions(status), []);
      assert.equal(decideStatement(status, APPROVE, 'account_executive').ok, false);
      assert.equal(decideStatement(status, DISPUTE, 'account_executive').ok, false);
      assert.equal(decideStatement(status, REVISE, 'sla_manager').ok, false);
    }
    assert.deepEqual(allowedStatementActions('PENDING_REVIEW'), ['approve (account_executive)', 'dispute (account_executive)']);
  });

  it('D5: the budget is registered only for an approved statement; a repeat is a no-op, never a second step', () => {
    assert.deepEqual(budgetRegistered('BUDGET_REGISTERED'), { ok: true, next: 'BUDGET_REGISTERED', repeated: true });
    for (const status of ['NOT_BILLABLE', 'PENDING_REVIEW', 'DISPUTED'] as const) {
      const result = budgetRegistered(status);
      assert.equal(result.ok ? 'ok' : result.code, 'invalid_state', status);
    }
  });
});
