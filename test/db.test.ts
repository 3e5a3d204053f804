import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../server/accounts/password.ts';
import {
  currentTimestamp,
  isUniqueViolation,
  lockForUpdate,
  toJsonText,
} from '../server/db/dialect.ts';
import { newId } from '../server/db/ids.ts';
import { inTransaction, transactionRetries } from '../server/db/transaction.ts';
import { addToStockLevels, selectIngredientsForUpdate } from '../server/inventory/inventory-repository.ts';
import { migrateToLatest } from '../server/db/migrator.ts';
import { seedDatabase, seededIds } from '../server/db/seed.ts';
import type { Database } from '../server/db/tables.ts';
import { sql, type Kysely } from 'kysely';
import SQLite from 'better-sqlite3';
import { describeEachDatabase, openTestDatabase, releaseTestDatabases, useTestDatabase } from './support/database.ts';

const ID_PATTERN = /^[a-z]{3}_[A-Za-z0-9]{8,40}$/;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const tables: Array<keyof Database> = [
  'users',
  'menu_items',
  'menu_item_sizes',
  'toppings',
  'ingredients',
  'recipes',
  'topping_ingredients',
  'stock_adjustments',
  'orders',
  'order_lines',
  'order_events',
  'payments',
  'refunds',
  'idempotency_keys',
  'refresh_tokens',
  'payment_attempts',
  'order_stock_takes',
];

/** Whether a query failed on a CHECK constraint, on either database. */
function isCheckViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === '23514' || code === 'SQLITE_CONSTRAINT_CHECK';
}

async function expectRejection(promise: Promise<unknown>): Promise<unknown> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason ?? new Error('rejected without a reason'),
  );
  expect(error, 'the query should have failed').toBeDefined();
  return error;
}

async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const { count } = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return count;
}

async function stockOf(db: Kysely<Database>, ingredientId: string): Promise<number> {
  const row = await db.selectFrom('ingredients').select('stock_level').where('id', '=', ingredientId).executeTakeFirstOrThrow();
  return row.stock_level;
}

async function insertCustomerOrder(db: Kysely<Database>): Promise<string> {
  const customerId = newId('usr');
  await db
    .insertInto('users')
    .values({ id: customerId, email: `${customerId.toLowerCase()}@example.com`, name: 'Ada', password_hash: 'x', role: 'customer' })
    .execute();
  const orderId = newId('ord');
  await db
    .insertInto('orders')
    .values({
      id: orderId,
      customer_id: customerId,
      status: 'awaiting_payment',
      fulfilment_type: 'pickup',
      address: null,
      notes: null,
      subtotal_cents: 1199,
      delivery_fee_cents: 0,
      tax_cents: 96,
      total_cents: 1295,
      currency: 'USD',
      cancel_reason: null,
    })
    .execute();
  return orderId;
}

