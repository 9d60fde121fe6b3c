/** Idempotency-Keys of actions (migration 005): each user's key bound to the first call it came with. */
import type { Db } from './connection';

/**
 * Binds `key` to `fingerprint` unless the user already used it; returns the fingerprint the key is
 * bound to (this one, or the first call's). Of concurrent first uses, one binds the key. The read is
 * a statement of its own: one that lost the race sees the winner's row only in a later snapshot.
 */
export async function claimActionKey(db: Db, claim: { userId: string; key: string; fingerprint: string }): Promise<string> {
  const inserted = await db('action_keys')
    .insert({ user_id: claim.userId, key: claim.key, fingerprint: claim.fingerprint })
    .onConflict(['user_id', 'key'])
    .ignore()
    .returning<{ fingerprint: string }[]>('fingerprint');
  if (inserted[0]) return inserted[0].fingerprint;
  const existing = await db('action_keys').where({ user_id: claim.userId, key: claim.key }).first<{ fingerprint: string } | undefined>('fingerprint');
  if (!existing) throw new Error('action key vanished after a conflict');
  return existing.fingerprint;
}

/** Unbinds a key from this fingerprint: its call was refused before it ran, so the key is free again. */
export async function releaseActionKey(db: Db, claim: { userId: string; key: string; fingerprint: string }): Promise<void> {
  await db('action_keys').where({ user_id: claim.userId, key: claim.key, fingerprint: claim.fingerprint }).delete();
}
