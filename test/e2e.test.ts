import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  advanceOrderStatus, cancelOrder, checkLiveness, checkReadiness, createMenuItem, createPizzaPlaceClient, getMe, getMenuItem,
  getOrder, isProblem, issueToken, listIngredients, listMenuItems, listOrderPayments, listOrders, listStockAdjustments,
  listToppings, paginate, payOrder, placeOrder, recordStockAdjustment, registerCustomer, retireMenuItem, updateMenuItem,
  type PizzaPlaceClient,
} from '../sdk/index.ts';
import { validators } from '../sdk/validation.ts';
import { describeEachDatabase, useTestDatabase } from './support/database.ts';
import { startPrism, type RunningPrism } from './support/prism.ts';
import { startTestServer } from './support/server.ts';

/**
 * A day at the restaurant through the SDK over HTTP: a customer orders, pays and cancels, the kitchen
 * moves an order to the door, staff keep the menu and the stock. Every operation of the contract is
 * called at least once, so the proxy run below checks all of them against the contract.
 */
async function dayAtThePizzaPlace(baseUrl: string, staffCredentials: { email: string; password: string }) {
  const anonymous = createPizzaPlaceClient({ baseUrl, validation: validators });
  const customer = { email: `ada-${randomUUID()}@example.com`, password: 'correct horse battery', name: 'Ada Lovelace' };

  const registered = await registerCustomer({ client: anonymous, body: customer, throwOnError: true });
  expect(registered.response.status).toBe(201);
  const signIn = await issueToken({ client: anonymous, body: { email: customer.email, password: customer.password }, throwOnError: true });
  const client = createPizzaPlaceClient({ baseUrl, token: async () => signIn.data.accessToken, validation: validators });
  const staffToken = (await issueToken({ client: anonymous, body: staffCredentials, throwOnError: true })).data.accessToken;
  const staff = createPizzaPlaceClient({ baseUrl, token: staffToken, validation: validators });

  const me = await getMe({ client, throwOnError: true });
  expect(me.data).toMatchObject({ email: customer.email, role: 'customer' });
  expect((await checkLiveness({ client: anonymous, throwOnError: true })).data.status).toBe('ok');
  expect((await checkReadiness({ client: anonymous, throwOnError: true })).data.status).toBe('ready');

  const menu = await listMenuItems({ client: anonymous, throwOnError: true });
  const margherita = menu.data.data.find((item) => item.name === 'Margherita')!;
  expect(margherita.available).toBe(true);
  const medium = margherita.sizes.find((size) => size.size === 'medium')!;
  expect((await getMenuItem({ client: anonymous, path: { itemId: margherita.id }, throwOnError: true })).data).toEqual(margherita);
  const mushrooms = (await listToppings({ client: anonymous, throwOnError: true })).data.data.find((t) => t.name === 'Mushrooms')!;

  // A delivery order, priced by the server.
  const placed = await placeOrder({
    client,
    body: {
      lines: [{ itemId: margherita.id, size: 'medium', quantity: 2, toppings: [mushrooms.id] }],
      fulfilment: { type: 'delivery', address: { line1: '12 Baker Street', city: 'London', postalCode: 'NW1 6XE' } },
    },
    throwOnError: true,
  });
  expect(placed.response.status).toBe(201);
  const order = placed.data;
  const subtotal = 2 * (medium.price.amount + mushrooms.price.amount);
  expect(order.subtotal.amount).toBe(subtotal);
  expect(order.total.amount).toBe(order.subtotal.amount + order.deliveryFee.amount + order.tax.amount);
  expect(order.status).toBe('awaiting_payment');

  const declined = await payOrder({ client, path: { orderId: order.id }, body: { paymentMethodToken: 'tok_chargeDeclined' } });
  expect(isProblem(declined.error, 402)).toBe(true);
  const paid = await payOrder({ client, path: { orderId: order.id }, body: { paymentMethodToken: 'tok_visa' }, throwOnError: true });
  expect(paid.response.status).toBe(201);
  expect('amount' in paid.data && paid.data.amount).toEqual(order.total);
  expect((await getOrder({ client, path: { orderId: order.id }, throwOnError: true })).data.status).toBe('confirmed');

  // The kitchen takes it to the door; a step out of order is refused.
  const skipped = await advanceOrderStatus({ client: staff, path: { orderId: order.id }, body: { status: 'delivered' } });
  expect(isProblem(skipped.error, 409)).toBe(true);
  for (const status of ['preparing', 'baking', 'ready', 'out_for_delivery', 'delivered'] as const) {
    const advanced = await advanceOrderStatus({ client: staff, path: { orderId: order.id }, body: { status }, throwOnError: true });
    expect(advanced.data.status).toBe(status);
  }

  // A pickup order, paid, then cancelled: refunded once.
  const pickup = await placeOrder({
    client,
    body: { lines: [{ itemId: margherita.id, size: 'small', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } },
    throwOnError: true,
  });
  await payOrder({ client, path: { orderId: pickup.data.id }, body: { paymentMethodToken: 'tok_mastercard' }, throwOnError: true });
  const cancelled = await cancelOrder({ client, path: { orderId: pickup.data.id }, body: { reason: 'Plans changed.' }, throwOnError: true });
  expect(cancelled.data.status).toBe('cancelled');
  const payments = await listOrderPayments({ client, path: { orderId: pickup.data.id }, throwOnError: true });
  expect(payments.data.data).toHaveLength(1);
  expect(payments.data.data[0]).toMatchObject({ status: 'refunded', refunds: [{ amount: pickup.data.total }] });

  const mine: string[] = [];
  for await (const listed of paginate(listOrders, { client, query: { limit: 1 } })) mine.push(listed.id);
  expect(mine.sort()).toEqual([order.id, pickup.data.id].sort());
  expect(isProblem((await getOrder({ client, path: { orderId: 'ord_doesNotExist01' } })).error, 404)).toBe(true);

  // Staff keep the stock and the menu.
  const ingredients = await listIngredients({ client: staff, throwOnError: true });
  const mozzarella = ingredients.data.data.find((ingredient) => ingredient.name === 'Mozzarella')!;
  const restock = await recordStockAdjustment({
    client: staff,
    body: { ingredientId: mozzarella.id, delta: 2000, reason: 'restock', note: 'Morning delivery.' },
    throwOnError: true,
  });
  expect(restock.data.stockLevelAfter).toBe(mozzarella.stockLevel + 2000);
  const adjustments = await listStockAdjustments({ client: staff, query: { ingredientId: mozzarella.id }, throwOnError: true });
  expect(adjustments.data.data[0]?.id).toBe(restock.data.id);
  expect(isProblem((await listIngredients({ client })).error, 403)).toBe(true);

  const created = await createMenuItem({
    client: staff,
    body: {
      name: 'Diavola',
      description: 'Spicy salami and chilli.',
      category: 'pizza',
      sizes: [{ size: 'medium', price: { amount: 1399, currency: 'USD' } }],
      recipes: [{ size: 'medium', ingredients: [{ ingredientId: 'ing_pizzaDough01', quantity: 250 }, { ingredientId: 'ing_pepperoni01', quantity: 70 }] }],
    },
    throwOnError: true,
  });
  const updated = await updateMenuItem({ client: staff, path: { itemId: created.data.id }, body: { description: 'Spicy salami, chilli and honey.' }, throwOnError: true });
  expect(updated.data.description).toBe('Spicy salami, chilli and honey.');
  const retired = await retireMenuItem({ client: staff, path: { itemId: created.data.id }, throwOnError: true });
  expect(retired.response.status).toBe(204);
  expect(isProblem((await getMenuItem({ client: anonymous, path: { itemId: created.data.id } })).error, 404)).toBe(true);
}

describeEachDatabase('the SDK against the real server', (kind) => {
  const database = useTestDatabase(kind);

  it('runs a whole day at the restaurant over HTTP', async () => {
    const { config } = database();
    const server = await startTestServer(config);
    try {
      await dayAtThePizzaPlace(server.url, config.staff);
    } finally {
      await server.close();
    }
  });
});

describe('the SDK against the real server behind prism proxy --errors', () => {
  const database = useTestDatabase('sqlite');

  it('finds no request or response that breaks the contract', async () => {
    const { config } = database();
    const server = await startTestServer(config);
    let proxy: RunningPrism | undefined;
    try {
      proxy = await startPrism({ mode: 'proxy', upstream: server.url, flags: ['--errors'] });
      await dayAtThePizzaPlace(proxy.url, config.staff);
      // Prism logs each contract breach as a violation, and each refused request with ✖.
      expect(proxy.output()).not.toMatch(/violation|✖/i);
    } finally {
      await proxy?.stop();
      await server.close();
    }
  });
});
