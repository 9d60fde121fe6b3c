/**
 * Unit tests of domain/request-state.ts: how filing, a decided transition, an SLA timer, a reminder or the
 * silence policy (PRO-2132 R1-R5, D6) changes one request's state, and the audit event each change writes.
 *
 * The functions are pure, so every call here also checks that the state it was given is left untouched
 * (`apply` and `deadline` below compare it against a structuredClone taken before the call). The `next`
 * status and event type a transition leads to are written out by hand from api.md "RHS requests", as the
 * workflow would receive them from `decide()`; they are inputs here, not what is under test.
 */
import assert from 'node:assert/strict';
import type { Actor } from '../../domain/roles';
import { REQUEST_STATUSES, TERMINAL_STATUSES, type RequestCommand, type RequestFields, type RequestStatus } from '../../domain/request-types';
import type { DeadlineKind, SilencePolicy } from '../../domain/request-lifecycle';
import { applyCommand, applyDeadline, fileRequest, type Change, type RequestState } from '../../domain/request-state';

// ---------------------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Distinct instants, so a timestamp taken from the wrong moment never passes by accident. */
const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const T1 = T0 + 1 * HOUR;
const T2 = T0 + 2 * HOUR + 7 * MINUTE;
const T3 = T0 + 3 * HOUR + 13 * MINUTE;
const T4 = T0 + 4 * HOUR + 29 * MINUTE;
const T5 = T0 + 5 * HOUR + 31 * MINUTE;
const T6 = T0 + 6 * HOUR + 43 * MINUTE;
const T7 = T0 + 7 * HOUR + 59 * MINUTE;

const iso = (ms: number): string => new Date(ms).toISOString();

const FIELDS: RequestFields = {
  site: 'MAD-1',
  summary: 'Reboot srv-12',
  instructions: 'Power-cycle srv-12 in rack R12, U7, then check the link lights.',
  priority: 'high',
  location: 'Row B',
};

const FILER = { id: 'user-cu', role: 'client_authorized' as const };
const CLIENT: Actor = { id: 'user-ca', role: 'client_authorizer', clientId: 'client-a' };
const OPERATOR: Actor = { id: 'op-1', role: 'operator_l1' };
const OTHER_OPERATOR: Actor = { id: 'op-2', role: 'operator_l1' };
const SYSTEM = { id: 'system', role: 'system' };

const ALL_SILENCE: SilencePolicy = { correction: 'cancel', confirmation: 'close_tacit' };

function filed(fields: RequestFields = FIELDS, now = T0): Change {
  return fileRequest({ requestId: 'req-1', number: 'RHS-000001', clientId: 'client-a', fields, filedBy: FILER, now });
}

/** A state in `status` that has been there since `statusSince`, with anything else overridden. */
function stateIn(status: RequestStatus, overrides: Partial<RequestState> = {}, clock: Partial<RequestState['clock']> = {}): RequestState {
  const base = filed().state;
  return {
    ...base,
    status,
    version: 5,
    eventSeq: 5,
    ...overrides,
    clock: { ...base.clock, status, statusSince: T1, ...clock },
  };
}

/** applyCommand, asserting on the way that the given state was not touched. */
function apply(state: RequestState, command: RequestCommand, actor: Actor, next: RequestStatus, eventType: string, now: number): Change {
  const before = structuredClone(state);
  const change = applyCommand(state, command, actor, next, eventType, now);
  assert.deepEqual(state, before, 'applyCommand mutated the state it was given');
  return change;
}

/** applyDeadline, asserting on the way that the given state was not touched. */
function deadline(state: RequestState, kind: DeadlineKind, policy: SilencePolicy, now: number): Change | undefined {
  const before = structuredClone(state);
  const change = applyDeadline(state, kind, policy, now);
  assert.deepEqual(state, before, 'applyDeadline mutated the state it was given');
  return change;
}

function defined(change: Change | undefined): Change {
  assert.ok(change !== undefined, 'expected a change');
  return change;
}

// The transitions of api.md "RHS requests", one helper each, as the workflow applies them.
const approve = (s: RequestState, now: number, reason?: string) =>
  apply(s, reason === undefined ? { action: 'validation', decision: 'approve' } : { action: 'validation', decision: 'approve', reason }, OPERATOR, 'APPROVED', 'validation_approved', now);
const incomplete = (s: RequestState, now: number, reason = 'which rack?') =>
  apply(s, { action: 'validation', decision: 'incomplete', reason }, OPERATOR, 'AWAITING_CORRECTION', 'validation_incomplete', now);
const reject = (s: RequestState, now: number, reason = 'would cut the core switch') =>
  apply(s, { action: 'validation', decision: 'reject', reason }, OPERATOR, 'REJECTED', 'validation_rejected', now);
const correct = (s: RequestState, now: number, command: Omit<Extract<RequestCommand, { action: 'correction' }>, 'action'> = { comment: 'rack added' }) =>
  apply(s, { action: 'correction', ...command }, CLIENT, 'IN_VALIDATION', 'corrected', now);
const start = (s: RequestState, now: number, actor: Actor = OPERATOR) => apply(s, { action: 'start' }, actor, 'IN_EXECUTION', 'execution_started', now);
const report = (s: RequestState, now: number, actionsPerformed = 'rebooted srv-12') =>
  apply(s, { action: 'report', actionsPerformed }, OPERATOR, 'AWAITING_CONFIRMATION', 'execution_reported', now);
