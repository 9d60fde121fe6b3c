import type { AuditEvent, RequestState } from '../../domain/request-state';
import { notificationsForRequestEvent } from '../../domain/notifications';
import type { Db } from '../../db/connection';
import { projectRequestChange } from '../../db/requests';

export interface ProjectChangeInput {
  state: RequestState;
  event: AuditEvent;
}

/**
 * Activities of the request workflow. Thin: one database transaction each, idempotent by the
 * event's seq and the state's version, so a retry after a crash writes nothing twice.
 */
export function createRequestActivities(db: Db) {
  return {
    async projectChange({ state, event }: ProjectChangeInput): Promise<void> {
      const notifications = notificationsForRequestEvent(event.type, state.clientId);
      await projectRequestChange(db, state, event, notifications);
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
