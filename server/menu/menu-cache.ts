/**
 * The menu (items, toppings and their availability) is read on every visit and changes rarely, so each
 * process keeps the last snapshot it built, one per database.
 *
 * Why a short TTL rather than a version check: several instances may share one PostgreSQL, and availability
 * changes whenever any of them takes stock for an order, which touches no menu table. A version check would
 * need a counter bumped by every stock change (or a trigger) plus a query per request, which costs as much as
 * the menu read itself. Instead a snapshot lives at most {@link menuCacheTtlMs}; a process that changes the
 * menu or stock itself drops its snapshot at once (`invalidateMenuCache`), so its own clients read their
 * writes, and other instances catch up within the TTL. `available` is advice anyway: placing an order checks
 * stock again in the same transaction that takes it.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

export const menuCacheTtlMs = 1_000;

interface Entry<T> {
  snapshot: T;
  expiresAt: number;
}

class SnapshotCache<T> {
  #generation = 0;
  #entry: Entry<T> | undefined;
  /** The last snapshot built, even when stale: a load may reuse whatever of it has not changed. */
  #latest: T | undefined;
  #loading: { generation: number; promise: Promise<T> } | undefined;

  constructor(private readonly load: (previous: T | undefined) => Promise<T>) {}

  /** The snapshot itself while it is fresh (no promise on the hot path), else a promise of a new one. */
  get(): T | Promise<T> {
    if (this.#entry && performance.now() < this.#entry.expiresAt) return this.#entry.snapshot;
    if (this.#loading?.generation === this.#generation) return this.#loading.promise;
    const generation = this.#generation;
    // The TTL counts from before the read, so a snapshot is never older than the TTL.
    const startedAt = performance.now();
    const promise = this.load(this.#latest).then((snapshot) => {
      this.#latest = snapshot;
      if (generation === this.#generation) this.#entry = { snapshot, expiresAt: startedAt + menuCacheTtlMs };
      return snapshot;
    });
    const loading = { generation, promise };
    this.#loading = loading;
    const settled = () => {
      if (this.#loading === loading) this.#loading = undefined;
    };
    promise.then(settled, settled);
    return promise;
  }

  /** Drops the snapshot; a load already under way is not kept either, since it may have read the old state. */
  invalidate(): void {
    this.#generation += 1;
    this.#entry = undefined;
  }
}

const caches = new WeakMap<Kysely<Database>, Pick<SnapshotCache<unknown>, 'get' | 'invalidate'>>();

/**
 * The cached snapshot for `db`, built by `load` when missing or older than {@link menuCacheTtlMs}; `load`
 * gets the snapshot built before (stale or not), if any.
 */
export function cachedMenu<T>(db: Kysely<Database>, load: (db: Kysely<Database>, previous: T | undefined) => Promise<T>): T | Promise<T> {
  let cache = caches.get(db) as SnapshotCache<T> | undefined;
  if (!cache) {
    cache = new SnapshotCache((previous) => load(db, previous));
    caches.set(db, cache);
  }
  return cache.get();
}

/**
 * Makes the next menu read on this process go to the database. Call it after committing any change to the
 * menu, toppings, recipes or stock levels (e.g. after an order took stock), with the app's `db`, not a transaction.
 */
export function invalidateMenuCache(db: Kysely<Database>): void {
  caches.get(db)?.invalidate();
}
