/** The served OpenAPI document, rendered from the same route declarations the router validates with. */
import { codecOpenApiPaths } from './codec/openapi';
import { RESPONSE_SCHEMAS } from './openapi-schemas';
import { toOpenApi } from './schema';
import type { RouteSpec } from './route';

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const STATUS_TEXT: Record<number, string> = {
  400: 'malformed or invalid input (errors lists each field)',
  401: 'no or bad token',
  403: 'role not allowed',
  404: 'unknown, or belonging to another client',
  409: 'not allowed in the current state (detail names the state and the allowed actions)',
  413: 'body too large',
  422: 'Idempotency-Key reused with a different body',
  429: 'rate limit per token exceeded',
  503: 'a dependency is unavailable or the call timed out; retry later',
};

export function buildOpenApiDocument(routes: RouteSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {
    '/healthz': { get: { summary: 'The process is up', security: [], responses: { 200: { description: 'up' } } } },
    '/readyz': { get: { summary: 'Database and Temporal reachable', security: [], responses: { 200: { description: 'ready' }, 503: problemResponse(503) } } },
    '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
    ...codecOpenApiPaths(),
  };
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(route.query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema: toOpenApi(schema) })),
      ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } })),
    ];
    const errorStatuses = [...new Set([...route.errors, 401, 429, 503])].sort();
    (paths[path] ??= {})[route.method] = {
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      'x-roles': route.roles,
      parameters,
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toOpenApi(route.body) } } } } : {}),
      responses: {
        [route.success.status]: successResponse(route, route.success.description),
        ...(route.alsoSuccess ? { [route.alsoSuccess.status]: successResponse(route, route.alsoSuccess.description) } : {}),
        ...Object.fromEntries(errorStatuses.map((s) => [s, problemResponse(s)])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Remote Hands (PRO-2132) API', version: '1.0.0', description: 'Remote Hand Service requests and monthly billing. See ../shared/api.md for the contract.' },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...RESPONSE_SCHEMAS,
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
            state: { type: 'string', description: '409 only: the current state of the request, statement or period' },
            allowedActions: { type: 'array', items: { type: 'string' }, description: '409 only: what the caller may do in that state' },
          },
          required: ['type', 'title', 'status', 'detail'],
        },
      },
    },
    paths,
  };
}

function successResponse(route: RouteSpec, description: string) {
  const { contentType, schema } = route.success;
  return { description, content: { [contentType ?? 'application/json']: schema ? { schema: { $ref: `#/components/schemas/${schema}` } } : {} } };
}

function problemResponse(status: number) {
  return { description: STATUS_TEXT[status] ?? 'error', content: { 'application/problem+json': { schema: PROBLEM } } };
}