describe('newId', () => {
  it('makes distinct ids that match the contract pattern', () => {
    const ids = Array.from({ length: 1000 }, () => newId('ord'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^ord_[A-Za-z0-9]{20}$/);
  });
});

describe('seededIds', () => {
  it('match the contract id pattern', () => {
    const ids = [seededIds.staff, ...Object.values(seededIds).flatMap((group) => (typeof group === 'string' ? [] : Object.values(group)))];
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
  });
});

describeEachDatabase('migrations', (kind) => {
  afterAll(releaseTestDatabases);

  it('create every table on an empty database, and a second run changes nothing', async () => {
    const database = await openTestDatabase(kind, { state: 'empty' });
    try {
      expect(await migrateToLatest(database.db)).toEqual([
        '2026-11-26-0900-initial',
        '2026-12-01-2200-money-as-bigint',
        '2026-12-02-0000-webhooks',
        '2026-12-03-0900-webhook-round-attempts',
        '2026-12-04-0900-sessions',
        '2026-12-04-1000-payment-attempts',
        '2026-12-04-1100-stock-takes',
        '2026-12-05-0900-sign-in-failures',
        '2026-12-06-0900-idempotency-keeps-results',
      ]);
      expect(await migrateToLatest(database.db)).toEqual([]);
      const existing = (await database.db.introspection.getTables()).map((table) => table.name);
      expect(existing).toEqual(expect.arrayContaining(tables));
    } finally {
      await database.close();
    }
  });
});

describeEachDatabase('seedDatabase', (kind) => {
  const database = useTestDatabase(kind, { state: 'migrated' });

  it('creates the menu, toppings, stock and the staff account, and a second run changes nothing', async () => {
    const { db, config } = database();
    expect(await seedDatabase(db, config)).toEqual({ menuSeeded: true });
    const counts = async () => Object.fromEntries(await Promise.all(tables.map(async (table) => [table, await countRows(db, table)])));
    const afterFirstRun = await counts();
    expect(afterFirstRun).toMatchObject({ users: 1, menu_items: 8, menu_item_sizes: 16, toppings: 6, topping_ingredients: 6, orders: 0 });

    expect(await seedDatabase(db, config)).toEqual({ menuSeeded: false });
    expect(await counts()).toEqual(afterFirstRun);

    const margherita = await db.selectFrom('menu_items').selectAll().where('id', '=', seededIds.items.margherita).executeTakeFirstOrThrow();
    expect(margherita).toMatchObject({ name: 'Margherita', category: 'pizza', dietary: '["vegetarian"]', retired_at: null });
    expect(margherita.created_at).toMatch(TIMESTAMP_PATTERN);
    const sizes = await db.selectFrom('menu_item_sizes').select(['size', 'price_cents']).where('item_id', '=', seededIds.items.margherita).orderBy('price_cents').execute();
    expect(sizes).toEqual([
      { size: 'small', price_cents: 899 },
      { size: 'medium', price_cents: 1199 },
      { size: 'large', price_cents: 1499 },
    ]);
  });

  it('gives every item size a recipe', async () => {
    const { db, config } = database();
    await seedDatabase(db, config);
    const withoutRecipe = await db
      .selectFrom('menu_item_sizes')
      .leftJoin('recipes', (join) => join.onRef('recipes.item_id', '=', 'menu_item_sizes.item_id').onRef('recipes.size', '=', 'menu_item_sizes.size'))
      .select(['menu_item_sizes.item_id', 'menu_item_sizes.size'])
      .where('recipes.ingredient_id', 'is', null)
      .execute();
    expect(withoutRecipe).toEqual([]);
  });

  it('brings the staff account up to date with the configured email and password', async () => {
    const { db, config } = database();
    await seedDatabase(db, config);
    await seedDatabase(db, { staff: { email: 'manager@pizza.example', password: 'a-new-staff-password' } });
    const staff = await db.selectFrom('users').selectAll().where('role', '=', 'staff').execute();
    expect(staff).toHaveLength(1);
    expect(staff[0]).toMatchObject({ id: seededIds.staff, email: 'manager@pizza.example' });
    expect(await verifyPassword('a-new-staff-password', staff[0]!.password_hash)).toBe(true);
    expect(await verifyPassword(config.staff.password, staff[0]!.password_hash)).toBe(false);
  });
});

describeEachDatabase('storage rules', (kind) => {
  const database = useTestDatabase(kind);

  it('refuses to store a negative stock level', async () => {
    const { db } = database();
    const error = await expectRejection(
      db.updateTable('ingredients').set({ stock_level: -1 }).where('id', '=', seededIds.ingredients.basil).execute(),
    );
    expect(isCheckViolation(error)).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
  });

  it('locks ingredients in id order however they are asked for, so transactions that want the same ones in opposite orders never deadlock', async () => {
    const { db } = database();
    const { dough, mozzarella, basil, tomatoSauce } = seededIds.ingredients;
    const wanted = [dough, mozzarella, basil, tomatoSauce];
    const before = await Promise.all(wanted.map((id) => stockOf(db, id)));
    // Each transaction holds its locks across a pause, so that without one lock order they would cross.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        db.transaction().execute(async (trx) => {
          const order = i % 2 ? wanted : [...wanted].reverse();
          if (i % 3 === 0) {
            const locked = await selectIngredientsForUpdate(trx, order);
            expect(locked.map((row) => row.id)).toEqual([...wanted].sort());
          }
          const taken = await addToStockLevels(trx, new Map(order.map((id) => [id, -1])));
          expect(taken.size).toBe(wanted.length);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    expect(await Promise.all(wanted.map((id) => stockOf(db, id)))).toEqual(before.map((level) => level - 12));
  });

  it('runs a transaction again when the database aborts it as a deadlock, and gives up after the bounded retries', async () => {
    const { db } = database();
    let attempts = 0;
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const result = await inTransaction(db, async (trx) => {
      attempts++;
      await addToStockLevels(trx, new Map([[seededIds.ingredients.basil, -1]]));
      if (attempts < 3) throw deadlock;
      return 'done';
    });
    expect({ result, attempts }).toEqual({ result: 'done', attempts: 3 });

    attempts = 0;
    await expect(
      inTransaction(db, async () => {
        attempts++;
        throw deadlock;
      }),
    ).rejects.toBe(deadlock);
    expect(attempts).toBe(transactionRetries + 1);
    const notRetried = new Error('not a collision');
    attempts = 0;
    await expect(inTransaction(db, async () => (attempts++, Promise.reject(notRetried)))).rejects.toBe(notRetried);
    expect(attempts).toBe(1);
  });

  it('lockForUpdate makes concurrent read-then-write transactions take turns', async () => {
    const { db } = database();
    const ingredientId = seededIds.ingredients.baguette;
    const before = await stockOf(db, ingredientId);
    await Promise.all(
      Array.from({ length: 8 }, () =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .selectFrom('ingredients')
            .select('stock_level')
            .where('id', '=', ingredientId)
            .$call(lockForUpdate(trx))
            .executeTakeFirstOrThrow();
          await trx.updateTable('ingredients').set({ stock_level: row.stock_level - 1 }).where('id', '=', ingredientId).execute();
        }),
      ),
    );
    expect(await stockOf(db, ingredientId)).toBe(before - 8);
  });

  it('reports a taken email as a unique violation', async () => {
    const { db, config } = database();
    const error = await expectRejection(
      db
        .insertInto('users')
        .values({ id: newId('usr'), email: config.staff.email, name: 'Impostor', password_hash: 'x', role: 'customer' })
        .execute(),
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(isCheckViolation(error)).toBe(false);
  });

  it('refuses a row that points at a missing row', async () => {
    const { db } = database();
    const orphan = db
      .insertInto('menu_item_sizes')
      .values({ item_id: 'itm_doesNotExist', size: 'regular', price_cents: 100 })
      .execute();
    await expectRejection(orphan);
  });

  it('stores emails in lowercase only', async () => {
    const { db } = database();
    const error = await expectRejection(
      db.insertInto('users').values({ id: newId('usr'), email: 'Ada@Example.com', name: 'Ada', password_hash: 'x', role: 'customer' }).execute(),
    );
    expect(isCheckViolation(error)).toBe(true);
  });

  it('lets an order be paid once, and a refund be asked for once per staff Idempotency-Key', async () => {
    const { db } = database();
    const orderId = await insertCustomerOrder(db);
    const payment = { order_id: orderId, amount_cents: 1295, currency: 'USD', status: 'succeeded' as const, card_brand: 'visa', card_last4: '4242', provider_charge_id: 'ch_test1' };
    const paymentId = newId('pay');
    await db.insertInto('payments').values({ id: paymentId, ...payment }).execute();
    expect(isUniqueViolation(await expectRejection(db.insertInto('payments').values({ id: newId('pay'), ...payment }).execute()))).toBe(true);

    const refund = {
      payment_id: paymentId,
      amount_cents: 295,
      reason: 'the cola was missing',
      status: 'succeeded' as const,
      provider_refund_id: null,
      requested_by: 'usr_staffAccount01',
      idempotency_key: 'refund-key-1',
      request_hash: 'hash',
    };
    await db.insertInto('refunds').values({ id: newId('ref'), ...refund }).execute();
    expect(isUniqueViolation(await expectRejection(db.insertInto('refunds').values({ id: newId('ref'), ...refund }).execute()))).toBe(true);
  });

  it('refuses an order whose total does not add up or whose address does not match its fulfilment', async () => {
    const { db } = database();
    const orderId = await insertCustomerOrder(db);
    const wrongTotal = db.updateTable('orders').set({ total_cents: 1 }).where('id', '=', orderId).execute();
    expect(isCheckViolation(await expectRejection(wrongTotal))).toBe(true);
    const address = toJsonText({ line1: '1 Main St', line2: null, city: 'Springfield', postalCode: '12345', instructions: null });
    const pickupWithAddress = db.updateTable('orders').set({ address }).where('id', '=', orderId).execute();
    expect(isCheckViolation(await expectRejection(pickupWithAddress))).toBe(true);
  });

  it('fills timestamps from the database clock in RFC 3339 UTC with milliseconds', async () => {
    const { db } = database();
    const orderId = await insertCustomerOrder(db);
    await db.updateTable('orders').set({ updated_at: currentTimestamp(db) }).where('id', '=', orderId).execute();
    const order = await db.selectFrom('orders').select(['created_at', 'updated_at']).where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(order.created_at).toMatch(TIMESTAMP_PATTERN);
    expect(order.updated_at).toMatch(TIMESTAMP_PATTERN);
    expect(order.updated_at >= order.created_at).toBe(true);
    expect(Math.abs(Date.parse(order.created_at) - Date.now())).toBeLessThan(60_000);
  });
});

