/** Who is told about a statement's history event (D4): the side that has to act next, and escalations. */
import { accountExecutivesOf, SLA_MANAGERS, type Notification } from '../../domain/notifications';

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
