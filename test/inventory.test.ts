import { expect, it } from 'vitest';
import type { Ingredient, IngredientPage, Problem, StockAdjustment, StockAdjustmentPage, ValidationProblem } from '../generated/types.gen.ts';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';

const { ingredients } = seededIds;

async function ingredient(app: TestApp, token: string, id: string): Promise<Ingredient> {
  const response = await app.request('/inventory/ingredients?limit=100', { token });
  expect(response.status).toBe(200);
  return ((await response.json()) as IngredientPage).data.find((each) => each.id === id)!;
}

function adjust(app: TestApp, token: string, json: Record<string, unknown>): Promise<Response> {
  return app.request('/inventory/adjustments', { method: 'POST', token, json });
}

describeEachDatabase('inventory', (kind) => {
  const testApp = useTestApp(kind);

  it('lists every ingredient with its stock, flagging those at or below their threshold', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const response = await app.request('/inventory/ingredients?limit=100', { token });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as IngredientPage;
    expect(data).toHaveLength(Object.keys(ingredients).length);
    expect(data.find((each) => each.id === ingredients.basil)).toEqual({
      id: ingredients.basil,
      name: 'Fresh basil',
      unit: 'g',
      stockLevel: 600,
      lowStockThreshold: 100,
      lowStock: false,
    });
    expect(data.every((each) => !each.lowStock)).toBe(true);

    expect((await adjust(app, token, { ingredientId: ingredients.basil, delta: -500, reason: 'waste' })).status).toBe(201);
    expect(await ingredient(app, token, ingredients.basil)).toMatchObject({ stockLevel: 100, lowStock: true });
  });

  it('records an adjustment by the signed-in staff member and changes the stock by its delta', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const response = await adjust(app, token, { ingredientId: ingredients.mozzarella, delta: 5000, reason: 'restock', note: 'Weekly dairy delivery.' });
    expect(response.status).toBe(201);
    const adjustment = (await response.json()) as StockAdjustment;
    expect(adjustment).toMatchObject({
      ingredientId: ingredients.mozzarella,
      delta: 5000,
      reason: 'restock',
      note: 'Weekly dairy delivery.',
      stockLevelAfter: 25_000,
      createdBy: seededIds.staff,
    });
    expect(adjustment.id).toMatch(/^adj_/);
    expect(Date.parse(adjustment.createdAt)).not.toBeNaN();
    expect((await ingredient(app, token, ingredients.mozzarella)).stockLevel).toBe(25_000);

    const waste = await adjust(app, token, { ingredientId: ingredients.mozzarella, delta: -25_000, reason: 'waste' });
    expect(waste.status).toBe(201);
    expect(await waste.json()).toMatchObject({ stockLevelAfter: 0, note: null });
  });

  it('refuses an adjustment that would take the stock below zero with 409, changing nothing', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const response = await adjust(app, token, { ingredientId: ingredients.basil, delta: -601, reason: 'correction' });
    expect(response.status).toBe(409);
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    const body = (await response.json()) as Problem;
    expect(body).toMatchObject({ type: 'https://pizza-place.example/problems/insufficient-stock', status: 409 });
    expect(body.detail).toContain('Fresh basil');
    expect(body.detail).toContain('-1 g');

    expect((await ingredient(app, token, ingredients.basil)).stockLevel).toBe(600);
    const trail = await app.request('/inventory/adjustments', { token });
    expect(((await trail.json()) as StockAdjustmentPage).data).toEqual([]);
  });

  it('applies concurrent adjustments one after another, so two cannot both take the last stock', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => adjust(app, token, { ingredientId: ingredients.basil, delta: -250, reason: 'waste' })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, 201, 409, 409]);
    const levels = await Promise.all(responses.filter((response) => response.status === 201).map(async (response) => ((await response.json()) as StockAdjustment).stockLevelAfter));
    expect(levels.sort()).toEqual([100, 350]);
    expect((await ingredient(app, token, ingredients.basil)).stockLevel).toBe(100);
  });

  it('refuses a zero delta and an unknown ingredient with 422 pointing at the field', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const zero = await adjust(app, token, { ingredientId: ingredients.basil, delta: 0, reason: 'correction' });
    expect(zero.status).toBe(422);
    expect(((await zero.json()) as ValidationProblem).errors).toEqual([{ pointer: '/body/delta', detail: expect.any(String) }]);

    const unknown = await adjust(app, token, { ingredientId: 'ing_doesNotExist01', delta: 10, reason: 'restock' });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as ValidationProblem).errors).toEqual([{ pointer: '/body/ingredientId', detail: expect.any(String) }]);
  });

  it('pages through the audit trail newest first, every adjustment exactly once, filtered by ingredient', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const recorded: StockAdjustment[] = [];
    for (let index = 0; index < 23; index += 1) {
      const ingredientId = index % 3 === 0 ? ingredients.dough : ingredients.oliveOil;
      const response = await adjust(app, token, { ingredientId, delta: index + 1, reason: 'restock' });
      expect(response.status).toBe(201);
      recorded.push((await response.json()) as StockAdjustment);
    }

    async function walk(query: string): Promise<{ pages: number; seen: StockAdjustment[] }> {
      const seen: StockAdjustment[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response = await app.request(`/inventory/adjustments?${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
        expect(response.status).toBe(200);
        const page = (await response.json()) as StockAdjustmentPage;
        seen.push(...page.data);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      return { pages, seen };
    }

    const newestFirst = (a: StockAdjustment, b: StockAdjustment) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

    const all = await walk('limit=5');
    expect(all.pages).toBe(5);
    expect(new Set(all.seen.map((each) => each.id)).size).toBe(23);
    expect(all.seen).toEqual([...recorded].sort(newestFirst));

    const dough = await walk(`limit=3&ingredientId=${ingredients.dough}`);
    expect(dough.seen.map((each) => each.id)).toEqual(
      recorded.filter((each) => each.ingredientId === ingredients.dough).sort(newestFirst).map((each) => each.id),
    );

    const firstPage = (await (await app.request('/inventory/adjustments', { token })).json()) as StockAdjustmentPage;
    expect(firstPage.data).toHaveLength(20);
    expect(firstPage.nextCursor).not.toBeNull();
  });

  it('answers a cursor it did not make, or a limit out of range, with 400 pointing at the parameter', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    const foreign = [
      'notACursor',
      Buffer.from('{"createdAt":"2026-01-01"}').toString('base64url'),
      Buffer.from('["yesterday","adj_x"]').toString('base64url'),
      '_-_-',
    ];
    for (const cursor of foreign) {
      const response = await app.request(`/inventory/adjustments?cursor=${cursor}`, { token });
      expect(response.status, cursor).toBe(400);
      expect(((await response.json()) as ValidationProblem).errors[0]!.pointer).toBe('/query/cursor');
    }
    for (const limit of ['0', '101', 'ten']) {
      const response = await app.request(`/inventory/adjustments?limit=${limit}`, { token });
      expect(response.status, limit).toBe(400);
      expect(((await response.json()) as ValidationProblem).errors[0]!.pointer).toBe('/query/limit');
    }
  });

  it('answers 403 to a customer on every inventory operation', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    expect((await app.request('/inventory/ingredients?limit=100', { token })).status).toBe(403);
    expect((await app.request('/inventory/adjustments', { token })).status).toBe(403);
    expect((await adjust(app, token, { ingredientId: ingredients.basil, delta: -600, reason: 'waste' })).status).toBe(403);
    const staff = await app.tokenFor('staff');
    expect((await ingredient(app, staff, ingredients.basil)).stockLevel).toBe(600);
  });
});
