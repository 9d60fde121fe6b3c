/**
 * The business rules of one RHS request's life (PRO-2132 R1-R5, product decision D6), as pure functions.
 *
 * Pure and deterministic on purpose: the request workflow calls these from Temporal workflow code (where
 * any I/O or wall-clock read would break replay) and the HTTP API calls the same functions, so both sides
 * answer from one set of rules. No imports beyond the domain types; time always comes in as an argument.
 */
import { CLIENT_ROLES, type Actor, type Role } from './roles';
import {
  REQUEST_ACTIONS,
  TERMINAL_STATUSES,
  type ConfirmationDecision,
  type Priority,
  type RequestAction,
  type RequestCommand,
  type RequestStatus,
  type ValidationDecision,
} from './request-types';

// ---------------------------------------------------------------------------------------------------------
// Input rules: "anything required that is missing or blank is a 400" (api.md), in one place.
// ---------------------------------------------------------------------------------------------------------

export interface InputError {
  /** The body field name, e.g. `reason`. */
  path: string;
  message: string;
}

export const VALIDATION_DECISIONS: readonly ValidationDecision[] = ['approve', 'incomplete', 'reject'];
export const CONFIRMATION_DECISIONS: readonly ConfirmationDecision[] = ['accept', 'modify'];

/** Fields a correction may replace; each one sent must carry text (an empty instruction would break R1). */
const CORRECTABLE_FIELDS = ['instructions', 'summary', 'site', 'location'] as const;

const REQUIRED_TEXT = 'is required and must not be blank';
const PRESENT_TEXT = 'must not be blank when present';
const STRING_TEXT = 'must be a string';

