/**
 * Who is told about what. Notifications are written to the outbox (db/outbox.ts), the one place where
 * e-mail or webhook delivery plugs in; recipients are addresses of groups so delivery can resolve them.
 */
export interface Notification {
  recipient: string;
  kind: string;
}

export const OPERATORS = 'role:operator_l1';
export const SLA_MANAGERS = 'role:sla_manager';
export const clientRecipient = (clientId: string) => `client:${clientId}`;
export const accountExecutivesOf = (clientId: string) => `account_executives:${clientId}`;

/** The notifications an audit event of a request triggers. */
export function notificationsForRequestEvent(eventType: string, clientId: string): Notification[] {
  const client = clientRecipient(clientId);
  switch (eventType) {
    case 'filed':
    case 'corrected':
    case 'modification_requested':
      return [{ recipient: OPERATORS, kind: `request_${eventType}` }];
    case 'validation_incomplete':
      return [{ recipient: client, kind: 'correction_requested' }];
    case 'validation_approved':
    case 'validation_rejected':
    case 'execution_started':
      return [{ recipient: client, kind: `request_${eventType}` }];
    case 'execution_reported':
      return [{ recipient: client, kind: 'confirmation_requested' }];
    case 'conformity_recorded':
    case 'cancelled':
      return [{ recipient: OPERATORS, kind: `request_${eventType}` }];
    case 'reminder_sent':
      return [{ recipient: client, kind: 'reminder' }];
    case 'validation_sla_breached':
    case 'execution_sla_breached':
      return [
        { recipient: OPERATORS, kind: eventType },
        { recipient: SLA_MANAGERS, kind: eventType },
      ];
    case 'silence_cancelled':
    case 'silence_tacit_conformity':
      return [
        { recipient: client, kind: eventType },
        { recipient: OPERATORS, kind: eventType },
      ];
    default:
      return [];
  }
}

/** Who is told about a statement's history event (D4): the side that has to act next, and escalations. */
export function notificationsForStatementEvent(eventType: string, clientId: string, waitingFor?: string): Notification[] {
  const executives = accountExecutivesOf(clientId);
  switch (eventType) {
    case 'revised':
      return [{ recipient: executives, kind: 'statement_revised' }];
    case 'disputed':
      return [{ recipient: SLA_MANAGERS, kind: 'statement_disputed' }];
    case 'approved':
      return [{ recipient: SLA_MANAGERS, kind: 'statement_approved' }];
    case 'reminder_sent':
      return [{ recipient: waitingFor === 'sla_manager' ? SLA_MANAGERS : executives, kind: 'statement_review_reminder' }];
    case 'escalated':
      return [
        { recipient: SLA_MANAGERS, kind: 'statement_review_overdue' },
        { recipient: executives, kind: 'statement_review_overdue' },
      ];
    default:
      return [];
  }
}
