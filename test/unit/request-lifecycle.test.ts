/**
 * Unit tests of the request lifecycle rules (PRO-2132 R1-R5, D6) in domain/request-lifecycle.ts.
 *
 * The expected tables below are written out by hand from api.md "RHS requests", on purpose: they must not
 * be derived from the module's own table, or a wrong transition would agree with itself.
 */
import assert from 'node:assert/strict';
import { ROLES, type Actor } from '../../domain/roles';
import { REQUEST_STATUSES, type RequestAction, type RequestCommand, type RequestStatus } from '../../domain/request-types';
import {
  MAX_REMINDERS_PER_STATUS,
  allowedActions,
  commandInputErrors,
  decide,
  isTerminal,
  nextDeadline,
  silenceOutcome,
  type RequestClock,
  type SilencePolicy,
  type TimingPolicy,
} from '../../domain/request-lifecycle';

const REQUEST_CLIENT = 'client-a';
const OTHER_CLIENT = 'client-b';

// ---------------------------------------------------------------------------------------------------------
// Independent expectations
// ---------------------------------------------------------------------------------------------------------

/** The rule each action implements, used to name the tests. */
const RULE_OF: Record<RequestAction, string> = {
  validation: 'R2',
  correction: 'R2',
  start: 'R3',
  report: 'R4',
  confirmation: 'R4/R5',
  cancellation: 'D6',
};

/** One valid command per action and decision. */
const SAMPLE_COMMANDS: ReadonlyArray<{ label: string; command: RequestCommand }> = [
  { label: 'validation(approve)', command: { action: 'validation', decision: 'approve' } },
  { label: 'validation(incomplete)', command: { action: 'validation', decision: 'incomplete', reason: 'no rack number' } },
  { label: 'validation(reject)', command: { action: 'validation', decision: 'reject', reason: 'would cut the core switch' } },
  { label: 'correction', command: { action: 'correction', comment: 'rack added', location: 'R12-U20' } },
  { label: 'start', command: { action: 'start' } },
  { label: 'report', command: { action: 'report', actionsPerformed: 'rebooted srv-12, photos attached' } },
  { label: 'confirmation(accept)', command: { action: 'confirmation', decision: 'accept' } },
  { label: 'confirmation(modify)', command: { action: 'confirmation', decision: 'modify', instructions: 'also reseat the PSU' } },
  { label: 'cancellation', command: { action: 'cancellation', reason: 'fixed remotely' } },
];

/** Every kind of caller, including client users of another client and a client user with no client. */
const SAMPLE_ACTORS: ReadonlyArray<{ label: string; actor: Actor; kind: 'operator' | 'own_client' | 'nobody' }> = [
  { label: 'operator_l1', actor: { id: 'op', role: 'operator_l1' }, kind: 'operator' },
  { label: 'client_authorizer (own client)', actor: { id: 'ca', role: 'client_authorizer', clientId: REQUEST_CLIENT }, kind: 'own_client' },
  { label: 'client_authorized (own client)', actor: { id: 'cu', role: 'client_authorized', clientId: REQUEST_CLIENT }, kind: 'own_client' },
  { label: 'client_authorizer (other client)', actor: { id: 'xa', role: 'client_authorizer', clientId: OTHER_CLIENT }, kind: 'nobody' },
  { label: 'client_authorized (other client)', actor: { id: 'xu', role: 'client_authorized', clientId: OTHER_CLIENT }, kind: 'nobody' },
  { label: 'client_authorized (no client)', actor: { id: 'nu', role: 'client_authorized' }, kind: 'nobody' },
  { label: 'sla_manager', actor: { id: 'sla', role: 'sla_manager' }, kind: 'nobody' },
  { label: 'account_executive', actor: { id: 'ae', role: 'account_executive' }, kind: 'nobody' },
  { label: 'admin', actor: { id: 'adm', role: 'admin' }, kind: 'nobody' },
  { label: 'system', actor: { id: 'system', role: 'system' }, kind: 'nobody' },
];

/** Who may take each action (api.md "who" column). */
const EXPECTED_PERFORMER: Record<RequestAction, 'operator' | 'own_client'> = {
  validation: 'operator',
  correction: 'own_client',
  start: 'operator',
  report: 'operator',
  confirmation: 'own_client',
  cancellation: 'own_client',
};