describe('group commit (SQLite)', () => {
  const database = useTestDatabase('sqlite');
  const { basil } = seededIds.ingredients;
  /** WAL frames written since the last checkpoint, seen from a second connection. */
  const walFrames = (path: string) => {
    const reader = new SQLite(path);
    try {
      return (reader.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
    } finally {
      reader.close();
    }
  };
  const truncateWal = (path: string) => {
    const reader = new SQLite(path);
    reader.pragma('wal_checkpoint(TRUNCATE)');
    reader.close();
  };

  it('commits transactions asked for together once, and rolls back only the one that fails', async () => {
    const { db, config } = database();
    const path = (config.database as { path: string }).path;
    const before = await stockOf(db, basil);
    truncateWal(path);
    const refused = new Error('refused');
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        inTransaction(db, async (trx) => {
          await addToStockLevels(trx, new Map([[basil, -1]]));
          if (index === 7) throw refused;
          if (index === 11) await trx.updateTable('ingredients').set({ stock_level: -1 }).where('id', '=', basil).execute();
          return index;
        }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 20 }, (_, index) => (index === 7 || index === 11 ? 'rejected' : 'fulfilled')));
    expect(outcomes[7]).toEqual({ status: 'rejected', reason: refused });
    expect(isCheckViolation((outcomes[11] as PromiseRejectedResult).reason)).toBe(true);
    expect(await stockOf(db, basil)).toBe(before - 18);
    // Twenty commits would write the ingredient's page twenty times; one commit writes it once (with its index pages).
    expect(walFrames(path)).toBeLessThan(5);
  });

  it('runs each transaction of a group again alone when the group itself cannot commit', async () => {
    const { db } = database();
    const before = await stockOf(db, basil);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, index) =>
        inTransaction(db, async (trx) => {
          await addToStockLevels(trx, new Map([[basil, -1]]));
          // Ends whatever transaction it runs in: the group's, then its own.
          if (index === 2) await sql`rollback`.execute(trx);
          return index;
        }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await stockOf(db, basil)).toBe(before - 5);
  });

  it('syncs every commit by default (synchronous = FULL), and keeps statement journals in memory', async () => {
    const { db } = database();
    const pragma = async (name: string) => Object.values((await sql<Record<string, number>>`${sql.raw(`pragma ${name}`)}`.execute(db)).rows[0]!)[0];
    expect(await pragma('synchronous')).toBe(2);
    expect(await pragma('temp_store')).toBe(2);
  });
});
