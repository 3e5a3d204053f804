import SQLite from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';
import { pickupMargherita, postOrder } from './support/orders.ts';

/**
 * Holds what a busy database would hold while `during` runs: on PostgreSQL the dough row's lock (every
 * margherita needs it), on SQLite the whole database's write lock, each from a connection of its own.
 */
async function whileDoughIsLocked<T>(app: TestApp, during: () => Promise<T>): Promise<T> {
  const { database } = app.config;
  if (database.kind === 'sqlite') {
    const other = new SQLite(database.path);
    other.exec('begin immediate');
    try {
      return await during();
    } finally {
      other.exec('rollback');
      other.close();
    }
  }
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  try {
    await other.query('begin');
    await other.query('select stock_level from ingredients where id = $1 for update', [seededIds.ingredients.dough]);
    return await during();
  } finally {
    await other.query('rollback');
    await other.end();
  }
}

async function orderCount(app: TestApp): Promise<number> {
  const rows = await app.db.selectFrom('orders').select('id').execute();
  return rows.length;
}

describeEachDatabase('a database too busy to answer in time', (kind) => {
  const testApp = useTestApp(kind, { env: { DATABASE_LOCK_TIMEOUT_MS: '300' } });

  it('answers 503 with Retry-After and a problem, changes nothing, and the same key succeeds once the lock is gone', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const key = 'busy-database-0001';

    const refused = await whileDoughIsLocked(app, () => postOrder(app, token, pickupMargherita, key));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      type: 'https://pizza-place.example/problems/service-unavailable',
      status: 503,
      detail: expect.stringContaining('try again'),
    });
    expect(await orderCount(app)).toBe(0);

    const retried = await postOrder(app, token, pickupMargherita, key);
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await orderCount(app)).toBe(1);
  });
});

describeEachDatabase('reads while write transactions queue', (kind) => {
  const testApp = useTestApp(kind, { env: { DATABASE_POOL_SIZE: '2', DATABASE_LOCK_TIMEOUT_MS: '5000' } });

  it.runIf(kind === 'postgres')('keep a connection for reads when every transaction slot waits on a lock', async () => {
    const app = testApp();
    const token = await app.tokenFor('customer');
    const { id } = (await (await postOrder(app, token, pickupMargherita)).json()) as { id: string };

    let ordersSettled = false;
    const { read, orders } = await whileDoughIsLocked(app, async () => {
      const orders = Promise.all(Array.from({ length: 4 }, () => postOrder(app, token, pickupMargherita))).finally(() => (ordersSettled = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const read = await app.request(`/orders/${id}`, { token });
      expect(ordersSettled).toBe(false);
      return { read, orders };
    });
    expect(read.status).toBe(200);
    expect((await orders).map((response) => response.status)).toEqual([201, 201, 201, 201]);
  });
});