const accept = (s: RequestState, now: number) =>
  apply(s, { action: 'confirmation', decision: 'accept' }, CLIENT, 'CLOSED', 'conformity_recorded', now);
const modify = (s: RequestState, now: number, instructions = 'also reseat the PSU') =>
  apply(s, { action: 'confirmation', decision: 'modify', instructions }, CLIENT, 'MODIFICATION_REQUESTED', 'modification_requested', now);
const cancel = (s: RequestState, now: number, reason = 'fixed remotely') =>
  apply(s, { action: 'cancellation', reason }, CLIENT, 'CANCELLED', 'cancelled', now);

// ---------------------------------------------------------------------------------------------------------
// fileRequest
// ---------------------------------------------------------------------------------------------------------

describe('request state: fileRequest', () => {
  it('R1: a filed request starts in validation at version 1 with a fresh clock', () => {
    const { state } = filed();
    assert.deepEqual(state, {
      requestId: 'req-1',
      number: 'RHS-000001',
      clientId: 'client-a',
      fields: FIELDS,
      status: 'IN_VALIDATION',
      version: 1,
      eventSeq: 1,
      filedBy: FILER,
      clock: {
        status: 'IN_VALIDATION',
        priority: 'high',
        filedAt: T0,
        statusSince: T0,
        remindersSentInStatus: 0,
        validationSlaBreached: false,
        executionSlaBreached: false,
      },
      incompleteRounds: 0,
      modificationRounds: 0,
    });
  });

  it("R1: filing writes audit event 1, 'filed', into IN_VALIDATION, carrying every filed field", () => {
    const fields: RequestFields = { ...FIELDS, taskType: 'reboot', scheduledFor: '2025-01-07T08:00:00Z' };
    const { event } = filed(fields, T2);
    assert.deepEqual(event, {
      seq: 1,
      type: 'filed',
      at: '2025-01-06T11:07:00.000Z',
      actor: FILER,
      to: 'IN_VALIDATION',
      details: {
        site: 'MAD-1',
        summary: 'Reboot srv-12',
        instructions: 'Power-cycle srv-12 in rack R12, U7, then check the link lights.',
        priority: 'high',
        location: 'Row B',
        taskType: 'reboot',
        scheduledFor: '2025-01-07T08:00:00Z',
      },
    });
    assert.equal('from' in event, false, 'a filing comes from no status');
  });

  it('R1: the clock takes its priority from the filed fields', () => {
    assert.equal(filed({ ...FIELDS, priority: 'urgent' }).state.clock.priority, 'urgent');
    assert.equal(filed({ ...FIELDS, priority: 'low' }).state.clock.priority, 'low');
  });

  it("R1: the 'filed' event holds a copy of the fields, not the state's own object", () => {
    const { state, event } = filed();
    assert.notEqual(event.details, state.fields);
    event.details.summary = 'changed afterwards';
    assert.equal(state.fields.summary, 'Reboot srv-12');
  });

  it('R1: filing does not modify its input', () => {
    const input = { requestId: 'req-1', number: 'RHS-000001', clientId: 'client-a', fields: { ...FIELDS }, filedBy: { ...FILER }, now: T0 };
    const before = structuredClone(input);
    fileRequest(input);
    assert.deepEqual(input, before);
  });
});

// ---------------------------------------------------------------------------------------------------------
// applyCommand, per action
// ---------------------------------------------------------------------------------------------------------

