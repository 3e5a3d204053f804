import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A landed migration never changes and imports nothing live: the table is spelled out as it stands here.

/**
 * An idempotency key keeps the result of its request's work (the order placed) rather than an HTTP answer, which
 * the handler now makes from it: a done key needs a result, no longer a status. SQLite cannot drop a CHECK, so
 * there the table is made again, rows and index included.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table idempotency_keys drop constraint idempotency_keys_done_has_response`.execute(db);
    await sql`alter table idempotency_keys add constraint idempotency_keys_done_has_result check (status = 'in_progress' or response_body is not null)`.execute(db);
    return;
  }
  await db.schema
    .createTable('idempotency_keys_new')
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id'))
    .addColumn('operation', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('response_headers', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`))
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'operation', 'key'])
    .addCheckConstraint('idempotency_keys_status_known', sql`status in ('in_progress', 'done')`)
    .addCheckConstraint('idempotency_keys_done_has_result', sql`status = 'in_progress' or response_body is not null`)
    .execute();
  await sql`insert into idempotency_keys_new select user_id, operation, key, request_hash, status, response_status, response_body, response_headers, created_at, expires_at from idempotency_keys`.execute(db);
  await db.schema.dropTable('idempotency_keys').execute();
  await db.schema.alterTable('idempotency_keys_new').renameTo('idempotency_keys').execute();
  await db.schema.createIndex('idempotency_keys_by_expiry').on('idempotency_keys').column('expires_at').execute();
}
