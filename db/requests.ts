/**
 * Requests in PostgreSQL: the projection the request workflows write (idempotently) and the API reads.
 */
import type { Notification } from '../domain/notifications';
import type { AuditEvent, RequestState } from '../domain/request-state';
import type { Priority, RequestStatus } from '../domain/request-types';
import type { Knex } from 'knex';
import type { Db } from './connection';
import { changeNotificationParts, runAsOneStatement } from './outbox';

export interface RequestRow {
  id: string;
  number: string;
  client_id: string;
  status: RequestStatus;
  site: string;
  summary: string;
  instructions: string;
  priority: Priority;
  location: string | null;
  task_type: string | null;
  scheduled_for: string | null;
  filed_by: string | null;
  executed_by: string | null;
  external_id: string | null;
  closure: string | null;
  incomplete_rounds: number;
  modification_rounds: number;
  validation_sla_breached: boolean;
  execution_sla_breached: boolean;
  version: number;
  created_at: Date;
  validated_at: Date | null;
  execution_started_at: Date | null;
  executed_at: Date | null;
  closed_at: Date | null;
  ended_at: Date | null;
  updated_at: Date;
}

export interface EventRow {
  request_id: string;
  seq: number;
  type: string;
  at: Date;
  actor_id: string;
  actor_role: string;
  details: Record<string, unknown>;
}

const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/**
 * Writes one change of a request in one statement: the row, its audit event and its notifications.
 * A retried write changes nothing (keys: the version, the event's seq, the notifications' dedupe keys).
 * `historyLength` says which workflow task made the change: for one version or seq, the write of the
 * longest history wins, so a change whose workflow task was lost and made again differently is
 * replaced, not kept (migration 004).
 */
export async function projectRequestChange(db: Db, state: RequestState, event: AuditEvent, notifications: Notification[], historyLength: number): Promise<void> {
  const row = {
    id: state.requestId,
    number: state.number,
    client_id: state.clientId,
    status: state.status,
    site: state.fields.site,
    summary: state.fields.summary,
    instructions: state.fields.instructions,
    priority: state.fields.priority,
    location: state.fields.location ?? null,
    task_type: state.fields.taskType ?? null,
    scheduled_for: state.fields.scheduledFor ?? null,
    filed_by: state.filedBy.id,
    executed_by: state.executedBy ?? null,
    closure: state.closure ?? null,
    incomplete_rounds: state.incompleteRounds,
    modification_rounds: state.modificationRounds,
    validation_sla_breached: state.clock.validationSlaBreached,
    execution_sla_breached: state.clock.executionSlaBreached,
    version: state.version,
    history_length: historyLength,
    created_at: new Date(state.clock.filedAt),
    validated_at: date(state.clock.validatedAt),
    execution_started_at: date(state.executionStartedAt),
    executed_at: date(state.clock.reportedAt),
    closed_at: date(state.closedAt),
    ended_at: date(state.endedAt),
    updated_at: new Date(event.at),
  };
  const { id: _id, number: _number, client_id: _client, created_at: _created, ...mutable } = row;
  const upsertRow = db('requests')
    .insert(row)
    .onConflict('id')
    .merge(Object.keys(mutable) as (keyof typeof mutable)[])
    .whereRaw('(requests.version, requests.history_length) < (excluded.version, excluded.history_length)')
    .toSQL();
  const details = { ...event.details, ...(event.from ? { from: event.from } : {}), ...(event.to ? { to: event.to } : {}) };
  const source = `request:${state.requestId}:${event.seq}`;
  // One statement (data-modifying CTEs) instead of a transaction: atomic all the same, and one round
  // trip to PostgreSQL per change, which is what the projection spends its time on.
  await runAsOneStatement(db, [
    { sql: upsertRow.sql, bindings: upsertRow.bindings as Knex.Value[] },
    {
      sql: `insert into request_events (request_id, seq, type, at, actor_id, actor_role, details, update_id, history_length)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (request_id, seq) do update
               set type = excluded.type, at = excluded.at, actor_id = excluded.actor_id, actor_role = excluded.actor_role,
                   details = excluded.details, update_id = excluded.update_id, history_length = excluded.history_length
             where request_events.history_length < excluded.history_length`,
      bindings: [state.requestId, event.seq, event.type, new Date(event.at), event.actor.id, event.actor.role, JSON.stringify(details), event.updateId ?? null, historyLength],
    },
    ...changeNotificationParts({
      source,
      historyLength,
      supersededIf: {
        sql: 'exists (select 1 from request_events where request_id = ? and seq = ? and history_length > ?)',
        bindings: [state.requestId, event.seq, historyLength],
      },
      entries: notifications.map((n) => ({
        dedupe_key: `${source}:${n.recipient}`,
        recipient: n.recipient,
        kind: n.kind,
        request_id: state.requestId,
        payload: { number: state.number, event: event.type, status: state.status },
      })),
    }),
  ]);
}