describe('request state: validation (R2)', () => {
  it('R2: approve enters APPROVED and sets validatedAt and approvedAt', () => {
    const { state, event } = approve(filed().state, T1);
    assert.equal(state.status, 'APPROVED');
    assert.equal(state.clock.status, 'APPROVED');
    assert.equal(state.clock.statusSince, T1);
    assert.equal(state.clock.validatedAt, T1);
    assert.equal(state.clock.approvedAt, T1);
    assert.equal(state.incompleteRounds, 0);
    assert.equal(state.endedAt, undefined);
    assert.deepEqual(event, {
      seq: 2,
      type: 'validation_approved',
      at: iso(T1),
      actor: { id: 'op-1', role: 'operator_l1' },
      from: 'IN_VALIDATION',
      to: 'APPROVED',
      details: { decision: 'approve' },
    });
  });

  it('R2: an approval carries its reason only when one is given', () => {
    assert.deepEqual(approve(filed().state, T1).event.details, { decision: 'approve' });
    assert.equal('reason' in approve(filed().state, T1).event.details, false);
    assert.deepEqual(approve(filed().state, T1, 'all clear').event.details, { decision: 'approve', reason: 'all clear' });
  });

  it('R2: incomplete sends the request back, counts a round and sets neither validatedAt nor approvedAt', () => {
    const { state, event } = incomplete(filed().state, T1, 'no rack number');
    assert.equal(state.status, 'AWAITING_CORRECTION');
    assert.equal(state.clock.status, 'AWAITING_CORRECTION');
    assert.equal(state.clock.statusSince, T1);
    assert.equal(state.incompleteRounds, 1);
    assert.equal(state.clock.validatedAt, undefined);
    assert.equal(state.clock.approvedAt, undefined);
    assert.equal(state.endedAt, undefined);
    assert.deepEqual(event, {
      seq: 2,
      type: 'validation_incomplete',
      at: iso(T1),
      actor: { id: 'op-1', role: 'operator_l1' },
      from: 'IN_VALIDATION',
      to: 'AWAITING_CORRECTION',
      details: { decision: 'incomplete', reason: 'no rack number' },
    });
  });

  it('R2: reject ends the request: validatedAt and endedAt set, approvedAt not', () => {
    const { state, event } = reject(filed().state, T1, 'a risk to the service');
    assert.equal(state.status, 'REJECTED');
    assert.equal(state.clock.validatedAt, T1);
    assert.equal(state.clock.approvedAt, undefined);
    assert.equal(state.endedAt, T1);
    assert.equal(state.closure, undefined);
    assert.equal(state.closedAt, undefined);
    assert.equal(state.incompleteRounds, 0);
    assert.deepEqual(event.details, { decision: 'reject', reason: 'a risk to the service' });
    assert.equal(event.type, 'validation_rejected');
    assert.equal(event.from, 'IN_VALIDATION');
    assert.equal(event.to, 'REJECTED');
  });

  it('R2: incomplete rounds accumulate, and validation is timed at the final decision', () => {
    let s = incomplete(filed().state, T1).state;
    s = correct(s, T2).state;
    s = incomplete(s, T3).state;
    assert.equal(s.incompleteRounds, 2);
    assert.equal(s.clock.validatedAt, undefined);
    s = correct(s, T4).state;
    const { state } = approve(s, T5);
    assert.equal(state.incompleteRounds, 2);
    assert.equal(state.clock.validatedAt, T5);
    assert.equal(state.clock.approvedAt, T5);
    assert.equal(state.clock.filedAt, T0);
  });

  it('R2: validatedAt and approvedAt keep their first value (set once)', () => {
    const validated = stateIn('IN_VALIDATION', {}, { validatedAt: T1, approvedAt: T2 });
    const again = approve(validated, T5).state;
    assert.equal(again.clock.validatedAt, T1);
    assert.equal(again.clock.approvedAt, T2);

    const rejectedAfter = reject(stateIn('IN_VALIDATION', {}, { validatedAt: T1 }), T5).state;
    assert.equal(rejectedAfter.clock.validatedAt, T1);
    assert.equal(rejectedAfter.clock.approvedAt, undefined);

    const incompleteAfter = incomplete(stateIn('IN_VALIDATION', {}, { validatedAt: T1, approvedAt: T2 }), T5).state;
    assert.equal(incompleteAfter.clock.validatedAt, T1);
    assert.equal(incompleteAfter.clock.approvedAt, T2);
  });

  it('R2: approvedAt is set on the first approval even when validatedAt already holds a value', () => {
    const { state } = approve(stateIn('IN_VALIDATION', {}, { validatedAt: T1 }), T5);
    assert.equal(state.clock.validatedAt, T1);
    assert.equal(state.clock.approvedAt, T5);
  });
});

describe('request state: correction (R2)', () => {
  const awaiting = () => incomplete(filed().state, T1).state;

  it('R2: a correction changes only the fields it sends and records exactly those changes', () => {
    const { state, event } = correct(awaiting(), T2, { comment: 'rack added', instructions: 'Power-cycle srv-12 in R12-U20.' });
    assert.deepEqual(state.fields, { ...FIELDS, instructions: 'Power-cycle srv-12 in R12-U20.' });
    assert.deepEqual(event, {
      seq: 3,
      type: 'corrected',
      at: iso(T2),
      actor: { id: 'user-ca', role: 'client_authorizer' },
      from: 'AWAITING_CORRECTION',
      to: 'IN_VALIDATION',
      details: { comment: 'rack added', changes: { instructions: 'Power-cycle srv-12 in R12-U20.' } },
    });
    assert.equal(state.status, 'IN_VALIDATION');
    assert.equal(state.clock.statusSince, T2);
  });

  it('R2: a correction may replace instructions, summary, site and location at once; priority and the rest stay', () => {
    const s = stateIn('AWAITING_CORRECTION', { fields: { ...FIELDS, taskType: 'reboot', scheduledFor: '2025-01-07T08:00:00Z' } });
    const { state, event } = correct(s, T2, {
      comment: 'all redone',
      instructions: 'new instructions',
      summary: 'new summary',
      site: 'MAD-2',
      location: 'Row C',
    });
    assert.deepEqual(state.fields, {
      site: 'MAD-2',
      summary: 'new summary',
      instructions: 'new instructions',
      priority: 'high',
      location: 'Row C',
      taskType: 'reboot',
      scheduledFor: '2025-01-07T08:00:00Z',
    });
    assert.deepEqual(event.details, {
      comment: 'all redone',
      changes: { instructions: 'new instructions', summary: 'new summary', site: 'MAD-2', location: 'Row C' },
    });
  });

  it('R2: a correction may add a location the filing did not have', () => {
    const { location: _omitted, ...withoutLocation } = FIELDS;
    const s = stateIn('AWAITING_CORRECTION', { fields: withoutLocation });
    const { state, event } = correct(s, T2, { comment: 'where', location: 'R12-U20' });
    assert.equal(state.fields.location, 'R12-U20');
    assert.deepEqual(event.details, { comment: 'where', changes: { location: 'R12-U20' } });
  });

  it('R2: a correction with a comment only changes no field and records empty changes', () => {
    const s = awaiting();
    const { state, event } = correct(s, T2, { comment: 'see attachment' });
    assert.deepEqual(state.fields, FIELDS);
    assert.deepEqual(event.details, { comment: 'see attachment', changes: {} });
  });

  it('R2: the corrected fields are a new object; the earlier state keeps its fields', () => {
    const s = awaiting();
    const { state } = correct(s, T2, { comment: 'c', summary: 'other' });
    assert.notEqual(state.fields, s.fields);
    assert.equal(s.fields.summary, 'Reboot srv-12');
  });
});

