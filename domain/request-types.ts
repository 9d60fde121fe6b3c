import type { Actor } from './roles';

/** State names fixed by the public contract (../shared/api.md, "RHS requests"). */
export const REQUEST_STATUSES = [
  'IN_VALIDATION',
  'AWAITING_CORRECTION',
  'APPROVED',
  'IN_EXECUTION',
  'AWAITING_CONFIRMATION',
  'MODIFICATION_REQUESTED',
  'CLOSED',
  'REJECTED',
  'CANCELLED',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const TERMINAL_STATUSES: readonly RequestStatus[] = ['CLOSED', 'REJECTED', 'CANCELLED'];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** The actions a person can take on a request; each is one Update of the request workflow. */
export const REQUEST_ACTIONS = ['validation', 'correction', 'start', 'report', 'confirmation', 'cancellation'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export type ValidationDecision = 'approve' | 'incomplete' | 'reject';
export type ConfirmationDecision = 'accept' | 'modify';

/** Commands, one per action, as validated input (blank strings already refused by the API). */
export type RequestCommand =
  | { action: 'validation'; decision: ValidationDecision; reason?: string }
  | { action: 'correction'; comment: string; instructions?: string; summary?: string; site?: string; location?: string }
  | { action: 'start' }
  | { action: 'report'; actionsPerformed: string }
  | { action: 'confirmation'; decision: ConfirmationDecision; instructions?: string }
  | { action: 'cancellation'; reason: string };

/** What the client filed (R1). */
export interface RequestFields {
  site: string;
  summary: string;
  instructions: string;
  priority: Priority;
  location?: string;
  taskType?: string;
  scheduledFor?: string;
}

export interface ActorRef {
  id: string;
  role: Actor['role'];
}
