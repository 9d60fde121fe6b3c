/**
 * A route is declared once, with its roles and schemas: the router validates input from the
 * declaration and the OpenAPI document is rendered from the same list.
 */
import { Router, type Request, type Response } from 'express';
import type { Role } from '../domain/roles';
import { callerOf, type Caller } from './auth';
import { problems } from './problem';
import { NOT_TEXT, parse, type ObjectSchema } from './schema';

export interface RouteCall<B, Q> {
  req: Request;
  res: Response;
  caller: Caller;
  body: B;
  query: Q;
  params: Record<string, string>;
}

export interface RouteSpec<B = unknown, Q = unknown> {
  method: 'get' | 'post' | 'delete';
  /** Express syntax: `/v1/requests/:id`. */
  path: string;
  summary: string;
  description?: string;
  roles: readonly Role[];
  body?: ObjectSchema;
  query?: ObjectSchema;
  headers?: { name: string; description: string }[];
  /** `schema`: the response's component in the OpenAPI document (api/openapi-schemas.ts). */
  success: { status: number; description: string; contentType?: string; schema?: string };
  /** Another success status the handler sends itself (200 for an idempotent repeat), same body. */
  alsoSuccess?: { status: number; description: string };
  /** Error statuses this route can answer besides 401, 429 and 503. */
  errors: number[];
  handler: (call: RouteCall<B, Q>) => Promise<unknown>;
}

export function defineRoute<B = unknown, Q = unknown>(spec: RouteSpec<B, Q>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** Mounts the routes; a handler's return value is sent as JSON with the success status. */
export function buildRouter(routes: RouteSpec[]): Router {
  const router = Router();
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const caller = callerOf(res);
      if (!route.roles.includes(caller.role)) throw problems.forbidden(`this call is for: ${route.roles.join(', ')}`);
      const params = req.params as Record<string, string>;
      // No id contains NUL or half a surrogate pair; passed on, PostgreSQL fails on them (a 503).
      if (Object.values(params).some((value) => NOT_TEXT.test(value))) throw problems.notFound('no such resource');
      const query = route.query ? parse(singleValued(req.query), route.query) : {};
      const body = route.body ? parse(req.body, route.body) : undefined;
      const result = await route.handler({ req, res, caller, body, query, params });
      if (res.headersSent) return;
      res.status(route.success.status);
      if (route.success.contentType && typeof result === 'string') res.type(route.success.contentType).send(result);
      else res.json(result);
    });
  }
  return router;
}

/** `?status=a&status=b` arrives as an array: refuse it with a 400 rather than guess. */
function singleValued(query: Request['query']): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string') throw problems.invalid([{ path: key, message: 'must be given once, as plain text' }]);
    result[key] = value;
  }
  return result;
}
