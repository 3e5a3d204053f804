import { randomUUID } from 'node:crypto';
import { seededIds } from '../../server/db/seed.ts';
import type { TestApp } from './app.ts';

const { items, toppings } = seededIds;

/** One margherita for pickup, the smallest order that takes the most common ingredients. */
export const pickupMargherita = {
  lines: [{ itemId: items.margherita, size: 'medium', quantity: 1 }],
  fulfilment: { type: 'pickup' },
} as const;

export const deliveryOrder = {
  lines: [
    { itemId: items.margherita, size: 'large', quantity: 1, toppings: [toppings.extraMozzarella] },
    { itemId: items.pepperoni, size: 'medium', quantity: 2, toppings: [toppings.jalapenos] },
    { itemId: items.cola, size: 'regular', quantity: 2 },
  ],
  fulfilment: { type: 'delivery', address: { line1: '742 Evergreen Terrace', city: 'Springfield', postalCode: '62704' } },
  notes: 'Well done, please.',
} as const;

/** POST /orders with a fresh Idempotency-Key unless one is given. */
export function postOrder(app: TestApp, token: string, body: unknown, idempotencyKey: string = randomUUID()): Promise<Response> {
  return app.request('/orders', { method: 'POST', token, json: body, headers: { 'Idempotency-Key': idempotencyKey } });
}

/** POST /orders/{id}/payments with a fresh Idempotency-Key unless one is given. */
export function postPayment(app: TestApp, token: string, orderId: string, paymentMethodToken: string, idempotencyKey: string = randomUUID()): Promise<Response> {
  return app.request(`/orders/${orderId}/payments`, {
    method: 'POST',
    token,
    json: { paymentMethodToken },
    headers: { 'Idempotency-Key': idempotencyKey },
  });
}

/** Places `body` (a pickup margherita by default) and answers the new order; throws unless it got 201. */
export async function placeOrder(app: TestApp, token: string, body: unknown = pickupMargherita): Promise<{ id: string; status: string; total: { amount: number } }> {
  const response = await postOrder(app, token, body);
  if (response.status !== 201) throw new Error(`placing an order answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string; status: string; total: { amount: number } };
}

/** Places and pays an order (status `confirmed`). */
export async function placePaidOrder(app: TestApp, token: string, body: unknown = pickupMargherita): Promise<{ id: string }> {
  const order = await placeOrder(app, token, body);
  const paid = await postPayment(app, token, order.id, 'tok_visa');
  if (paid.status !== 201) throw new Error(`paying ${order.id} answered ${paid.status}: ${await paid.text()}`);
  return order;
}

/** Staff moves an order along the status machine, step by step. */
export async function advance(app: TestApp, staffToken: string, orderId: string, ...statuses: string[]): Promise<Response> {
  let response: Response | undefined;
  for (const status of statuses) {
    response = await app.request(`/orders/${orderId}/status`, { method: 'POST', token: staffToken, json: { status } });
    if (response.status !== 200) return response;
  }
  return response!;
}

export async function stockOf(app: TestApp, ingredientId: string): Promise<number> {
  const row = await app.db.selectFrom('ingredients').select('stock_level').where('id', '=', ingredientId).executeTakeFirstOrThrow();
  return row.stock_level;
}

export async function setStock(app: TestApp, ingredientId: string, level: number): Promise<void> {
  await app.db.updateTable('ingredients').set({ stock_level: level }).where('id', '=', ingredientId).execute();
}

export async function countRows(app: TestApp, table: 'orders' | 'payments' | 'refunds' | 'order_events' | 'idempotency_keys'): Promise<number> {
  const row = await app.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}
