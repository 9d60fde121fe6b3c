/**
 * Response shapes for the OpenAPI document. The views that produce them are in each area's routes and
 * views; test/integration/openapi.test.ts checks real responses against these so they cannot drift.
 */
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const int = { type: 'integer' };
const decimal = { type: 'string', description: 'decimal amount in the currency, e.g. "150.00"' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const actor = { type: 'object', properties: { id: str, role: str }, required: ['id', 'role'] };

const objectOf = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', properties, required });

export const RESPONSE_SCHEMAS: Record<string, unknown> = {
  Client: objectOf({
    id: str,
    code: str,
    name: str,
    contract: objectOf({ includedInterventions: int, billingMode: { enum: ['excess', 'all'] }, unitPrice: decimal, currency: str }),
    createdAt: time,
  }),
  User: objectOf(
    { id: str, name: str, email: str, role: str, clientId: nullableStr, clientIds: { type: 'array', items: str }, revokedAt: time, token: { type: 'string', description: 'only in the answer that created the user' } },
    ['id', 'name', 'email', 'role', 'clientId'],
  ),
  Me: objectOf({ id: str, name: str, email: nullableStr, role: str, clientId: nullableStr, clientIds: { type: 'array', items: str } }, ['id', 'name', 'role', 'clientId']),
  Event: {
    type: 'object',
    description: 'one audit-trail entry; the fields beyond these depend on the type (decision, reason, comment, changes, actionsPerformed, instructions, from, to, ...)',
    properties: { seq: int, at: time, type: str, actor, from: str, to: str },
    required: ['seq', 'at', 'type', 'actor'],
    additionalProperties: true,
  },
  RequestSummary: objectOf({
    id: str,
    number: str,
    clientId: str,
    status: { enum: ['IN_VALIDATION', 'AWAITING_CORRECTION', 'APPROVED', 'IN_EXECUTION', 'AWAITING_CONFIRMATION', 'MODIFICATION_REQUESTED', 'CLOSED', 'REJECTED', 'CANCELLED'] },
    site: str,
    summary: str,
    instructions: str,
    priority: { enum: ['low', 'normal', 'high', 'urgent'] },
    location: nullableStr,
    taskType: nullableStr,
    scheduledFor: nullableStr,
    filedBy: nullableStr,
    executedBy: nullableStr,
    closure: { type: ['string', 'null'], enum: ['conformity', 'tacit_conformity', 'imported', null] },
    externalId: nullableStr,
    incompleteRounds: int,
    modificationRounds: int,
    slaBreached: objectOf({ validation: { type: 'boolean' }, execution: { type: 'boolean' } }),
    createdAt: time,
    validatedAt: nullableTime,
    executionStartedAt: nullableTime,
    executedAt: nullableTime,
    closedAt: nullableTime,
    endedAt: nullableTime,
    updatedAt: time,
  }),
  Request: {
    allOf: [
      ref('RequestSummary'),
      objectOf({
        latestModification: {
          type: ['object', 'null'],
          description: 'R4: the modifications the client asked for last (what the operator executes next); null until one is asked for',
          properties: { round: int, instructions: str, requestedAt: time },
          required: ['round', 'instructions', 'requestedAt'],
        },
        events: { type: 'array', items: ref('Event') },
      }),
    ],
  },
  RequestPage: objectOf({ items: { type: 'array', items: ref('RequestSummary') }, nextCursor: nullableStr }),
  BillingRun: objectOf({ period: str, status: { enum: ['RUNNING', 'IN_REVIEW', 'COMPLETED'] }, workflowId: str, timeZone: str, startedAt: time, completedAt: nullableTime }),
  StatementSummary: objectOf({
    clientId: str,
    clientCode: str,
    clientName: str,
    period: str,
    interventions: { type: 'integer', description: 'interventions counted, after exclusions' },
    includedInterventions: int,
    billableQuantity: int,
    unitPrice: decimal,
    currency: str,
    amount: decimal,
    status: { enum: ['NOT_BILLABLE', 'PENDING_REVIEW', 'DISPUTED', 'APPROVED', 'BUDGET_REGISTERED'] },
    billingMode: { enum: ['excess', 'all'] },
    version: int,
    updatedAt: time,
  }),
  Statement: {
    allOf: [
      ref('StatementSummary'),
      objectOf({
        requests: { type: 'array', items: objectOf({ requestId: str, number: str, filedAt: time, closedAt: time, site: str, summary: str, taskType: str, executedBy: str, excluded: { type: 'boolean' }, exclusionReason: str }, ['requestId', 'number', 'filedAt', 'closedAt', 'site', 'summary', 'excluded']) },
        history: { type: 'array', items: ref('Event') },
      }),
    ],
  },
  Period: { allOf: [ref('BillingRun'), objectOf({ statements: { type: 'array', items: ref('StatementSummary') } })] },
  PeriodSummary: { type: 'object', description: 'the run, its statements and the D7 indicators {overall, perClient}', additionalProperties: true },
  BudgetOperation: objectOf({ id: str, period: str, clientId: str, quantity: int, amount: decimal, currency: str, statementRef: str, registeredBy: str, registeredAt: time }),
  BudgetOperations: objectOf({ items: { type: 'array', items: ref('BudgetOperation') } }),
  ImportResult: objectOf({
    imported: int,
    skipped: int,
    alreadyBilled: { type: 'array', items: objectOf({ period: str, interventions: int }), description: 'imported interventions of months already billed: not on their statements' },
  }),
};
