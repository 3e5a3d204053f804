import type { Kysely } from 'kysely';
import type { Ingredient, IngredientInput, IngredientPatch, StockAdjustment, StockAdjustmentInput } from '../../generated/types.gen.ts';
import { isUniqueViolation } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Database, Row } from '../db/tables.ts';
import { invalidateMenuCache } from '../menu/menu-cache.ts';
import { recordEvents, stockLowEvents } from '../webhooks/outbox.ts';
import { pageOf, type Page, type PagePosition } from '../pagination.ts';
import {
  insertIngredient,
  insertStockAdjustment,
  updateIngredientColumns,
  selectIngredientsForUpdate,
  selectIngredients,
  selectStockAdjustments,
  updateStockLevel,
} from './inventory-repository.ts';

/** The contract's `Ingredient.stockLevel` maximum. */
export const maximumStockLevel = 1_000_000_000;

export type StockAdjustmentResult =
  | { ok: true; adjustment: StockAdjustment }
  | { ok: false; reason: 'zero-delta' }
  | { ok: false; reason: 'unknown-ingredient' }
  | { ok: false; reason: 'below-zero' | 'above-maximum'; ingredient: Ingredient };

/** A page of ingredients, newest first, optionally only those low (or not low) on stock. */
export async function listIngredients(
  db: Kysely<Database>,
  query: { lowStock?: boolean | undefined; after?: PagePosition | undefined; limit: number },
): Promise<Page<Ingredient>> {
  const rows = await selectIngredients(db, { ...query, limit: query.limit + 1 });
  const page = pageOf(rows.map((row) => ({ ...toIngredient(row), createdAt: row.created_at })), query.limit);
  return { data: page.data.map(({ createdAt: _, ...ingredient }) => ingredient), nextCursor: page.nextCursor };
}

export type IngredientCreated = { ok: true; ingredient: Ingredient } | { ok: false; reason: 'name-taken'; name: string };
export type IngredientChange = IngredientCreated | { ok: false; reason: 'not-found' };

/** Adds an ingredient with no stock yet; a name in use is refused. */
export async function createIngredient(db: Kysely<Database>, input: IngredientInput): Promise<IngredientCreated> {
  try {
    const row = await insertIngredient(db, { id: newId('ing'), name: input.name, unit: input.unit, stock_level: 0, low_stock_threshold: input.lowStockThreshold });
    return { ok: true, ingredient: toIngredient(row) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'name-taken', name: input.name };
    throw error;
  }
}

/** Renames an ingredient or changes its threshold. */
export async function updateIngredient(db: Kysely<Database>, id: string, patch: IngredientPatch): Promise<IngredientChange> {
  try {
    const row = await updateIngredientColumns(db, id, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.lowStockThreshold !== undefined && { low_stock_threshold: patch.lowStockThreshold }),
    });
    if (!row) return { ok: false, reason: 'not-found' };
    invalidateMenuCache(db);
    return { ok: true, ingredient: toIngredient(row) };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'name-taken', name: patch.name ?? '' };
    throw error;
  }
}

/**
 * Changes an ingredient's stock by `input.delta` and records why, in one transaction: the ingredient row is
 * locked first, so concurrent adjustments and orders apply one after another and `stockLevelAfter` is exact.
 */
export async function recordStockAdjustment(
  db: Kysely<Database>,
  input: StockAdjustmentInput,
  createdBy: string,
): Promise<StockAdjustmentResult> {
  if (input.delta === 0) return { ok: false, reason: 'zero-delta' };
  const result = await inTransaction(db, async (trx): Promise<StockAdjustmentResult> => {
    const [ingredient] = await selectIngredientsForUpdate(trx, [input.ingredientId]);
    if (!ingredient) return { ok: false, reason: 'unknown-ingredient' };
    const stockLevel = ingredient.stock_level + input.delta;
    if (stockLevel < 0) return { ok: false, reason: 'below-zero', ingredient: toIngredient(ingredient) };
    if (stockLevel > maximumStockLevel) return { ok: false, reason: 'above-maximum', ingredient: toIngredient(ingredient) };
    await updateStockLevel(trx, ingredient.id, stockLevel);
    await recordEvents(trx, stockLowEvents([{ ...ingredient, stock_level: stockLevel }], new Map([[ingredient.id, input.delta]])));
    const adjustment = await insertStockAdjustment(trx, {
      id: newId('adj'),
      ingredient_id: ingredient.id,
      delta: input.delta,
      reason: input.reason,
      note: input.note ?? null,
      stock_level_after: stockLevel,
      created_by: createdBy,
    });
    return { ok: true, adjustment: toStockAdjustment(adjustment) };
  });
  if (result.ok) invalidateMenuCache(db);
  return result;
}

export async function listStockAdjustments(
  db: Kysely<Database>,
  query: { ingredientId?: string | undefined; after?: PagePosition | undefined; limit: number },
): Promise<Page<StockAdjustment>> {
  const rows = await selectStockAdjustments(db, { ...query, limit: query.limit + 1 });
  return pageOf(rows.map(toStockAdjustment), query.limit);
}

/** The contract's Ingredient from its row (or the columns a stock change returns). */
export function toIngredient(row: Pick<Row<'ingredients'>, 'id' | 'name' | 'unit' | 'stock_level' | 'low_stock_threshold'>): Ingredient {
  return {
    id: row.id,
    name: row.name,
    unit: row.unit,
    stockLevel: row.stock_level,
    lowStockThreshold: row.low_stock_threshold,
    lowStock: row.stock_level <= row.low_stock_threshold,
  };
}

function toStockAdjustment(row: Row<'stock_adjustments'>): StockAdjustment {
  return {
    id: row.id,
    ingredientId: row.ingredient_id,
    delta: row.delta,
    reason: row.reason,
    note: row.note,
    stockLevelAfter: row.stock_level_after,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
