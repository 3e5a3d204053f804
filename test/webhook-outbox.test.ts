import { expect, it } from 'vitest';
import type { z } from 'zod';
import {
  zOrderPlacedEvent,
  zOrderStatusChangedEvent,
  zPaymentRefundedEvent,
  zPaymentSucceededEvent,
  zStockLowEvent,
} from '../generated/zod.gen.ts';
import { seededIds } from '../server/db/seed.ts';
import type { TestApp } from './support/app.ts';
import { useTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { advance, placeOrder, placePaidOrder, postOrder, postPayment, setStock } from './support/orders.ts';

const { items, ingredients } = seededIds;

const eventSchemas: Record<string, z.ZodType> = {
  'order.placed': zOrderPlacedEvent,
  'order.status_changed': zOrderStatusChangedEvent,
  'payment.succeeded': zPaymentSucceededEvent,
  'payment.refunded': zPaymentRefundedEvent,
  'stock.low': zStockLowEvent,
};

/** Every event in the outbox, oldest first, each checked against its schema in the contract's `webhooks:`. */
async function outbox(app: TestApp): Promise<Array<{ id: string; type: string; occurredAt: string; data: any }>> {
  const rows = await app.db.selectFrom('webhook_events').selectAll().orderBy('occurred_at').orderBy('id').execute();
  return rows.map((row) => {
    const event = JSON.parse(row.payload);
    expect(eventSchemas[row.type]!.safeParse(event).error).toBeUndefined();
    expect([event.id, event.type, event.occurredAt]).toEqual([row.id, row.type, row.occurred_at]);
    expect(row.dispatched_at).toBeNull();
    return event;
  });
}

describeEachDatabase('the webhook outbox', (kind) => {
  const testApp = useTestApp(kind);

  it('keeps order.placed with the order as answered, in the transaction that placed it', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const response = await postOrder(app, customer, { lines: [{ itemId: items.margherita, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } });
    const order = await response.json();
    const events = await outbox(app);
    expect(events).toEqual([{ id: expect.stringMatching(/^evt_/), type: 'order.placed', occurredAt: order.createdAt, data: order }]);
  });

  it('keeps nothing for an order that rolled back for want of stock, or a replay of its key', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    await setStock(app, ingredients.mozzarella, 10);
    expect((await postOrder(app, customer, { lines: [{ itemId: items.margherita, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } })).status).toBe(409);
    expect(await outbox(app)).toEqual([]);
    await setStock(app, ingredients.mozzarella, 20_000);
    const body = { lines: [{ itemId: items.margherita, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } };
    expect((await postOrder(app, customer, body, 'same-key-twice')).status).toBe(201);
    expect((await postOrder(app, customer, body, 'same-key-twice')).status).toBe(201);
    expect((await outbox(app)).map((event) => event.type)).toEqual(['order.placed']);
  });

  it('keeps payment.succeeded and order.status_changed for a payment, and nothing for a declined card', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    expect((await postPayment(app, customer, order.id, 'tok_chargeDeclined')).status).toBe(402);
    expect((await outbox(app)).map((event) => event.type)).toEqual(['order.placed']);
    const payment = await (await postPayment(app, customer, order.id, 'tok_visa')).json();
    const events = (await outbox(app)).filter((event) => event.type !== 'order.placed');
    expect(events).toHaveLength(2);
    expect(events).toContainEqual({ id: expect.any(String), type: 'payment.succeeded', occurredAt: payment.createdAt, data: payment });
    expect(events).toContainEqual({
      id: expect.any(String),
      type: 'order.status_changed',
      occurredAt: payment.createdAt,
      data: { orderId: order.id, previousStatus: 'awaiting_payment', status: 'confirmed' },
    });
  });

  it('keeps every status change under the id the order history has, and payment.refunded when a paid order is cancelled', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, customer);
    expect((await advance(app, staff, order.id, 'preparing', 'baking')).status).toBe(200);
    expect((await advance(app, staff, order.id, 'collected')).status).toBe(409);
    const cancelled = await app.request(`/orders/${order.id}/cancel`, { method: 'POST', token: staff, json: { reason: 'Oven broke down.' } });
    expect(cancelled.status).toBe(200);

    const events = await outbox(app);
    const changes = events.filter((event) => event.type === 'order.status_changed');
    expect(changes.map((event) => [event.data.previousStatus, event.data.status])).toEqual([
      ['awaiting_payment', 'confirmed'],
      ['confirmed', 'preparing'],
      ['preparing', 'baking'],
      ['baking', 'cancelled'],
    ]);
    const history = await app.db.selectFrom('order_events').select(['id', 'occurred_at']).where('previous_status', 'is not', null).execute();
    expect(new Set(history.map((row) => `${row.id} ${row.occurred_at}`))).toEqual(new Set(changes.map((event) => `${event.id} ${event.occurredAt}`)));

    const refunded = events.filter((event) => event.type === 'payment.refunded');
    expect(refunded).toHaveLength(1);
    const payments = await (await app.request(`/orders/${order.id}/payments`, { token: customer })).json();
    expect(refunded[0]!.data).toEqual(payments.data[0]);
    expect(refunded[0]!.data.refunds[0].reason).toBe('Oven broke down.');
  });

  it('keeps stock.low once when an order takes an ingredient to its threshold, not again below it', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    // Dough's threshold is 5,000 g and a medium margherita takes 250 g.
    await setStock(app, ingredients.dough, 5_200);
    await placeOrder(app, customer);
    await placeOrder(app, customer);
    const low = (await outbox(app)).filter((event) => event.type === 'stock.low');
    expect(low.map((event) => event.data)).toEqual([
      { id: ingredients.dough, name: 'Pizza dough', unit: 'g', stockLevel: 4_950, lowStockThreshold: 5_000, lowStock: true },
    ]);
  });

  it('keeps stock.low when staff record waste that crosses the threshold, and nothing for a restock', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const adjust = (delta: number) =>
      app.request('/inventory/adjustments', { method: 'POST', token: staff, json: { ingredientId: ingredients.mozzarella, delta, reason: delta > 0 ? 'restock' : 'waste' } });
    expect((await adjust(1_000)).status).toBe(201);
    expect(await outbox(app)).toEqual([]);
    expect((await adjust(-18_000)).status).toBe(201);
    const [event] = await outbox(app);
    expect(event).toMatchObject({ type: 'stock.low', data: { id: ingredients.mozzarella, stockLevel: 3_000, lowStockThreshold: 3_000, lowStock: true } });
  });

  it('reports each committed change to the change feed', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    let recorded = 0;
    const stop = app.changes.onEventsRecorded(() => recorded++);
    const order = await placeOrder(app, customer);
    const changed: string[] = [];
    const stopOrder = app.changes.onOrderChanged(order.id, () => changed.push(order.id));
    await postPayment(app, customer, order.id, 'tok_visa');
    stop();
    stopOrder();
    expect(recorded).toBe(2);
    expect(changed).toEqual([order.id]);
  });
});