/** `state|command label` → where it leads; every pair not listed is refused as invalid_state. */
const EXPECTED_TRANSITIONS: Readonly<Record<string, { next: RequestStatus; event: string }>> = {
  'IN_VALIDATION|validation(approve)': { next: 'APPROVED', event: 'validation_approved' },
  'IN_VALIDATION|validation(incomplete)': { next: 'AWAITING_CORRECTION', event: 'validation_incomplete' },
  'IN_VALIDATION|validation(reject)': { next: 'REJECTED', event: 'validation_rejected' },
  'AWAITING_CORRECTION|correction': { next: 'IN_VALIDATION', event: 'corrected' },
  'APPROVED|start': { next: 'IN_EXECUTION', event: 'execution_started' },
  'MODIFICATION_REQUESTED|start': { next: 'IN_EXECUTION', event: 'execution_started' },
  'IN_EXECUTION|report': { next: 'AWAITING_CONFIRMATION', event: 'execution_reported' },
  'AWAITING_CONFIRMATION|confirmation(accept)': { next: 'CLOSED', event: 'conformity_recorded' },
  'AWAITING_CONFIRMATION|confirmation(modify)': { next: 'MODIFICATION_REQUESTED', event: 'modification_requested' },
  'IN_VALIDATION|cancellation': { next: 'CANCELLED', event: 'cancelled' },
  'AWAITING_CORRECTION|cancellation': { next: 'CANCELLED', event: 'cancelled' },
  'APPROVED|cancellation': { next: 'CANCELLED', event: 'cancelled' },
};

/** What an operator / a user of the request's client may do in each state (409 details). */
const EXPECTED_ALLOWED: Record<RequestStatus, { operator: RequestAction[]; own_client: RequestAction[] }> = {
  IN_VALIDATION: { operator: ['validation'], own_client: ['cancellation'] },
  AWAITING_CORRECTION: { operator: [], own_client: ['correction', 'cancellation'] },
  APPROVED: { operator: ['start'], own_client: ['cancellation'] },
  IN_EXECUTION: { operator: ['report'], own_client: [] },
  AWAITING_CONFIRMATION: { operator: [], own_client: ['confirmation'] },
  MODIFICATION_REQUESTED: { operator: ['start'], own_client: [] },
  CLOSED: { operator: [], own_client: [] },
  REJECTED: { operator: [], own_client: [] },
  CANCELLED: { operator: [], own_client: [] },
};

function expectedAllowedFor(status: RequestStatus, kind: 'operator' | 'own_client' | 'nobody'): RequestAction[] {
  return kind === 'nobody' ? [] : EXPECTED_ALLOWED[status][kind];
}

function expectedAllowedForRole(status: RequestStatus, role: Actor['role']): RequestAction[] {
  if (role === 'operator_l1') return EXPECTED_ALLOWED[status].operator;
  if (role === 'client_authorizer' || role === 'client_authorized') return EXPECTED_ALLOWED[status].own_client;
  return [];
}

// ---------------------------------------------------------------------------------------------------------
// decide and allowedActions: the full cartesian product
// ---------------------------------------------------------------------------------------------------------

describe('request lifecycle: decide over every (state, command, caller)', () => {
  for (const status of REQUEST_STATUSES) {
    for (const { label: commandLabel, command } of SAMPLE_COMMANDS) {
      for (const { label: actorLabel, actor, kind } of SAMPLE_ACTORS) {
        const rule = RULE_OF[command.action];
        const mayPerform = EXPECTED_PERFORMER[command.action] === kind;
        const transition = EXPECTED_TRANSITIONS[`${status}|${commandLabel}`];
        const expectation = !mayPerform ? 'forbidden' : transition ? `${transition.next} (${transition.event})` : 'invalid_state';
        it(`${rule}: ${status} + ${commandLabel} by ${actorLabel} → ${expectation}`, () => {
          const result = decide(status, command, actor, REQUEST_CLIENT);
          const allowed = expectedAllowedFor(status, kind);
          if (!mayPerform) {
            assert.equal(result.ok, false);
            assert.ok(!result.ok);
            assert.equal(result.code, 'forbidden');
            assert.deepEqual(result.allowedActions, allowed);
          } else if (transition) {
            assert.deepEqual(result, { ok: true, next: transition.next, event: transition.event });
          } else {
            assertInvalidState(result, status, command.action, allowed);
          }
        });
      }
    }
  }
});

