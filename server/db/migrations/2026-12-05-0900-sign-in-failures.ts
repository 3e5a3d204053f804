import type { Kysely } from 'kysely';

/**
 * Failed sign-ins, counted per account and per client in the database rather than in each instance's memory,
 * so that a lockout holds whichever instance a load balancer picks. Keys are hashed: no email or address is kept.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('failures', 'integer', (col) => col.notNull())
    .addColumn('window_started_at', 'text', (col) => col.notNull())
    .addColumn('locked_until', 'text')
    .execute();
  await db.schema.createIndex('sign_in_failures_by_window').on('sign_in_failures').column('window_started_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_failures').execute();
}
