import { expect, it } from 'vitest';
import type { MenuItem, MenuItemList, ToppingList, ValidationProblem } from '../generated/types.gen.ts';
import { seededIds } from '../server/db/seed.ts';
import { menuCacheTtlMs } from '../server/menu/menu-cache.ts';
import { createTestApp, useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';

const { items, toppings, ingredients } = seededIds;

const calzone = {
  name: 'Calzone',
  description: 'Folded pizza filled with ricotta, mozzarella, ham and mushrooms.',
  category: 'pizza',
  sizes: [
    { size: 'medium', price: { amount: 1299, currency: 'USD' } },
    { size: 'large', price: { amount: 1599, currency: 'USD' } },
  ],
  dietary: [],
  recipes: [
    { size: 'medium', ingredients: [{ ingredientId: ingredients.dough, quantity: 250 }, { ingredientId: ingredients.mozzarella, quantity: 100 }] },
    { size: 'large', ingredients: [{ ingredientId: ingredients.dough, quantity: 320 }, { ingredientId: ingredients.mozzarella, quantity: 140 }] },
  ],
};

async function menu({ request }: TestApp, query = ''): Promise<MenuItem[]> {
  const response = await request(`/menu/items${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as MenuItemList).data;
}

async function availability(app: TestApp): Promise<Record<string, boolean>> {
  return Object.fromEntries((await menu(app)).map((item) => [item.id, item.available]));
}

/** Sets an ingredient's stock through the API, as staff would. */
async function adjustStock(app: TestApp, ingredientId: string, delta: number): Promise<void> {
  const response = await app.request('/inventory/adjustments', {
    method: 'POST',
    token: await app.tokenFor('staff'),
    json: { ingredientId, delta, reason: delta > 0 ? 'restock' : 'waste' },
  });
  expect(response.status).toBe(201);
}

describeEachDatabase('menu', (kind) => {
  const testApp = useTestApp(kind);

  it('lists the seeded items with their prices, grouped by category and then by name', async () => {
    const response = await testApp().request('/menu/items');
    expect(response.status).toBe(200);
    expect(response.headers.get('ETag')).toMatch(/^"[\x21\x23-\x7E]+"$/);
    const { data } = (await response.json()) as MenuItemList;
    expect(data.map((item) => item.name)).toEqual([
      'Margherita',
      'Pepperoni',
      'Quattro Formaggi',
      'Vegan Garden',
      'Garlic Bread',
      'Cola',
      'Sparkling Water',
      'Tiramisu',
    ]);
    const margherita = data.find((item) => item.id === items.margherita)!;
    expect(margherita).toMatchObject({
      category: 'pizza',
      dietary: ['vegetarian'],
      available: true,
      sizes: [
        { size: 'small', price: { amount: 899, currency: 'USD' } },
        { size: 'medium', price: { amount: 1199, currency: 'USD' } },
        { size: 'large', price: { amount: 1499, currency: 'USD' } },
      ],
    });
    expect(data.every((item) => item.available)).toBe(true);
  });

  it('filters the menu by category', async () => {
    const drinks = await menu(testApp(), '?category=drink');
    expect(drinks.map((item) => item.id)).toEqual([items.cola, items.sparklingWater]);
    const invalid = await testApp().request('/menu/items?category=pasta');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as ValidationProblem).errors[0]!.pointer).toBe('/query/category');
  });

  it('answers 304 without a body when If-None-Match holds the current ETag, in any of its forms', async () => {
    const { request } = testApp();
    const etag = (await request('/menu/items')).headers.get('ETag')!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const response = await request('/menu/items', { headers: { 'If-None-Match': ifNoneMatch } });
      expect(response.status, ifNoneMatch).toBe(304);
      expect(response.headers.get('ETag')).toBe(etag);
      expect(await response.text()).toBe('');
    }
    const stale = await request('/menu/items', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('gives each category its own ETag', async () => {
    const { request } = testApp();
    const all = (await request('/menu/items')).headers.get('ETag');
    const drinks = await request('/menu/items?category=drink', { headers: { 'If-None-Match': all! } });
    expect(drinks.status).toBe(200);
    expect(drinks.headers.get('ETag')).not.toBe(all);
  });

  it('changes the ETag when a price changes, so a cached menu is sent again', async () => {
    const app = testApp();
    const etag = (await app.request('/menu/items')).headers.get('ETag')!;
    const itemEtag = (await app.request(`/menu/items/${items.cola}`)).headers.get('ETag')!;
    const patch = await app.request(`/menu/items/${items.cola}`, {
      method: 'PATCH',
      token: await app.tokenFor('staff'),
      json: { sizes: [{ size: 'regular', price: { amount: 349, currency: 'USD' } }] },
    });
    expect(patch.status).toBe(200);

    const response = await app.request('/menu/items', { headers: { 'If-None-Match': etag } });
    expect(response.status).toBe(200);
    expect(response.headers.get('ETag')).not.toBe(etag);
    const { data } = (await response.json()) as MenuItemList;
    expect(data.find((item) => item.id === items.cola)!.sizes).toEqual([{ size: 'regular', price: { amount: 349, currency: 'USD' } }]);
    const item = await app.request(`/menu/items/${items.cola}`, { headers: { 'If-None-Match': itemEtag } });
    expect(item.status).toBe(200);
  });

  it('shows a change made by another server instance on the same database within the cache TTL', async () => {
    const app = testApp();
    const otherInstance = createTestApp(app);
    expect((await menu(app, '?category=drink'))[0]).toMatchObject({ id: items.cola, sizes: [{ price: { amount: 299 } }] });
    const patch = await otherInstance.request(`/menu/items/${items.cola}`, {
      method: 'PATCH',
      token: await otherInstance.tokenFor('staff'),
      json: { sizes: [{ size: 'regular', price: { amount: 319, currency: 'USD' } }] },
    });
    expect(patch.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, menuCacheTtlMs + 50));
    expect((await menu(app, '?category=drink'))[0]).toMatchObject({ id: items.cola, sizes: [{ price: { amount: 319 } }] });
  });

  it('reads one item with an ETag and answers 304 for it', async () => {
    const { request } = testApp();
    const response = await request(`/menu/items/${items.tiramisu}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: items.tiramisu, name: 'Tiramisu', category: 'dessert', available: true });
    const etag = response.headers.get('ETag')!;
    const again = await request(`/menu/items/${items.tiramisu}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });

  it('answers 404 for an item that does not exist', async () => {
    const response = await testApp().request('/menu/items/itm_doesNotExist01');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'https://pizza-place.example/problems/not-found', status: 404 });
  });

  it('lists the toppings by name with an ETag', async () => {
    const { request } = testApp();
    const response = await request('/menu/toppings');
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as ToppingList;
    expect(data.map((topping) => topping.name)).toEqual(['Black Olives', 'Extra Mozzarella', 'Jalapeños', 'Mushrooms', 'Pepperoni', 'Vegan Cheese']);
    expect(data.find((topping) => topping.id === toppings.veganCheese)).toMatchObject({ price: { amount: 175, currency: 'USD' }, available: true });
    const again = await request('/menu/toppings', { headers: { 'If-None-Match': response.headers.get('ETag')! } });
    expect(again.status).toBe(304);
  });

  it('marks items and toppings unavailable while an ingredient is out of stock, and available again after a restock', async () => {
    const app = testApp();
    await adjustStock(app, ingredients.mozzarella, -20_000);

    const unavailable = await availability(app);
    expect(unavailable).toMatchObject({
      [items.margherita]: false,
      [items.pepperoni]: false,
      [items.quattroFormaggi]: false,
      [items.veganGarden]: true,
      [items.cola]: true,
    });
    const toppingList = ((await (await app.request('/menu/toppings')).json()) as ToppingList).data;
    expect(toppingList.find((topping) => topping.id === toppings.extraMozzarella)!.available).toBe(false);
    expect((await (await app.request(`/menu/items/${items.margherita}`)).json()) as MenuItem).toMatchObject({ available: false });

    // A small Margherita takes 90 g of mozzarella (a medium 120 g): enough for one size is enough to be available.
    await adjustStock(app, ingredients.mozzarella, 100);
    expect(await availability(app)).toMatchObject({ [items.margherita]: true, [items.pepperoni]: true, [items.quattroFormaggi]: true });
  });

  it('lets staff add an item, served at its Location and listed on the menu', async () => {
    const app = testApp();
    const response = await app.request('/menu/items', { method: 'POST', token: await app.tokenFor('staff'), json: calzone });
    expect(response.status).toBe(201);
    const created = (await response.json()) as MenuItem;
    const { recipes: _recipes, ...shown } = calzone;
    expect(created).toMatchObject({ ...shown, available: true });
    expect(created.id).toMatch(/^itm_/);
    expect(response.headers.get('Location')).toBe(`/menu/items/${created.id}`);

    const read = await app.request(response.headers.get('Location')!);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(created);
    expect((await menu(app, '?category=pizza')).map((item) => item.name)).toContain('Calzone');
  });

  it('refuses a new item with repeated sizes, a size its category does not come in, or another currency, with 422 pointers', async () => {
    const app = testApp();
    const response = await app.request('/menu/items', {
      method: 'POST',
      token: await app.tokenFor('staff'),
      json: {
        ...calzone,
        sizes: [
          { size: 'medium', price: { amount: 1299, currency: 'USD' } },
          { size: 'medium', price: { amount: 1399, currency: 'USD' } },
          { size: 'regular', price: { amount: 999, currency: 'EUR' } },
        ],
      },
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as ValidationProblem;
    expect(body.errors.map((error) => error.pointer)).toEqual(['/body/sizes/1/size', '/body/sizes/2/size', '/body/sizes/2/price/currency']);
    expect((await menu(app)).map((item) => item.name)).not.toContain('Calzone');
  });

  it('lets staff change some fields of an item, leaving the others as they were', async () => {
    const app = testApp();
    const before = (await (await app.request(`/menu/items/${items.margherita}`)).json()) as MenuItem;
    const response = await app.request(`/menu/items/${items.margherita}`, {
      method: 'PATCH',
      token: await app.tokenFor('staff'),
      json: { name: 'Margherita DOP', dietary: ['vegetarian', 'gluten_free'] },
    });
    expect(response.status).toBe(200);
    const updated = (await response.json()) as MenuItem;
    expect(updated).toMatchObject({ name: 'Margherita DOP', dietary: ['vegetarian', 'gluten_free'], description: before.description, sizes: before.sizes });
    expect(updated.updatedAt >= before.updatedAt).toBe(true);
    expect(await app.request(`/menu/items/${items.margherita}`).then((r) => r.json())).toEqual(updated);
  });

  it('replaces the set of sizes: kept sizes change price, dropped sizes go with their recipes, new sizes are added with theirs', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const medium = { size: 'medium', price: { amount: 1199, currency: 'USD' } };
    const dropped = await app.request(`/menu/items/${items.margherita}`, {
      method: 'PATCH',
      token,
      json: { sizes: [{ size: 'large', price: { amount: 1599, currency: 'USD' } }, medium] },
    });
    expect(dropped.status).toBe(200);
    expect(((await dropped.json()) as MenuItem).sizes).toEqual([medium, { size: 'large', price: { amount: 1599, currency: 'USD' } }]);
    const recipeSizes = await app.db.selectFrom('recipes').select('size').distinct().where('item_id', '=', items.margherita).execute();
    expect(recipeSizes.map((row) => row.size).sort()).toEqual(['large', 'medium']);

    const added = await app.request(`/menu/items/${items.margherita}`, {
      method: 'PATCH',
      token,
      json: {
        sizes: [medium, { size: 'small', price: { amount: 949, currency: 'USD' } }],
        recipes: [{ size: 'small', ingredients: [{ ingredientId: ingredients.dough, quantity: 190 }] }],
      },
    });
    expect(added.status).toBe(200);
    expect(((await added.json()) as MenuItem).sizes).toEqual([{ size: 'small', price: { amount: 949, currency: 'USD' } }, medium]);
  });

  it('refuses an empty change with 422 and a change to an unknown item with 404', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const empty = await app.request(`/menu/items/${items.cola}`, { method: 'PATCH', token, json: {} });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as ValidationProblem).errors[0]!.pointer).toBe('/body');
    const unknown = await app.request('/menu/items/itm_doesNotExist01', { method: 'PATCH', token, json: { name: 'Ghost' } });
    expect(unknown.status).toBe(404);
  });

  it('retires an item: it leaves the menu, reads as 404, and retiring it again is 404', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const response = await app.request(`/menu/items/${items.tiramisu}`, { method: 'DELETE', token });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');

    expect((await app.request(`/menu/items/${items.tiramisu}`)).status).toBe(404);
    expect((await menu(app)).map((item) => item.id)).not.toContain(items.tiramisu);
    expect(await menu(app, '?category=dessert')).toEqual([]);
    expect((await app.request(`/menu/items/${items.tiramisu}`, { method: 'DELETE', token })).status).toBe(404);
    expect((await app.request(`/menu/items/${items.tiramisu}`, { method: 'PATCH', token, json: { name: 'Back' } })).status).toBe(404);
  });

  it('answers 403 to a customer and 401 to an anonymous caller on staff operations, changing nothing', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const attempts = [
      { path: '/menu/items', init: { method: 'POST', json: calzone } },
      { path: `/menu/items/${items.cola}`, init: { method: 'PATCH', json: { name: 'Free Cola' } } },
      { path: `/menu/items/${items.cola}`, init: { method: 'DELETE' } },
    ];
    for (const { path, init } of attempts) {
      const forbidden = await app.request(path, { ...init, token });
      expect(forbidden.status, `${init.method} ${path}`).toBe(403);
      expect(forbidden.headers.get('Content-Type')).toBe('application/problem+json');
      expect((await app.request(path, init)).status, `${init.method} ${path}`).toBe(401);
    }
    const cola = (await menu(app)).find((item) => item.id === items.cola);
    expect(cola).toMatchObject({ name: 'Cola' });
    expect((await menu(app)).map((item) => item.name)).not.toContain('Calzone');
  });
});
