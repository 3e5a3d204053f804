import { expect, it } from 'vitest';
import type { Ingredient, IngredientPage, MenuItem } from '../generated/types.gen.ts';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { postOrder, stockOf } from './support/orders.ts';

const { ingredients, items } = seededIds;

const garlicKnots = {
  name: 'Garlic Knots',
  description: 'Six knots of dough with garlic butter.',
  category: 'side',
  sizes: [{ size: 'regular', price: { amount: 499, currency: 'USD' } }],
};

async function createItem(app: TestApp, staff: string, body: object): Promise<Response> {
  return app.request('/menu/items', { method: 'POST', token: staff, json: body });
}

function cancel(app: TestApp, token: string, orderId: string) {
  return app.request(`/orders/${orderId}/cancel`, { method: 'POST', token, json: {} });
}

describeEachDatabase('recipes and stock that stays true', (kind) => {
  const testApp = useTestApp(kind);

  it('refuses a stock-tracked item without a recipe for each size, or with an unknown or repeated ingredient, with 422 pointers', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const missing = await createItem(app, staff, garlicKnots);
    expect(missing.status).toBe(422);
    expect((await missing.json()).errors).toEqual([expect.objectContaining({ pointer: '/body/recipes' })]);

    const wrong = await createItem(app, staff, {
      ...garlicKnots,
      recipes: [
        { size: 'regular', ingredients: [{ ingredientId: 'ing_NoSuchThing01', quantity: 1 }, { ingredientId: ingredients.dough, quantity: 1 }, { ingredientId: ingredients.dough, quantity: 2 }] },
        { size: 'large', ingredients: [{ ingredientId: ingredients.dough, quantity: 1 }] },
      ],
    });
    expect(wrong.status).toBe(422);
    expect((await wrong.json()).errors.map((error: { pointer: string }) => error.pointer)).toEqual([
      '/body/recipes/0/ingredients/0/ingredientId',
      '/body/recipes/0/ingredients/2/ingredientId',
      '/body/recipes/1/size',
    ]);
  });

  it('takes a new item\'s recipe from stock when it is ordered', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const created = await createItem(app, staff, { ...garlicKnots, recipes: [{ size: 'regular', ingredients: [{ ingredientId: ingredients.dough, quantity: 120 }] }] });
    expect(created.status).toBe(201);
    const item = (await created.json()) as MenuItem;
    const before = await stockOf(app, ingredients.dough);
    const placed = await postOrder(app, await app.tokenFor('customer'), { lines: [{ itemId: item.id, size: 'regular', quantity: 3 }], fulfilment: { type: 'pickup' } });
    expect(placed.status).toBe(201);
    expect(await stockOf(app, ingredients.dough)).toBe(before - 360);
  });

  it('takes nothing from stock for an item marked stockTracked: false, and says so on purpose', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const created = await createItem(app, staff, { ...garlicKnots, name: 'Lemonade', category: 'drink', stockTracked: false });
    expect(created.status).toBe(201);
    const item = (await created.json()) as MenuItem;
    const levels = await app.db.selectFrom('ingredients').select(['id', 'stock_level']).execute();
    expect((await postOrder(app, await app.tokenFor('customer'), { lines: [{ itemId: item.id, size: 'regular', quantity: 2 }], fulfilment: { type: 'pickup' } })).status).toBe(201);
    expect(await app.db.selectFrom('ingredients').select(['id', 'stock_level']).execute()).toEqual(levels);
  });

  it('refuses to sell a stock-tracked size that has no recipe (never unlimited), and shows it unavailable', async () => {
    const app = testApp();
    await app.db.deleteFrom('recipes').where('item_id', '=', items.garlicBread).execute();
    const placed = await postOrder(app, await app.tokenFor('customer'), { lines: [{ itemId: items.garlicBread, size: 'regular', quantity: 1 }], fulfilment: { type: 'pickup' } });
    expect(placed.status).toBe(422);
    expect((await placed.json()).errors).toEqual([expect.objectContaining({ pointer: '/body/lines/0/size' })]);
    const read = await app.request(`/menu/items/${items.garlicBread}`);
    expect(((await read.json()) as MenuItem).available).toBe(false);
  });

  it('gives back exactly what a cancelled order took, after its recipe changed and its size was dropped', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const customer = await app.tokenFor('customer');
    const watched = [ingredients.dough, ingredients.mozzarella, ingredients.basil, ingredients.tomatoSauce] as const;
    const before = await Promise.all(watched.map((id) => stockOf(app, id)));
    const placed = await postOrder(app, customer, { lines: [{ itemId: items.margherita, size: 'small', quantity: 2 }], fulfilment: { type: 'pickup' } });
    expect(placed.status).toBe(201);
    const order = await placed.json();

    const changed = await app.request(`/menu/items/${items.margherita}`, {
      method: 'PATCH',
      token: staff,
      json: {
        sizes: [{ size: 'large', price: { amount: 1599, currency: 'USD' } }],
        recipes: [{ size: 'large', ingredients: [{ ingredientId: ingredients.dough, quantity: 999 }] }],
      },
    });
    expect(changed.status).toBe(200);
    expect((await cancel(app, customer, order.id)).status).toBe(200);
    expect(await Promise.all(watched.map((id) => stockOf(app, id)))).toEqual(before);
  });

  it('refuses a new size without a recipe on a stock-tracked item with 422, and takes it once stock tracking is off', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const sizes = [
      { size: 'regular', price: { amount: 299, currency: 'USD' } },
    ];
    const patch = (json: object) => app.request(`/menu/items/${items.garlicBread}`, { method: 'PATCH', token: staff, json });
    await app.db.deleteFrom('recipes').where('item_id', '=', items.garlicBread).execute();
    const refused = await patch({ sizes });
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([expect.objectContaining({ pointer: '/body/recipes' })]);
    expect((await patch({ sizes, stockTracked: false })).status).toBe(200);
    const placed = await postOrder(app, await app.tokenFor('customer'), { lines: [{ itemId: items.garlicBread, size: 'regular', quantity: 1 }], fulfilment: { type: 'pickup' } });
    expect(placed.status).toBe(201);
  });
});

