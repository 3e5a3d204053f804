import type { Kysely } from 'kysely';

/**
 * Attempts of a delivery's current round (since its creation or its last redelivery), from which the retry
 * schedule picks the next pause: a redelivered delivery starts again at the shortest, while `attempts` keeps
 * counting every attempt ever made.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('webhook_deliveries')
    .addColumn('round_attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('webhook_deliveries').dropColumn('round_attempts').execute();
}
