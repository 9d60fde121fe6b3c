/**
 * What the API shares about talking to workflows: the Idempotency-Key header (and the update id of a
 * keyed action), and turning an Update's refusal (thrown by its validator with one of REFUSAL_TYPES)
 * into the contract's 403, 400 or 409.
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { claimActionKey } from '../db/action-keys';
import type { Db } from '../db/connection';
import { REFUSAL_TYPES } from '../workflows/request/messages';
import { problems, type FieldError, type HttpProblem } from './problem';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** The optional Idempotency-Key header; a malformed one is a 400. */
export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!KEY_PATTERN.test(key)) throw problems.invalid([{ path: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }]);
  return key;
}

/** A call's fingerprint: SHA-256 of its JSON with object keys sorted, so their order does not matter. */
export function fingerprint(value: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(sortedKeys(value))).digest('hex');
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortedKeys(v)]));
}

/**
 * The update id of an action called with an Idempotency-Key (undefined without one). A user's key is
 * bound to the first call it came with: the same key for another action, target or body is a 422,
 * never answered as that first call.
 */
export async function keyedUpdateId(db: Db, req: Request, callerId: string, call: { action: string; target: string; body: unknown }): Promise<string | undefined> {
  const key = idempotencyKey(req);
  if (key === undefined) return undefined;
  const mine = fingerprint(call);
  const bound = await claimActionKey(db, { userId: callerId, key, fingerprint: mine });
  if (bound !== mine) throw problems.unprocessable('this Idempotency-Key was used with another action, target or body');
  return `${call.action}:${callerId}:${key}`;
}

/** A validator's refusal, or a timed-out Update, as a problem; undefined for anything else. */
export function updateRefusalProblem(error: unknown, what: string): HttpProblem | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const failure = error.cause;
    const details = (failure.details?.[0] ?? {}) as { status?: string; allowedActions?: string[]; errors?: FieldError[] };
    switch (failure.type) {
      case REFUSAL_TYPES.forbidden:
        return problems.forbidden(failure.message);
      case REFUSAL_TYPES.invalid_input:
        return problems.invalid(details.errors ?? [], failure.message);
      case REFUSAL_TYPES.invalid_state:
        return problems.conflict(failure.message, { state: details.status, allowedActions: details.allowedActions ?? [] });
    }
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return problems.unavailable(`the ${what} did not answer in time; read it again, or repeat the call with the same Idempotency-Key`);
  }
  return undefined;
}

/** The workflow has ended (or never ran): its final state answers instead. */
export function isEndedWorkflowError(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError || (error instanceof Error && /already completed|not found/i.test(error.message));
}
