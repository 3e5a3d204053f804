import { sql, type Kysely } from 'kysely';
import type { Timestamp } from '../db/dialect.ts';
import type { Database } from '../db/tables.ts';

/** The latest `locked_until` after `now` among `keys`, if any of them is locked. */
export async function findLockedUntil(db: Kysely<Database>, keys: string[], now: Timestamp): Promise<Timestamp | undefined> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('key', 'in', keys)
    .where('locked_until', '>', now)
    .orderBy('locked_until', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.locked_until ?? undefined;
}

export interface FailureWindow {
  now: Timestamp;
  /** A window that started at or before this is over: counting starts again at 1. */
  windowStartedBefore: Timestamp;
  /** The count at which the key is locked. */
  limit: number;
  lockedUntil: Timestamp;
}

/**
 * Counts one failure for `key` in one statement (an upsert), so concurrent failures on any instance each count,
 * and locks the key when the count reaches the limit.
 * @returns the count, this failure included.
 */
export async function recordFailure(db: Kysely<Database>, key: string, window: FailureWindow): Promise<number> {
  const { now, windowStartedBefore, limit, lockedUntil } = window;
  const expired = sql<boolean>`sign_in_failures.window_started_at <= ${windowStartedBefore}`;
  const failures = sql<number>`case when ${expired} then 1 else sign_in_failures.failures + 1 end`;
  const row = await db
    .insertInto('sign_in_failures')
    .values({ key, failures: 1, window_started_at: now, locked_until: limit <= 1 ? lockedUntil : null })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        failures,
        window_started_at: sql<Timestamp>`case when ${expired} then ${now} else sign_in_failures.window_started_at end`,
        locked_until: sql<Timestamp | null>`case when ${failures} >= ${limit} then ${lockedUntil} else sign_in_failures.locked_until end`,
      }),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return row.failures;
}

/** Takes back one failure counted for `key`, and its lock when the count falls below `limit`. */
export async function uncountFailure(db: Kysely<Database>, key: string, limit: number): Promise<void> {
  await db
    .updateTable('sign_in_failures')
    .set({
      failures: sql<number>`failures - 1`,
      locked_until: sql<Timestamp | null>`case when failures - 1 >= ${limit} then locked_until else null end`,
    })
    .where('key', '=', key)
    .where('failures', '>', 0)
    .execute();
}

export async function clearFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('key', '=', key).execute();
}

/** Deletes the rows whose window is over and which lock nothing any more. */
export async function deleteSpentFailures(db: Kysely<Database>, window: Pick<FailureWindow, 'now' | 'windowStartedBefore'>): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('window_started_at', '<=', window.windowStartedBefore)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', window.now)]))
    .execute();
}