function isNonBlankString(value: unknown): boolean {
  return typeof value === 'string' && value.trim().length > 0;
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function requireText(path: string, value: unknown): InputError[] {
  return isNonBlankString(value) ? [] : [{ path, message: REQUIRED_TEXT }];
}

/** Optional text: absent is fine, but a present value that is blank (or not text) is refused, not ignored. */
function optionalText(path: string, value: unknown): InputError[] {
  return value === undefined || isNonBlankString(value) ? [] : [{ path, message: PRESENT_TEXT }];
}

/** Free-form optional text (a comment nobody requires): only its type is checked. */
function optionalString(path: string, value: unknown): InputError[] {
  return value === undefined || typeof value === 'string' ? [] : [{ path, message: STRING_TEXT }];
}

function requireOneOf(path: string, value: unknown, allowed: readonly string[]): InputError[] {
  return isOneOf(value, allowed) ? [] : [{ path, message: `must be one of: ${allowed.join(', ')}` }];
}

function validationInputErrors(decision: unknown, reason: unknown): InputError[] {
  const decisionErrors = requireOneOf('decision', decision, VALIDATION_DECISIONS);
  // Sending a request back or refusing it must tell the client why (R2); approving needs no words.
  const needsReason = decision === 'incomplete' || decision === 'reject';
  return [...decisionErrors, ...(needsReason ? requireText('reason', reason) : optionalString('reason', reason))];
}

function correctionInputErrors(command: Extract<RequestCommand, { action: 'correction' }>): InputError[] {
  const fieldErrors = CORRECTABLE_FIELDS.flatMap((field) => optionalText(field, command[field]));
  return [...requireText('comment', command.comment), ...fieldErrors];
}

function confirmationInputErrors(decision: unknown, instructions: unknown): InputError[] {
  const decisionErrors = requireOneOf('decision', decision, CONFIRMATION_DECISIONS);
  // R4: a modification is executed "as detailed in the ticket", so it must be documented there first.
  const needsInstructions = decision === 'modify';
  const instructionErrors = needsInstructions
    ? requireText('instructions', instructions)
    : optionalString('instructions', instructions);
  return [...decisionErrors, ...instructionErrors];
}

/**
 * The "required and not blank" rules of the contract. Empty array = the input is fine.
 * Reads values as `unknown` because the API may hand over a body that only claims to be a command.
 */
export function commandInputErrors(command: RequestCommand): InputError[] {
  switch (command.action) {
    case 'validation':
      return validationInputErrors(command.decision, command.reason);
    case 'correction':
      return correctionInputErrors(command);
    case 'start':
      return [];
    case 'report':
      return requireText('actionsPerformed', command.actionsPerformed);
    case 'confirmation':
      return confirmationInputErrors(command.decision, command.instructions);
    case 'cancellation':
      return requireText('reason', command.reason);
    default:
      return unknownActionErrors(command);
  }
}

function unknownActionErrors(command: never): InputError[] {
  const action: unknown = (command as { action?: unknown }).action;
  return [{ path: 'action', message: `unknown action '${String(action)}'` }];
}

// ---------------------------------------------------------------------------------------------------------
// The transition table: who may take which action, from which states, and where it leads.
// ---------------------------------------------------------------------------------------------------------

/** `operator` = an L1 operator (R2-R5); `own_client` = an authorizer or authorized user of the request's client. */
type Performer = 'operator' | 'own_client';

interface Outcome {
  readonly next: RequestStatus;
  /** The audit event type recorded for the transition. */
  readonly event: string;
}

interface ActionRule {
  readonly performer: Performer;
  readonly from: readonly RequestStatus[];
  /** Keyed by the command's decision, or by the action name when the action has no decision. */
  readonly outcomes: Readonly<Record<string, Outcome>>;
}

/**
 * The single source of truth for the contract's state machine (api.md "RHS requests"); `decide` and
 * `allowedActions` both read it. Statuses absent from every `from` list (CLOSED, REJECTED, CANCELLED,
 * and IN_EXECUTION for clients) allow nothing.
 */
const LIFECYCLE = {
  validation: {
    performer: 'operator',
    from: ['IN_VALIDATION'],
    outcomes: {
      approve: { next: 'APPROVED', event: 'validation_approved' }, // R3 may begin
      incomplete: { next: 'AWAITING_CORRECTION', event: 'validation_incomplete' }, // R2
      reject: { next: 'REJECTED', event: 'validation_rejected' }, // R2: a risk to the service
    },
  },
  correction: {
    performer: 'own_client',
    from: ['AWAITING_CORRECTION'],
    outcomes: { correction: { next: 'IN_VALIDATION', event: 'corrected' } }, // R2: validation starts again
  },
  start: {
    performer: 'operator',
    from: ['APPROVED', 'MODIFICATION_REQUESTED'],
    outcomes: { start: { next: 'IN_EXECUTION', event: 'execution_started' } }, // R3, R4 modification round
  },
  report: {
    performer: 'operator',
    from: ['IN_EXECUTION'],
    outcomes: { report: { next: 'AWAITING_CONFIRMATION', event: 'execution_reported' } }, // R4
  },
  confirmation: {
    performer: 'own_client',
    from: ['AWAITING_CONFIRMATION'],
    outcomes: {
      accept: { next: 'CLOSED', event: 'conformity_recorded' }, // R5
      modify: { next: 'MODIFICATION_REQUESTED', event: 'modification_requested' }, // R4
    },
  },
  cancellation: {
    performer: 'own_client',
    from: ['IN_VALIDATION', 'AWAITING_CORRECTION', 'APPROVED'], // D6: only before execution starts
    outcomes: { cancellation: { next: 'CANCELLED', event: 'cancelled' } },
  },
} as const satisfies Record<RequestAction, ActionRule>;


const PERFORMER_ROLES: Record<Performer, readonly Role[]> = {
  operator: ['operator_l1'],
  own_client: CLIENT_ROLES,
};

export function isTerminal(status: RequestStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

function roleMayPerform(role: Actor['role'], action: RequestAction): boolean {
  // `system` is never in PERFORMER_ROLES: timers and policies change state through silenceOutcome, not decide.
  return role !== 'system' && PERFORMER_ROLES[LIFECYCLE[action].performer].includes(role);
}

function actionAvailableIn(status: RequestStatus, action: RequestAction): boolean {
  const from: readonly RequestStatus[] = LIFECYCLE[action].from;
  return from.includes(status);
}

/**
 * The actions `role` may take on a request now. For client roles this assumes the user belongs to the
 * request's client (a user of another client may do nothing; `decide` accounts for that).
 */
export function allowedActions(status: RequestStatus, role: Actor['role']): RequestAction[] {
  // In the order of REQUEST_ACTIONS, so allowed-action lists read the same everywhere.
  return REQUEST_ACTIONS.filter((action) => roleMayPerform(role, action) && actionAvailableIn(status, action));
}

function actsForRequestClient(actor: Actor, requestClientId: string): boolean {
  return actor.clientId !== undefined && actor.clientId === requestClientId;
}

/** Whether this actor, for this request, is someone the action's performer rule admits. */
function actorMayPerform(actor: Actor, action: RequestAction, requestClientId: string): boolean {
  if (!roleMayPerform(actor.role, action)) return false;
  return LIFECYCLE[action].performer !== 'own_client' || actsForRequestClient(actor, requestClientId);
}

/** `allowedActions` narrowed to this actor: a client user of another client may do nothing here. */
function actorAllowedActions(status: RequestStatus, actor: Actor, requestClientId: string): RequestAction[] {
  return allowedActions(status, actor.role).filter((action) => actorMayPerform(actor, action, requestClientId));
}

/** The table entry for this command's decision; undefined only for input `commandInputErrors` refuses. */
function outcomeOf(command: RequestCommand): Outcome | undefined {
  const outcomes: Readonly<Record<string, Outcome>> = LIFECYCLE[command.action].outcomes;
  const key = command.action === 'validation' || command.action === 'confirmation' ? command.decision : command.action;
  return Object.prototype.hasOwnProperty.call(outcomes, key) ? outcomes[key] : undefined;
}

export type DecisionErrorCode = 'forbidden' | 'invalid_input' | 'invalid_state';

export type Decision =
  | { ok: true; next: RequestStatus; event: string }
  | {
      ok: false;
      code: DecisionErrorCode;
      message: string;
      allowedActions: RequestAction[];
      errors?: InputError[];
    };

function describeAllowed(actions: readonly RequestAction[]): string {
  return actions.length > 0 ? actions.join(', ') : 'none';
}

/**
 * Whether `actor` may apply `command` to a request in `status` belonging to `requestClientId`, and where it
 * leads. Checks in the contract's order of precedence: role (403/404) → input (400) → state (409).
 */
export function decide(status: RequestStatus, command: RequestCommand, actor: Actor, requestClientId: string): Decision {
  const action = command.action;
  const allowed = actorAllowedActions(status, actor, requestClientId);

  if (!Object.prototype.hasOwnProperty.call(LIFECYCLE, action)) {
    // A body that is not any known command: nothing to authorize, so it is an input problem.
    return { ok: false, code: 'invalid_input', message: 'invalid input', allowedActions: allowed, errors: commandInputErrors(command) };
  }
  if (!actorMayPerform(actor, action, requestClientId)) {
    return { ok: false, code: 'forbidden', message: forbiddenMessage(actor, action), allowedActions: allowed };
  }
  const errors = commandInputErrors(command);
  const outcome = outcomeOf(command);
  if (errors.length > 0 || outcome === undefined) {
    return { ok: false, code: 'invalid_input', message: `invalid input for action '${action}'`, allowedActions: allowed, errors };
  }
  if (!actionAvailableIn(status, action)) {
    const message = `action '${action}' is not allowed in state ${status}; allowed: ${describeAllowed(allowed)}`;
    return { ok: false, code: 'invalid_state', message, allowedActions: allowed };
  }
  return { ok: true, next: outcome.next, event: outcome.event };
}

function forbiddenMessage(actor: Actor, action: RequestAction): string {
  if (roleMayPerform(actor.role, action)) return `action '${action}' is reserved to users of the request's client`;
  return `role '${actor.role}' may not take action '${action}'`;
}

// ---------------------------------------------------------------------------------------------------------
// Timers (D6 and SLA indicators D7): the workflow sleeps until `nextDeadline`, then acts on its kind.
// ---------------------------------------------------------------------------------------------------------

export type SilencePolicy = { correction: 'cancel' | 'remind_only'; confirmation: 'close_tacit' | 'cancel' | 'remind_only' };

export interface TimingPolicy {
  validationSlaMs: Record<Priority, number>; // filing → validation decision (approve or reject)
  executionSlaMs: Record<Priority, number>; // first approval → first execution report
  reminderEveryMs: number; // while AWAITING_CORRECTION / AWAITING_CONFIRMATION
  silenceAfterMs: number; // silence in those states after which the policy applies
  silencePolicy: SilencePolicy;
}

export interface RequestClock {
  status: RequestStatus;
  priority: Priority;
  filedAt: number; // epoch ms
  statusSince: number; // epoch ms the current status was entered
  validatedAt?: number; // set when approved or rejected
  approvedAt?: number; // first approval
  reportedAt?: number; // first execution report
  remindersSentInStatus: number; // reminders already sent since statusSince
  validationSlaBreached: boolean;
  executionSlaBreached: boolean;
}

export type DeadlineKind = 'validation_sla_breach' | 'execution_sla_breach' | 'reminder' | 'silence_policy';

export interface Deadline {
  kind: DeadlineKind;
  at: number;
}

/** With `remind_only` nothing else ever ends the waiting, so reminders stop here rather than loop forever. */
export const MAX_REMINDERS_PER_STATUS = 10;

/** The states in which the request waits for its client (D6). */
const WAITING_FOR_CLIENT: readonly RequestStatus[] = ['AWAITING_CORRECTION', 'AWAITING_CONFIRMATION'];

/**
 * What a configured silence does to a request waiting for its client (D6); undefined when the policy is
 * to remind only, or the status is not one that waits for the client. The event makes the policy visible
 * in the audit trail ("recorded as such, never silent").
 */
export function silenceOutcome(
  status: RequestStatus,
  policy: SilencePolicy,
): { next: RequestStatus; event: 'silence_cancelled' | 'silence_tacit_conformity' } | undefined {
  if (status === 'AWAITING_CORRECTION' && policy.correction === 'cancel') {
    return { next: 'CANCELLED', event: 'silence_cancelled' };
  }
  if (status === 'AWAITING_CONFIRMATION' && policy.confirmation === 'close_tacit') {
    return { next: 'CLOSED', event: 'silence_tacit_conformity' };
  }
  if (status === 'AWAITING_CONFIRMATION' && policy.confirmation === 'cancel') {
    return { next: 'CANCELLED', event: 'silence_cancelled' };
  }
  return undefined;
}

function validationSlaDeadline(clock: RequestClock, policy: TimingPolicy): Deadline | undefined {
  // Measured from filing, correction rounds included: the client's delays count against the same clock.
  if (clock.validatedAt !== undefined || clock.validationSlaBreached) return undefined;
  return { kind: 'validation_sla_breach', at: clock.filedAt + policy.validationSlaMs[clock.priority] };
}

function executionSlaDeadline(clock: RequestClock, policy: TimingPolicy): Deadline | undefined {
  if (clock.approvedAt === undefined || clock.reportedAt !== undefined || clock.executionSlaBreached) return undefined;
  return { kind: 'execution_sla_breach', at: clock.approvedAt + policy.executionSlaMs[clock.priority] };
}

function silenceDeadline(clock: RequestClock, policy: TimingPolicy): Deadline | undefined {
  if (silenceOutcome(clock.status, policy.silencePolicy) === undefined) return undefined;
  return { kind: 'silence_policy', at: clock.statusSince + policy.silenceAfterMs };
}

function reminderDeadline(clock: RequestClock, policy: TimingPolicy, silence: Deadline | undefined): Deadline | undefined {
  if (!WAITING_FOR_CLIENT.includes(clock.status)) return undefined;
  // A non-positive period would fire every reminder at once; treat it as "reminders off".
  if (policy.reminderEveryMs <= 0 || clock.remindersSentInStatus >= MAX_REMINDERS_PER_STATUS) return undefined;
  const at = clock.statusSince + (clock.remindersSentInStatus + 1) * policy.reminderEveryMs;
  // Once the silence policy acts there is nothing left to remind about.
  if (silence !== undefined && at >= silence.at) return undefined;
  return { kind: 'reminder', at };
}

/**
 * The earliest pending deadline, or undefined in terminal states or when nothing is pending.
 * On equal instants the order below wins: SLA breaches first (they must be recorded at their exact time
 * whatever else happens), then the silence policy (it ends the waiting, making a reminder pointless), then
 * the reminder. The workflow re-asks after acting on one, so a tie only orders events, it never drops one.
 */
export function nextDeadline(clock: RequestClock, policy: TimingPolicy): Deadline | undefined {
  if (isTerminal(clock.status)) return undefined;
  const silence = silenceDeadline(clock, policy);
  const candidatesByPrecedence = [
    validationSlaDeadline(clock, policy),
    executionSlaDeadline(clock, policy),
    silence,
    reminderDeadline(clock, policy, silence),
  ];
  return candidatesByPrecedence.reduce<Deadline | undefined>(
    (earliest, candidate) => (candidate !== undefined && (earliest === undefined || candidate.at < earliest.at) ? candidate : earliest),
    undefined,
  );
}
