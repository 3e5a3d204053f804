import { expect, it, vi } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { countRows, pickupMargherita, placeOrder, postOrder, postPayment, setStock, stockOf } from './support/orders.ts';

const { ingredients, items } = seededIds;
const key = 'c0ffee00-1111-4222-8333-944445555666';

describeEachDatabase('Idempotency-Key', (kind) => {
  const testApp = useTestApp(kind);

  it('replays the first order for a retry with the same key and body, placing it once', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const first = await postOrder(app, customer, pickupMargherita, key);
    expect(first.status).toBe(201);
    const retry = await postOrder(app, customer, pickupMargherita, key);
    expect(retry.status).toBe(201);
    expect(await retry.json()).toEqual(await first.json());
    expect(retry.headers.get('Location')).toBe(first.headers.get('Location'));
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await countRows(app, 'orders')).toBe(1);
    expect(await stockOf(app, ingredients.dough)).toBe(40_000 - 250);
  });

  it('keeps the order placed, not an HTTP answer, and still replays keys kept as answers by earlier versions', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const first = await postOrder(app, customer, pickupMargherita, key);
    const order = await first.json();
    const kept = await app.db.selectFrom('idempotency_keys').select(['response_status', 'response_body', 'response_headers']).executeTakeFirstOrThrow();
    expect({ ...kept, response_body: JSON.parse(kept.response_body!) }).toEqual({ response_status: null, response_body: order, response_headers: null });
    // As 0.1 kept it: the answer's status and headers beside the body.
    await app.db
      .updateTable('idempotency_keys')
      .set({ response_status: 201, response_headers: JSON.stringify({ Location: `/orders/${order.id}` }) })
      .execute();
    const retry = await postOrder(app, customer, pickupMargherita, key);
    expect([retry.status, retry.headers.get('Location'), await retry.json()]).toEqual([201, `/orders/${order.id}`, order]);
    await expect(app.db.updateTable('idempotency_keys').set({ response_body: null }).execute()).rejects.toThrow();
  });

  it('treats the same body with its properties in another order as the same request', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    expect((await postOrder(app, customer, { lines: [{ quantity: 1, size: 'medium', itemId: items.margherita }], fulfilment: { type: 'pickup' } }, key)).status).toBe(201);
    const retry = await postOrder(app, customer, { fulfilment: { type: 'pickup' }, lines: [{ itemId: items.margherita, size: 'medium', quantity: 1 }] }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
  });

  it('refuses the same key with a different body with 422', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    expect((await postOrder(app, customer, pickupMargherita, key)).status).toBe(201);
    const response = await postOrder(app, customer, { ...pickupMargherita, notes: 'Extra crispy.' }, key);
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.type).toBe('https://pizza-place.example/problems/idempotency-key-reused');
    expect(body.errors[0].pointer).toBe('/header/idempotency-key');
    expect(await countRows(app, 'orders')).toBe(1);
  });

  it('keeps each customer\'s keys apart, and each operation\'s', async () => {
    const app = testApp();
    const one = await postOrder(app, await app.tokenFor('customer'), pickupMargherita, key);
    const customer = await app.tokenFor('customer');
    const two = await postOrder(app, customer, pickupMargherita, key);
    expect([one.status, two.status]).toEqual([201, 201]);
    const order = await two.json();
    expect(order.id).not.toBe((await one.json()).id);
    expect((await postPayment(app, customer, order.id, 'tok_visa', key)).status).toBe(201);
    expect(await countRows(app, 'orders')).toBe(2);
  });

  it('places one order for concurrent requests with one key, answering each with it', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const responses = await Promise.all(Array.from({ length: 10 }, () => postOrder(app, customer, pickupMargherita, key)));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    const ids = new Set(await Promise.all(responses.map(async (response) => (await response.json()).id)));
    expect(ids.size).toBe(1);
    expect(responses.filter((response) => response.headers.get('Idempotent-Replayed') === 'true')).toHaveLength(9);
    expect(await countRows(app, 'orders')).toBe(1);
    expect(await stockOf(app, ingredients.dough)).toBe(40_000 - 250);
  });

  it('releases the key of a request that failed, so a retry is carried out afresh', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    await setStock(app, ingredients.dough, 100);
    expect((await postOrder(app, customer, pickupMargherita, key)).status).toBe(409);
    await setStock(app, ingredients.dough, 1_000);
    const retry = await postOrder(app, customer, pickupMargherita, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it('treats a key older than 24 hours as new and clears expired keys away', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const first = await (await postOrder(app, customer, pickupMargherita, key)).json();
    expect((await postOrder(app, customer, pickupMargherita, 'another-key-0001')).status).toBe(201);
    await app.db.updateTable('idempotency_keys').set({ expires_at: '2020-01-01T00:00:00.000Z' }).execute();
    // Expired keys are swept at most once a minute.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 60 * 1000 });
    try {
      const again = await postOrder(app, customer, { ...pickupMargherita, notes: 'A different order.' }, key);
      expect(again.status).toBe(201);
      expect((await again.json()).id).not.toBe(first.id);
    } finally {
      vi.useRealTimers();
    }
    expect(await countRows(app, 'orders')).toBe(3);
    expect(await countRows(app, 'idempotency_keys')).toBe(1);
  });

  it('charges once for a retried payment and replays it', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    const first = await postPayment(app, customer, order.id, 'tok_visa', key);
    expect(first.status).toBe(201);
    const retry = await postPayment(app, customer, order.id, 'tok_visa', key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toEqual(await first.json());
    expect(await countRows(app, 'payments')).toBe(1);
  });

  it('lets a declined payment be retried with the same key and another card', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const order = await placeOrder(app, customer);
    expect((await postPayment(app, customer, order.id, 'tok_chargeDeclined', key)).status).toBe(402);
    expect((await postPayment(app, customer, order.id, 'tok_visa', key)).status).toBe(201);
  });

  it('refuses one payment key reused for another order with 422', async () => {
    const app = testApp();
    const customer = await app.tokenFor('customer');
    const one = await placeOrder(app, customer);
    const two = await placeOrder(app, customer);
    expect((await postPayment(app, customer, one.id, 'tok_visa', key)).status).toBe(201);
    expect((await postPayment(app, customer, two.id, 'tok_visa', key)).status).toBe(422);
  });
});
