/**
 * The billing rules of PRO-2132 (B2-B5) and product decisions D2, D4, D5: how many interventions a
 * client is billed for in a month, and the review loop of its statement.
 *
 * This is the ONE place the billing arithmetic lives. Pure and deterministic (safe in workflow code).
 */
import { isCurrencyCode, multiplyMinor } from './money';
import type { Role } from './roles';

export const BILLING_MODES = ['excess', 'all'] as const;
export type BillingMode = (typeof BILLING_MODES)[number];

export interface Contract {
  /** Interventions per month that the client's subscription already covers (B2: 5). */
  includedInterventions: number;
  billingMode: BillingMode;
  /** Price of one billable intervention, in minor units of `currency`. */
  unitPriceMinor: number;
  /** ISO 4217 code. */
  currency: string;
}

/**
 * A client without a negotiated contract (D2): 5 included, excess mode. The price is 0 USD because the
 * procedure names no price; the quantity to bill is still reported (B2), finance prices it.
 */
export const DEFAULT_CONTRACT: Readonly<Contract> = Object.freeze({
  includedInterventions: 5,
  billingMode: 'excess',
  unitPriceMinor: 0,
  currency: 'USD',
});

export interface StatementFigures {
  interventions: number;
  includedInterventions: number;
  billable: boolean;
  billableQuantity: number;
  amountMinor: number;
  currency: string;
  billingMode: BillingMode;
}

export function isBillingMode(value: unknown): value is BillingMode {
  return typeof value === 'string' && (BILLING_MODES as readonly string[]).includes(value);
}

/** Problems with a contract as `{path, message}` (the API's error shape); empty when valid. */
export function contractErrors(contract: Contract): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  if (!isCount(contract.includedInterventions)) {
    errors.push({ path: 'includedInterventions', message: 'must be a non-negative integer' });
  }
  if (!isBillingMode(contract.billingMode)) {
    errors.push({ path: 'billingMode', message: `must be one of ${BILLING_MODES.join(', ')}` });
  }
  if (!isCount(contract.unitPriceMinor)) {
    errors.push({ path: 'unitPrice', message: 'must be a non-negative amount' });
  }
  if (!isCurrencyCode(contract.currency)) {
    errors.push({ path: 'currency', message: 'must be an ISO 4217 currency code such as "USD"' });
  }
  return errors;
}

/**
 * D2 / B2: a client is billable for a month when its interventions exceed the included number.
 * `excess` bills the interventions above it; `all` bills every intervention of such a month.
 */
