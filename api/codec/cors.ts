/**
 * CORS for the Temporal UI, which calls the codec endpoint from the browser: only the configured UI
 * origins are allowed, with the headers the UI sends (its access token, the namespace).
 */
import type { NextFunction, Request, Response } from 'express';

export function corsForTemporalUi(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        // The UI's "include cross-origin credentials" option needs this to send its access token.
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    // A preflight carries no token: answer it before authentication (the real call is checked).
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
