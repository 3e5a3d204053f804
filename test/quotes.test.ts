import { expect, it } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { countRows, deliveryOrder, pickupMargherita, postOrder, setStock, stockOf } from './support/orders.ts';

const { ingredients, items } = seededIds;

describeEachDatabase('quotes', (kind) => {
  const testApp = useTestApp(kind);

  function quote(body: unknown) {
    return testApp().request('/orders/quote', { method: 'POST', json: body });
  }

  it('prices an order exactly as placing the same body does, to the cent, without a token', async () => {
    const app = testApp();
    const quoted = await quote(deliveryOrder);
    expect(quoted.status).toBe(200);
    const priced = await quoted.json();
    expect(priced).toMatchObject({ available: true, shortages: [] });
    const placed = await postOrder(app, await app.tokenFor('customer'), deliveryOrder);
    expect(placed.status).toBe(201);
    const order = await placed.json();
    for (const field of ['lines', 'subtotal', 'deliveryFee', 'tax', 'total'] as const) expect(priced[field]).toEqual(order[field]);
    expect(priced.deliveryFee.amount).toBeGreaterThan(0);
    expect(priced.tax.amount).toBeGreaterThan(0);
  });

  it('reserves nothing: stock and orders stay as they were', async () => {
    const app = testApp();
    const before = await stockOf(app, ingredients.dough);
    expect((await quote(pickupMargherita)).status).toBe(200);
    expect(await stockOf(app, ingredients.dough)).toBe(before);
    expect(await countRows(app, 'orders')).toBe(0);
  });

  it('names the shortages of an order the stock cannot make now, as placing it would', async () => {
    const app = testApp();
    await setStock(app, ingredients.dough, 400);
    const body = { lines: [{ itemId: items.margherita, size: 'large', quantity: 3 }], fulfilment: { type: 'pickup' } };
    const quoted = await quote(body);
    expect(quoted.status).toBe(200);
    const priced = await quoted.json();
    expect(priced).toMatchObject({ available: false, shortages: [{ ingredientId: ingredients.dough, required: 3 * 325, available: 400 }] });
    const placed = await postOrder(app, await app.tokenFor('customer'), body);
    expect(placed.status).toBe(409);
    expect((await placed.json()).shortages).toEqual(priced.shortages);
  });

  it('answers 422 item-unavailable for a retired item or a size it does not come in, as placing does', async () => {
    const app = testApp();
    await app.db.updateTable('menu_items').set({ retired_at: new Date().toISOString() }).where('id', '=', items.pepperoni).execute();
    const response = await quote({
      lines: [
        { itemId: items.pepperoni, size: 'medium', quantity: 1 },
        { itemId: items.cola, size: 'large', quantity: 1 },
      ],
      fulfilment: { type: 'pickup' },
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      type: 'https://pizza-place.example/problems/item-unavailable',
      errors: [{ pointer: '/body/lines/0/itemId' }, { pointer: '/body/lines/1/size' }],
    });
  });

  it('answers 422 validation-failed for a body that breaks the contract', async () => {
    const response = await quote({ lines: [], fulfilment: { type: 'pickup' } });
    expect(response.status).toBe(422);
    expect((await response.json()).errors[0].pointer).toBe('/body/lines');
  });
});