describe('request state: start (R3, R4)', () => {
  it('R3: starting execution records when and by whom', () => {
    const approved = approve(filed().state, T1).state;
    const { state, event } = start(approved, T2);
    assert.equal(state.status, 'IN_EXECUTION');
    assert.equal(state.executionStartedAt, T2);
    assert.equal(state.executedBy, 'op-1');
    assert.deepEqual(event, {
      seq: 3,
      type: 'execution_started',
      at: iso(T2),
      actor: { id: 'op-1', role: 'operator_l1' },
      from: 'APPROVED',
      to: 'IN_EXECUTION',
      details: {},
    });
  });

  it('R4: a modification round keeps the first start time but records who executed last', () => {
    let s = approve(filed().state, T1).state;
    s = start(s, T2, OPERATOR).state;
    s = report(s, T3).state;
    s = modify(s, T4).state;
    const { state, event } = start(s, T5, OTHER_OPERATOR);
    assert.equal(state.executionStartedAt, T2);
    assert.equal(state.executedBy, 'op-2');
    assert.equal(event.from, 'MODIFICATION_REQUESTED');
    assert.deepEqual(event.actor, { id: 'op-2', role: 'operator_l1' });
  });
});

describe('request state: report (R4)', () => {
  const executing = () => start(approve(filed().state, T1).state, T2).state;

  it('R4: a report awaits confirmation, records the actions performed and sets reportedAt', () => {
    const { state, event } = report(executing(), T3, 'rebooted srv-12, photos attached');
    assert.equal(state.status, 'AWAITING_CONFIRMATION');
    assert.equal(state.clock.reportedAt, T3);
    assert.equal(state.clock.statusSince, T3);
    assert.deepEqual(event, {
      seq: 4,
      type: 'execution_reported',
      at: iso(T3),
      actor: { id: 'op-1', role: 'operator_l1' },
      from: 'IN_EXECUTION',
      to: 'AWAITING_CONFIRMATION',
      details: { actionsPerformed: 'rebooted srv-12, photos attached' },
    });
  });

  it('R4: the report of a modification round keeps the first reportedAt', () => {
    let s = report(executing(), T3, 'first').state;
    s = modify(s, T4).state;
    s = start(s, T5).state;
    const { state, event } = report(s, T6, 'second');
    assert.equal(state.clock.reportedAt, T3);
    assert.deepEqual(event.details, { actionsPerformed: 'second' });
  });
});

describe('request state: confirmation (R4, R5)', () => {
  const awaitingConfirmation = () => report(start(approve(filed().state, T1).state, T2).state, T3).state;

  it('R5: accepting records conformity and closes the request', () => {
    const { state, event } = accept(awaitingConfirmation(), T4);
    assert.equal(state.status, 'CLOSED');
    assert.equal(state.closure, 'conformity');
    assert.equal(state.closedAt, T4);
    assert.equal(state.endedAt, T4);
    assert.equal(state.modificationRounds, 0);
    assert.deepEqual(event, {
      seq: 5,
      type: 'conformity_recorded',
      at: iso(T4),
      actor: { id: 'user-ca', role: 'client_authorizer' },
      from: 'AWAITING_CONFIRMATION',
      to: 'CLOSED',
      details: { decision: 'accept' },
    });
  });

  it('R4: asking for modifications counts a round and records the documented instructions', () => {
    const { state, event } = modify(awaitingConfirmation(), T4, 'swap the other disk');
    assert.equal(state.status, 'MODIFICATION_REQUESTED');
    assert.equal(state.modificationRounds, 1);
    assert.equal(state.closure, undefined);
    assert.equal(state.closedAt, undefined);
    assert.equal(state.endedAt, undefined);
    assert.deepEqual(event, {
      seq: 5,
      type: 'modification_requested',
      at: iso(T4),
      actor: { id: 'user-ca', role: 'client_authorizer' },
      from: 'AWAITING_CONFIRMATION',
      to: 'MODIFICATION_REQUESTED',
      details: { decision: 'modify', instructions: 'swap the other disk', round: 1 },
    });
  });

  it('R4/D1: each modification round is numbered, and the closing after them is still one conformity', () => {
    let s = modify(awaitingConfirmation(), T4, 'round one').state;
    s = report(start(s, T5).state, T6).state;
    const second = modify(s, T7, 'round two');
    assert.equal(second.state.modificationRounds, 2);
    assert.deepEqual(second.event.details, { decision: 'modify', instructions: 'round two', round: 2 });

    const closeAt = T7 + HOUR;
    const closed = accept(report(start(second.state, closeAt - 2 * MINUTE).state, closeAt - MINUTE).state, closeAt).state;
    assert.equal(closed.closure, 'conformity');
    assert.equal(closed.closedAt, closeAt);
    assert.equal(closed.modificationRounds, 2);
  });
});

