import { Migrator, type Kysely, type Migration } from 'kysely';
import * as initial from './migrations/2026-11-26-0900-initial.ts';
import * as moneyAsBigint from './migrations/2026-12-01-2200-money-as-bigint.ts';
import * as webhooks from './migrations/2026-12-02-0000-webhooks.ts';
import * as webhookRoundAttempts from './migrations/2026-12-03-0900-webhook-round-attempts.ts';
import * as signInFailures from './migrations/2026-12-05-0900-sign-in-failures.ts';
import * as sessions from './migrations/2026-12-04-0900-sessions.ts';
import * as paymentAttempts from './migrations/2026-12-04-1000-payment-attempts.ts';
import * as stockTakes from './migrations/2026-12-04-1100-stock-takes.ts';
import * as idempotencyKeepsResults from './migrations/2026-12-06-0900-idempotency-keeps-results.ts';

/** Every migration, by name; listed here rather than read from a directory so they load from any cwd and bundle. */
const migrations: Record<string, Migration> = {
  '2026-11-26-0900-initial': initial,
  '2026-12-01-2200-money-as-bigint': moneyAsBigint,
  '2026-12-02-0000-webhooks': webhooks,
  '2026-12-03-0900-webhook-round-attempts': webhookRoundAttempts,
  '2026-12-04-0900-sessions': sessions,
  '2026-12-04-1000-payment-attempts': paymentAttempts,
  '2026-12-04-1100-stock-takes': stockTakes,
  '2026-12-05-0900-sign-in-failures': signInFailures,
  '2026-12-06-0900-idempotency-keeps-results': idempotencyKeepsResults,
};

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/**
 * Applies every migration not yet applied, each in its own transaction.
 * @returns the names of the migrations applied now (empty when the schema was already current).
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results = [] } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`Migration ${failed ?? '(before any migration ran)'} failed`, { cause: error });
  }
  return results.map((result) => result.migrationName);
}
