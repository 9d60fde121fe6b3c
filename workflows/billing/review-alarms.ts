/**
 * D4 timing of a statement's review as a pure function: which reminder or escalation is due next.
 * Reminders go out before the deadline (day 10), one escalation after it; a reminder whose moment
 * passed while the deadline also passed is not sent late: the escalation says more.
 */
import type { ReviewPolicy } from './messages';

export type ReviewAlarm = { kind: 'reminder'; index: number; at: number } | { kind: 'escalation'; at: number };

export function nextReviewAlarm(policy: ReviewPolicy, remindersSent: number, escalated: boolean, now: number): ReviewAlarm | undefined {
  if (now < policy.deadlineAt) {
    const leads = [...policy.reminderLeadsMs].sort((a, b) => b - a);
    for (let index = remindersSent; index < leads.length; index++) {
      const at = policy.deadlineAt - leads[index];
      // A reminder of a later (shorter) lead supersedes an earlier one that is already overdue.
      const nextAt = index + 1 < leads.length ? policy.deadlineAt - leads[index + 1] : policy.deadlineAt;
      if (now < nextAt) return { kind: 'reminder', index, at };
    }
  }
  return escalated ? undefined : { kind: 'escalation', at: policy.deadlineAt };
}
