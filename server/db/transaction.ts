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
 *
 * On SQLite, whose single connection runs one transaction at a time, transactions that queue up while one
 * runs commit together (`groupCommits`): each in its own savepoint, so one that fails is rolled back alone,
 * and one commit (one WAL append, one sync) serves the whole group.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
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
 * Where `groupCommits` was called for `db`, it may share its transaction with others (see `GroupCommit`).
 * @throws the last such failure once the retries are spent, or any other error at once.
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const group = groupsOf.get(db);
  if (group) return group.run(work);
  return alone(db, work);
}

async function alone<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
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

/** The most transactions one commit serves: a bound on how long the first of them waits for the last. */
export const groupCommitLimit = 64;

interface Queued {
  work: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a database with one connection (SQLite). A transaction asked for while none runs starts once
 * the event loop has read what else arrived (`setImmediate`); those asked for until then, or while a group runs,
 * queue, and the queue then runs as one transaction (at most `groupCommitLimit`), each work inside its own
 * savepoint: a work that throws is rolled back to its savepoint and fails alone, the others commit together.
 * Each work still sees the database as if it ran by itself after the ones before it. Nobody hears of a result
 * before the commit that makes it durable. Should the shared transaction itself fail (a failed commit, a
 * savepoint that cannot be rolled back), nothing of it was kept, and each work runs again in a transaction of
 * its own, so one bad work cannot fail its neighbours. Orders placed together write the index and table pages
 * they share once per group instead of once each.
 */
class GroupCommit {
  readonly #queue: Queued[] = [];
  #running = false;

  constructor(readonly db: Kysely<Database>) {}

  run<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#running) return;
      this.#running = true;
      // SQLite's statements run synchronously, so a transaction started at once would finish before any other
      // request is read. Started after this turn's I/O instead, it takes every transaction those requests want.
      setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, groupCommitLimit);
        if (group.length === 1) await this.#alone(group[0]!);
        else await this.#together(group);
      }
    } finally {
      this.#running = false;
    }
  }

  async #alone({ work, resolve, reject }: Queued): Promise<void> {
    await alone(this.db, work).then(resolve, reject);
  }

  async #together(group: Queued[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const [index, { work }] of group.entries()) {
          await sql.raw(`savepoint work_${index}`).execute(trx);
          try {
            outcomes.push({ ok: true, value: await work(trx) });
          } catch (error) {
            await sql.raw(`rollback to work_${index}`).execute(trx);
            outcomes.push({ ok: false, error });
          }
          await sql.raw(`release work_${index}`).execute(trx);
        }
      });
    } catch {
      for (const queued of group) await this.#alone(queued);
      return;
    }
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.ok) group[index]!.resolve(outcome.value);
      else group[index]!.reject(outcome.error);
    }
  }
}

const groupsOf = new WeakMap<Kysely<Database>, GroupCommit>();

/** Lets the transactions of `db`, a database with a single connection, commit in groups (see `GroupCommit`). */
export function groupCommits(db: Kysely<Database>): void {
  groupsOf.set(db, new GroupCommit(db));
}
