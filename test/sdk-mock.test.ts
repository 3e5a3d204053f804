import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from '../sdk/index.ts';
import { validators } from '../sdk/validation.ts';
import {
  advanceOrderStatus, cancelOrder, checkLiveness, checkReadiness, createMenuItem, createPizzaPlaceClient, getMe, getMenuItem,
  getOrder, isProblem, issueToken, listIngredients, listMenuItems, listOrderPayments, listOrders, listStockAdjustments, listToppings,
  payOrder, placeOrder, recordStockAdjustment, registerCustomer, retireMenuItem, updateMenuItem, type PizzaPlaceClient,
  changePassword, createIngredient, quoteOrder, refreshToken, refundPayment, revokeToken, updateIngredient,
  createWebhookSubscription, deleteWebhookSubscription, getWebhookSubscription, listWebhookDeliveries, listWebhookSubscriptions,
  redeliverWebhook, rotateWebhookSecret, updateWebhookSubscription,
} from '../sdk/index.ts';
import { startPrism, type RunningPrism } from './support/prism.ts';
import { operations } from './support/spec.ts';

const idempotencyKey = '3f6c1a52-8d0e-4b7a-9c61-2f5e8b1d4a70';
const orderId = 'ord_7Hq2mX9kLp4Rt8Vw';
const itemId = 'itm_margherita01';
const subscriptionId = 'whk_Kitchen0Display1';

