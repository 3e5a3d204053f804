import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { currentTimestamp, executeTogether, lockForUpdate } from '../db/dialect.ts';
import type { Database, NewRow, Row } from '../db/tables.ts';
import { olderThan, type PagePosition } from '../pagination.ts';

/** Newest first, `limit` rows at most after `after`; `lowStock` keeps only those at or below (true) or above (false) their threshold. */
export function selectIngredients(
  db: Kysely<Database>,
  filter: { lowStock?: boolean | undefined; after?: PagePosition | undefined; limit: number },
): Promise<Row<'ingredients'>[]> {
  const { lowStock, after, limit } = filter;
  return db
    .selectFrom('ingredients')
    .selectAll()
    .$if(lowStock !== undefined, (query) => query.where('stock_level', lowStock ? '<=' : '>', (eb) => eb.ref('low_stock_threshold')))
    .$if(after !== undefined, (query) => query.where(olderThan(after!)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function insertIngredient(db: Kysely<Database>, ingredient: Omit<NewRow<'ingredients'>, 'created_at'>): Promise<Row<'ingredients'>> {
  return db
    .insertInto('ingredients')
    .values({ ...ingredient, created_at: currentTimestamp(db) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateIngredientColumns(
  db: Kysely<Database>,
  id: string,
  changes: { name?: string; low_stock_threshold?: number },
): Promise<Row<'ingredients'> | undefined> {
  return db.updateTable('ingredients').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
}

/** The ids among `ids` that are ingredients. */
export async function existingIngredientIds(db: Kysely<Database>, ids: Iterable<string>): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows = await db.selectFrom('ingredients').select('id').where('id', 'in', unique).execute();
  return new Set(rows.map((row) => row.id));
}

/** The ingredients' current stock levels, without locking them (for a quote, which reserves nothing). */
export function selectIngredientLevels(db: Kysely<Database>, ids: Iterable<string>): Promise<Row<'ingredients'>[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return Promise.resolve([]);
  return db.selectFrom('ingredients').selectAll().where('id', 'in', unique).orderBy('id').execute();
}

/**
 * The ingredients, in id order, each locked until the transaction ends so their stock levels cannot change
 * underneath. Every transaction locks the ingredients it needs here, all at once and sorted by id (the lock
 * order of `server/db/transaction.ts`), so two of them never wait on each other in a cycle.
 */
export function selectIngredientsForUpdate(db: Kysely<Database>, ids: Iterable<string>): Promise<Row<'ingredients'>[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return Promise.resolve([]);
  return db.selectFrom('ingredients').selectAll().where('id', 'in', unique).orderBy('id').$call(lockForUpdate(db)).execute();
}

/**
 * Adds each amount (negative to take) to its ingredient's stock where the level stays at or above zero, in
 * one statement that first locks the rows in id order, like `selectIngredientsForUpdate`: a single round trip
 * between taking the locks and the commit keeps hot rows (dough, mozzarella) locked as briefly as possible.
 * `alongside`, writes of the caller's, run in the same statement where the database allows it (PostgreSQL).
 * @returns the ingredients changed, as they are now, by id; an id missing from it had too little stock (the caller
 * rolls back).
 */
export async function addToStockLevels(
  db: Kysely<Database>,
  amounts: ReadonlyMap<string, number>,
  alongside: readonly CompiledQuery[] = [],
): Promise<Map<string, ChangedStockLevel>> {
  if (amounts.size === 0) {
    for (const query of alongside) await db.executeQuery(query);
    return new Map();
  }
  const ids = [...amounts.keys()];
  const amount = sql<number>`case ${sql.ref('id')} ${sql.join(
    [...amounts].map(([ingredientId, quantity]) => sql`when ${ingredientId} then cast(${quantity} as integer)`),
    sql` `,
  )} end`;
  const update = db
    .updateTable('ingredients')
    .set((eb) => ({ stock_level: eb('stock_level', '+', amount) }))
    .where('id', 'in', (eb) => eb.selectFrom('ingredients').select('id').where('id', 'in', ids).orderBy('id').$call(lockForUpdate(db)))
    .where((eb) => eb(eb('stock_level', '+', amount), '>=', 0))
    .returning(['id', 'name', 'unit', 'stock_level', 'low_stock_threshold'])
    .compile();
  const rows = await executeTogether(db, update, ...alongside);
  return new Map(rows.map((row) => [row.id, row]));
}

/** An ingredient's stock level as a change left it, with what tells whether it ran low. */
export type ChangedStockLevel = Pick<Row<'ingredients'>, 'id' | 'name' | 'unit' | 'stock_level' | 'low_stock_threshold'>;

export async function updateStockLevel(db: Kysely<Database>, id: string, stockLevel: number): Promise<void> {
  await db.updateTable('ingredients').set({ stock_level: stockLevel }).where('id', '=', id).execute();
}

export function insertStockAdjustment(db: Kysely<Database>, adjustment: NewRow<'stock_adjustments'>): Promise<Row<'stock_adjustments'>> {
  return db.insertInto('stock_adjustments').values(adjustment).returningAll().executeTakeFirstOrThrow();
}

/** Newest first; `limit` rows at most, after `after` when given. */
export function selectStockAdjustments(
  db: Kysely<Database>,
  filter: { ingredientId?: string | undefined; after?: PagePosition | undefined; limit: number },
): Promise<Row<'stock_adjustments'>[]> {
  const { ingredientId, after, limit } = filter;
  return db
    .selectFrom('stock_adjustments')
    .selectAll()
    .$if(ingredientId !== undefined, (query) => query.where('ingredient_id', '=', ingredientId!))
    .$if(after !== undefined, (query) => query.where(olderThan(after!)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
