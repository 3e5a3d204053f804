import type { CompiledQuery, Kysely } from 'kysely';
import type { Ingredient, Order, OrderStatusChange, Payment } from '../../generated/types.gen.ts';
import { toTimestamp, type Timestamp } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import type { Database, Row, WebhookEventType } from '../db/tables.ts';
import { toIngredient } from '../inventory/inventory-service.ts';

/** What each kind of event carries in `data`, as the contract's `webhooks:` declare it. */
export interface WebhookEventData {
  'order.placed': Order;
  'order.status_changed': OrderStatusChange;
  'payment.succeeded': Payment;
  'payment.refunded': Payment;
  'stock.low': Ingredient;
}

/** An event exactly as it is delivered (and kept in the outbox). */
export type WebhookEvent = {
  [T in WebhookEventType]: { id: string; type: T; occurredAt: Timestamp; data: WebhookEventData[T] };
}[WebhookEventType];

/** A new event of `type` that happens now; `id` for events whose id is already another row's (an order's status change). */
export function webhookEvent<T extends WebhookEventType>(
  type: T,
  data: WebhookEventData[T],
  { id = newId('evt'), occurredAt = toTimestamp(new Date()) }: { id?: string; occurredAt?: Timestamp } = {},
): Extract<WebhookEvent, { type: T }> {
  return { id, type, occurredAt, data } as Extract<WebhookEvent, { type: T }>;
}

/**
 * The insert that puts events in the outbox, for a caller that runs it in the same transaction as the change that
 * causes them (alone, or in one statement with other writes through `executeTogether`): an event is then stored
 * exactly when its change is committed. The delivery worker takes it from there.
 */
export function outboxInsert(db: Kysely<Database>, events: readonly WebhookEvent[]): CompiledQuery {
  return db
    .insertInto('webhook_events')
    .values(events.map((event) => ({ id: event.id, type: event.type, payload: JSON.stringify(event), occurred_at: event.occurredAt })))
    .compile();
}

/** Puts events in the outbox within the caller's transaction; nothing when there are none. */
export async function recordEvents(db: Kysely<Database>, events: readonly WebhookEvent[]): Promise<void> {
  if (events.length > 0) await db.executeQuery(outboxInsert(db, events));
}

/** The `stock.low` events for ingredients whose level went from above their threshold to at or below it. */
export function stockLowEvents(
  changed: ReadonlyArray<Pick<Row<'ingredients'>, 'id' | 'name' | 'unit' | 'stock_level' | 'low_stock_threshold'>>,
  deltas: ReadonlyMap<string, number>,
): WebhookEvent[] {
  return changed
    .filter((row) => {
      const before = row.stock_level - (deltas.get(row.id) ?? 0);
      return row.stock_level <= row.low_stock_threshold && before > row.low_stock_threshold;
    })
    .map((row) => webhookEvent('stock.low', toIngredient(row)));
}