export function computeStatement(contract: Contract, interventions: number): StatementFigures {
  const errors = contractErrors(contract);
  if (errors.length > 0) {
    throw new RangeError(`Invalid contract: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
  }
  if (!isCount(interventions)) throw new RangeError(`interventions must be a non-negative integer, got ${interventions}`);

  const billable = interventions > contract.includedInterventions;
  const billableQuantity = billable ? billedInterventions(contract, interventions) : 0;
  return {
    interventions,
    includedInterventions: contract.includedInterventions,
    billable,
    billableQuantity,
    amountMinor: multiplyMinor(contract.unitPriceMinor, billableQuantity),
    currency: contract.currency,
    billingMode: contract.billingMode,
  };
}

function billedInterventions(contract: Contract, interventions: number): number {
  return contract.billingMode === 'all' ? interventions : interventions - contract.includedInterventions;
}

// --- Statement review loop (B3, B4, B5, D4, D5) ------------------------------------------------

export const STATEMENT_STATUSES = ['NOT_BILLABLE', 'PENDING_REVIEW', 'DISPUTED', 'APPROVED', 'BUDGET_REGISTERED'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

export function isStatementStatus(value: unknown): value is StatementStatus {
  return typeof value === 'string' && (STATEMENT_STATUSES as readonly string[]).includes(value);
}

/** B2: only a billable month goes to the account executive's review. */
export function initialStatementStatus(billable: boolean): StatementStatus {
  return billable ? 'PENDING_REVIEW' : 'NOT_BILLABLE';
}

/**
 * After a revision (D4) the statement goes back to review, unless the exclusions left the month no
 * longer billable: then there is nothing left to approve.
 */
export function statusAfterRevision(stillBillable: boolean): StatementStatus {
  return stillBillable ? 'PENDING_REVIEW' : 'NOT_BILLABLE';
}

export type StatementCommand =
  | { kind: 'approve' }
  | { kind: 'dispute'; reasons: string }
  | { kind: 'revise'; answer: string; excludeRequestIds: string[] };

export type StatementCommandKind = StatementCommand['kind'];

export interface FieldError {
  path: string;
  message: string;
}

export type StatementDecision =
  | { ok: true; next: StatementStatus; /** the transition had already happened (a retry) */ repeated?: true }
  | { ok: false; code: 'forbidden' | 'invalid_input' | 'invalid_state'; message: string; errors?: FieldError[] };

/** A person's role, or the workflow itself. */
export type ActingRole = Role | 'system';

interface ReviewRule {
  from: StatementStatus;
  to: StatementStatus;
  role: Role;
}

/** Who may do what from which state: B3/B4 (account executive), D4 revision (SLA manager). */
const REVIEW_RULES: Record<StatementCommandKind, ReviewRule> = {
  approve: { from: 'PENDING_REVIEW', to: 'APPROVED', role: 'account_executive' },
  dispute: { from: 'PENDING_REVIEW', to: 'DISPUTED', role: 'account_executive' },
  revise: { from: 'DISPUTED', to: 'PENDING_REVIEW', role: 'sla_manager' },
};

/** The person-driven actions allowed from a state, e.g. "approve (account_executive)". */
export function allowedStatementActions(status: StatementStatus): string[] {
  const kinds = Object.keys(REVIEW_RULES) as StatementCommandKind[];
  return kinds.filter((kind) => REVIEW_RULES[kind].from === status).map((kind) => `${kind} (${REVIEW_RULES[kind].role})`);
}

/**
 * D4 review loop as a pure transition. Checks, in this order: the role (403), the input (400), the
 * state (409), matching how the API layers its answers.
 */
export function decideStatement(status: StatementStatus, command: StatementCommand, role: ActingRole): StatementDecision {
  const rule = REVIEW_RULES[command.kind];
  if (!rule) return { ok: false, code: 'invalid_input', message: 'unknown statement command' };
  if (role !== rule.role) {
    return { ok: false, code: 'forbidden', message: `only the ${rule.role} may ${command.kind} a statement` };
  }
  const errors = commandErrors(command);
  if (errors.length > 0) {
    return { ok: false, code: 'invalid_input', message: errors.map((e) => `${e.path} ${e.message}`).join('; '), errors };
  }
  if (status !== rule.from) return refusedInState(status, command.kind);
  return { ok: true, next: rule.to };
}

/**
 * B5 / D5: the system registered the budget operation of an approved statement. A repeat on an
 * already registered statement is accepted as a no-op so retries never fail (the single budget
 * operation itself is guaranteed by its store, not here).
 */
export function budgetRegistered(status: StatementStatus): StatementDecision {
  if (status === 'BUDGET_REGISTERED') return { ok: true, next: 'BUDGET_REGISTERED', repeated: true };
  if (status !== 'APPROVED') {
    return {
      ok: false,
      code: 'invalid_state',
      message: `the statement is ${status}; a budget operation is registered only for an APPROVED statement`,
    };
  }
  return { ok: true, next: 'BUDGET_REGISTERED' };
}

function refusedInState(status: StatementStatus, kind: StatementCommandKind): StatementDecision {
  const allowed = allowedStatementActions(status);
  const allowedText = allowed.length > 0 ? allowed.join(', ') : 'none';
  return {
    ok: false,
    code: 'invalid_state',
    message: `cannot ${kind}: the statement is ${status}; allowed actions: ${allowedText}`,
  };
}

function commandErrors(command: StatementCommand): FieldError[] {
  switch (command.kind) {
    case 'approve':
      return [];
    case 'dispute':
      // B3: a dispute must state why the charges should not apply.
      return isBlank(command.reasons) ? [{ path: 'reasons', message: 'is required to dispute a statement' }] : [];
    case 'revise':
      return reviseErrors(command);
  }
}

function reviseErrors(command: { answer: string; excludeRequestIds: string[] }): FieldError[] {
  const errors: FieldError[] = [];
  if (isBlank(command.answer)) errors.push({ path: 'answer', message: 'is required to revise a statement' });
  if (!Array.isArray(command.excludeRequestIds)) {
    errors.push({ path: 'excludeRequestIds', message: 'must be a list of request ids' });
    return errors;
  }
  command.excludeRequestIds.forEach((id, index) => {
    if (isBlank(id)) errors.push({ path: `excludeRequestIds[${index}]`, message: 'must be a non-blank request id' });
  });
  return errors;
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
