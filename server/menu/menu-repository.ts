import type { Kysely } from 'kysely';
import { currentTimestamp } from '../db/dialect.ts';
import type { Database, NewRow, Row, RowUpdate, Size } from '../db/tables.ts';

/** One size of a menu item, with the item's columns and whether that size can be made from stock now. */
export type MenuItemSizeRow = Pick<
  Row<'menu_items'>,
  'id' | 'name' | 'description' | 'category' | 'dietary' | 'created_at' | 'updated_at'
> &
  Pick<Row<'menu_item_sizes'>, 'size' | 'price_cents'> & { orderable: number };

/**
 * Every size of every item on the menu (or of one item), in one query: a size is orderable (1) unless one of
 * its recipe's ingredients has less stock than the recipe needs (0). Retired items are left out.
 */
export function selectMenuItemSizes(db: Kysely<Database>, itemId?: string): Promise<MenuItemSizeRow[]> {
  return db
    .selectFrom('menu_items as item')
    .innerJoin('menu_item_sizes as offered', 'offered.item_id', 'item.id')
    .where('item.retired_at', 'is', null)
    .$if(itemId !== undefined, (query) => query.where('item.id', '=', itemId!))
    .select((eb) => [
      'item.id',
      'item.name',
      'item.description',
      'item.category',
      'item.dietary',
      'item.created_at',
      'item.updated_at',
      'offered.size',
      'offered.price_cents',
      eb
        .case()
        .when(
          eb.or([
            eb.exists(
              eb
                .selectFrom('recipes as recipe')
                .innerJoin('ingredients as ingredient', 'ingredient.id', 'recipe.ingredient_id')
                .select(eb.lit(1).as('short'))
                .whereRef('recipe.item_id', '=', 'offered.item_id')
                .whereRef('recipe.size', '=', 'offered.size')
                .whereRef('ingredient.stock_level', '<', 'recipe.quantity'),
            ),
            // A stock-tracked size without a recipe cannot be ordered (it would otherwise sell forever).
            eb.and([
              eb('item.stock_tracked', '=', 1),
              eb.not(
                eb.exists(
                  eb.selectFrom('recipes as any_recipe').select(eb.lit(1).as('any')).whereRef('any_recipe.item_id', '=', 'offered.item_id').whereRef('any_recipe.size', '=', 'offered.size'),
                ),
              ),
            ]),
          ]),
        )
        .then(eb.lit(0))
        .else(eb.lit(1))
        .end()
        .as('orderable'),
    ])
    .execute();
}

export type ToppingRow = Pick<Row<'toppings'>, 'id' | 'name' | 'price_cents' | 'dietary'> & { available: number };

/** Every topping; available (1) unless one of its ingredients has less stock than one portion needs (0). */
export function selectToppings(db: Kysely<Database>): Promise<ToppingRow[]> {
  return db
    .selectFrom('toppings as topping')
    .select((eb) => [
      'topping.id',
      'topping.name',
      'topping.price_cents',
      'topping.dietary',
      eb
        .case()
        .when(
          eb.exists(
            eb
              .selectFrom('topping_ingredients as uses')
              .innerJoin('ingredients as ingredient', 'ingredient.id', 'uses.ingredient_id')
              .select(eb.lit(1).as('short'))
              .whereRef('uses.topping_id', '=', 'topping.id')
              .whereRef('ingredient.stock_level', '<', 'uses.quantity'),
          ),
        )
        .then(eb.lit(0))
        .else(eb.lit(1))
        .end()
        .as('available'),
    ])
    .execute();
}

/** The item unless it is unknown or retired. */
export function selectCurrentMenuItem(db: Kysely<Database>, id: string): Promise<Pick<Row<'menu_items'>, 'id' | 'category' | 'stock_tracked'> | undefined> {
  return db.selectFrom('menu_items').select(['id', 'category', 'stock_tracked']).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
}

export async function insertMenuItem(
  db: Kysely<Database>,
  item: NewRow<'menu_items'>,
  sizes: Array<{ size: Size; priceCents: number }>,
): Promise<void> {
  await db.insertInto('menu_items').values(item).execute();
  await db
    .insertInto('menu_item_sizes')
    .values(sizes.map(({ size, priceCents }) => ({ item_id: item.id, size, price_cents: priceCents })))
    .execute();
}

/** Makes `recipes` the recipes of the sizes they name; other sizes keep theirs. */
export async function replaceRecipes(db: Kysely<Database>, itemId: string, recipes: Array<{ size: Size; uses: Array<{ ingredientId: string; quantity: number }> }>): Promise<void> {
  if (recipes.length === 0) return;
  await db.deleteFrom('recipes').where('item_id', '=', itemId).where('size', 'in', recipes.map((recipe) => recipe.size)).execute();
  const rows = recipes.flatMap(({ size, uses }) => uses.map(({ ingredientId, quantity }) => ({ item_id: itemId, size, ingredient_id: ingredientId, quantity })));
  if (rows.length > 0) await db.insertInto('recipes').values(rows).execute();
}

/** The sizes of the item that have a recipe. */
export async function sizesWithRecipes(db: Kysely<Database>, itemId: string): Promise<Set<Size>> {
  const rows = await db.selectFrom('recipes').select('size').distinct().where('item_id', '=', itemId).execute();
  return new Set(rows.map((row) => row.size));
}

/** Changes the item's columns and stamps `updated_at`. */
export async function updateMenuItemColumns(
  db: Kysely<Database>,
  id: string,
  changes: Pick<RowUpdate<'menu_items'>, 'name' | 'description' | 'dietary' | 'stock_tracked'>,
): Promise<void> {
  await db
    .updateTable('menu_items')
    .set({ ...changes, updated_at: currentTimestamp(db) })
    .where('id', '=', id)
    .execute();
}

/**
 * Makes `sizes` the item's sizes: prices of kept sizes change in place (their recipes stay), new sizes are
 * added, and sizes no longer offered go together with their recipes.
 */
export async function replaceMenuItemSizes(
  db: Kysely<Database>,
  itemId: string,
  sizes: Array<{ size: Size; priceCents: number }>,
): Promise<void> {
  const kept = sizes.map(({ size }) => size);
  await db.deleteFrom('recipes').where('item_id', '=', itemId).where('size', 'not in', kept).execute();
  await db.deleteFrom('menu_item_sizes').where('item_id', '=', itemId).where('size', 'not in', kept).execute();
  await db
    .insertInto('menu_item_sizes')
    .values(sizes.map(({ size, priceCents }) => ({ item_id: itemId, size, price_cents: priceCents })))
    .onConflict((conflict) => conflict.columns(['item_id', 'size']).doUpdateSet((eb) => ({ price_cents: eb.ref('excluded.price_cents') })))
    .execute();
}

/** Retires the item unless it is unknown or already retired; says whether it did. */
export async function retireMenuItem(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db
    .updateTable('menu_items')
    .set({ retired_at: currentTimestamp(db), updated_at: currentTimestamp(db) })
    .where('id', '=', id)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
