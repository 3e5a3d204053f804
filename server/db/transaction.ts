/**
 * Every write transaction of the server runs through `inTransaction`, which keeps three promises on
 * PostgreSQL, where transactions run side by side:
 *
 * - Lock order. Rows are locked in one global order, so no two transactions can wait on each other in a
 *   cycle: a request's own idempotency key first; then an existing order row (payment, status change,
 *   cancellation); then ingredient rows, always all at once and sorted by id (`selectIngredientsForUpdate`);
 *   then rows the transaction inserts, which nobody else can see. Nothing inside a transaction waits on
 *   application work.
 * - Retries. A transaction PostgreSQL still aborts as a serialization failure (`40001`) or a deadlock
 *   (`40P01`) rolled back completely, so it runs again, a bounded number of times after a short jittered
 *   pause; the work re-reads everything it decides on, and an Idempotency-Key scopes the retried work.
 * - Room for reads. At most `transactionSlots` transactions hold a pool connection at a time; the rest of the
 *   pool stays free for reads, so a burst of orders queued behind a hot ingredient row cannot starve them.
 *
 * A transaction that cannot run (retries spent, lock or statement timeout, no connection in time) fails
 * with an error `isTransientDatabaseError` recognises, which the app answers `503` with `Retry-After`.
 */
import type { Kysely, Transaction } from 'kysely';
import { isRetryableTransactionError } from './dialect.ts';
import type { Database } from './tables.ts';

/** Runs after the first attempt; the last failure is thrown when they are spent. */
export const transactionRetries = 4;
const firstPauseMs = 5;

/** Waiting longer than the database's statement timeout for a turn fails like a statement would. */
export class TransactionQueueTimeout extends Error {
  override readonly name = 'TransactionQueueTimeout';
  constructor(waitedMs: number) {
    super(`no database connection was free for a transaction within ${waitedMs} ms`);
  }
}

/** A counting semaphore whose waiters give up after `timeoutMs`. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(
    size: number,
    readonly timeoutMs: number,
  ) {
    this.#free = size;
  }

  async acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(grant), 1);
        reject(new TransactionQueueTimeout(this.timeoutMs));
      }, this.timeoutMs);
      this.#waiting.push(grant);
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

const slotsOf = new WeakMap<Kysely<Database>, Slots>();

/**
 * Lets at most `size` transactions of `db` hold a connection at once; others wait their turn for up to
 * `timeoutMs`. Called once when the database is opened; without it transactions are not limited.
 */
export function limitConcurrentTransactions(db: Kysely<Database>, size: number, timeoutMs: number): void {
  slotsOf.set(db, new Slots(size, timeoutMs));
}

/**
 * Runs `work` in a transaction, again when the database aborted it as a serialization failure or deadlock.
 * @throws the last such failure once the retries are spent, or any other error at once.
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const slots = slotsOf.get(db);
  await slots?.acquire();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction().execute(work);
      } catch (error) {
        if (attempt === transactionRetries || !isRetryableTransactionError(error)) throw error;
        // Full jitter on a doubling ceiling: the transactions that collided start again at different times.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * firstPauseMs * 2 ** attempt));
      }
    }
  } finally {
    slots?.release();
  }
}
