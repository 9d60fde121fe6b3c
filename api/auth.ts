/**
 * Bearer-token identity. Tokens are random, shown once, stored as SHA-256 hashes; the bootstrap admin
 * token comes from RHS_ADMIN_TOKEN and is compared in constant time. Revocation is read on every call.
 */
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/connection';
import { findActiveUserByTokenHash } from '../db/identity';
import type { Actor, Role } from '../domain/roles';
import { problems } from './problem';

export interface Caller extends Actor {
  role: Role;
  name: string;
  email?: string;
  /** For account executives: the clients they cover. */
  clientIds: string[];
}

export const BOOTSTRAP_ADMIN_ID = 'admin';

export function newToken(): string {
  return `rhs_${crypto.randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so both sides have the same length and the comparison time says nothing about the token.
  return crypto.timingSafeEqual(Buffer.from(hashToken(a), 'hex'), Buffer.from(hashToken(b), 'hex'));
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/;
const TOKEN = /^[A-Za-z0-9._~+/=-]{1,512}$/;

export function bearerToken(req: Request): string | undefined {
  return BEARER.exec(req.get('authorization') ?? '')?.[1];
}

/** The caller a token belongs to, or undefined when it is unknown, revoked or malformed. */
export async function identify(db: Db, adminToken: string | undefined, token: string): Promise<Caller | undefined> {
  if (!TOKEN.test(token)) return undefined;
  if (adminToken && sameSecret(token, adminToken)) return { id: BOOTSTRAP_ADMIN_ID, role: 'admin', name: 'bootstrap admin', clientIds: [] };
  const user = await findActiveUserByTokenHash(db, hashToken(token));
  if (!user) return undefined;
  return { id: user.id, role: user.role, name: user.name, email: user.email, clientId: user.client_id ?? undefined, clientIds: user.client_ids };
}

/** Sets res.locals.caller from the request's token (the Bearer header unless `tokenOf` says otherwise). */
export function authenticate(db: Db, adminToken: string | undefined, tokenOf: (req: Request) => string | undefined = bearerToken) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = tokenOf(req);
    if (!token) return next(problems.unauthorized());
    const caller = await identify(db, adminToken, token);
    if (!caller) return next(problems.unauthorized('the token is unknown or revoked'));
    res.locals.caller = caller;
    next();
  };
}

export function callerOf(res: Response): Caller {
  return res.locals.caller as Caller;
}

export function requireRole(res: Response, ...roles: Role[]): Caller {
  const caller = callerOf(res);
  if (!roles.includes(caller.role)) throw problems.forbidden(`this call is for: ${roles.join(', ')}`);
  return caller;
}

/** How many callers the rate limiter tracks at once: bounds its memory under a flood of distinct tokens. */
const MAX_TRACKED_CALLERS = 10_000;

/**
 * Per-token fixed-window rate limit, in memory (one API process); answers 429 past the limit. Keys are
 * token hashes (no token is kept in memory). When the table is full of live windows, a new token is
 * counted under its IP address instead: a flood of made-up tokens cannot reset anyone's window.
 */
export function rateLimit(perMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (req: Request, res: Response, next: NextFunction): void => {
    const now = Date.now();
    const authorization = req.get('authorization');
    let key = authorization ? `token:${hashToken(authorization)}` : `ip:${req.ip}`;
    if (!windows.has(key) && windows.size >= MAX_TRACKED_CALLERS) {
      for (const [k, w] of windows) if (now - w.start >= 60_000) windows.delete(k);
      if (windows.size >= MAX_TRACKED_CALLERS) key = `ip:${req.ip}`;
    }
    const window = windows.get(key);
    if (!window || now - window.start >= 60_000) {
      windows.set(key, { start: now, count: 1 });
      return next();
    }
    window.count += 1;
    if (window.count > perMinute) {
      res.set('Retry-After', String(Math.ceil((window.start + 60_000 - now) / 1000)));
      return next(problems.tooManyRequests(`at most ${perMinute} calls a minute per token`));
    }
    next();
  };
}
