import type { AuditEvent, RequestState } from '../../domain/request-state';
import { notificationsForRequestEvent } from '../../domain/notifications';
import type { Db } from '../../db/connection';
import { projectRequestChange } from '../../db/requests';

export interface ProjectChangeInput {
  state: RequestState;
  event: AuditEvent;
  /** The workflow's history length when it made the change: which workflow task wrote it (db/requests.ts). */
  historyLength?: number;
}

/**
 * Activities of the request workflow. Thin: one database transaction each, idempotent by the
 * event's seq and the state's version, so a retry after a crash writes nothing twice.
 */
export function createRequestActivities(db: Db) {
  return {
    async projectChange({ state, event, historyLength }: ProjectChangeInput): Promise<void> {
      const notifications = notificationsForRequestEvent(event.type, state.clientId);
      // Absent from workflows started before it was recorded: their changes keep the old rule (seq alone).
      await projectRequestChange(db, state, event, notifications, historyLength ?? 0);
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
