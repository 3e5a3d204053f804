import type { CompiledQuery, Kysely } from 'kysely';
import type { Timestamp } from '../db/dialect.ts';
import { precompiledQuery } from '../db/precompiled-query.ts';
import type { Database } from '../db/tables.ts';

/** A key is unique per user and operation. */
export interface KeyScope {
  userId: string;
  operation: string;
  key: string;
}

/**
 * What the work of a request produced, kept so that a retry with the same key gets it again: a domain result (the
 * order placed), not an HTTP answer, which the handler makes from it each time. (Keys kept by versions that stored
 * answers still hold their status and headers in `response_status` and `response_headers`; nothing reads them.)
 */
export interface StoredResponse<Body = unknown> {
  body: Body;
}

export interface StoredKey {
  requestHash: string;
  expiresAt: Timestamp;
  /** Undefined while the first request is still being carried out. */
  response: StoredResponse | undefined;
}

function responseColumns(response: StoredResponse) {
  return { status: 'done' as const, response_status: null, response_body: JSON.stringify(response.body), response_headers: null };
}

interface NewKey {
  userId: string;
  operation: string;
  key: string;
  requestHash: string;
  expiresAt: Timestamp;
}

function keyColumns(key: NewKey) {
  return { user_id: key.userId, operation: key.operation, key: key.key, request_hash: key.requestHash, expires_at: key.expiresAt };
}

const insertKeyInProgress = precompiledQuery((db, key: NewKey) =>
  db.insertInto('idempotency_keys').values({ ...keyColumns(key), status: 'in_progress' }),
);

const insertKeyDone = precompiledQuery((db, key: NewKey & Omit<ReturnType<typeof responseColumns>, 'status'>) =>
  db.insertInto('idempotency_keys').values({
    ...keyColumns(key),
    status: 'done',
    response_status: key.response_status,
    response_body: key.response_body,
    response_headers: key.response_headers,
  }),
);

/**
 * Takes the key for a request, in progress; fails with a unique violation when the key is already taken (on
 * PostgreSQL after waiting for its holder's transaction to end).
 */
export async function insertKey(db: Kysely<Database>, scope: KeyScope, requestHash: string, expiresAt: Timestamp): Promise<void> {
  await insertKeyInProgress(db, { ...scope, requestHash, expiresAt });
}

const completeKeyRow = precompiledQuery((db, key: KeyScope & Omit<ReturnType<typeof responseColumns>, 'status'>) =>
  db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response_status: key.response_status, response_body: key.response_body, response_headers: key.response_headers })
    .where('user_id', '=', key.userId)
    .where('operation', '=', key.operation)
    .where('key', '=', key.key),
);

/**
 * The statement that keeps a request's response under its key: completing the key reserved before the work
 * (`reserved`), or inserting it done. A statement rather than a call, so that the work can run it together with
 * its own last write (`executeTogether`); a unique violation of the insert means the key was taken meanwhile.
 */
export function keepResponseQuery(
  db: Kysely<Database>,
  key: KeyScope & { requestHash: string; expiresAt: Timestamp },
  response: StoredResponse,
  reserved: boolean,
): CompiledQuery {
  const { status: _, ...columns } = responseColumns(response);
  return reserved ? completeKeyRow.compile(db, { ...key, ...columns }) : insertKeyDone.compile(db, { ...key, ...columns });
}

const selectKey = precompiledQuery((db, scope: KeyScope) =>
  db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'response_status', 'response_body', 'response_headers', 'expires_at'])
    .where('user_id', '=', scope.userId)
    .where('operation', '=', scope.operation)
    .where('key', '=', scope.key),
);

export async function findKey(db: Kysely<Database>, scope: KeyScope): Promise<StoredKey | undefined> {
  const [row] = await selectKey(db, scope);
  if (!row) return undefined;
  const response = row.status === 'done' ? { body: row.response_body === null ? null : (JSON.parse(row.response_body) as unknown) } : undefined;
  return { requestHash: row.request_hash, expiresAt: row.expires_at, response };
}

/** Deletes the key if it expired by `now`; an expired key counts as never used. */
export async function deleteKeyIfExpired(db: Kysely<Database>, scope: KeyScope, now: Timestamp): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', scope.userId)
    .where('operation', '=', scope.operation)
    .where('key', '=', scope.key)
    .where('expires_at', '<=', now)
    .execute();
}

/** Deletes every key that expired by `now` (an index range on `expires_at`). */
export async function deleteExpiredKeys(db: Kysely<Database>, now: Timestamp): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
