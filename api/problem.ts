/** RFC 9457 problem details: every error the API answers is one of these. */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../runtime/logger';

export interface FieldError {
  path: string;
  message: string;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const problems = {
  invalid: (errors: FieldError[], detail = 'the request is not valid') => new HttpProblem(400, TITLES[400], detail, { errors }),
  badRequest: (detail: string) => new HttpProblem(400, TITLES[400], detail),
  unauthorized: (detail = 'a valid bearer token is required') => new HttpProblem(401, TITLES[401], detail),
  forbidden: (detail = 'your role may not do this') => new HttpProblem(403, TITLES[403], detail),
  notFound: (detail = 'no such resource') => new HttpProblem(404, TITLES[404], detail),
  // The resource's state goes in `state`: `status` is RFC 9457's member, the HTTP status code.
  /** `state`: the resource's current state; `allowedActions`: what may be done in it. */
  conflict: (detail: string, extra: { state?: string; allowedActions?: string[] } = {}) => new HttpProblem(409, TITLES[409], detail, extra),
  unprocessable: (detail: string) => new HttpProblem(422, TITLES[422], detail),
  tooManyRequests: (detail: string) => new HttpProblem(429, TITLES[429], detail),
  unavailable: (detail: string) => new HttpProblem(503, TITLES[503], detail),
};

export function sendProblem(res: Response, problem: HttpProblem): void {
  if (res.headersSent) return;
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      ...problem.extra,
      // After the extras, so no extra member can overwrite what RFC 9457 defines.
      type: `https://remote-hands.example/problems/${problem.status}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
    });
}

/** Body-parser errors carry a status and a type; map them to the contract's 400 and 413. */
function fromExpressError(error: unknown): HttpProblem | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: number; type?: string };
  if (e.type === 'entity.too.large') return new HttpProblem(413, TITLES[413], 'the request body is too large');
  if (e.type === 'entity.parse.failed') return problems.badRequest('the request body is not valid JSON');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new HttpProblem(415, TITLES[415], 'unsupported body encoding');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new HttpProblem(e.status, TITLES[e.status] ?? 'Bad Request', 'the request could not be read');
  return undefined;
}

/**
 * The last error handler. Anything unexpected is logged and answered 503 (the service could not do it
 * now: a retry may work), never a bare 500 page.
 */
export function problemHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const problem = error instanceof HttpProblem ? error : fromExpressError(error);
    if (problem) {
      sendProblem(res, problem);
      return;
    }
    logger.error('unhandled error', { requestId: res.locals.requestId, path: req.path, error: describeError(error) });
    sendProblem(res, problems.unavailable('the service could not complete the call; retry later'));
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