describe('the SDK against the Prism mock', () => {
  let prism: RunningPrism;
  let client: PizzaPlaceClient;
  const tokensAsked: number[] = [];

  beforeAll(async () => {
    prism = await startPrism();
    client = createPizzaPlaceClient({
      baseUrl: prism.url,
      token: async () => {
        tokensAsked.push(Date.now());
        return 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfbW9jayJ9.c2lnbmF0dXJl';
      },
    });
  });
  afterAll(async () => {
    await prism?.stop();
  });

  it('re-exports a function for every operation of the contract', () => {
    const exported = Object.keys(sdk);
    for (const { operationId } of operations()) expect(exported).toContain(operationId);
  });

  it('calls every operation and receives data the response schemas accept', async () => {
    const calls = {
      listMenuItems: listMenuItems({ client, query: { category: 'pizza' } }),
      getMenuItem: getMenuItem({ client, path: { itemId } }),
      createMenuItem: createMenuItem({
        client,
        body: { name: 'Diavola', description: 'Spicy salami and chilli.', category: 'pizza', sizes: [{ size: 'medium', price: { amount: 1299, currency: 'USD' } }] },
      }),
      updateMenuItem: updateMenuItem({ client, path: { itemId }, body: { description: 'Tomato, mozzarella and basil.' } }),
      retireMenuItem: retireMenuItem({ client, path: { itemId } }),
      listToppings: listToppings({ client }),
      registerCustomer: registerCustomer({ client, body: { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada Lovelace' } }),
      issueToken: issueToken({ client, body: { email: 'ada@example.com', password: 'correct horse battery' } }),
      getMe: getMe({ client }),
      refreshToken: refreshToken({ client, body: { refreshToken: 'rt_Vq3xJk9LmP2sT7wY4zA8bC1dE6fG0hI5jK2lM9nO3pQ' } }),
      revokeToken: revokeToken({ client, body: { refreshToken: 'rt_Vq3xJk9LmP2sT7wY4zA8bC1dE6fG0hI5jK2lM9nO3pQ' } }),
      changePassword: changePassword({ client, body: { currentPassword: 'correct horse battery', newPassword: 'battery staple horse correct' } }),
      quoteOrder: quoteOrder({ client, body: { lines: [{ itemId, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } } }),
      refundPayment: refundPayment({
        client,
        path: { orderId, paymentId: 'pay_8fKq2LmN4pXz' },
        headers: { 'Idempotency-Key': idempotencyKey },
        body: { amount: { amount: 269, currency: 'USD' }, reason: 'The cola was missing.' },
      }),
      createIngredient: createIngredient({ client, body: { name: 'Ricotta', unit: 'g', lowStockThreshold: 1000 } }),
      updateIngredient: updateIngredient({ client, path: { ingredientId: 'ing_mozzarella01' }, body: { lowStockThreshold: 2000 } }),
      listOrders: listOrders({ client, query: { limit: 10 } }),
      placeOrder: placeOrder({
        client,
        headers: { 'Idempotency-Key': idempotencyKey },
        body: { lines: [{ itemId, size: 'medium', quantity: 2, toppings: ['top_mushrooms01'] }], fulfilment: { type: 'pickup' } },
      }),
      getOrder: getOrder({ client, path: { orderId } }),
      cancelOrder: cancelOrder({ client, path: { orderId }, body: { reason: 'Ordered by mistake.' } }),
      advanceOrderStatus: advanceOrderStatus({ client, path: { orderId }, body: { status: 'preparing' } }),
      payOrder: payOrder({ client, path: { orderId }, headers: { 'Idempotency-Key': idempotencyKey }, body: { paymentMethodToken: 'tok_visa' } }),
      listOrderPayments: listOrderPayments({ client, path: { orderId } }),
      listIngredients: listIngredients({ client }),
      recordStockAdjustment: recordStockAdjustment({ client, body: { ingredientId: 'ing_mozzarella01', delta: 5000, reason: 'restock' } }),
      listStockAdjustments: listStockAdjustments({ client, query: { limit: 5 } }),
      checkLiveness: checkLiveness({ client }),
      checkReadiness: checkReadiness({ client }),
      createWebhookSubscription: createWebhookSubscription({
        client,
        body: { url: 'https://kitchen.pizza-place.example/hooks/orders', events: ['order.placed', 'order.status_changed'], description: 'Kitchen display board' },
      }),
      listWebhookSubscriptions: listWebhookSubscriptions({ client, query: { limit: 10 } }),
      getWebhookSubscription: getWebhookSubscription({ client, path: { subscriptionId } }),
      updateWebhookSubscription: updateWebhookSubscription({ client, path: { subscriptionId }, body: { enabled: false } }),
      deleteWebhookSubscription: deleteWebhookSubscription({ client, path: { subscriptionId } }),
      rotateWebhookSecret: rotateWebhookSecret({ client, path: { subscriptionId } }),
      listWebhookDeliveries: listWebhookDeliveries({ client, path: { subscriptionId }, query: { limit: 10 } }),
      redeliverWebhook: redeliverWebhook({ client, path: { subscriptionId, deliveryId: 'dlv_4Tq8Wm2Zr6Yp' } }),
    } satisfies Record<string, Promise<{ error?: unknown; response?: Response }>>;

    // watchOrder answers a stream of events, not one body: test/sdk-watch-order.test.ts follows it through the mock.
    expect(Object.keys(calls).sort()).toEqual(operations().map((op) => op.operationId).filter((id) => id !== 'watchOrder').sort());
    for (const [operationId, call] of Object.entries(calls)) {
      const result = await call;
      expect(result.error, `${operationId}: ${JSON.stringify(result.error)}`).toBeUndefined();
      expect(result.response?.ok, operationId).toBe(true);
    }
    const menu = await calls.listMenuItems;
    expect(menu.data?.data.map((item) => item.name)).toContain('Margherita');
    const placed = await calls.placeOrder;
    expect(placed.response?.status).toBe(201);
    expect(placed.data?.total.currency).toBe('USD');
  });

  it('sends the bearer token only to operations the contract secures', async () => {
    tokensAsked.length = 0;
    await listMenuItems({ client });
    expect(tokensAsked).toHaveLength(0);
    const me = await getMe({ client });
    expect(me.response?.status).toBe(200);
    expect(tokensAsked).toHaveLength(1);
  });

  it('refuses a request body the contract rejects before it leaves the client when validation is on', async () => {
    let sent = 0;
    const counting = createPizzaPlaceClient({
      baseUrl: prism.url,
      token: 'token',
      validation: validators,
      fetch: (input, init) => (sent++, fetch(input, init)),
    });
    const { error } = await placeOrder({
      client: counting,
      headers: { 'Idempotency-Key': idempotencyKey },
      body: { lines: [{ itemId, size: 'medium', quantity: 0, toppings: [] }], fulfilment: { type: 'pickup' } },
    });
    expect(error).toMatchObject({ kind: 'invalid-request', issues: [expect.objectContaining({ path: ['body', 'lines', 0, 'quantity'] })] });
    expect(sent).toBe(0);
  });

  it('turns a documented error into a typed problem', async () => {
    const result = await getMenuItem({ client, path: { itemId }, headers: { Prefer: 'code=404' } as never });
    expect(result.response?.status).toBe(404);
    expect(result.error).toMatchObject({ kind: 'problem', status: 404, title: expect.any(String) });
    expect(isProblem(result.error, 404)).toBe(true);
  });
});
