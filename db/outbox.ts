/** The notification outbox: written inside the transactions that cause notifications, read by delivery. */
import type { Knex } from 'knex';

export interface OutboxEntry {
  dedupe_key: string;
  recipient: string;
  kind: string;
  request_id?: string;
  period?: string;
  payload: Record<string, unknown>;
}

/** The insert of outbox rows, keyed by dedupe_key: a retried activity inserts nothing twice. */
export function notificationInsert(db: Knex | Knex.Transaction, entries: OutboxEntry[]) {
  return db('notifications')
    .insert(entries.map((e) => ({ ...e, payload: JSON.stringify(e.payload) })))
    .onConflict('dedupe_key')
    .ignore();
}

export async function insertNotifications(db: Knex | Knex.Transaction, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await notificationInsert(db, entries);
}
