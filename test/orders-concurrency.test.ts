import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { describeEachDatabase, useTestDatabase, type TestDatabase } from './support/database.ts';
import { freePort } from './support/free-port.ts';
import { databaseEnv, startServerProcess, stopServerProcess, waitUntilLive, type ServerProcess } from './support/server-process.ts';

const { items, ingredients } = seededIds;
const json = { 'content-type': 'application/json' };
const burstSize = 200;
const plenty = 1_000_000;

/** Orders that take overlapping ingredients in different line orders, so a lock order taken from the request would cross. */
const mixedOrders = [
  [items.margherita, items.pepperoni],
  [items.pepperoni, items.margherita],
  [items.quattroFormaggi, items.margherita],
  [items.veganGarden, items.quattroFormaggi, items.pepperoni],
  [items.garlicBread, items.tiramisu, items.margherita],
].map((itemIds) => ({
  lines: itemIds.map((itemId) => ({ itemId, size: itemId === items.garlicBread || itemId === items.tiramisu ? 'regular' : 'medium', quantity: 1 })),
  fulfilment: { type: 'pickup' },
}));

const oneMargherita = { lines: [{ itemId: items.margherita, size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } };

interface Burst {
  statuses: number[];
  slowestMs: number;
  bodies: unknown[];
}

/** Starts `count` server processes on the test database and signs a customer in. */
async function startInstances(database: TestDatabase, count: number): Promise<{ processes: ServerProcess[]; auth: Record<string, string> }> {
  const processes: ServerProcess[] = [];
  for (let i = 0; i < count; i++) {
    processes.push(
      startServerProcess({ ...databaseEnv(database.config), PORT: String(await freePort()), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' }),
    );
  }
  await Promise.all(processes.map((started) => waitUntilLive(started)));
  const customer = { email: 'burst@example.com', password: 'burst of orders password', name: 'Ada Lovelace' };
  const created = await fetch(`${processes[0]!.url}/accounts`, { method: 'POST', headers: json, body: JSON.stringify(customer) });
  expect(created.status).toBe(201);
  const signIn = await fetch(`${processes[0]!.url}/auth/token`, { method: 'POST', headers: json, body: JSON.stringify({ email: customer.email, password: customer.password }) });
  expect(signIn.status).toBe(200);
  const { accessToken } = (await signIn.json()) as { accessToken: string };
  return { processes, auth: { ...json, authorization: `Bearer ${accessToken}` } };
}

/** Sends `burstSize` orders at once, spread round-robin over the instances, each with its own Idempotency-Key. */
async function burst(processes: ServerProcess[], auth: Record<string, string>, orderFor: (i: number) => unknown): Promise<Burst> {
  const results = await Promise.all(
    Array.from({ length: burstSize }, async (_, i) => {
      const started = performance.now();
      const response = await fetch(`${processes[i % processes.length]!.url}/orders`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': `burst-${String(i).padStart(4, '0')}` },
        body: JSON.stringify(orderFor(i)),
      });
      const body = (await response.json()) as unknown;
      return { status: response.status, ms: performance.now() - started, body };
    }),
  );
  return { statuses: results.map((r) => r.status), slowestMs: Math.max(...results.map((r) => r.ms)), bodies: results.map((r) => r.body) };
}

function countBy(values: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function stockLevels(database: TestDatabase): Promise<Map<string, number>> {
  const rows = await database.db.selectFrom('ingredients').select(['id', 'stock_level']).execute();
  return new Map(rows.map((row) => [row.id, row.stock_level]));
}

async function setEveryStockLevel(database: TestDatabase, level: number): Promise<void> {
  await database.db.updateTable('ingredients').set({ stock_level: level }).execute();
}

async function orderCount(database: TestDatabase): Promise<number> {
  const row = await database.db.selectFrom('orders').select(sql<number>`count(*)`.as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** What the placed orders took from stock, from their own lines: `total` as the answers' ingredient totals would. */
async function usedPerOrder(database: TestDatabase, order: { lines: Array<{ itemId: string; size: string; quantity: number }> }): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  for (const line of order.lines) {
    const recipe = await database.db.selectFrom('recipes').select(['ingredient_id', 'quantity']).where('item_id', '=', line.itemId).where('size', '=', line.size as never).execute();
    for (const { ingredient_id, quantity } of recipe) used.set(ingredient_id, (used.get(ingredient_id) ?? 0) + quantity * line.quantity);
  }
  return used;
}

describeEachDatabase('a burst of concurrent orders', (kind) => {
  const database = useTestDatabase(kind);

  it.each([
    { instances: 1, what: 'one item', orderFor: () => oneMargherita },
    { instances: 1, what: 'mixed items', orderFor: (i: number) => mixedOrders[i % mixedOrders.length] },
    { instances: 2, what: 'one item', orderFor: () => oneMargherita },
    { instances: 2, what: 'mixed items', orderFor: (i: number) => mixedOrders[i % mixedOrders.length] },
  ])(`places all ${burstSize} concurrent orders for $what on $instances instance(s): every answer 201, stock exact, each order stored once`, { timeout: 120_000 }, async ({ instances, what, orderFor }) => {
    const db = database();
    await setEveryStockLevel(db, plenty);
    const { processes, auth } = await startInstances(db, instances);
    try {
      const result = await burst(processes, auth, orderFor);
      console.info(`[${kind}] ${burstSize} orders for ${what} on ${instances} instance(s): ${JSON.stringify(countBy(result.statuses))}, slowest answer ${Math.round(result.slowestMs)} ms`);
      expect(countBy(result.statuses)).toEqual({ 201: burstSize });
      expect(await orderCount(db)).toBe(burstSize);

      const expected = new Map<string, number>();
      for (let i = 0; i < burstSize; i++) {
        for (const [id, amount] of await usedPerOrder(db, orderFor(i) as typeof oneMargherita)) expected.set(id, (expected.get(id) ?? 0) + amount);
      }
      const levels = await stockLevels(db);
      for (const [id, level] of levels) expect({ id, level }).toEqual({ id, level: plenty - (expected.get(id) ?? 0) });
    } finally {
      await Promise.all(processes.map(stopServerProcess));
    }
  });

  it('sells exactly the stock there is when a burst wants more: the rest 409, never 5xx', { timeout: 120_000 }, async () => {
    const db = database();
    const doughPerPizza = (await usedPerOrder(db, oneMargherita)).get(ingredients.dough)!;
    const forSale = 60;
    await setEveryStockLevel(db, plenty);
    await db.db.updateTable('ingredients').set({ stock_level: doughPerPizza * forSale }).where('id', '=', ingredients.dough).execute();
    const { processes, auth } = await startInstances(db, 2);
    try {
      const result = await burst(processes, auth, () => oneMargherita);
      console.info(`[${kind}] ${burstSize} orders for stock of ${forSale}: ${JSON.stringify(countBy(result.statuses))}, slowest answer ${Math.round(result.slowestMs)} ms`);
      expect(countBy(result.statuses)).toEqual({ 201: forSale, 409: burstSize - forSale });
      expect(await orderCount(db)).toBe(forSale);
      expect((await stockLevels(db)).get(ingredients.dough)).toBe(0);
    } finally {
      await Promise.all(processes.map(stopServerProcess));
    }
  });
});
