import type { Kysely } from 'kysely';
import { currentTimestamp, lockForUpdate, type Timestamp } from '../db/dialect.ts';
import type { Database, Row } from '../db/tables.ts';

export type RefreshTokenRow = Row<'refresh_tokens'>;

export async function insertRefreshToken(
  db: Kysely<Database>,
  token: { id: string; familyId: string; userId: string; tokenHash: string; expiresAt: Timestamp },
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({ id: token.id, family_id: token.familyId, user_id: token.userId, token_hash: token.tokenHash, expires_at: token.expiresAt })
    .execute();
}

/** The refresh token with this hash, locked until the transaction ends so that two exchanges of it queue. */
export function findRefreshTokenForUpdate(db: Kysely<Database>, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).$call(lockForUpdate(db)).executeTakeFirst();
}

/** Marks the token exchanged unless it already was; says whether this call did. */
export async function markRefreshTokenUsed(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: currentTimestamp(db) })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends a session: none of its refresh tokens can be exchanged any more. */
export async function revokeFamily(db: Kysely<Database>, familyId: string): Promise<void> {
  await db.updateTable('refresh_tokens').set({ revoked_at: currentTimestamp(db) }).where('family_id', '=', familyId).where('revoked_at', 'is', null).execute();
}

/** Ends every session of an account. */
export async function revokeAllFamiliesOf(db: Kysely<Database>, userId: string): Promise<void> {
  await db.updateTable('refresh_tokens').set({ revoked_at: currentTimestamp(db) }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}

/** Deletes refresh tokens that expired before `before`; they can never be exchanged again. */
export async function deleteExpiredRefreshTokens(db: Kysely<Database>, before: Timestamp): Promise<void> {
  await db.deleteFrom('refresh_tokens').where('expires_at', '<', before).execute();
}
