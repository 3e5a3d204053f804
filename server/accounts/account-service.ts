import type { Kysely } from 'kysely';
import type { Account, ChangePasswordRequest, RegisterCustomerRequestWritable, TokenRequestWritable, TokenResponse } from '../../generated/types.gen.ts';
import type { AuthenticatedUser } from '../app-env.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import type { Database, Row } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { findUserByEmail, findUserById, findUserWithPassword, insertUser, updatePasswordHash } from './account-repository.ts';
import { hashPassword, needsRehash, verifyPassword } from './password.ts';
import { restartSessions, startSession, type SessionConfig } from './session-service.ts';

type AccountRow = Pick<Row<'users'>, 'id' | 'email' | 'name' | 'role' | 'created_at'>;

function toAccount(row: AccountRow): Account {
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.created_at };
}

/** Emails are stored and compared in lowercase, so `Ada@Example.com` and `ada@example.com` are one account. */
function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type RegistrationResult = { ok: true; account: Account } | { ok: false; reason: 'email-taken'; email: string };

/** Creates a customer account; an email that already has an account (in any letter case) is refused. */
export async function registerCustomer(db: Kysely<Database>, request: RegisterCustomerRequestWritable): Promise<RegistrationResult> {
  const email = normalizeEmail(request.email);
  const passwordHash = await hashPassword(request.password);
  try {
    const row = await insertUser(db, { id: newId('usr'), email, name: request.name, password_hash: passwordHash, role: 'customer' });
    return { ok: true, account: toAccount(row) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'email-taken', email };
    throw error;
  }
}

/** Verified against when the email is unknown, so a wrong email costs as much time as a wrong password. */
let dummyHash: Promise<string> | undefined;

export type SignInResult = { ok: true; token: TokenResponse } | { ok: false; reason: 'invalid-credentials' };

/**
 * Exchanges an email and password for an access token and a refresh token (a new session); which of the two was
 * wrong is not told, and a disabled account cannot sign in. A hash made at a lower cost than today's is made again.
 */
export async function issueToken(db: Kysely<Database>, config: SessionConfig, credentials: TokenRequestWritable): Promise<SignInResult> {
  const user = await findUserByEmail(db, normalizeEmail(credentials.email));
  dummyHash ??= hashPassword('a password nobody has, to spend the same time');
  const matches = await verifyPassword(credentials.password, user?.password_hash ?? (await dummyHash));
  if (!user || !matches || user.disabled_at !== null) return { ok: false, reason: 'invalid-credentials' };
  if (needsRehash(user.password_hash)) await updatePasswordHash(db, user.id, user.password_hash, await hashPassword(credentials.password));
  const token = await startSession(db, config, { id: user.id, role: user.role, tokenVersion: user.token_version });
  return { ok: true, token };
}

export type PasswordChangeResult = { ok: true; token: TokenResponse } | { ok: false; reason: 'wrong-password' | 'account-gone' };

/**
 * Changes the signed-in account's password once the current one is proven, and ends every session of the
 * account: their refresh tokens stop working at once and their access tokens within the account check
 * interval. The caller gets a new session, so only it stays signed in.
 */
export async function changePassword(
  db: Kysely<Database>,
  config: SessionConfig,
  user: AuthenticatedUser,
  request: ChangePasswordRequest,
): Promise<PasswordChangeResult> {
  const account = await findUserWithPassword(db, user.id);
  if (!account) return { ok: false, reason: 'account-gone' };
  if (!(await verifyPassword(request.currentPassword, account.password_hash))) return { ok: false, reason: 'wrong-password' };
  const newHash = await hashPassword(request.newPassword);
  return inTransaction(db, async (trx): Promise<PasswordChangeResult> => {
    // Compared with the hash just verified, so that of two changes racing, the one that proved a stale password loses.
    if (!(await updatePasswordHash(trx, user.id, account.password_hash, newHash))) return { ok: false, reason: 'wrong-password' };
    return { ok: true, token: await restartSessions(trx, config, { id: account.id, role: account.role }) };
  });
}

export async function getAccount(db: Kysely<Database>, id: string): Promise<Account | undefined> {
  const row = await findUserById(db, id);
  return row && toAccount(row);
}