describe('request state: cancellation (D6)', () => {
  const before: Array<{ label: string; state: () => RequestState; from: RequestStatus }> = [
    { label: 'in validation', state: () => filed().state, from: 'IN_VALIDATION' },
    { label: 'awaiting correction', state: () => incomplete(filed().state, T1).state, from: 'AWAITING_CORRECTION' },
    { label: 'approved', state: () => approve(filed().state, T1).state, from: 'APPROVED' },
  ];
  for (const { label, state: make, from } of before) {
    it(`D6: a request cancelled ${label} ends with the reason recorded`, () => {
      const s = make();
      const { state, event } = cancel(s, T3, 'fixed remotely');
      assert.equal(state.status, 'CANCELLED');
      assert.equal(state.clock.status, 'CANCELLED');
      assert.equal(state.endedAt, T3);
      assert.equal(state.closure, undefined);
      assert.equal(state.closedAt, undefined);
      assert.deepEqual(event, {
        seq: s.eventSeq + 1,
        type: 'cancelled',
        at: iso(T3),
        actor: { id: 'user-ca', role: 'client_authorizer' },
        from,
        to: 'CANCELLED',
        details: { reason: 'fixed remotely' },
      });
    });
  }
});

describe('request state: the audit actor', () => {
  it('R1-R5: the event records only the id and role of the actor, not its client', () => {
    const { event } = correct(incomplete(filed().state, T1).state, T2);
    assert.deepEqual(event.actor, { id: 'user-ca', role: 'client_authorizer' });
    assert.equal('clientId' in event.actor, false);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Entering a status
// ---------------------------------------------------------------------------------------------------------

describe('request state: entering a status', () => {
  for (const next of REQUEST_STATUSES) {
    const terminal = TERMINAL_STATUSES.includes(next);
    it(`R2-R5/D6: entering ${next} resets statusSince and reminders${terminal ? ' and sets endedAt' : ', endedAt stays unset'}`, () => {
      // From a status other than `next`, with reminders already sent there.
      const from: RequestStatus = next === 'AWAITING_CORRECTION' ? 'AWAITING_CONFIRMATION' : 'AWAITING_CORRECTION';
      const s = stateIn(from, {}, { remindersSentInStatus: 3 });
      const { state, event } = apply(s, { action: 'cancellation', reason: 'x' }, CLIENT, next, 'some_event', T4);
      assert.equal(state.status, next);
      assert.equal(state.clock.status, next);
      assert.equal(state.clock.statusSince, T4);
      assert.equal(state.clock.remindersSentInStatus, 0);
      assert.equal(state.endedAt, terminal ? T4 : undefined);
      assert.equal(event.from, from);
      assert.equal(event.to, next);
    });
  }

  it('R2: leaving a waiting status clears its reminder count, and the next wait counts from zero', () => {
    let s = incomplete(filed().state, T1).state;
    s = defined(deadline(s, 'reminder', ALL_SILENCE, T2)).state;
    s = defined(deadline(s, 'reminder', ALL_SILENCE, T3)).state;
    assert.equal(s.clock.remindersSentInStatus, 2);
    s = correct(s, T4).state;
    assert.equal(s.clock.remindersSentInStatus, 0);
    s = incomplete(s, T5).state;
    const { state, event } = defined(deadline(s, 'reminder', ALL_SILENCE, T6));
    assert.equal(state.clock.remindersSentInStatus, 1);
    assert.deepEqual(event.details, { awaiting: 'AWAITING_CORRECTION', reminder: 1 });
  });

  it('a transition into the status the request is already in keeps statusSince and the reminder count', () => {
    const s = stateIn('IN_EXECUTION', { executionStartedAt: T1, executedBy: 'op-1' }, { remindersSentInStatus: 2 });
    const { state, event } = apply(s, { action: 'start' }, OTHER_OPERATOR, 'IN_EXECUTION', 'execution_started', T5);
    assert.equal(state.status, 'IN_EXECUTION');
    assert.equal(state.clock.statusSince, T1);
    assert.equal(state.clock.remindersSentInStatus, 2);
    assert.equal(state.executionStartedAt, T1);
    assert.equal(state.executedBy, 'op-2');
    assert.equal(state.endedAt, undefined);
    assert.equal(state.version, 6);
    assert.equal(event.from, 'IN_EXECUTION');
    assert.equal(event.to, 'IN_EXECUTION');
  });

  it('D6: staying in a terminal status does not move endedAt', () => {
    const s = stateIn('CANCELLED', { endedAt: T1 }, { statusSince: T1 });
    const { state } = apply(s, { action: 'cancellation', reason: 'again' }, CLIENT, 'CANCELLED', 'cancelled', T5);
    assert.equal(state.endedAt, T1);
    assert.equal(state.clock.statusSince, T1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// applyDeadline
// ---------------------------------------------------------------------------------------------------------

describe('request state: SLA breaches (D7)', () => {
  it('D7: a validation SLA breach is flagged and recorded without changing the status', () => {
    const s = incomplete(filed({ ...FIELDS, priority: 'urgent' }).state, T1).state;
    const { state, event } = defined(deadline(s, 'validation_sla_breach', ALL_SILENCE, T2));
    assert.equal(state.clock.validationSlaBreached, true);
    assert.equal(state.clock.executionSlaBreached, false);
    assert.equal(state.status, 'AWAITING_CORRECTION');
    assert.equal(state.clock.statusSince, T1);
    assert.deepEqual(event, {
      seq: 3,
      type: 'validation_sla_breached',
      at: iso(T2),
      actor: SYSTEM,
      from: 'AWAITING_CORRECTION',
      to: 'AWAITING_CORRECTION',
      details: { priority: 'urgent' },
    });
  });

  it('D7: an execution SLA breach is flagged and recorded without changing the status', () => {
    const s = start(approve(filed({ ...FIELDS, priority: 'low' }).state, T1).state, T2).state;
    const { state, event } = defined(deadline(s, 'execution_sla_breach', ALL_SILENCE, T3));
    assert.equal(state.clock.executionSlaBreached, true);
    assert.equal(state.clock.validationSlaBreached, false);
    assert.equal(state.status, 'IN_EXECUTION');
    assert.equal(state.clock.statusSince, T2);
    assert.deepEqual(event, {
      seq: 4,
      type: 'execution_sla_breached',
      at: iso(T3),
      actor: SYSTEM,
      from: 'IN_EXECUTION',
      to: 'IN_EXECUTION',
      details: { priority: 'low' },
    });
  });

  it('D7: the breach priority is the filed priority', () => {
    const approved = stateIn('APPROVED', { fields: { ...FIELDS, priority: 'normal' } }, { priority: 'normal' });
    assert.deepEqual(defined(deadline(approved, 'execution_sla_breach', ALL_SILENCE, T3)).event.details, { priority: 'normal' });
  });
});

describe('request state: reminders (D6)', () => {
  for (const status of ['AWAITING_CORRECTION', 'AWAITING_CONFIRMATION'] as const) {
    it(`D6: reminders in ${status} are counted and name what is awaited`, () => {
      const s = stateIn(status, { version: 9, eventSeq: 14 });
      const first = defined(deadline(s, 'reminder', ALL_SILENCE, T2));
      assert.equal(first.state.clock.remindersSentInStatus, 1);
      assert.equal(first.state.status, status);
      assert.equal(first.state.clock.statusSince, T1);
      assert.deepEqual(first.event, {
        seq: 15,
        type: 'reminder_sent',
        at: iso(T2),
        actor: SYSTEM,
        from: status,
        to: status,
        details: { awaiting: status, reminder: 1 },
      });
      const second = defined(deadline(first.state, 'reminder', ALL_SILENCE, T3));
      assert.equal(second.state.clock.remindersSentInStatus, 2);
      assert.deepEqual(second.event.details, { awaiting: status, reminder: 2 });
      assert.equal(second.event.seq, 16);
      assert.equal(second.state.version, 11);
    });
  }
});

describe('request state: silence policy (D6)', () => {
  it('D6: silence awaiting a correction with policy cancel cancels the request, recorded as the policy', () => {
    const s = stateIn('AWAITING_CORRECTION', {}, { statusSince: T2, remindersSentInStatus: 4 });
    const { state, event } = defined(deadline(s, 'silence_policy', { correction: 'cancel', confirmation: 'close_tacit' }, T6));
    assert.equal(state.status, 'CANCELLED');
    assert.equal(state.clock.status, 'CANCELLED');
    assert.equal(state.clock.statusSince, T6);
    assert.equal(state.clock.remindersSentInStatus, 0);
    assert.equal(state.endedAt, T6);
    assert.equal(state.closure, undefined);
    assert.equal(state.closedAt, undefined);
    assert.deepEqual(event, {
      seq: 6,
      type: 'silence_cancelled',
      at: iso(T6),
      actor: SYSTEM,
      from: 'AWAITING_CORRECTION',
      to: 'CANCELLED',
      details: { policy: 'cancel', silentSince: iso(T2) },
    });
  });

  it('D6: silence awaiting confirmation with policy close_tacit closes with tacit conformity', () => {
    const s = stateIn('AWAITING_CONFIRMATION', {}, { statusSince: T3, remindersSentInStatus: 2 });
    const { state, event } = defined(deadline(s, 'silence_policy', { correction: 'cancel', confirmation: 'close_tacit' }, T7));
    assert.equal(state.status, 'CLOSED');
    assert.equal(state.closure, 'tacit_conformity');
    assert.equal(state.closedAt, T7);
    assert.equal(state.endedAt, T7);
    assert.equal(state.clock.statusSince, T7);
    assert.equal(state.clock.remindersSentInStatus, 0);
    assert.deepEqual(event, {
      seq: 6,
      type: 'silence_tacit_conformity',
      at: iso(T7),
      actor: SYSTEM,
      from: 'AWAITING_CONFIRMATION',
      to: 'CLOSED',
      details: { policy: 'close_tacit', silentSince: iso(T3) },
    });
  });

  it('D6: silence awaiting confirmation with policy cancel cancels, recording the confirmation policy', () => {
    const s = stateIn('AWAITING_CONFIRMATION', {}, { statusSince: T3 });
    const { state, event } = defined(deadline(s, 'silence_policy', { correction: 'remind_only', confirmation: 'cancel' }, T7));
    assert.equal(state.status, 'CANCELLED');
    assert.equal(state.endedAt, T7);
    assert.equal(state.closure, undefined);
    assert.equal(state.closedAt, undefined);
    assert.equal(event.type, 'silence_cancelled');
    assert.deepEqual(event.details, { policy: 'cancel', silentSince: iso(T3) });
  });

  it('D6: silentSince is when the waiting began, not when the request was filed', () => {
    const s = incomplete(filed().state, T4).state;
    const { event } = defined(deadline(s, 'silence_policy', ALL_SILENCE, T7));
    assert.equal(event.details.silentSince, iso(T4));
  });

  const nothing: Array<{ status: RequestStatus; policy: SilencePolicy }> = [
    { status: 'AWAITING_CORRECTION', policy: { correction: 'remind_only', confirmation: 'cancel' } },
    { status: 'AWAITING_CONFIRMATION', policy: { correction: 'cancel', confirmation: 'remind_only' } },
    { status: 'IN_VALIDATION', policy: { correction: 'cancel', confirmation: 'cancel' } },
    { status: 'IN_EXECUTION', policy: { correction: 'cancel', confirmation: 'close_tacit' } },
    { status: 'CLOSED', policy: { correction: 'cancel', confirmation: 'close_tacit' } },
  ];
  for (const { status, policy } of nothing) {
    it(`D6: silence in ${status} with ${JSON.stringify(policy)} changes nothing and writes no event`, () => {
      const s = stateIn(status);
      assert.equal(deadline(s, 'silence_policy', policy, T7), undefined);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// record: version, sequence, from/to
// ---------------------------------------------------------------------------------------------------------

describe('request state: every change bumps version and event seq by one', () => {
  it('continues from whatever version and seq the state holds (they may differ)', () => {
    const s = stateIn('IN_VALIDATION', { version: 7, eventSeq: 12 });
    const byCommand = approve(s, T2);
    assert.equal(byCommand.state.version, 8);
    assert.equal(byCommand.state.eventSeq, 13);
    assert.equal(byCommand.event.seq, 13);

    const byTimer = defined(deadline(s, 'validation_sla_breach', ALL_SILENCE, T2));
    assert.equal(byTimer.state.version, 8);
    assert.equal(byTimer.state.eventSeq, 13);
    assert.equal(byTimer.event.seq, 13);

    const bySilence = defined(deadline(stateIn('AWAITING_CORRECTION', { version: 3, eventSeq: 40 }), 'silence_policy', ALL_SILENCE, T2));
    assert.equal(bySilence.state.version, 4);
    assert.equal(bySilence.state.eventSeq, 41);
    assert.equal(bySilence.event.seq, 41);
  });

  it('R1-R5: a full life writes consecutive events with the right from/to at each step', () => {
    const steps: Array<(s: RequestState) => Change> = [
      (s) => incomplete(s, T1),
      (s) => defined(deadline(s, 'reminder', ALL_SILENCE, T1 + MINUTE)),
      (s) => correct(s, T2),
      (s) => defined(deadline(s, 'validation_sla_breach', ALL_SILENCE, T2 + MINUTE)),
      (s) => approve(s, T3),
      (s) => start(s, T4),
      (s) => report(s, T5),
      (s) => modify(s, T5 + MINUTE),
      (s) => start(s, T6),
      (s) => report(s, T6 + MINUTE),
      (s) => accept(s, T7),
    ];
    let { state } = filed();
    const seen: Array<[number, number, string, RequestStatus | undefined, RequestStatus | undefined]> = [];
    for (const step of steps) {
      const change = step(state);
      seen.push([change.state.version, change.event.seq, change.event.type, change.event.from, change.event.to]);
      state = change.state;
    }
    assert.deepEqual(seen, [
      [2, 2, 'validation_incomplete', 'IN_VALIDATION', 'AWAITING_CORRECTION'],
      [3, 3, 'reminder_sent', 'AWAITING_CORRECTION', 'AWAITING_CORRECTION'],
      [4, 4, 'corrected', 'AWAITING_CORRECTION', 'IN_VALIDATION'],
      [5, 5, 'validation_sla_breached', 'IN_VALIDATION', 'IN_VALIDATION'],
      [6, 6, 'validation_approved', 'IN_VALIDATION', 'APPROVED'],
      [7, 7, 'execution_started', 'APPROVED', 'IN_EXECUTION'],
      [8, 8, 'execution_reported', 'IN_EXECUTION', 'AWAITING_CONFIRMATION'],
      [9, 9, 'modification_requested', 'AWAITING_CONFIRMATION', 'MODIFICATION_REQUESTED'],
      [10, 10, 'execution_started', 'MODIFICATION_REQUESTED', 'IN_EXECUTION'],
      [11, 11, 'execution_reported', 'IN_EXECUTION', 'AWAITING_CONFIRMATION'],
      [12, 12, 'conformity_recorded', 'AWAITING_CONFIRMATION', 'CLOSED'],
    ]);
    assert.deepEqual(
      state.clock,
      {
        status: 'CLOSED',
        priority: 'high',
        filedAt: T0,
        statusSince: T7,
        validatedAt: T3,
        approvedAt: T3,
        reportedAt: T5,
        remindersSentInStatus: 0,
        validationSlaBreached: true,
        executionSlaBreached: false,
      },
    );
    assert.equal(state.incompleteRounds, 1);
    assert.equal(state.modificationRounds, 1);
    assert.equal(state.executionStartedAt, T4);
    assert.equal(state.closedAt, T7);
    assert.equal(state.endedAt, T7);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Immutability
// ---------------------------------------------------------------------------------------------------------

describe('request state: the given state is never modified', () => {
  /** A state with every optional field set, so nothing can be changed unnoticed. */
  const full = (status: RequestStatus): RequestState =>
    stateIn(
      status,
      { incompleteRounds: 1, modificationRounds: 1, executionStartedAt: T2, executedBy: 'op-1' },
      { validatedAt: T1, approvedAt: T1, reportedAt: T3, remindersSentInStatus: 2 },
    );

  const commands: Array<{ label: string; status: RequestStatus; command: RequestCommand; next: RequestStatus; actor: Actor }> = [
    { label: 'validation(approve)', status: 'IN_VALIDATION', command: { action: 'validation', decision: 'approve' }, next: 'APPROVED', actor: OPERATOR },
    { label: 'validation(incomplete)', status: 'IN_VALIDATION', command: { action: 'validation', decision: 'incomplete', reason: 'r' }, next: 'AWAITING_CORRECTION', actor: OPERATOR },
    { label: 'validation(reject)', status: 'IN_VALIDATION', command: { action: 'validation', decision: 'reject', reason: 'r' }, next: 'REJECTED', actor: OPERATOR },
    { label: 'correction', status: 'AWAITING_CORRECTION', command: { action: 'correction', comment: 'c', instructions: 'i', summary: 's', site: 'x', location: 'l' }, next: 'IN_VALIDATION', actor: CLIENT },
    { label: 'start', status: 'APPROVED', command: { action: 'start' }, next: 'IN_EXECUTION', actor: OTHER_OPERATOR },
    { label: 'report', status: 'IN_EXECUTION', command: { action: 'report', actionsPerformed: 'a' }, next: 'AWAITING_CONFIRMATION', actor: OPERATOR },
    { label: 'confirmation(accept)', status: 'AWAITING_CONFIRMATION', command: { action: 'confirmation', decision: 'accept' }, next: 'CLOSED', actor: CLIENT },
    { label: 'confirmation(modify)', status: 'AWAITING_CONFIRMATION', command: { action: 'confirmation', decision: 'modify', instructions: 'm' }, next: 'MODIFICATION_REQUESTED', actor: CLIENT },
    { label: 'cancellation', status: 'APPROVED', command: { action: 'cancellation', reason: 'r' }, next: 'CANCELLED', actor: CLIENT },
  ];
  for (const { label, status, command, next, actor } of commands) {
    it(`${label}: leaves the given state as it was and shares no mutable part with the result`, () => {
      const s = full(status);
      const before = structuredClone(s);
      const { state } = applyCommand(s, command, actor, next, 'e', T5);
      assert.deepEqual(s, before);
      assert.notEqual(state, s);
      assert.notEqual(state.fields, s.fields);
      assert.notEqual(state.clock, s.clock);
      // Changing the result afterwards must not reach back into the earlier state either.
      state.fields.summary = 'mutated';
      state.clock.remindersSentInStatus = 99;
      assert.deepEqual(s, before);
    });
  }

  const deadlines: Array<{ kind: DeadlineKind; status: RequestStatus; policy: SilencePolicy }> = [
    { kind: 'validation_sla_breach', status: 'IN_VALIDATION', policy: ALL_SILENCE },
    { kind: 'execution_sla_breach', status: 'IN_EXECUTION', policy: ALL_SILENCE },
    { kind: 'reminder', status: 'AWAITING_CONFIRMATION', policy: ALL_SILENCE },
    { kind: 'silence_policy', status: 'AWAITING_CORRECTION', policy: { correction: 'cancel', confirmation: 'cancel' } },
    { kind: 'silence_policy', status: 'AWAITING_CONFIRMATION', policy: { correction: 'cancel', confirmation: 'close_tacit' } },
    { kind: 'silence_policy', status: 'AWAITING_CONFIRMATION', policy: { correction: 'cancel', confirmation: 'cancel' } },
  ];
  for (const { kind, status, policy } of deadlines) {
    it(`${kind} in ${status} (${JSON.stringify(policy)}): leaves the given state as it was`, () => {
      const s = full(status);
      const before = structuredClone(s);
      const { state } = defined(applyDeadline(s, kind, policy, T6));
      assert.deepEqual(s, before);
      assert.notEqual(state.clock, s.clock);
      assert.notEqual(state.fields, s.fields);
      state.clock.validationSlaBreached = !state.clock.validationSlaBreached;
      state.fields.site = 'mutated';
      assert.deepEqual(s, before);
    });
  }

  it('silence_policy with remind_only returns nothing and leaves the state as it was', () => {
    const s = full('AWAITING_CONFIRMATION');
    const before = structuredClone(s);
    assert.equal(applyDeadline(s, 'silence_policy', { correction: 'remind_only', confirmation: 'remind_only' }, T6), undefined);
    assert.deepEqual(s, before);
  });
});