function assertInvalidState(result: ReturnType<typeof decide>, status: RequestStatus, action: RequestAction, allowed: RequestAction[]): void {
  assert.ok(!result.ok, 'expected a refusal');
  assert.equal(result.code, 'invalid_state');
  assert.deepEqual(result.allowedActions, allowed);
  // The 409 detail names the state and the allowed actions (api.md conventions).
  const allowedText = allowed.length > 0 ? allowed.join(', ') : 'none';
  assert.equal(result.message, `action '${action}' is not allowed in state ${status}; allowed: ${allowedText}`);
}

describe('request lifecycle: allowedActions over every (state, role)', () => {
  for (const status of REQUEST_STATUSES) {
    for (const role of [...ROLES, 'system' as const]) {
      const expected = expectedAllowedForRole(status, role);
      it(`R2-R5/D6: in ${status}, ${role} may take [${expected.join(', ')}]`, () => {
        assert.deepEqual(allowedActions(status, role), expected);
      });
    }
  }
});

describe('request lifecycle: worked examples', () => {
  const operator: Actor = { id: 'op', role: 'operator_l1' };
  const client: Actor = { id: 'ca', role: 'client_authorizer', clientId: REQUEST_CLIENT };

  it('R2: incomplete sends the request back for correction', () => {
    const result = decide('IN_VALIDATION', { action: 'validation', decision: 'incomplete', reason: 'which rack?' }, operator, REQUEST_CLIENT);
    assert.deepEqual(result, { ok: true, next: 'AWAITING_CORRECTION', event: 'validation_incomplete' });
  });

  it('R2: nothing may be executed while validation is under way', () => {
    const result = decide('IN_VALIDATION', { action: 'start' }, operator, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.message, "action 'start' is not allowed in state IN_VALIDATION; allowed: validation");
  });

  it('R4: a modification round goes back to execution by the operator', () => {
    const modify = decide('AWAITING_CONFIRMATION', { action: 'confirmation', decision: 'modify', instructions: 'swap the other disk' }, client, REQUEST_CLIENT);
    assert.deepEqual(modify, { ok: true, next: 'MODIFICATION_REQUESTED', event: 'modification_requested' });
    assert.deepEqual(decide('MODIFICATION_REQUESTED', { action: 'start' }, operator, REQUEST_CLIENT), {
      ok: true,
      next: 'IN_EXECUTION',
      event: 'execution_started',
    });
  });

  it('D6: a client may not cancel once execution has started', () => {
    const result = decide('IN_EXECUTION', { action: 'cancellation', reason: 'too late' }, client, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'invalid_state');
    assert.equal(result.message, "action 'cancellation' is not allowed in state IN_EXECUTION; allowed: none");
  });

  it('checks run role → input → state: a wrong role with bad input in the wrong state is forbidden', () => {
    const result = decide('CLOSED', { action: 'report', actionsPerformed: '  ' }, client, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'forbidden');
  });

  it('checks run role → input → state: the right role with bad input in the wrong state is invalid_input', () => {
    const result = decide('CLOSED', { action: 'report', actionsPerformed: '  ' }, operator, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'invalid_input');
    assert.deepEqual(result.errors, [{ path: 'actionsPerformed', message: 'is required and must not be blank' }]);
    assert.deepEqual(result.allowedActions, []);
  });

  it('a client user of another client is forbidden (the API answers 404) and is offered nothing', () => {
    const stranger: Actor = { id: 'xa', role: 'client_authorizer', clientId: OTHER_CLIENT };
    const result = decide('IN_VALIDATION', { action: 'cancellation', reason: 'not mine' }, stranger, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'forbidden');
    assert.deepEqual(result.allowedActions, []);
  });

  it('a forbidden caller is told what it may do instead', () => {
    const result = decide('IN_VALIDATION', { action: 'validation', decision: 'approve' }, client, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'forbidden');
    assert.deepEqual(result.allowedActions, ['cancellation']);
  });

  it('an unknown action is invalid input, never a crash', () => {
    const bogus = { action: 'teleport' } as unknown as RequestCommand;
    const result = decide('IN_VALIDATION', bogus, operator, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'invalid_input');
    assert.deepEqual(result.errors, [{ path: 'action', message: "unknown action 'teleport'" }]);
  });

  it('an unknown decision is invalid input, even in a state where the action is allowed', () => {
    const bogus = { action: 'validation', decision: 'maybe', reason: 'x' } as unknown as RequestCommand;
    const result = decide('IN_VALIDATION', bogus, operator, REQUEST_CLIENT);
    assert.ok(!result.ok);
    assert.equal(result.code, 'invalid_input');
    assert.deepEqual(result.errors, [{ path: 'decision', message: 'must be one of: approve, incomplete, reject' }]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// commandInputErrors
// ---------------------------------------------------------------------------------------------------------

const REQUIRED = 'is required and must not be blank';
const PRESENT = 'must not be blank when present';

/** Builds a command from an untrusted-looking body, as the API would receive it. */
function body(fields: Record<string, unknown>): RequestCommand {
  return fields as unknown as RequestCommand;
}

describe('request lifecycle: commandInputErrors', () => {
  it('every sample command is valid input', () => {
    for (const { command } of SAMPLE_COMMANDS) assert.deepEqual(commandInputErrors(command), []);
  });

  it('R2: approving needs no reason', () => {
    assert.deepEqual(commandInputErrors({ action: 'validation', decision: 'approve' }), []);
    assert.deepEqual(commandInputErrors({ action: 'validation', decision: 'approve', reason: '' }), []);
  });

  for (const decision of ['incomplete', 'reject'] as const) {
    it(`R2: ${decision} requires a non-blank reason`, () => {
      assert.deepEqual(commandInputErrors({ action: 'validation', decision }), [{ path: 'reason', message: REQUIRED }]);
      assert.deepEqual(commandInputErrors({ action: 'validation', decision, reason: ' \t\n' }), [{ path: 'reason', message: REQUIRED }]);
    });
  }

  it('R2: the validation decision must be one of the allowed values', () => {
    const expected = [{ path: 'decision', message: 'must be one of: approve, incomplete, reject' }];
    assert.deepEqual(commandInputErrors(body({ action: 'validation', decision: 'APPROVE' })), expected);
    assert.deepEqual(commandInputErrors(body({ action: 'validation' })), expected);
  });

  it('R2: a reason that is not text is refused, even on approve', () => {
    assert.deepEqual(commandInputErrors(body({ action: 'validation', decision: 'approve', reason: 42 })), [
      { path: 'reason', message: 'must be a string' },
    ]);
  });

  it('R2: a correction requires a comment', () => {
    assert.deepEqual(commandInputErrors(body({ action: 'correction' })), [{ path: 'comment', message: REQUIRED }]);
    assert.deepEqual(commandInputErrors({ action: 'correction', comment: '   ' }), [{ path: 'comment', message: REQUIRED }]);
  });

  it('R1/R2: a correction may not blank out the instructions or any other field it sends', () => {
    const command = body({ action: 'correction', comment: 'done', instructions: ' ', summary: '', site: null, location: 'R1' });
    assert.deepEqual(commandInputErrors(command), [
      { path: 'instructions', message: PRESENT },
      { path: 'summary', message: PRESENT },
      { path: 'site', message: PRESENT },
    ]);
  });

  it('R2: a correction reports every problem at once', () => {
    assert.deepEqual(commandInputErrors(body({ action: 'correction', comment: '', summary: '' })), [
      { path: 'comment', message: REQUIRED },
      { path: 'summary', message: PRESENT },
    ]);
  });

  it('R4: a report requires the actions performed', () => {
    assert.deepEqual(commandInputErrors(body({ action: 'report' })), [{ path: 'actionsPerformed', message: REQUIRED }]);
    assert.deepEqual(commandInputErrors({ action: 'report', actionsPerformed: '\n' }), [{ path: 'actionsPerformed', message: REQUIRED }]);
  });

  it('R4: a modification requires documented instructions (an undocumented task may never be executed)', () => {
    assert.deepEqual(commandInputErrors({ action: 'confirmation', decision: 'modify' }), [{ path: 'instructions', message: REQUIRED }]);
    assert.deepEqual(commandInputErrors({ action: 'confirmation', decision: 'modify', instructions: '  ' }), [
      { path: 'instructions', message: REQUIRED },
    ]);
  });

  it('R5: accepting needs no instructions', () => {
    assert.deepEqual(commandInputErrors({ action: 'confirmation', decision: 'accept' }), []);
  });

  it('R4/R5: the confirmation decision must be one of the allowed values', () => {
    assert.deepEqual(commandInputErrors(body({ action: 'confirmation', decision: 'ok' })), [
      { path: 'decision', message: 'must be one of: accept, modify' },
    ]);
  });

  it('D6: a cancellation requires a reason', () => {
    assert.deepEqual(commandInputErrors(body({ action: 'cancellation' })), [{ path: 'reason', message: REQUIRED }]);
    assert.deepEqual(commandInputErrors({ action: 'cancellation', reason: ' ' }), [{ path: 'reason', message: REQUIRED }]);
  });

  it('R3: start takes no input', () => {
    assert.deepEqual(commandInputErrors({ action: 'start' }), []);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Timers
// ---------------------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const POLICY: TimingPolicy = {
  validationSlaMs: { low: 3 * DAY, normal: DAY, high: 4 * HOUR, urgent: HOUR },
  executionSlaMs: { low: 5 * DAY, normal: 2 * DAY, high: 8 * HOUR, urgent: 2 * HOUR },
  reminderEveryMs: DAY,
  silenceAfterMs: 5 * DAY,
  silencePolicy: { correction: 'cancel', confirmation: 'close_tacit' },
};

const FILED_AT = Date.UTC(2025, 0, 6, 9, 0, 0);

function clock(overrides: Partial<RequestClock>): RequestClock {
  return {
    status: 'IN_VALIDATION',
    priority: 'normal',
    filedAt: FILED_AT,
    statusSince: FILED_AT,
    remindersSentInStatus: 0,
    validationSlaBreached: false,
    executionSlaBreached: false,
    ...overrides,
  };
}

function withSilence(silencePolicy: SilencePolicy, overrides: Partial<TimingPolicy> = {}): TimingPolicy {
  return { ...POLICY, silencePolicy, ...overrides };
}

describe('request lifecycle: isTerminal', () => {
  const terminal: RequestStatus[] = ['CLOSED', 'REJECTED', 'CANCELLED'];
  for (const status of REQUEST_STATUSES) {
    it(`R5/R2/D6: ${status} is ${terminal.includes(status) ? '' : 'not '}terminal`, () => {
      assert.equal(isTerminal(status), terminal.includes(status));
    });
  }
});

describe('request lifecycle: silenceOutcome', () => {
  const cases: Array<{ status: RequestStatus; policy: SilencePolicy; expected: ReturnType<typeof silenceOutcome> }> = [
    { status: 'AWAITING_CORRECTION', policy: { correction: 'cancel', confirmation: 'remind_only' }, expected: { next: 'CANCELLED', event: 'silence_cancelled' } },
    { status: 'AWAITING_CORRECTION', policy: { correction: 'remind_only', confirmation: 'cancel' }, expected: undefined },
    { status: 'AWAITING_CONFIRMATION', policy: { correction: 'remind_only', confirmation: 'close_tacit' }, expected: { next: 'CLOSED', event: 'silence_tacit_conformity' } },
    { status: 'AWAITING_CONFIRMATION', policy: { correction: 'remind_only', confirmation: 'cancel' }, expected: { next: 'CANCELLED', event: 'silence_cancelled' } },
    { status: 'AWAITING_CONFIRMATION', policy: { correction: 'cancel', confirmation: 'remind_only' }, expected: undefined },
  ];
  for (const { status, policy, expected } of cases) {
    it(`D6: silence in ${status} with ${JSON.stringify(policy)} → ${expected ? expected.event : 'remind only'}`, () => {
      assert.deepEqual(silenceOutcome(status, policy), expected);
    });
  }

  const notWaiting = REQUEST_STATUSES.filter((s) => s !== 'AWAITING_CORRECTION' && s !== 'AWAITING_CONFIRMATION');
  for (const status of notWaiting) {
    it(`D6: silence has no effect in ${status} (the request is not waiting for its client)`, () => {
      assert.equal(silenceOutcome(status, { correction: 'cancel', confirmation: 'cancel' }), undefined);
    });
  }
});

describe('request lifecycle: nextDeadline', () => {
  it('D7: a new request waits for its validation SLA, sized by priority', () => {
    assert.deepEqual(nextDeadline(clock({}), POLICY), { kind: 'validation_sla_breach', at: FILED_AT + DAY });
    assert.deepEqual(nextDeadline(clock({ priority: 'urgent' }), POLICY), { kind: 'validation_sla_breach', at: FILED_AT + HOUR });
  });

  it('D7: a validation SLA breach fires once', () => {
    assert.equal(nextDeadline(clock({ validationSlaBreached: true }), POLICY), undefined);
  });

  it('R2/D7: the validation SLA counts from filing, including time awaiting correction', () => {
    // Sent back 2 h after filing: the 24 h SLA ends before the first (24 h) reminder.
    const c = clock({ status: 'AWAITING_CORRECTION', statusSince: FILED_AT + 2 * HOUR });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'validation_sla_breach', at: FILED_AT + DAY });
  });

  it('R2/D7: back in validation after a correction, the SLA still counts from filing', () => {
    const c = clock({ statusSince: FILED_AT + 3 * HOUR, priority: 'low' });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'validation_sla_breach', at: FILED_AT + 3 * DAY });
  });

  it('D6: awaiting correction with the SLA already breached, the next thing is a reminder', () => {
    const c = clock({ status: 'AWAITING_CORRECTION', statusSince: FILED_AT + 2 * HOUR, validationSlaBreached: true });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'reminder', at: FILED_AT + 2 * HOUR + DAY });
  });

  it('D6: the n-th reminder comes n periods after the status was entered', () => {
    const since = FILED_AT + HOUR;
    const c = clock({ status: 'AWAITING_CORRECTION', statusSince: since, validationSlaBreached: true, remindersSentInStatus: 3 });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'reminder', at: since + 4 * DAY });
  });

  it('D6: no reminder is scheduled at or after the silence instant; the silence policy comes instead', () => {
    const since = FILED_AT + HOUR;
    // 4 sent: the 5th would fall exactly on the 5-day silence instant.
    const c = clock({ status: 'AWAITING_CORRECTION', statusSince: since, validationSlaBreached: true, remindersSentInStatus: 4 });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'silence_policy', at: since + 5 * DAY });
  });

  it('D6: with remind_only, reminders continue past the silence period', () => {
    const since = FILED_AT + HOUR;
    const policy = withSilence({ correction: 'remind_only', confirmation: 'remind_only' });
    const c = clock({ status: 'AWAITING_CORRECTION', statusSince: since, validationSlaBreached: true, remindersSentInStatus: 7 });
    assert.deepEqual(nextDeadline(c, policy), { kind: 'reminder', at: since + 8 * DAY });
  });

  it(`D6: with remind_only, reminders stop after ${MAX_REMINDERS_PER_STATUS} per status (no endless loop)`, () => {
    assert.equal(MAX_REMINDERS_PER_STATUS, 10);
    const policy = withSilence({ correction: 'remind_only', confirmation: 'remind_only' });
    const base = { status: 'AWAITING_CONFIRMATION' as const, validatedAt: FILED_AT, approvedAt: FILED_AT, reportedAt: FILED_AT };
    assert.equal(nextDeadline(clock({ ...base, remindersSentInStatus: 9 }), policy)?.kind, 'reminder');
    assert.equal(nextDeadline(clock({ ...base, remindersSentInStatus: 10 }), policy), undefined);
  });

  it('D6: a non-positive reminder period means no reminders, never a burst', () => {
    const policy = withSilence({ correction: 'remind_only', confirmation: 'remind_only' }, { reminderEveryMs: 0 });
    const c = clock({ status: 'AWAITING_CORRECTION', validationSlaBreached: true });
    assert.equal(nextDeadline(c, policy), undefined);
  });

  it('R3/D7: once approved, the execution SLA counts from the first approval', () => {
    const approvedAt = FILED_AT + 3 * HOUR;
    const c = clock({ status: 'APPROVED', statusSince: approvedAt, validatedAt: approvedAt, approvedAt, priority: 'high' });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'execution_sla_breach', at: approvedAt + 8 * HOUR });
  });

  it('R3/D7: the execution SLA is still pending while executing and fires once', () => {
    const approvedAt = FILED_AT + HOUR;
    const executing = clock({ status: 'IN_EXECUTION', statusSince: approvedAt + HOUR, validatedAt: approvedAt, approvedAt });
    assert.deepEqual(nextDeadline(executing, POLICY), { kind: 'execution_sla_breach', at: approvedAt + 2 * DAY });
    assert.equal(nextDeadline({ ...executing, executionSlaBreached: true }, POLICY), undefined);
  });

  it('R4/D7: after the first report the execution SLA is over, also through a modification round', () => {
    const approvedAt = FILED_AT + HOUR;
    const c = clock({ status: 'MODIFICATION_REQUESTED', statusSince: approvedAt + DAY, validatedAt: approvedAt, approvedAt, reportedAt: approvedAt + HOUR });
    assert.equal(nextDeadline(c, POLICY), undefined);
  });

  it('R5/D6: awaiting confirmation, the first reminder comes before tacit conformity', () => {
    const reportedAt = FILED_AT + DAY;
    const c = clock({ status: 'AWAITING_CONFIRMATION', statusSince: reportedAt, validatedAt: FILED_AT, approvedAt: FILED_AT, reportedAt });
    assert.deepEqual(nextDeadline(c, POLICY), { kind: 'reminder', at: reportedAt + DAY });
  });

  it('R5/D6: a silence shorter than the reminder period goes straight to the silence policy', () => {
    const reportedAt = FILED_AT + DAY;
    const policy = withSilence({ correction: 'cancel', confirmation: 'close_tacit' }, { silenceAfterMs: 12 * HOUR });
    const c = clock({ status: 'AWAITING_CONFIRMATION', statusSince: reportedAt, validatedAt: FILED_AT, approvedAt: FILED_AT, reportedAt });
    assert.deepEqual(nextDeadline(c, policy), { kind: 'silence_policy', at: reportedAt + 12 * HOUR });
  });

  for (const status of ['CLOSED', 'REJECTED', 'CANCELLED'] as const) {
    it(`R5/R2/D6: nothing is pending in ${status}, even with SLAs never met`, () => {
      assert.equal(nextDeadline(clock({ status, approvedAt: FILED_AT }), POLICY), undefined);
    });
  }

  describe('ties: breach, then silence, then reminder', () => {
    it('an SLA breach wins over the silence policy at the same instant', () => {
      // Filed, sent back at once; validation SLA and silence both at +1 day.
      const policy = withSilence({ correction: 'cancel', confirmation: 'close_tacit' }, { silenceAfterMs: DAY, reminderEveryMs: 2 * DAY });
      const c = clock({ status: 'AWAITING_CORRECTION' });
      assert.deepEqual(nextDeadline(c, policy), { kind: 'validation_sla_breach', at: FILED_AT + DAY });
    });

    it('an SLA breach wins over a reminder at the same instant', () => {
      const policy = withSilence({ correction: 'remind_only', confirmation: 'remind_only' });
      const c = clock({ status: 'AWAITING_CORRECTION' }); // reminder and 24 h SLA both at +1 day
      assert.deepEqual(nextDeadline(c, policy), { kind: 'validation_sla_breach', at: FILED_AT + DAY });
    });

    it('once the breach is recorded, the silence policy comes at that same instant', () => {
      const policy = withSilence({ correction: 'cancel', confirmation: 'close_tacit' }, { silenceAfterMs: DAY, reminderEveryMs: 2 * DAY });
      const c = clock({ status: 'AWAITING_CORRECTION', validationSlaBreached: true });
      assert.deepEqual(nextDeadline(c, policy), { kind: 'silence_policy', at: FILED_AT + DAY });
    });

    it('the silence policy wins over a reminder due at the same instant', () => {
      const policy = withSilence({ correction: 'cancel', confirmation: 'close_tacit' }, { silenceAfterMs: DAY, reminderEveryMs: DAY });
      const c = clock({ status: 'AWAITING_CORRECTION', validationSlaBreached: true });
      assert.deepEqual(nextDeadline(c, policy), { kind: 'silence_policy', at: FILED_AT + DAY });
    });

    it('the validation breach comes before the execution breach when both are somehow due together', () => {
      // An inconsistent clock (approved but never validated): still a deterministic answer.
      const policy: TimingPolicy = { ...POLICY, executionSlaMs: { ...POLICY.executionSlaMs, normal: DAY } };
      const c = clock({ status: 'APPROVED', approvedAt: FILED_AT });
      assert.deepEqual(nextDeadline(c, policy), { kind: 'validation_sla_breach', at: FILED_AT + DAY });
    });
  });
});
