/**
 * `Idempotency-Key` handling (after draft-ietf-httpapi-idempotency-key-header) for operations that create
 * something: placing an order, paying for one.
 *
 * - A key belongs to one user and one operation, and lives 24 hours; an expired key counts as new.
 * - The key is inserted under its primary key in the same transaction that does the work and stores the
 *   response, so the work, the key and the response commit or roll back together. A second request with the key
 *   while the first is running waits for it and then gets the first response replayed: on PostgreSQL the key is
 *   reserved before the work, and the duplicate insert blocks until the first transaction ends; SQLite runs one
 *   write transaction at a time, so there a read before the work finds a held key, and the key is written
 *   once, with its response, after the work. Nobody ever sees a half-done key, so there is no
 *   "key in use" answer.
 * - Only successes are stored. A request that fails (stock short, card declined, order already paid...) changed
 *   nothing, so its key is released with the rollback: retrying it with the same key is a fresh attempt.
 * - The same key with a different request (by SHA-256 of its canonical JSON) is refused.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation, serialisesWriteTransactions, toTimestamp } from '../db/dialect.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import type { CompiledQuery } from 'kysely';
import {
  deleteExpiredKeys,
  deleteKeyIfExpired,
  findKey,
  insertKey,
  keepResponseQuery,
  type KeyScope,
  type StoredResponse,
} from './idempotency-repository.ts';

export type { KeyScope, StoredResponse };

export const idempotencyKeyLifetimeMs = 24 * 60 * 60 * 1000;
const sweepIntervalMs = 60 * 1000;

export interface IdempotentRequest extends KeyScope {
  /** What makes two requests the same: the validated body plus any path parameters. */
  request: unknown;
}

export type IdempotentOutcome<Body, Failure> =
  | { ok: true; response: StoredResponse<Body>; replayed: boolean }
  | Failure
  | { ok: false; reason: 'idempotency-key-reused' };

/** Carries a failure out of the transaction so that it rolls back. */
class Rollback<Failure> extends Error {
  constructor(readonly failure: Failure) {
    super('rolled back');
  }
}

/** The key is already held; where it is reserved late, found by a read instead of a failed insert. */
class KeyTaken extends Error {
  constructor() {
    super('idempotency key taken');
  }
}

const lastSweep = new WeakMap<Kysely<Database>, number>();

/**
 * The statement that keeps a response under the request's key. A work may run it together with its own last
 * write (and answer `kept: true`), so that its hot rows stay locked for one round trip less; otherwise
 * `runIdempotently` runs it after the work.
 */
export type KeepResponse<Body> = (response: StoredResponse<Body>) => CompiledQuery;

/**
 * Carries out `work` at most once per key: the first time in a transaction that also keeps its response;
 * afterwards, for the same request, the kept response with `replayed: true`.
 */
export async function runIdempotently<Body, Failure extends { ok: false }>(
  db: Kysely<Database>,
  request: IdempotentRequest,
  work: (trx: Transaction<Database>, keep: KeepResponse<Body>) => Promise<{ ok: true; response: StoredResponse<Body>; kept?: boolean } | Failure>,
): Promise<IdempotentOutcome<Body, Failure>> {
  const scope: KeyScope = { userId: request.userId, operation: request.operation, key: request.key };
  const hash = requestHash(request.request);
  await sweepExpiredKeys(db);
  const reserveFirst = !serialisesWriteTransactions(db);
  // Two rounds: the second runs only after deleting an expired key that held the first.
  for (let round = 0; round < 2; round++) {
    const now = new Date();
    try {
      return await inTransaction(db, async (trx) => {
        const expiresAt = toTimestamp(new Date(now.getTime() + idempotencyKeyLifetimeMs));
        if (reserveFirst) await insertKey(trx, scope, hash, expiresAt);
        else if (await findKey(trx, scope)) throw new KeyTaken();
        const keep: KeepResponse<Body> = (response) => keepResponseQuery(trx, { ...scope, requestHash: hash, expiresAt }, response, reserveFirst);
        const outcome = await work(trx, keep);
        if (!outcome.ok) throw new Rollback(outcome);
        if (!outcome.kept) await trx.executeQuery(keep(outcome.response));
        return { ok: true as const, response: outcome.response, replayed: false };
      });
    } catch (error) {
      if (error instanceof Rollback) return error.failure as Failure;
      if (!(error instanceof KeyTaken) && !isUniqueViolation(error)) throw error;
    }
    const existing = await findKey(db, scope);
    if (!existing) continue; // expired and swept, or released by a rollback, in between
    if (existing.expiresAt <= toTimestamp(now)) {
      await deleteKeyIfExpired(db, scope, toTimestamp(now));
      continue;
    }
    if (existing.requestHash !== hash) return { ok: false, reason: 'idempotency-key-reused' };
    if (!existing.response) throw new Error(`idempotency key ${scope.operation}/${scope.key} committed without a response`);
    return { ok: true, response: existing.response as StoredResponse<Body>, replayed: true };
  }
  throw new Error(`idempotency key ${scope.operation}/${scope.key} could not be reserved`);
}

/** SHA-256 (hex) of the request's canonical JSON: object keys sorted at every level. */
export function requestHash(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Opportunistic clean-up: at most once a minute per database, expired keys are deleted. */
async function sweepExpiredKeys(db: Kysely<Database>): Promise<void> {
  const now = Date.now();
  if (now - (lastSweep.get(db) ?? 0) < sweepIntervalMs) return;
  lastSweep.set(db, now);
  await deleteExpiredKeys(db, toTimestamp(new Date(now)));
}
