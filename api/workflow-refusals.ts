/**
 * What the API shares about talking to workflows: the Idempotency-Key header (and sending an action
 * under one), and turning an Update's refusal (thrown by its validator with one of REFUSAL_TYPES)
 * into the contract's 403, 400 or 409.
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { claimActionKey, releaseActionKey } from '../db/action-keys';
import type { Db } from '../db/connection';
import { REFUSAL_TYPES } from '../workflows/request/messages';
import { HttpProblem, problems, type FieldError } from './problem';

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
 * Sends an action, with the update id of its Idempotency-Key when it has one. A user's key is bound to
 * the first call it came with: the same key for another action, target or body is a 422, never
 * answered as that first call. A call refused as invalid input (400) did not run, so its key is
 * released and the corrected call may use it.
 */
export async function sendKeyedAction(
  db: Db,
  req: Request,
  callerId: string,
  call: { action: string; target: string; body: unknown },
  send: (updateId: string | undefined) => Promise<void>,
): Promise<void> {
  const key = idempotencyKey(req);
  if (key === undefined) return send(undefined);
  const claim = { userId: callerId, key, fingerprint: fingerprint(call) };
  if ((await claimActionKey(db, claim)) !== claim.fingerprint) {
    throw problems.unprocessable('this Idempotency-Key was used with another action, target or body');
  }
  try {
    await send(`${call.action}:${callerId}:${key}`);
  } catch (error) {
    if (error instanceof HttpProblem && error.status === 400) await releaseActionKey(db, claim);
    throw error;
  }
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
