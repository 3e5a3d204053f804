import { describe, expect, it } from 'vitest';
import { zRegisterCustomerRequest, zTokenRequest } from '../sdk/schemas.ts';
import { zProblem } from '../generated/zod.gen.ts';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { pickupMargherita, postOrder } from './support/orders.ts';

/** Staff add an item with one size at `amount` cents; its id. */
async function addItemPricedAt(app: TestApp, amount: number): Promise<string> {
  const response = await app.request('/menu/items', {
    method: 'POST',
    token: await app.tokenFor('staff'),
    json: { name: `Banquet ${amount}`, description: 'A feast for a whole wedding.', category: 'pizza', sizes: [{ size: 'large', price: { amount, currency: 'USD' } }], stockTracked: false },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function expectProblem(response: Response, status: number): Promise<{ type: string; detail?: string; instance?: string; errors?: Array<{ pointer: string; detail: string }> }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as never;
}

describeEachDatabase('the server enforces exactly what the contract says', (kind) => {
  const testApp = useTestApp(kind);

  it('refuses with 422 an order whose total would exceed the largest amount of money, and stores nothing', async () => {
    const app = testApp();
    const itemId = await addItemPricedAt(app, 100_000_000);
    const token = await app.tokenFor('customer');
    const order = { lines: [{ itemId, size: 'large', quantity: 20 }], fulfilment: { type: 'pickup' } };

    const problem = await expectProblem(await postOrder(app, token, order), 422);
    expect(problem).toMatchObject({
      type: 'https://pizza-place.example/problems/order-too-large',
      detail: expect.stringContaining('21,600,000.00 USD'),
      errors: [{ pointer: '/body/lines' }],
    });
    expect(await app.db.selectFrom('orders').select('id').execute()).toEqual([]);
  });

  it('places an order whose total is exactly the largest amount of money', async () => {
    const app = testApp();
    // 92,592,593 plus 8 % tax (7,407,407.44, rounded) is 100,000,000.
    const itemId = await addItemPricedAt(app, 92_592_593);
    const response = await postOrder(app, await app.tokenFor('customer'), { lines: [{ itemId, size: 'large', quantity: 1 }], fulfilment: { type: 'pickup' } });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { total: { amount: number } }).total.amount).toBe(100_000_000);
  });

  it('stores amounts of money beyond 32 bits without overflowing', async () => {
    const app = testApp();
    const placed = await postOrder(app, await app.tokenFor('customer'), pickupMargherita);
    expect(placed.status).toBe(201);
    const { id } = (await placed.json()) as { id: string };
    const beyond32Bits = 3_000_000_000;
    await app.db
      .updateTable('orders')
      .set((eb) => ({ subtotal_cents: eb('subtotal_cents', '+', beyond32Bits), total_cents: eb('total_cents', '+', beyond32Bits) }))
      .where('id', '=', id)
      .execute();
    const row = await app.db.selectFrom('orders').select(['subtotal_cents', 'total_cents']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.total_cents - row.subtotal_cents).toBeGreaterThan(0);
    expect(row.total_cents).toBeGreaterThan(beyond32Bits);
  });

  it('refuses a list with a repeated item where the contract says uniqueItems', async () => {
    const app = testApp();
    const response = await app.request(`/menu/items/${seededIds.items.margherita}`, {
      method: 'PATCH',
      token: await app.tokenFor('staff'),
      json: { dietary: ['vegetarian', 'vegetarian'] },
    });
    const problem = await expectProblem(response, 422);
    expect(problem.errors).toEqual([{ pointer: '/body/dietary', detail: 'Must not list the same item twice.' }]);
  });

  it.each([
    ['an unknown property', '{"type":"pickup","role":"staff"}', '/body/fulfilment/role'],
    ['__proto__', '{"type":"pickup","__proto__":{"role":"staff"}}', '/body/fulfilment/__proto__'],
    ['an unknown property beside the address', '{"type":"delivery","address":{"line1":"1 Main St","city":"Springfield","postalCode":"62704"},"tip":5}', '/body/fulfilment/tip'],
  ])('refuses %s inside a branch of the fulfilment union with 422', async (_, fulfilment, pointer) => {
    const app = testApp();
    const body = `{"lines":[{"itemId":"${seededIds.items.margherita}","size":"medium","quantity":1}],"fulfilment":${fulfilment}}`;
    const response = await app.request('/orders', {
      method: 'POST',
      token: await app.tokenFor('customer'),
      headers: { 'content-type': 'application/json', 'idempotency-key': `strict-union-${pointer.length}-0001` },
      body,
    });
    const problem = await expectProblem(response, 422);
    expect(problem.errors?.map((error) => error.pointer)).toContain(pointer);
  });

  it.each(['0x10', '+5', '05', ' 5', '5.0', '1e1', '5 ', ''])('refuses the non-canonical number %j in a query with 400', async (limit) => {
    const app = testApp();
    for (const [path, caller] of [['/orders', 'customer'], ['/inventory/adjustments', 'staff']] as const) {
      const response = await app.request(`${path}?limit=${encodeURIComponent(limit)}`, { token: await app.tokenFor(caller) });
      const problem = await expectProblem(response, 400);
      expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/query/limit' })]);
    }
    expect((await app.request('/orders?limit=5', { token: await app.tokenFor('customer') })).status).toBe(200);
  });

  it('keeps echoed values within the contract: instance and detail of problems about huge requests', async () => {
    const app = testApp();
    const longestInstance = zProblem.shape.instance.unwrap().maxLength!;
    const longestDetail = zProblem.shape.detail.unwrap().maxLength!;

    const longCursor = await app.request(`/orders?cursor=${'c'.repeat(3_000)}`, { token: await app.tokenFor('customer') });
    const cursorProblem = await expectProblem(longCursor, 400);
    expect(cursorProblem.instance).toBe('/orders');

    const oddPath = await app.request('/orders/ord_a|b^c', { token: await app.tokenFor('customer') });
    expect((await expectProblem(oddPath, 400)).instance).toBe('/orders/ord_a%7Cb%5Ec');

    const longPath = await app.request(`/${'p'.repeat(5_000)}`);
    const pathProblem = await expectProblem(longPath, 404);
    expect(pathProblem.instance === undefined || pathProblem.instance.length <= longestInstance).toBe(true);
    expect(pathProblem.detail!.length).toBeLessThanOrEqual(longestDetail);
    expect(zProblem.safeParse(pathProblem).success).toBe(true);
  });
});

describe("the SDK's exported request schemas", () => {
  it('accept a registration and a sign-in with their writeOnly password, and refuse them without it', () => {
    const registration = { email: 'ada@example.com', password: 'correct horse battery', name: 'Ada Lovelace' };
    expect(zRegisterCustomerRequest.safeParse(registration).success).toBe(true);
    expect(zTokenRequest.safeParse({ email: registration.email, password: registration.password }).success).toBe(true);
    expect(zRegisterCustomerRequest.safeParse({ email: registration.email, name: registration.name }).success).toBe(false);
  });
});
