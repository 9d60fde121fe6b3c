/**
 * One durable timer for the request's next deadline, kept while the deadline stays the same. Most
 * actions move the deadline (approval starts the execution SLA), but some do not (starting execution
 * keeps it), and a timer restarted for the same instant costs two history events and a server timer
 * task for nothing. A timer left pending when the request ends is dropped with the workflow.
 */
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { Deadline } from '../../domain/request-lifecycle';

export class DeadlineTimer {
  private armed?: { deadline: Deadline; scope: CancellationScope };
  private firedDeadline?: Deadline;

  /** Keeps the running timer if it is for this deadline; otherwise cancels it and arms a new one. */
  aim(deadline: Deadline | undefined): void {
    if (this.armed && deadline && this.armed.deadline.kind === deadline.kind && this.armed.deadline.at === deadline.at) return;
    this.armed?.scope.cancel();
    this.armed = undefined;
    if (!deadline) return;
    const armed = { deadline, scope: new CancellationScope() };
    this.armed = armed;
    armed.scope
      .run(() => sleep(Math.max(1, deadline.at - Date.now())))
      .then(
        () => {
          if (this.armed === armed) {
            this.armed = undefined;
            this.firedDeadline = deadline;
          }
        },
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
  }

  /** The deadline whose timer fired since the last call, once. */
  takeFired(): Deadline | undefined {
    const fired = this.firedDeadline;
    this.firedDeadline = undefined;
    return fired;
  }

  get hasFired(): boolean {
    return this.firedDeadline !== undefined;
  }
}
