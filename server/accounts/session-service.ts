import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TokenResponse } from '../../generated/types.gen.ts';
import type { AuthenticatedUser } from '../app-env.ts';
import { signAccessToken } from '../auth/jwt.ts';
import type { Config } from '../config.ts';
import { toTimestamp } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import type { Database, Role } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import {
  deleteExpiredRefreshTokens,
  findRefreshTokenForUpdate,
  insertRefreshToken,
  markRefreshTokenUsed,
  revokeAllFamiliesOf,
  revokeFamily,
} from './session-repository.ts';

export type SessionConfig = Pick<Config, 'jwt' | 'sessions'>;

/** The account a session is for, as the tokens need it. */
export interface SessionHolder {
  id: string;
  role: Role;
  tokenVersion: number;
}

/** `rt_` and 256 random bits: guessing one is hopeless, so its SHA-256 (no salt, no stretching) is enough to store. */
function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

function hashOf(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex');
}

/** Issues an access token and the next refresh token of the session `familyId`. */
async function issueTokens(db: Kysely<Database>, config: SessionConfig, holder: SessionHolder, familyId: string): Promise<TokenResponse> {
  const refreshToken = newRefreshToken();
  const { refreshTtlSeconds } = config.sessions;
  await insertRefreshToken(db, {
    id: newId('rtk'),
    familyId,
    userId: holder.id,
    tokenHash: hashOf(refreshToken),
    expiresAt: toTimestamp(new Date(Date.now() + refreshTtlSeconds * 1000)),
  });
  const { token, expiresIn } = signAccessToken({ ...holder, sessionId: familyId }, config.jwt);
  return { accessToken: token, tokenType: 'Bearer', expiresIn, refreshToken, refreshTokenExpiresIn: refreshTtlSeconds };
}

/** Starts a session for an account that just proved who it is: its first access and refresh token. */
export function startSession(db: Kysely<Database>, config: SessionConfig, holder: SessionHolder): Promise<TokenResponse> {
  return issueTokens(db, config, holder, newId('ses'));
}

export type RefreshResult = { ok: true; token: TokenResponse } | { ok: false; reason: 'invalid-refresh-token' };

const sweepIntervalMs = 60 * 60 * 1000;
const lastSweep = new WeakMap<Kysely<Database>, number>();

/**
 * Exchanges a refresh token for the session's next pair (rotation). A token exchanged before ends the whole
 * session: either the client or a thief used it, and the server cannot tell which (OAuth 2.0 Security BCP
 * §4.14.2). The token row is locked first, so of two racing exchanges one wins and the other counts as reuse.
 */
export async function refreshSession(db: Kysely<Database>, config: SessionConfig, refreshToken: string): Promise<RefreshResult> {
  await sweepExpiredTokens(db);
  const invalid = { ok: false, reason: 'invalid-refresh-token' } as const;
  return inTransaction(db, async (trx): Promise<RefreshResult> => {
    const row = await findRefreshTokenForUpdate(trx, hashOf(refreshToken));
    if (!row || row.revoked_at !== null) return invalid;
    if (row.used_at !== null || !(await markRefreshTokenUsed(trx, row.id))) {
      await revokeFamily(trx, row.family_id);
      return invalid;
    }
    if (row.expires_at <= toTimestamp(new Date())) return invalid;
    const account = await trx.selectFrom('users').select(['id', 'role', 'token_version', 'disabled_at']).where('id', '=', row.user_id).executeTakeFirst();
    if (!account || account.disabled_at !== null) {
      await revokeFamily(trx, row.family_id);
      return invalid;
    }
    const token = await issueTokens(trx, config, { id: account.id, role: account.role, tokenVersion: account.token_version }, row.family_id);
    return { ok: true, token };
  });
}

/** Ends the session of a refresh token (signing out); an unknown token ends nothing and is no error. */
export async function revokeSession(db: Kysely<Database>, refreshToken: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await findRefreshTokenForUpdate(trx, hashOf(refreshToken));
    if (row) await revokeFamily(trx, row.family_id);
  });
}

/**
 * Ends every session of the account and makes its access tokens stop working (its token version goes up), then
 * starts a new session with the new version; within the caller's transaction.
 */
export async function restartSessions(trx: Kysely<Database>, config: SessionConfig, user: Pick<AuthenticatedUser, 'id' | 'role'>): Promise<TokenResponse> {
  await revokeAllFamiliesOf(trx, user.id);
  const { token_version } = await trx
    .updateTable('users')
    .set((eb) => ({ token_version: eb('token_version', '+', 1) }))
    .where('id', '=', user.id)
    .returning('token_version')
    .executeTakeFirstOrThrow();
  return startSession(trx, config, { id: user.id, role: user.role, tokenVersion: token_version });
}

/** Opportunistic clean-up: at most once an hour per database, refresh tokens long expired are deleted. */
async function sweepExpiredTokens(db: Kysely<Database>): Promise<void> {
  const now = Date.now();
  if (now - (lastSweep.get(db) ?? 0) < sweepIntervalMs) return;
  lastSweep.set(db, now);
  await deleteExpiredRefreshTokens(db, toTimestamp(new Date(now)));
}
