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

/** The notifications of one projected change: `source` names the change, `historyLength` the task that made it. */
export interface ChangeNotifications {
  source: string;
  historyLength: number;
  /**
   * True when the change's event row (every change writes one) is already stored from a longer
   * history: then these notifications belong to a superseded write. The event row decides, not the
   * notifications, since the change that won may have none.
   */
  supersededIf: { sql: string; bindings: Knex.Value[] };
  entries: OutboxEntry[];
}

/**
 * The two writes of a change's notifications, as parts of one statement (data-modifying CTEs): withdraw
 * the undelivered notifications of a superseded write of the same change (shorter history, other
 * keys), and insert these unless the change's event row is already stored from a longer history.
 * Keyed by dedupe_key, so a retried write inserts nothing twice. See migration 004.
 */
export function changeNotificationParts(change: ChangeNotifications): { sql: string; bindings: Knex.Value[] }[] {
  const keys = change.entries.map((e) => e.dedupe_key);
  const parts: { sql: string; bindings: Knex.Value[] }[] = [
    {
      sql: `delete from notifications
             where source = ? and history_length < ? and delivered_at is null and not (dedupe_key = any(?::text[]))`,
      bindings: [change.source, change.historyLength, keys],
    },
  ];
  if (change.entries.length > 0) {
    parts.push({
      sql: `insert into notifications (dedupe_key, recipient, kind, request_id, period, payload, source, history_length)
            select e.dedupe_key, e.recipient, e.kind, e.request_id, e.period, e.payload, ?, ?
              from jsonb_to_recordset(?::jsonb) as e(dedupe_key text, recipient text, kind text, request_id text, period text, payload jsonb)
             where not (${change.supersededIf.sql})
            on conflict (dedupe_key) do update
               set kind = excluded.kind, payload = excluded.payload, history_length = excluded.history_length
             where notifications.history_length < excluded.history_length`,
      bindings: [change.source, change.historyLength, JSON.stringify(change.entries), ...change.supersededIf.bindings],
    });
  }
  return parts;
}

/** One statement from parts: `with w0 as (…), w1 as (…) select 1`. */
export async function runAsOneStatement(db: Knex | Knex.Transaction, parts: { sql: string; bindings: Knex.Value[] }[]): Promise<void> {
  await db.raw(
    `with ${parts.map((part, i) => `w${i} as (${part.sql} returning 1)`).join(', ')} select 1`,
    parts.flatMap((part) => part.bindings),
  );
}
