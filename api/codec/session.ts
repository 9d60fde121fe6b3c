/**
 * Signing in to the codec endpoint from a browser, so the Temporal UI can decode for staff. The UI
 * cannot send our Bearer tokens (its own login, if any, is not ours), but with its codec setting
 * "Include cross-origin credentials" it sends cookies: a staff member opens GET /codec/session, submits
 * their token once, and gets an HttpOnly cookie scoped to /codec. Each decode still checks the token,
 * so revoking the user ends the session at once.
 */
import express, { Router, type Request, type Response } from 'express';
import { escapeHtml } from '../../domain/reports';
import type { Role } from '../../domain/roles';
import { bearerToken, identify } from '../auth';
import type { ApiContext } from '../context';
import { problems } from '../problem';

export const SESSION_COOKIE = 'rhs_codec';
const SESSION_SECONDS = 8 * 3600;

/** The Bearer header first (CLI, tools), else the sign-in cookie (the Temporal UI in a browser). */
export function codecToken(req: Request): string | undefined {
  return bearerToken(req) ?? cookie(req, SESSION_COOKIE);
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  `<style>body{font-family:sans-serif;max-width:36rem;margin:3rem auto}input{width:100%;padding:.4rem}</style></head>` +
  `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

export function codecSessionRouter({ db, config }: ApiContext, roles: readonly Role[]): Router {
  const router = Router();
  router.get('/session', (_req: Request, res: Response) => {
    res.type('html').send(page('Decode payloads in the Temporal UI', `
      <p>Staff (${roles.map(escapeHtml).join(', ')}) sign in here once; then, in the Temporal UI's codec settings,
      set this endpoint and turn on <em>Include cross-origin credentials</em>.</p>
      <form method="post" action="session"><label>Your API token <input type="password" name="token" autocomplete="off" required></label>
      <p><button type="submit">Sign in</button></p></form>`));
  });
  router.post('/session', express.urlencoded({ extended: false, limit: 2048 }), async (req: Request, res: Response) => {
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const caller = token ? await identify(db, config.adminToken, token) : undefined;
    if (!caller) throw problems.unauthorized('the token is unknown or revoked');
    if (!roles.includes(caller.role)) throw problems.forbidden(`decoding is for: ${roles.join(', ')}`);
    const secure = req.secure ? '; Secure' : '';
    res.set('Set-Cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${secure}`);
    res.type('html').send(page('Signed in', `<p>Signed in as ${escapeHtml(caller.name)} (${escapeHtml(caller.role)}) for ${SESSION_SECONDS / 3600} hours.
      Open the Temporal UI at the same host name as this page (for example http://127.0.0.1:8233 with this page on
      127.0.0.1), so the browser sends the cookie.</p>`));
  });
  return router;
}
