import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A landed migration never changes, so it imports nothing that may: the database's clock is spelled out here.
function now(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql`(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`
    : sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
}

/**
 * Payments through a provider, with no network call under a database lock: a payment attempt is recorded before the
 * card is charged (its id is the provider's idempotency key) and the result after; refunds are recorded `pending`
 * before the provider is asked and `succeeded` after, and a payment may have several (partial refunds), so the
 * table is rebuilt without its one-refund-per-payment constraint.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_attempts')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id'))
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id'))
    .addColumn('idempotency_key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('amount_cents', 'integer', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('provider_charge_id', 'text')
    .addColumn('next_action_url', 'text')
    .addColumn('payment_id', 'text', (col) => col.references('payments.id'))
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now(db)))
    .addColumn('updated_at', 'text', (col) => col.notNull().defaultTo(now(db)))
    .addCheckConstraint('payment_attempts_status_known', sql`status in ('pending', 'requires_action', 'succeeded')`)
    .addUniqueConstraint('payment_attempts_one_per_key', ['user_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('payment_attempts_by_order').on('payment_attempts').columns(['order_id', 'status']).execute();
  await db.schema.createIndex('payment_attempts_unfinished').on('payment_attempts').columns(['status', 'updated_at']).execute();

  await db.schema.alterTable('payments').addColumn('provider_charge_id', 'text').execute();

  await db.schema
    .createTable('refunds_with_status')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('payment_id', 'text', (col) => col.notNull().references('payments.id'))
    .addColumn('amount_cents', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('succeeded'))
    .addColumn('provider_refund_id', 'text')
    .addColumn('requested_by', 'text', (col) => col.references('users.id'))
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now(db)))
    .addCheckConstraint('refunds_status_known', sql`status in ('pending', 'succeeded')`)
    .addCheckConstraint('refunds_amount_positive', sql`amount_cents > 0`)
    .addUniqueConstraint('refunds_one_per_key', ['requested_by', 'idempotency_key'])
    .execute();
  await sql`insert into refunds_with_status (id, payment_id, amount_cents, reason, status, created_at)
            select id, payment_id, amount_cents, reason, 'succeeded', created_at from refunds where amount_cents > 0`.execute(db);
  await db.schema.dropTable('refunds').execute();
  await db.schema.alterTable('refunds_with_status').renameTo('refunds').execute();
  await db.schema.createIndex('refunds_by_payment').on('refunds').columns(['payment_id', 'created_at']).execute();
  await db.schema.createIndex('refunds_pending').on('refunds').column('status').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('payment_attempts').execute();
  await db.schema.alterTable('payments').dropColumn('provider_charge_id').execute();
}
