/**
 * Requests in PostgreSQL: the projection the request workflows write (idempotently) and the API reads.
 */
import type { Notification } from '../domain/notifications';
import type { AuditEvent, RequestState } from '../domain/request-state';
import type { Priority, RequestStatus } from '../domain/request-types';
import type { Knex } from 'knex';
import type { Db } from './connection';
import { notificationInsert } from './outbox';

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
 * Writes one change of a request in one transaction: the row (only if this version is newer than the
 * stored one), its audit event and its notifications (both keyed, so a retry inserts nothing twice).
 */
export async function projectRequestChange(db: Db, state: RequestState, event: AuditEvent, notifications: Notification[]): Promise<void> {
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
    created_at: new Date(state.clock.filedAt),
    validated_at: date(state.clock.validatedAt),
    execution_started_at: date(state.executionStartedAt),
    executed_at: date(state.clock.reportedAt),
    closed_at: date(state.closedAt),
    ended_at: date(state.endedAt),
    updated_at: new Date(event.at),
  };
  const { id: _id, number: _number, client_id: _client, created_at: _created, ...mutable } = row;
  const writes = [
    db('requests').insert(row).onConflict('id').merge(Object.keys(mutable) as (keyof typeof mutable)[]).where('requests.version', '<', state.version),
    db('request_events')
      .insert({
        request_id: state.requestId,
        seq: event.seq,
        type: event.type,
        at: new Date(event.at),
        actor_id: event.actor.id,
        actor_role: event.actor.role,
        details: JSON.stringify({ ...event.details, ...(event.from ? { from: event.from } : {}), ...(event.to ? { to: event.to } : {}) }),
        update_id: event.updateId ?? null,
      })
      .onConflict(['request_id', 'seq'])
      .ignore(),
    ...(notifications.length === 0
      ? []
      : [notificationInsert(db, notifications.map((n) => ({
          dedupe_key: `request:${state.requestId}:${event.seq}:${n.recipient}`,
          recipient: n.recipient,
          kind: n.kind,
          request_id: state.requestId,
          payload: { number: state.number, event: event.type, status: state.status },
        })))]),
  ];
  // One statement (data-modifying CTEs) instead of a transaction of four: atomic all the same, and one
  // round trip to PostgreSQL per change, which is what the projection spends its time on.
  const parts = writes.map((write) => write.toSQL());
  await db.raw(
    `with ${parts.map((part, i) => `w${i} as (${part.sql} returning 1)`).join(', ')} select 1`,
    parts.flatMap((part) => part.bindings as Knex.Value[]),
  );
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
