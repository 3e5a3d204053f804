import type { Kysely } from 'kysely';
import type { Account, RegisterCustomerRequestWritable, TokenRequestWritable, TokenResponse } from '../../generated/types.gen.ts';
import { signAccessToken, type JwtConfig } from '../auth/jwt.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import type { Database, Row } from '../db/tables.ts';
import { findUserByEmail, findUserById, insertUser } from './account-repository.ts';
import { hashPassword, verifyPassword } from './password.ts';

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

/** Exchanges an email and password for an access token; which of the two was wrong is not told. */
export async function issueToken(db: Kysely<Database>, jwt: JwtConfig, credentials: TokenRequestWritable): Promise<SignInResult> {
  const user = await findUserByEmail(db, normalizeEmail(credentials.email));
  dummyHash ??= hashPassword('a password nobody has, to spend the same time');
  const matches = await verifyPassword(credentials.password, user?.password_hash ?? (await dummyHash));
  if (!user || !matches) return { ok: false, reason: 'invalid-credentials' };
  const { token, expiresIn } = signAccessToken({ id: user.id, role: user.role }, jwt);
  return { ok: true, token: { accessToken: token, tokenType: 'Bearer', expiresIn } };
}

export async function getAccount(db: Kysely<Database>, id: string): Promise<Account | undefined> {
  const row = await findUserById(db, id);
  return row && toAccount(row);
}
