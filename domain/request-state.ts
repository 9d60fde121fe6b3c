/**
 * The state one request workflow holds, and how a decided transition, a timer or a silence policy
 * changes it. Pure: the workflow calls these with its deterministic clock, and the tests call them
 * without a server. Each change bumps `version` and appends exactly one audit event with the next `seq`,
 * which is what makes the database projection idempotent (see db/requests.ts).
 */
import type { Actor } from './roles';
import type { ActorRef, RequestCommand, RequestFields, RequestStatus } from './request-types';
import type { DeadlineKind, RequestClock, SilencePolicy } from './request-lifecycle';
import { silenceOutcome } from './request-lifecycle';

export type Closure = 'conformity' | 'tacit_conformity';

export interface RequestState {
  requestId: string;
  number: string;
  clientId: string;
  fields: RequestFields;
  status: RequestStatus;
  /** Bumped by every change; the projection ignores writes of an older version. */
  version: number;
  /** seq of the last audit event written for this request. */
  eventSeq: number;
  filedBy: ActorRef;
  clock: RequestClock;
  incompleteRounds: number;
  modificationRounds: number;
  executedBy?: string;
  closure?: Closure;
  executionStartedAt?: number;
  closedAt?: number;
  endedAt?: number;
}

export interface AuditEvent {
  seq: number;
  type: string;
  at: string;
  actor: ActorRef;
  from?: RequestStatus;
  to?: RequestStatus;
  details: Record<string, unknown>;
  /** The Update that caused it, where one did: how a retried action is recognised across runs. */
  updateId?: string;
}

export interface Change {
  state: RequestState;
  event: AuditEvent;
}

export function fileRequest(input: {
  requestId: string;
  number: string;
  clientId: string;
  fields: RequestFields;
  filedBy: ActorRef;
  now: number;
}): Change {
  const state: RequestState = {
    requestId: input.requestId,
    number: input.number,
    clientId: input.clientId,
    fields: input.fields,
    status: 'IN_VALIDATION',
    version: 1,
    eventSeq: 1,
    filedBy: input.filedBy,
    clock: {
      status: 'IN_VALIDATION',
      priority: input.fields.priority,
      filedAt: input.now,
      statusSince: input.now,
      remindersSentInStatus: 0,
      validationSlaBreached: false,
      executionSlaBreached: false,
    },
    incompleteRounds: 0,
    modificationRounds: 0,
  };
  return {
    state,
    event: {
      seq: 1,
      type: 'filed',
      at: iso(input.now),
      actor: input.filedBy,
      to: 'IN_VALIDATION',
      details: { ...input.fields },
    },
  };
}

/** Applies a transition `decide()` already allowed: `next` and `eventType` come from it. */
export function applyCommand(
  state: RequestState,
  command: RequestCommand,
  actor: Actor,
  next: RequestStatus,
  eventType: string,
  now: number,
): Change {
  const updated = enterStatus(state, next, now);
  const actorRef: ActorRef = { id: actor.id, role: actor.role };
  const details: Record<string, unknown> = {};
  switch (command.action) {
    case 'validation':
      details.decision = command.decision;
      if (command.reason !== undefined) details.reason = command.reason;
      if (command.decision === 'incomplete') updated.incompleteRounds += 1;
      if (command.decision !== 'incomplete') updated.clock.validatedAt ??= now;
      if (command.decision === 'approve') updated.clock.approvedAt ??= now;
      break;
    case 'correction': {
      const changes: Partial<RequestFields> = {};
      for (const field of ['instructions', 'summary', 'site', 'location'] as const) {
        if (command[field] !== undefined) changes[field] = command[field];
      }
      updated.fields = { ...updated.fields, ...changes };
      details.comment = command.comment;
      details.changes = changes;
      break;
    }
    case 'start':
      updated.executionStartedAt ??= now;
      updated.executedBy = actor.id;
      break;
    case 'report':
      details.actionsPerformed = command.actionsPerformed;
      updated.clock.reportedAt ??= now;
      break;
    case 'confirmation':
      details.decision = command.decision;
      if (command.decision === 'modify') {
        details.instructions = command.instructions;
        updated.modificationRounds += 1;
        details.round = updated.modificationRounds;
      } else {
        updated.closure = 'conformity';
        updated.closedAt = now;
      }
      break;
    case 'cancellation':
      details.reason = command.reason;
      break;
  }
  return record(state, updated, { type: eventType, actor: actorRef, details, now });
}

/** A durable timer fired: an SLA breach or a reminder (no state change), or the silence policy (D6). */
export function applyDeadline(state: RequestState, kind: DeadlineKind, silencePolicy: SilencePolicy, now: number): Change | undefined {
  const system: ActorRef = { id: 'system', role: 'system' };
  switch (kind) {
    case 'validation_sla_breach': {
      const updated = copy(state);
      updated.clock.validationSlaBreached = true;
      return record(state, updated, { type: 'validation_sla_breached', actor: system, details: { priority: state.fields.priority }, now });
    }
    case 'execution_sla_breach': {
      const updated = copy(state);
      updated.clock.executionSlaBreached = true;
      return record(state, updated, { type: 'execution_sla_breached', actor: system, details: { priority: state.fields.priority }, now });
    }
    case 'reminder': {
      const updated = copy(state);
      updated.clock.remindersSentInStatus += 1;
      return record(state, updated, {
        type: 'reminder_sent',
        actor: system,
        details: { awaiting: state.status, reminder: updated.clock.remindersSentInStatus },
        now,
      });
    }
    case 'silence_policy': {
      const outcome = silenceOutcome(state.status, silencePolicy);
      if (!outcome) return undefined;
      const updated = enterStatus(state, outcome.next, now);
      if (outcome.next === 'CLOSED') {
        updated.closure = 'tacit_conformity';
        updated.closedAt = now;
      }
      const policy = state.status === 'AWAITING_CORRECTION' ? silencePolicy.correction : silencePolicy.confirmation;
      return record(state, updated, {
        type: outcome.event,
        actor: system,
        details: { policy, silentSince: iso(state.clock.statusSince) },
        now,
      });
    }
  }
}

function enterStatus(state: RequestState, next: RequestStatus, now: number): RequestState {
  const updated = copy(state);
  if (next !== state.status) {
    updated.status = next;
    updated.clock.status = next;
    updated.clock.statusSince = now;
    updated.clock.remindersSentInStatus = 0;
    if (next === 'CLOSED' || next === 'REJECTED' || next === 'CANCELLED') updated.endedAt = now;
  }
  return updated;
}

function record(
  before: RequestState,
  updated: RequestState,
  event: { type: string; actor: ActorRef; details: Record<string, unknown>; now: number },
): Change {
  updated.version = before.version + 1;
  updated.eventSeq = before.eventSeq + 1;
  return {
    state: updated,
    event: {
      seq: updated.eventSeq,
      type: event.type,
      at: iso(event.now),
      actor: event.actor,
      from: before.status,
      to: updated.status,
      details: event.details,
    },
  };
}

function copy(state: RequestState): RequestState {
  return { ...state, fields: { ...state.fields }, clock: { ...state.clock } };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
