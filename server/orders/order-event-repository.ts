import type { Kysely } from 'kysely';
import type { Database, OrderStatus, Row } from '../db/tables.ts';

export type OrderEventRow = Pick<Row<'order_events'>, 'id' | 'order_id' | 'previous_status' | 'status' | 'occurred_at'>;

/** Every status event of an order, in no particular order (an order has a handful). */
export async function findOrderEvents(db: Kysely<Database>, orderId: string): Promise<OrderEventRow[]> {
  return db.selectFrom('order_events').select(['id', 'order_id', 'previous_status', 'status', 'occurred_at']).where('order_id', '=', orderId).execute();
}

/** The current status of each of `orderIds` that exists, in one query by primary key. */
export async function findOrderStatuses(db: Kysely<Database>, orderIds: readonly string[]): Promise<Map<string, OrderStatus>> {
  if (orderIds.length === 0) return new Map();
  const rows = await db.selectFrom('orders').select(['id', 'status']).where('id', 'in', orderIds).execute();
  return new Map(rows.map((row) => [row.id, row.status]));
}
