/** Clients (with their contracts) and users (with hashed tokens) in PostgreSQL. */
import type { BillingMode } from '../domain/billing';
import type { Role } from '../domain/roles';
import type { Db } from './connection';

export interface ClientRow {
  id: string;
  code: string;
  name: string;
  included_interventions: number;
  billing_mode: BillingMode;
  unit_price_minor: string; // bigint comes back from pg as text
  currency: string;
  created_at: Date;
}

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  client_id: string | null;
  client_ids: string[];
  token_hash: string;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

export async function insertClient(db: Db, client: Omit<ClientRow, 'created_at'>): Promise<ClientRow | undefined> {
  const rows = await db<ClientRow>('clients').insert(client).onConflict('code').ignore().returning('*');
  return rows[0];
}

export async function findClient(db: Db, id: string): Promise<ClientRow | undefined> {
  return db<ClientRow>('clients').where({ id }).first();
}

export async function existingClientIds(db: Db, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db<ClientRow>('clients').whereIn('id', ids).select('id');
  return rows.map((r) => r.id);
}

export async function insertUser(db: Db, user: Omit<UserRow, 'created_at' | 'revoked_at'>): Promise<UserRow> {
  const rows = await db<UserRow>('users').insert(user).returning('*');
  return rows[0];
}

/** Only users whose token is not revoked: revocation takes effect on the next call. */
export async function findActiveUserByTokenHash(db: Db, tokenHash: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ token_hash: tokenHash }).whereNull('revoked_at').first();
}

export async function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  return db<UserRow>('users').where({ id }).first();
}

export async function revokeUser(db: Db, id: string): Promise<UserRow | undefined> {
  const rows = await db<UserRow>('users').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() }, '*');
  return rows[0] ?? (await findUser(db, id));
}