export async function findRequest(db: Db, idOrNumber: string): Promise<RequestRow | undefined> {
  return db<RequestRow>('requests').where('id', idOrNumber).orWhere('number', idOrNumber).first();
}

/** A request with its audit trail, in one query (the API answers every call with both). */
export async function findRequestWithEvents(db: Db, idOrNumber: string): Promise<(RequestRow & { events: EventRow[] }) | undefined> {
  const { rows } = await db.raw<{ rows: (RequestRow & { events: (Omit<EventRow, 'at'> & { at: string })[] })[] }>(
    `select r.*, coalesce((select json_agg(e order by e.seq) from request_events e where e.request_id = r.id), '[]'::json) as events
       from requests r
      where r.id = ? or r.number = ?
      limit 1`,
    [idOrNumber, idOrNumber],
  );
  const row = rows[0];
  return row && { ...row, events: row.events.map((event) => ({ ...event, at: new Date(event.at) })) };
}

/** Whether the action sent with this Update id is already in the request's audit trail. */
export async function hasEventOfUpdate(db: Db, requestId: string, updateId: string): Promise<boolean> {
  const row = await db('request_events').where({ request_id: requestId, update_id: updateId }).first('seq');
  return row !== undefined;
}

export interface RequestFilter {
  status?: RequestStatus;
  clientIds?: string[];
  site?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** Keyset cursor: the (created_at, id) of the last row of the previous page. */
  after?: { createdAt: Date; id: string };
}

/** Newest first, keyset-paginated on (created_at, id) so pages are stable while requests are filed. */
export async function listRequests(db: Db, filter: RequestFilter): Promise<RequestRow[]> {
  const query = db<RequestRow>('requests').orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit);
  if (filter.status) query.where('status', filter.status);
  if (filter.clientIds) query.whereIn('client_id', filter.clientIds);
  if (filter.site) query.where('site', filter.site);
  if (filter.from) query.where('created_at', '>=', filter.from);
  if (filter.to) query.where('created_at', '<', filter.to);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    query.whereRaw('(created_at, id) < (?, ?)', [createdAt, id]);
  }
  return query;
}

/** The next human-readable request number, `RHS-000042` (the format: migration 003, rhs_request_number). */
export const NEXT_NUMBER_SQL = `rhs_request_number(nextval('request_number_seq'))`;

export async function nextRequestNumber(db: Db): Promise<string> {
  const { rows } = await db.raw<{ rows: { n: string }[] }>(`select ${NEXT_NUMBER_SQL} as n`);
  return rows[0].n;
}

export interface FilingKeyRow {
  user_id: string;
  key: string;
  body_hash: string;
  request_id: string;
  number: string;
}

/**
 * Claims an Idempotency-Key for one filing. Under concurrent repeats exactly one caller inserts (and
 * gets `created: true`); the others read the row it wrote. A number lost to a conflict leaves a gap.
 */
export async function claimFilingKey(
  db: Db,
  claim: { userId: string; key: string; bodyHash: string; requestId: string },
): Promise<{ row: FilingKeyRow; created: boolean }> {
  const inserted = await db.raw<{ rows: FilingKeyRow[] }>(
    `insert into filing_keys (user_id, key, body_hash, request_id, number)
     values (?, ?, ?, ?, ${NEXT_NUMBER_SQL})
     on conflict (user_id, key) do nothing
     returning user_id, key, body_hash, request_id, number`,
    [claim.userId, claim.key, claim.bodyHash, claim.requestId],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
  const existing = await db<FilingKeyRow>('filing_keys').where({ user_id: claim.userId, key: claim.key }).first();
  if (!existing) throw new Error('filing key vanished after a conflict');
  return { row: existing, created: false };
}
