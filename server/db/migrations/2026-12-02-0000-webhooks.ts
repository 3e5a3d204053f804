import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A landed migration never changes, so it imports nothing that may: the database's clock is spelled out here.
function currentTimestamp(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
}

// A landed migration never changes: the allowed values below are spelled out here rather than imported.

/**
 * Webhooks: subscriptions, the transactional outbox of events (written in the same transaction as the change
 * that causes each one) and one delivery per event and subscription, which the delivery worker claims.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`(${currentTimestamp(db)})`;

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('events', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('secret', 'text', (col) => col.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('created_by', 'text', (col) => col.notNull().references('users.id'))
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('webhook_subscriptions_enabled_boolean', sql`enabled in (0, 1)`)
    .execute();
  await db.schema.createIndex('webhook_subscriptions_newest_first').on('webhook_subscriptions').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('webhook_events')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('occurred_at', 'text', (col) => col.notNull())
    .addColumn('dispatched_at', 'text')
    .addCheckConstraint(
      'webhook_events_type_known',
      sql`type in ('order.placed', 'order.status_changed', 'payment.succeeded', 'payment.refunded', 'stock.low')`,
    )
    .execute();
  await db.schema
    .createIndex('webhook_events_to_dispatch')
    .on('webhook_events')
    .columns(['occurred_at', 'id'])
    .where(sql.ref('dispatched_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('subscription_id', 'text', (col) => col.notNull().references('webhook_subscriptions.id').onDelete('cascade'))
    .addColumn('event_id', 'text', (col) => col.notNull().references('webhook_events.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('round_started_at', 'text', (col) => col.notNull().defaultTo(now))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_response_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('webhook_deliveries_status_known', sql`status in ('pending', 'succeeded', 'failed')`)
    .addUniqueConstraint('webhook_deliveries_once_per_subscription', ['subscription_id', 'event_id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_due')
    .on('webhook_deliveries')
    .columns(['next_attempt_at', 'id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_by_subscription')
    .on('webhook_deliveries')
    .columns(['subscription_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['webhook_deliveries', 'webhook_events', 'webhook_subscriptions']) await db.schema.dropTable(table).execute();
}
