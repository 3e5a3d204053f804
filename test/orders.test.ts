import { expect, it } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { advance, countRows, deliveryOrder, pickupMargherita, placeOrder, placePaidOrder, postOrder, setStock, stockOf } from './support/orders.ts';

const { items, toppings, ingredients } = seededIds;

describeEachDatabase('placing orders', (kind) => {
  const testApp = useTestApp(kind);

  it('prices every line from the menu and adds the delivery fee and tax', async () => {
    const app = testApp();
    const response = await postOrder(app, await app.tokenFor('customer'), deliveryOrder);
    expect(response.status).toBe(201);
    const order = await response.json();
    expect(response.headers.get('Location')).toBe(`/orders/${order.id}`);
    const usd = (amount: number) => ({ amount, currency: 'USD' });
    expect(order).toMatchObject({
      status: 'awaiting_payment',
      lines: [
        { itemId: items.margherita, itemName: 'Margherita', size: 'large', quantity: 1, toppings: [toppings.extraMozzarella], unitPrice: usd(1499 + 150), lineTotal: usd(1649) },
        { itemId: items.pepperoni, itemName: 'Pepperoni', size: 'medium', quantity: 2, toppings: [toppings.jalapenos], unitPrice: usd(1299 + 100), lineTotal: usd(2798) },
        { itemId: items.cola, itemName: 'Cola', size: 'regular', quantity: 2, toppings: [], unitPrice: usd(299), lineTotal: usd(598) },
      ],
      fulfilment: deliveryOrder.fulfilment,
      notes: 'Well done, please.',
      subtotal: usd(5045),
      deliveryFee: usd(399),
      tax: usd(436), // 8% of 54.44, rounded
      total: usd(5045 + 399 + 436),
    });
  });

  it('charges no delivery fee for pickup', async () => {
    const app = testApp();
    const response = await postOrder(app, await app.tokenFor('customer'), pickupMargherita);
    expect(response.status).toBe(201);
    const order = await response.json();
    expect(order.fulfilment).toEqual({ type: 'pickup' });
    expect(order.deliveryFee.amount).toBe(0);
    expect(order.tax.amount).toBe(96); // 8% of 11.99
    expect(order.total.amount).toBe(1199 + 96);
    expect(order.notes).toBeNull();
  });

  it('refuses a body that sets its own total with 422', async () => {
    const app = testApp();
    const response = await postOrder(app, await app.tokenFor('customer'), { ...pickupMargherita, total: { amount: 1, currency: 'USD' } });
    expect(response.status).toBe(422);
    expect((await response.json()).errors).toContainEqual({ pointer: '/body/total', detail: expect.stringMatching(/total/) });
    expect(await countRows(app, 'orders')).toBe(0);
  });

  it('refuses unknown and retired items, sizes not offered and unknown toppings with 422 pointing at each', async () => {
    const app = testApp();
    await app.db.updateTable('menu_items').set({ retired_at: '2026-01-01T00:00:00.000Z' }).where('id', '=', items.tiramisu).execute();
    const response = await postOrder(app, await app.tokenFor('customer'), {
      lines: [
        { itemId: items.margherita, size: 'medium', quantity: 1 },
        { itemId: 'itm_noSuchItem0001', size: 'medium', quantity: 1 },
        { itemId: items.tiramisu, size: 'regular', quantity: 1 },
        { itemId: items.cola, size: 'large', quantity: 1 },
        { itemId: items.pepperoni, size: 'small', quantity: 1, toppings: [toppings.mushrooms, 'top_noSuchTopping1'] },
      ],
      fulfilment: { type: 'pickup' },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('Content-Type')).toContain('application/problem+json');
    const body = await response.json();
    expect(body.type).toBe('https://pizza-place.example/problems/item-unavailable');
    expect(body.errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '/body/lines/1/itemId',
      '/body/lines/2/itemId',
      '/body/lines/3/size',
      '/body/lines/4/toppings/1',
    ]);
    expect(await countRows(app, 'orders')).toBe(0);
    expect(await stockOf(app, ingredients.dough)).toBe(40_000);
  });

  it('takes every line\'s recipe and toppings from stock, times the quantity', async () => {
    const app = testApp();
    await placeOrder(app, await app.tokenFor('customer'), {
      lines: [{ itemId: items.margherita, size: 'medium', quantity: 2, toppings: [toppings.mushrooms] }],
      fulfilment: { type: 'pickup' },
    });
    expect(await stockOf(app, ingredients.dough)).toBe(40_000 - 2 * 250);
    expect(await stockOf(app, ingredients.mozzarella)).toBe(20_000 - 2 * 120);
    expect(await stockOf(app, ingredients.mushrooms)).toBe(5_000 - 2 * 40);
  });

  it('rejects an order that stock cannot make with 409 naming every shortage, and changes nothing', async () => {
    const app = testApp();
    await setStock(app, ingredients.dough, 400);
    await setStock(app, ingredients.mozzarella, 100);
    const response = await postOrder(app, await app.tokenFor('customer'), {
      lines: [{ itemId: items.margherita, size: 'medium', quantity: 2 }],
      fulfilment: { type: 'pickup' },
    });
    expect(response.status).toBe(409);
    const body = await response.json();
    expect(body.type).toBe('https://pizza-place.example/problems/out-of-stock');
    expect(body.shortages).toEqual([
      { ingredientId: ingredients.mozzarella, ingredientName: 'Mozzarella', required: 240, available: 100 },
      { ingredientId: ingredients.dough, ingredientName: 'Pizza dough', required: 500, available: 400 },
    ]);
    expect(await countRows(app, 'orders')).toBe(0);
    expect(await stockOf(app, ingredients.dough)).toBe(400);
    expect(await stockOf(app, ingredients.mozzarella)).toBe(100);
    expect(await stockOf(app, ingredients.basil)).toBe(600);
  });

  it('sells the last 10 portions to exactly 10 of 50 concurrent orders', async () => {
    const app = testApp();
    await setStock(app, ingredients.tiramisu, 10);
    const token = await app.tokenFor('customer');
    const tiramisu = { lines: [{ itemId: items.tiramisu, size: 'regular', quantity: 1 }], fulfilment: { type: 'pickup' } };
    const responses = await Promise.all(Array.from({ length: 50 }, () => postOrder(app, token, tiramisu)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 409)).toHaveLength(40);
    expect(await stockOf(app, ingredients.tiramisu)).toBe(0);
    expect(await countRows(app, 'orders')).toBe(10);
  });
});

