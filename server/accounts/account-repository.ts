import type { Kysely } from 'kysely';
import type { Database, NewRow } from '../db/tables.ts';

const accountColumns = ['id', 'email', 'name', 'role', 'created_at'] as const;

/** Stores a new account; a taken email surfaces as the dialect's unique violation. */
export async function insertUser(db: Kysely<Database>, user: NewRow<'users'>) {
  return db.insertInto('users').values(user).returning(accountColumns).executeTakeFirstOrThrow();
}

/** The account with this (lowercase) email, with its password hash, for signing in. */
export async function findUserByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('users').select([...accountColumns, 'password_hash']).where('email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').select(accountColumns).where('id', '=', id).executeTakeFirst();
}
