import type { Kysely } from 'kysely';
import type { Database, NewRow } from '../db/tables.ts';

const accountColumns = ['id', 'email', 'name', 'role', 'created_at'] as const;

/** Stores a new account; a taken email surfaces as the dialect's unique violation. */
export async function insertUser(db: Kysely<Database>, user: NewRow<'users'>) {
  return db.insertInto('users').values(user).returning(accountColumns).executeTakeFirstOrThrow();
}

const signInColumns = [...accountColumns, 'password_hash', 'token_version', 'disabled_at'] as const;

/** The account with this (lowercase) email, with what signing in needs (its password hash, version, whether disabled). */
export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('users').select(signInColumns).where('email', '=', email).executeTakeFirst();
}

/** The account with its password hash, for checking the password of a signed-in user. */
export async function findUserWithPassword(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').select(signInColumns).where('id', '=', id).executeTakeFirst();
}

/** Replaces the password hash if it is still `previousHash`; says whether it did. */
export async function updatePasswordHash(db: Kysely<Database>, id: string, previousHash: string, newHash: string): Promise<boolean> {
  const result = await db.updateTable('users').set({ password_hash: newHash }).where('id', '=', id).where('password_hash', '=', previousHash).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').select(accountColumns).where('id', '=', id).executeTakeFirst();
}
