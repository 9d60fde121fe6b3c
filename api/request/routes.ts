/** RHS requests (api.md, "RHS requests"): filing starts a workflow; every action is one of its Updates. */
import crypto from 'node:crypto';
import { commandInputErrors, decide } from '../../domain/request-lifecycle';
import { PRIORITIES, REQUEST_STATUSES, type Priority, type RequestAction, type RequestCommand, type RequestFields, type RequestStatus } from '../../domain/request-types';
import { CLIENT_ROLES, ROLES } from '../../domain/roles';
import { claimFilingKey, findRequest, findRequestWithEvents, listRequests, nextRequestNumber, type EventRow, type RequestRow } from '../../db/requests';
import type { Caller } from '../auth';
import type { ApiContext } from '../context';
import { problems } from '../problem';
import { defineRoute, type RouteSpec } from '../route';
import { fingerprint, idempotencyKey, sendKeyedAction } from '../workflow-refusals';
import { NOT_TEXT, object, type ObjectSchema } from '../schema';
import { fileRequest as startRequestWorkflow, sendAction } from './temporal';

interface FilingBody {
  site: string;
  summary: string;
  instructions: string;
  priority?: Priority;
  location?: string;
  taskType?: string;
  scheduledFor?: string;
}

interface ListQuery {
  status?: RequestStatus;
  clientId?: string;
  site?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

const INSTRUCTIONS_MAX = 20_000;

const filingSchema = object({
  site: { type: 'string', required: true, maxLength: 200 },
  summary: { type: 'string', required: true, maxLength: 500 },
  instructions: { type: 'string', required: true, maxLength: INSTRUCTIONS_MAX, description: 'R1: the precise instruction of the task' },
  priority: { type: 'string', enum: PRIORITIES, description: 'default normal' },
  location: { type: 'string', maxLength: 500 },
  taskType: { type: 'string', maxLength: 100 },
  scheduledFor: { type: 'string', format: 'date-time' },
});

/** Body schemas of the actions; the required-and-not-blank rules themselves live in domain/request-lifecycle.ts. */
const ACTION_SCHEMAS: Record<RequestAction, ObjectSchema> = {
  validation: object({
    decision: { type: 'string', required: true, enum: ['approve', 'incomplete', 'reject'] },
    reason: { type: 'string', maxLength: 5000, description: 'required unless approve' },
  }),
  correction: object({
    comment: { type: 'string', required: true, maxLength: 5000 },
    instructions: { type: 'string', maxLength: INSTRUCTIONS_MAX },
    summary: { type: 'string', maxLength: 500 },
    site: { type: 'string', maxLength: 200 },
    location: { type: 'string', maxLength: 500 },
  }),
  start: object({}),
  report: object({ actionsPerformed: { type: 'string', required: true, maxLength: INSTRUCTIONS_MAX } }),
  confirmation: object({
    decision: { type: 'string', required: true, enum: ['accept', 'modify'] },
    instructions: { type: 'string', maxLength: INSTRUCTIONS_MAX, description: 'required for modify (R4)' },
  }),
  cancellation: object({ reason: { type: 'string', required: true, maxLength: 5000 } }),
};

const ACTION_DOCS: Record<RequestAction, { path: string; summary: string }> = {
  validation: { path: 'validation', summary: 'R2: the operator approves, sends back as incomplete, or rejects' },
  correction: { path: 'correction', summary: 'R2: the client corrects an incomplete request; validation starts again' },
  start: { path: 'start', summary: 'R3/R4: the operator starts executing the (modified) instructions' },
  report: { path: 'report', summary: 'R4: the operator reports what was done' },
  confirmation: { path: 'confirmation', summary: 'R4/R5: the client accepts (conformity, closed) or asks for documented modifications' },
  cancellation: { path: 'cancellation', summary: 'D6: the client cancels before execution starts' },
};

const ACTION_ROLES: Record<RequestAction, Caller['role'][]> = {
  validation: ['operator_l1'],
  start: ['operator_l1'],
  report: ['operator_l1'],
  correction: [...CLIENT_ROLES],
  confirmation: [...CLIENT_ROLES],
  cancellation: [...CLIENT_ROLES],
};

export function requestRoutes(context: ApiContext): RouteSpec[] {
  const { db } = context;

  /** A request the caller may see, or 404: another client's request is never acknowledged. */
  async function visibleRequest(caller: Caller, id: string): Promise<RequestRow> {
    const row = id.length <= 100 ? await findRequest(db, id) : undefined;
    if (!row || !canSee(caller, row.client_id)) throw problems.notFound('no such request');
    return row;
  }

  /** The answer of every request call: the request as stored now, with its full audit trail. */
  async function requestView(id: string) {
    const row = await findRequestWithEvents(db, id);
    if (!row) throw problems.unavailable('the request is not readable yet; read it again in a moment');
    return fullView(row);
  }

  const filing = defineRoute<FilingBody>({
    method: 'post',
    path: '/v1/requests',
    summary: 'R1: a client user files a request',
    description: 'Honours Idempotency-Key: the same key and body return the same request (201 first, 200 on repeats); the same key with another body is 422.',
    roles: CLIENT_ROLES,
    body: filingSchema,
    headers: [{ name: 'Idempotency-Key', description: 'optional; 1-200 visible ASCII characters' }],
    success: { status: 201, description: 'the filed request', schema: 'Request' },
    alsoSuccess: { status: 200, description: 'an idempotent repeat (same Idempotency-Key and body): the request as it is now' },
    errors: [400, 403, 413, 422],
    async handler({ req, res, caller, body }) {
      const fields: RequestFields = { ...body, priority: body.priority ?? 'normal' };
      const key = idempotencyKey(req);
      let requestId: string = crypto.randomUUID();
      let number: string;
      let repeat = false;
      if (key) {
        const claim = await claimFilingKey(db, { userId: caller.id, key, bodyHash: fingerprint(fields), requestId });
        if (!claim.created && claim.row.body_hash !== fingerprint(fields)) throw problems.unprocessable('this Idempotency-Key was used with a different body');
        ({ request_id: requestId, number } = claim.row);
        repeat = !claim.created;
        // A repeat of a filing already projected is answered from the database: the request may have
        // ended and its workflow been removed by retention, and starting it again would revive it.
        const existing = repeat ? await findRequestWithEvents(db, requestId) : undefined;
        if (existing) {
          res.status(200).json(fullView(existing));
          return undefined;
        }
      } else {
        number = await nextRequestNumber(db);
      }
      await startRequestWorkflow(context, { requestId, number, clientId: caller.clientId!, fields, filedBy: caller });
      const view = await requestView(requestId).catch(() => {
        throw problems.unavailable('the request was accepted but is not readable yet; repeat the call with the same Idempotency-Key');
      });
      // Sent here: the router would answer every success with the route's declared 201.
      res.status(repeat ? 200 : 201).json(view);
      return undefined;
    },
  });

  const actions = (Object.keys(ACTION_SCHEMAS) as RequestAction[]).map((action) =>
    defineRoute<Record<string, unknown>>({
      method: 'post',
      path: `/v1/requests/:id/${ACTION_DOCS[action].path}`,
      summary: ACTION_DOCS[action].summary,
      roles: ACTION_ROLES[action],
      body: ACTION_SCHEMAS[action],
      headers: [{ name: 'Idempotency-Key', description: 'optional; a retried call with the same key takes effect once and returns the same result; the key used for another action, request or body is 422' }],
      success: { status: 200, description: 'the request after the change', schema: 'Request' },
      errors: [400, 403, 404, 409, 422],
      async handler({ req, caller, body, params }) {
        const row = await visibleRequest(caller, params.id);
        const command = { action, ...body } as RequestCommand;
        const inputErrors = commandInputErrors(command);
        if (inputErrors.length > 0) throw problems.invalid(inputErrors);
        // Role and client are checked here so a refusal needs no round trip; the state is the workflow's to judge.
        const precheck = decide(row.status, command, caller, row.client_id);
        if (!precheck.ok && precheck.code === 'forbidden') throw problems.forbidden(precheck.message);
        await sendKeyedAction(db, req, caller.id, { action, target: row.id, body }, (updateId) => sendAction(context, row, command, caller, updateId));
        return requestView(row.id);
      },
    }),
  );

  const getOne = defineRoute({
    method: 'get',
    path: '/v1/requests/:id',
    summary: 'A request with its full audit trail (events)',
    roles: ROLES,
    success: { status: 200, description: 'the request', schema: 'Request' },
    errors: [404],
    async handler({ caller, params }) {
      const row = params.id.length <= 100 ? await findRequestWithEvents(db, params.id) : undefined;
      if (!row || !canSee(caller, row.client_id)) throw problems.notFound('no such request');
      return fullView(row);
    },
  });

  const list = defineRoute<unknown, ListQuery>({
    method: 'get',
    path: '/v1/requests',
    summary: 'Requests, newest first, filtered and cursor-paginated; a client user sees its own client only',
    roles: ROLES,
    query: object({
      status: { type: 'string', enum: REQUEST_STATUSES },
      clientId: { type: 'string', maxLength: 64 },
      site: { type: 'string', maxLength: 200 },
      from: { type: 'string', format: 'date-time', description: 'filed at or after' },
      to: { type: 'string', format: 'date-time', description: 'filed before' },
      limit: { type: 'string', maxLength: 3, description: '1-200, default 50' },
      cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
    }),
    success: { status: 200, description: '{items, nextCursor}', schema: 'RequestPage' },
    errors: [400],
    async handler({ caller, query }) {
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw problems.invalid([{ path: 'limit', message: 'must be an integer from 1 to 200' }]);
      const visibleClients = visibleClientIds(caller);
      let clientIds = visibleClients;
      if (query.clientId) clientIds = visibleClients ? visibleClients.filter((id) => id === query.clientId) : [query.clientId];
      const rows = await listRequests(db, {
        status: query.status,
        clientIds,
        site: query.site,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        limit: limit + 1,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { items: page.map(summaryView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  });

  return [filing, list, getOne, ...actions];
}

/** undefined = every client (staff roles); otherwise the clients the caller may see. */
export function visibleClientIds(caller: Caller): string[] | undefined {
  if (caller.role === 'client_authorizer' || caller.role === 'client_authorized') return caller.clientId ? [caller.clientId] : [];
  if (caller.role === 'account_executive') return caller.clientIds;
  return undefined;
}

export function canSee(caller: Caller, clientId: string): boolean {
  const visible = visibleClientIds(caller);
  return visible === undefined || visible.includes(clientId);
}

function encodeCursor(row: RequestRow): string {
  return Buffer.from(JSON.stringify({ c: row.created_at.toISOString(), i: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const { c, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c: unknown; i: unknown };
    const createdAt = new Date(String(c));
    // Only what encodeCursor can produce reaches PostgreSQL: a year it cannot store, or an id with NUL
    // or half a surrogate pair, would fail there (a 5xx) rather than here (a 400).
    const year = createdAt.getUTCFullYear();
    if (typeof i !== 'string' || i.length === 0 || i.length > 100 || NOT_TEXT.test(i) || Number.isNaN(year) || year < 1 || year > 9999) {
      throw new Error('bad cursor');
    }
    return { createdAt, id: i };
  } catch {
    throw problems.invalid([{ path: 'cursor', message: 'is not a cursor this API returned' }]);
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summaryView(row: RequestRow) {
  return {
    id: row.id,
    number: row.number,
    clientId: row.client_id,
    status: row.status,
    site: row.site,
    summary: row.summary,
    instructions: row.instructions,
    priority: row.priority,
    location: row.location,
    taskType: row.task_type,
    scheduledFor: row.scheduled_for,
    filedBy: row.filed_by,
    executedBy: row.executed_by,
    closure: row.closure,
    externalId: row.external_id,
    incompleteRounds: row.incomplete_rounds,
    modificationRounds: row.modification_rounds,
    slaBreached: { validation: row.validation_sla_breached, execution: row.execution_sla_breached },
    createdAt: row.created_at.toISOString(),
    validatedAt: iso(row.validated_at),
    executionStartedAt: iso(row.execution_started_at),
    executedAt: iso(row.executed_at),
    closedAt: iso(row.closed_at),
    endedAt: iso(row.ended_at),
    updatedAt: row.updated_at.toISOString(),
  };
}

function fullView(row: RequestRow & { events: EventRow[] }) {
  return { ...summaryView(row), latestModification: latestModification(row.events), events: row.events.map(eventView) };
}

/**
 * R4: the modifications the client asked for last, which the operator executes next; `instructions`
 * stays the task as filed (and corrected). Null until the client asks for one.
 */
function latestModification(events: EventRow[]) {
  const last = events.filter((e) => e.type === 'modification_requested').at(-1);
  if (!last) return null;
  return { round: last.details.round, instructions: last.details.instructions, requestedAt: last.at.toISOString() };
}

function eventView(event: EventRow) {
  return { seq: event.seq, at: event.at.toISOString(), type: event.type, actor: { id: event.actor_id, role: event.actor_role }, ...event.details };
}
