import type { Kysely } from 'kysely';
import { lockForUpdate } from '../db/dialect.ts';
import type { Database, NewRow, Row } from '../db/tables.ts';
import { olderThan, type PagePosition } from '../pagination.ts';

export function selectIngredients(db: Kysely<Database>): Promise<Row<'ingredients'>[]> {
  return db.selectFrom('ingredients').selectAll().orderBy('name').orderBy('id').execute();
}

/** The ingredient, locked until the transaction ends so its stock level cannot change underneath. */
export function selectIngredientForUpdate(db: Kysely<Database>, id: string): Promise<Row<'ingredients'> | undefined> {
  return db.selectFrom('ingredients').selectAll().where('id', '=', id).$call(lockForUpdate(db)).executeTakeFirst();
}

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
