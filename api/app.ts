/** The express application: middleware order, the routes of each business area, problem+json for all errors. */
import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isDbReachable } from '../db/connection';
import { authenticate, rateLimit } from './auth';
import type { ApiContext } from './context';
import { billingRoutes } from './billing/routes';
import { codecRouter } from './codec/routes';
import { identityRoutes } from './identity/routes';
import { importRoutes } from './imports/routes';
import { buildOpenApiDocument } from './openapi';
import { HttpProblem, problemHandler, problems, sendProblem } from './problem';
import { requestRoutes } from './request/routes';
import { buildRouter, type RouteSpec } from './route';

export function apiRoutes(context: ApiContext): RouteSpec[] {
  return [...identityRoutes(context), ...requestRoutes(context), ...billingRoutes(context), ...importRoutes(context)];
}

export function createApp(context: ApiContext): express.Express {
  const { config, logger, db } = context;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use(requestIdAndLog(context));
  app.use(securityHeaders);
  // One budget per token across /v1 and /codec: two limiters would give every token twice the rate.
  const limiter = rateLimit(config.api.rateLimitPerMinute);
  // Before the API's body parser: the codec endpoint parses its (larger) bodies after authentication.
  // It authenticates against the database too, so the same timeout guards it.
  app.use('/codec', withTimeout(config.api.requestTimeoutMs), codecRouter(context, limiter));
  // Imports carry many requests in one body; body-parser parses a body once, so this one wins there.
  app.use('/v1/imports', express.json({ limit: config.api.importBodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(express.json({ limit: config.api.bodyLimitBytes, strict: true, type: ['application/json', 'application/*+json'] }));

  const routes = apiRoutes(context);
  const openApi = buildOpenApiDocument(routes);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const [database, temporalReachable] = await Promise.all([within(2000, isDbReachable(db)), isTemporalReachable(context)]);
    if (database && temporalReachable) {
      res.json({ status: 'ready', database: 'up', temporal: 'up' });
      return;
    }
    sendProblem(res, new HttpProblem(503, 'Service Unavailable', `not ready: database ${database ? 'up' : 'down'}, temporal ${temporalReachable ? 'up' : 'down'}`, {
      database: database ? 'up' : 'down',
      temporal: temporalReachable ? 'up' : 'down',
    }));
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  // The timeout covers authentication too: a database that accepts connections but never answers.
  app.use('/v1', withTimeout(config.api.requestTimeoutMs), limiter, authenticate(db, config.adminToken));
  app.use(buildRouter(routes));

  app.use((req: Request, _res: Response, next: NextFunction) => next(problems.notFound(`no route ${req.method} ${req.path}`)));
  app.use(problemHandler(logger));
  return app;
}

async function isTemporalReachable({ temporal }: ApiContext): Promise<boolean> {
  try {
    await temporal.connection.withDeadline(Date.now() + 2000, () => temporal.connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/** A readiness probe answers within its own time: a dependency that hangs counts as down. */
function within(ms: number, check: Promise<boolean>): Promise<boolean> {
  return Promise.race([check, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
}

function requestIdAndLog({ logger }: ApiContext) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : crypto.randomUUID();
    res.locals.requestId = requestId;
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Method, route and status only: no bodies, tokens or query values (they may carry personal data).
      logger.info('http', {
        requestId,
        method: req.method,
        path: req.route?.path ?? req.path.slice(0, 100),
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        caller: (res.locals.caller as { id?: string } | undefined)?.id,
      });
    });
    next();
  };
}

function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'Strict-Transport-Security': 'max-age=31536000',
    'Cache-Control': 'no-store',
  });
  next();
}

/** Answers 503 when a call runs past its time, so no client waits forever on a stuck dependency. */
function withTimeout(ms: number) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const timer = setTimeout(() => sendProblem(res, problems.unavailable(`the call did not finish within ${ms} ms; retry later`)), ms + 500);
    res.on('close', () => clearTimeout(timer));
    next();
  };
}