describeEachDatabase('ingredients', (kind) => {
  const testApp = useTestApp(kind);

  async function list(app: TestApp, token: string, query: string): Promise<IngredientPage> {
    const response = await app.request(`/inventory/ingredients${query}`, { token });
    expect(response.status).toBe(200);
    return (await response.json()) as IngredientPage;
  }

  it('lets staff add an ingredient at 0 stock, refuses a name in use with 409, and lets staff rename it and change its threshold', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    const created = await app.request('/inventory/ingredients', { method: 'POST', token: staff, json: { name: 'Ricotta', unit: 'g', lowStockThreshold: 1000 } });
    expect(created.status).toBe(201);
    const ricotta = (await created.json()) as Ingredient;
    expect(ricotta).toMatchObject({ name: 'Ricotta', stockLevel: 0, lowStock: true });
    expect(created.headers.get('Location')).toBe(`/inventory/ingredients/${ricotta.id}`);

    const again = await app.request('/inventory/ingredients', { method: 'POST', token: staff, json: { name: 'Ricotta', unit: 'g', lowStockThreshold: 5 } });
    expect(again.status).toBe(409);
    expect((await again.json()).type).toBe('https://pizza-place.example/problems/name-taken');

    const patched = await app.request(`/inventory/ingredients/${ricotta.id}`, { method: 'PATCH', token: staff, json: { lowStockThreshold: 0, name: 'Ricotta di bufala' } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: 'Ricotta di bufala', lowStockThreshold: 0, lowStock: true });
    const clash = await app.request(`/inventory/ingredients/${ricotta.id}`, { method: 'PATCH', token: staff, json: { name: 'Fresh basil' } });
    expect(clash.status).toBe(409);
    const unknown = await app.request('/inventory/ingredients/ing_NoSuchThing01', { method: 'PATCH', token: staff, json: { lowStockThreshold: 1 } });
    expect(unknown.status).toBe(404);
    const customer = await app.request('/inventory/ingredients', { method: 'POST', token: await app.tokenFor('customer'), json: { name: 'Ham', unit: 'g', lowStockThreshold: 1 } });
    expect(customer.status).toBe(403);
  });

  it('lists only the ingredients low on stock with ?lowStock=true, and pages through all of them', async () => {
    const app = testApp();
    const staff = await app.tokenFor('staff');
    await app.db.updateTable('ingredients').set({ stock_level: 0 }).where('id', 'in', [ingredients.basil, ingredients.parmesan]).execute();
    const low = await list(app, staff, '?lowStock=true');
    expect(low.data.map((each) => each.id).sort()).toEqual([ingredients.basil, ingredients.parmesan].sort());
    const notLow = await list(app, staff, '?lowStock=false&limit=100');
    expect(notLow.data.every((each) => !each.lowStock)).toBe(true);

    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: IngredientPage = await list(app, staff, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((each) => each.id));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual(Object.values(ingredients).sort());
    expect((await app.request('/inventory/ingredients?lowStock=maybe', { token: staff })).status).toBe(400);
  });
});