describeEachDatabase('reading orders', (kind) => {
  const testApp = useTestApp(kind);

  it('answers 404 for another customer\'s order, as if it did not exist, and shows it to staff', async () => {
    const app = testApp();
    const order = await placeOrder(app, await app.tokenFor('customer'));
    const other = await app.request(`/orders/${order.id}`, { token: await app.tokenFor('customer') });
    expect(other.status).toBe(404);
    const missing = await app.request('/orders/ord_doesNotExist0001', { token: await app.tokenFor('customer') });
    expect(missing.status).toBe(404);
    expect((await other.json()).title).toBe((await missing.json()).title);
    const staff = await app.request(`/orders/${order.id}`, { token: await app.tokenFor('staff') });
    expect(staff.status).toBe(200);
    expect((await staff.json()).id).toBe(order.id);
  });

  it('lists only the caller\'s orders, newest first, a page at a time', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push((await placeOrder(app, token)).id);
    await placeOrder(app, await app.tokenFor('customer'));
    const seen: string[] = [];
    let cursor: string | null = null;
    const pageSizes: number[] = [];
    do {
      const response = await app.request(`/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(response.status).toBe(200);
      const page = await response.json();
      pageSizes.push(page.data.length);
      seen.push(...page.data.map((order: { id: string }) => order.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pageSizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...placed].reverse());
  });

  it('keeps a page cursor stable while new orders are placed', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const placed = [];
    for (let i = 0; i < 4; i++) placed.push((await placeOrder(app, token)).id);
    const first = await (await app.request('/orders?limit=2', { token })).json();
    await placeOrder(app, token);
    const second = await (await app.request(`/orders?limit=2&cursor=${first.nextCursor}`, { token })).json();
    expect([...first.data, ...second.data].map((order: { id: string }) => order.id)).toEqual([...placed].reverse());
  });

  it('shows staff every order, filtered by status', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const unpaid = await placeOrder(app, await app.tokenFor('customer'));
    const paid = await placePaidOrder(app, await app.tokenFor('customer'));
    const all = await (await app.request('/orders', { token: staff })).json();
    expect(all.data.map((order: { id: string }) => order.id)).toEqual([paid.id, unpaid.id]);
    const confirmed = await app.request('/orders?status=confirmed', { token: staff });
    expect(confirmed.status).toBe(200);
    expect((await confirmed.json()).data.map((order: { id: string }) => order.id)).toEqual([paid.id]);
  });

  it('answers 400 for a cursor it did not make', async () => {
    const app = testApp();
    const response = await app.request('/orders?cursor=bm90LWEtY3Vyc29y', { token: await app.tokenFor('customer') });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].pointer).toBe('/query/cursor');
  });
});

describeEachDatabase('the order status machine', (kind) => {
  const testApp = useTestApp(kind);

  async function eventsOf(app: ReturnType<typeof testApp>, orderId: string) {
    const rows = await app.db.selectFrom('order_events').select(['previous_status', 'status']).where('order_id', '=', orderId).orderBy('occurred_at').orderBy('id').execute();
    return rows.map((row) => `${row.previous_status ?? '-'}>${row.status}`);
  }

  it('moves a paid delivery order through to delivered, recording every change', async () => {
    const app = testApp();
    const order = await placePaidOrder(app, await app.tokenFor('customer'), deliveryOrder);
    const response = await advance(app, await app.tokenFor('staff'), order.id, 'preparing', 'baking', 'ready', 'out_for_delivery', 'delivered');
    expect(response.status).toBe(200);
    expect((await response.json()).status).toBe('delivered');
    const events = await eventsOf(app, order.id);
    expect(events).toHaveLength(7);
    expect(new Set(events)).toEqual(
      new Set(['->awaiting_payment', 'awaiting_payment>confirmed', 'confirmed>preparing', 'preparing>baking', 'baking>ready', 'ready>out_for_delivery', 'out_for_delivery>delivered']),
    );
  });

  it('collects a pickup order at ready, which never goes out for delivery', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const order = await placePaidOrder(app, await app.tokenFor('customer'));
    expect((await advance(app, staff, order.id, 'preparing', 'baking', 'ready')).status).toBe(200);
    expect((await advance(app, staff, order.id, 'out_for_delivery')).status).toBe(409);
    const collected = await advance(app, staff, order.id, 'collected');
    expect(collected.status).toBe(200);
    expect((await collected.json()).status).toBe('collected');
  });

  it('refuses to skip a step or to start on an unpaid order with 409, and changes nothing', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const unpaid = await placeOrder(app, customer);
    const early = await advance(app, staff, unpaid.id, 'preparing');
    expect(early.status).toBe(409);
    expect((await early.json()).type).toBe('https://pizza-place.example/problems/invalid-transition');
    const paid = await placePaidOrder(app, customer);
    expect((await advance(app, staff, paid.id, 'baking')).status).toBe(409);
    const after = await (await app.request(`/orders/${paid.id}`, { token: staff })).json();
    expect(after.status).toBe('confirmed');
    expect(await eventsOf(app, paid.id)).toHaveLength(2);
  });

  it('answers 404 when staff advance an order that does not exist, and 403 to a customer', async () => {
    const app = testApp();
    expect((await advance(app, await app.tokenFor('staff'), 'ord_doesNotExist0001', 'preparing')).status).toBe(404);
    const customer = await app.tokenFor('customer');
    const order = await placePaidOrder(app, customer);
    expect((await advance(app, customer, order.id, 'preparing')).status).toBe(403);
  });
});

describeEachDatabase('cancelling orders', (kind) => {
  const testApp = useTestApp(kind);
  const cancel = (app: ReturnType<typeof testApp>, token: string, orderId: string, reason?: string) =>
    app.request(`/orders/${orderId}/cancel`, { method: 'POST', token, ...(reason !== undefined && { json: { reason } }) });

  it('lets a customer cancel while awaiting payment or confirmed, but not once the kitchen started', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const unpaid = await placeOrder(app, customer);
    const cancelled = await cancel(app, customer, unpaid.id, 'Changed my mind.');
    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe('cancelled');
    const paid = await placePaidOrder(app, customer);
    expect((await cancel(app, customer, paid.id)).status).toBe(200);
    const preparing = await placePaidOrder(app, customer);
    await advance(app, await app.tokenFor('staff'), preparing.id, 'preparing');
    const refused = await cancel(app, customer, preparing.id);
    expect(refused.status).toBe(409);
    expect((await (await app.request(`/orders/${preparing.id}`, { token: customer })).json()).status).toBe('preparing');
  });

  it('lets staff cancel until the order is out for delivery, and never after delivered or collected', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const outForDelivery = await placePaidOrder(app, customer, deliveryOrder);
    await advance(app, staff, outForDelivery.id, 'preparing', 'baking', 'ready', 'out_for_delivery');
    expect((await cancel(app, staff, outForDelivery.id)).status).toBe(200);
    const delivered = await placePaidOrder(app, customer, deliveryOrder);
    await advance(app, staff, delivered.id, 'preparing', 'baking', 'ready', 'out_for_delivery', 'delivered');
    expect((await cancel(app, staff, delivered.id)).status).toBe(409);
    const collected = await placePaidOrder(app, customer);
    await advance(app, staff, collected.id, 'preparing', 'baking', 'ready', 'collected');
    expect((await cancel(app, staff, collected.id)).status).toBe(409);
    expect((await advance(app, staff, collected.id, 'delivered')).status).toBe(409);
  });

  it('answers 404 when a customer cancels someone else\'s order', async () => {
    const app = testApp();
    const order = await placeOrder(app, await app.tokenFor('customer'));
    expect((await cancel(app, await app.tokenFor('customer'), order.id)).status).toBe(404);
  });

  it('puts the ingredients back exactly once', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer, {
      lines: [{ itemId: items.margherita, size: 'large', quantity: 3, toppings: [toppings.mushrooms, toppings.mushrooms] }],
      fulfilment: { type: 'pickup' },
    });
    expect(await stockOf(app, ingredients.mushrooms)).toBe(5_000 - 3 * 2 * 40);
    const both = await Promise.all([cancel(app, customer, order.id), cancel(app, customer, order.id)]);
    expect(both.map((response) => response.status).sort()).toEqual([200, 409]);
    expect((await cancel(app, customer, order.id)).status).toBe(409);
    expect(await stockOf(app, ingredients.mushrooms)).toBe(5_000);
    expect(await stockOf(app, ingredients.dough)).toBe(40_000);
  });
});
