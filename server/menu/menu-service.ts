import type { Kysely } from 'kysely';
import type {
  MenuCategory,
  MenuItem,
  MenuItemInput,
  MenuItemList,
  MenuItemPatch,
  MenuItemSizes,
  Recipes,
  Topping,
  ToppingList,
} from '../../generated/types.gen.ts';
import { parseJsonText, toJsonText } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Database, Size } from '../db/tables.ts';
import { precompress, type PrecompressedBody } from '../http/content-coding.ts';
import { etagOf, type Representation } from '../http/etag.ts';
import type { ValidationError } from '../problem.ts';
import { existingIngredientIds } from '../inventory/inventory-repository.ts';
import { cachedMenu, invalidateMenuCache } from './menu-cache.ts';
import {
  insertMenuItem,
  replaceMenuItemSizes,
  replaceRecipes,
  sizesWithRecipes,
  retireMenuItem as retireMenuItemRow,
  selectCurrentMenuItem,
  selectMenuItemSizes,
  selectToppings,
  updateMenuItemColumns,
  type MenuItemSizeRow,
} from './menu-repository.ts';

/** Everything the public menu operations answer, built once per cache fill. */
export interface MenuSnapshot {
  /** The whole menu under `all`, and each category's part of it. */
  lists: Map<MenuCategory | 'all', Representation<MenuItemList>>;
  items: Map<string, Representation<MenuItem>>;
  toppings: Representation<ToppingList>;
}

export type MenuItemCreated = { ok: true; item: MenuItem } | { ok: false; reason: 'invalid'; errors: ValidationError[] };
export type MenuItemChanged = MenuItemCreated | { ok: false; reason: 'not-found' };

/** The menu as the public operations serve it, from this process's cache (see menu-cache.ts). */
export function menuSnapshot(db: Kysely<Database>, currency: string): MenuSnapshot | Promise<MenuSnapshot> {
  return cachedMenu(db, (db, previous: MenuSnapshot | undefined) => loadMenuSnapshot(db, currency, previous));
}

const categoryOrder: readonly MenuCategory[] = ['pizza', 'side', 'drink', 'dessert'];
const sizeOrder: readonly Size[] = ['small', 'medium', 'large', 'regular'];
/** Pizzas come small, medium or large; everything else comes in one regular size. */
const sizesByCategory: Record<MenuCategory, readonly Size[]> = {
  pizza: ['small', 'medium', 'large'],
  side: ['regular'],
  drink: ['regular'],
  dessert: ['regular'],
};

/**
 * Reads the menu and builds every representation of it. The snapshot is rebuilt every
 * {@link menuCacheTtlMs} while the menu is read, and compressing at the best quality takes milliseconds
 * per body, so a body that is the same as in the `previous` snapshot keeps its compressed forms.
 */
async function loadMenuSnapshot(db: Kysely<Database>, currency: string, previous: MenuSnapshot | undefined): Promise<MenuSnapshot> {
  const [sizeRows, toppingRows] = await Promise.all([selectMenuItemSizes(db), selectToppings(db)]);
  const reusable = new Map<string, PrecompressedBody>(previous && representationsOf(previous).map(({ etag, precompressed }) => [etag, precompressed]));
  const represent = async <T>(body: T): Promise<Representation<T>> => {
    const json = JSON.stringify(body);
    const etag = etagOf(json);
    return { body, json, etag, precompressed: await precompress(json, etag, reusable) };
  };
  const items = toMenuItems(sizeRows, currency);
  const toppings: Topping[] = toppingRows
    .map((row) => ({
      id: row.id,
      name: row.name,
      price: { amount: row.price_cents, currency },
      dietary: parseJsonText(row.dietary),
      available: row.available === 1,
    }))
    .sort(byName);
  const [lists, itemRepresentations, toppingList] = await Promise.all([
    Promise.all(
      (['all', ...categoryOrder] as const).map(async (key) => {
        const data = key === 'all' ? items : items.filter((item) => item.category === key);
        return [key, await represent<MenuItemList>({ data })] as const;
      }),
    ),
    Promise.all(items.map(async (item) => [item.id, await represent(item)] as const)),
    represent<ToppingList>({ data: toppings }),
  ]);
  return { lists: new Map(lists), items: new Map(itemRepresentations), toppings: toppingList };
}

function representationsOf(snapshot: MenuSnapshot): Array<Representation<unknown>> {
  return [...snapshot.lists.values(), ...snapshot.items.values(), snapshot.toppings];
}

/**
 * Adds an item to the menu with its recipes. A stock-tracked item (the default) needs a recipe for every size, of
 * existing ingredients; only an item marked `stockTracked: false` may have none.
 */
export async function createMenuItem(db: Kysely<Database>, input: MenuItemInput, currency: string): Promise<MenuItemCreated> {
  const errors = sizeErrors(input.sizes, input.category, currency);
  if (errors.length) return { ok: false, reason: 'invalid', errors };
  const stockTracked = input.stockTracked ?? true;
  const id = newId('itm');
  const refused = await inTransaction(db, async (trx): Promise<MenuItemCreated | undefined> => {
    const recipeProblems = await recipeErrors(trx, input.recipes ?? [], input.sizes.map(({ size }) => size), new Set(), stockTracked);
    if (recipeProblems.length) return { ok: false, reason: 'invalid', errors: recipeProblems };
    await insertMenuItem(
      trx,
      {
        id,
        name: input.name,
        description: input.description,
        category: input.category,
        dietary: toJsonText(input.dietary ?? []),
        retired_at: null,
        stock_tracked: stockTracked ? 1 : 0,
      },
      toStoredSizes(input.sizes),
    );
    await replaceRecipes(trx, id, toStoredRecipes(input.recipes ?? []));
    return undefined;
  });
  return refused ?? { ok: true, item: await readChangedItem(db, id, currency) };
}

/**
 * What is wrong with `recipes` for an item offered in `sizes`: a size it is not offered in or named twice, an
 * ingredient that does not exist or is named twice; and, for a stock-tracked item, a size left without a recipe
 * (`kept`: the sizes that keep the recipe they have).
 */
async function recipeErrors(db: Kysely<Database>, recipes: Recipes, sizes: readonly Size[], kept: ReadonlySet<Size>, stockTracked: boolean): Promise<ValidationError[]> {
  const errors: ValidationError[] = [];
  const known = await existingIngredientIds(db, recipes.flatMap((recipe) => recipe.ingredients.map((use) => use.ingredientId)));
  recipes.forEach((recipe, index) => {
    const pointer = `/body/recipes/${index}`;
    if (!sizes.includes(recipe.size)) errors.push({ pointer: `${pointer}/size`, detail: `The item is not offered in size ${recipe.size}.` });
    else if (recipes.findIndex((other) => other.size === recipe.size) !== index) errors.push({ pointer: `${pointer}/size`, detail: `Must not repeat a size; ${recipe.size} already has a recipe.` });
    recipe.ingredients.forEach((use, useIndex) => {
      if (!known.has(use.ingredientId)) errors.push({ pointer: `${pointer}/ingredients/${useIndex}/ingredientId`, detail: `There is no ingredient ${use.ingredientId}.` });
      else if (recipe.ingredients.findIndex((other) => other.ingredientId === use.ingredientId) !== useIndex) {
        errors.push({ pointer: `${pointer}/ingredients/${useIndex}/ingredientId`, detail: `Must not repeat an ingredient; add the amounts up.` });
      }
    });
  });
  if (stockTracked) {
    const covered = new Set([...kept, ...recipes.map((recipe) => recipe.size)]);
    const missing = sizes.filter((size) => !covered.has(size));
    if (missing.length > 0) {
      errors.push({
        pointer: '/body/recipes',
        detail: `Must give a recipe for ${missing.join(', ')}: a stock-tracked item takes its recipe from stock. Say stockTracked: false for an item nobody counts.`,
      });
    }
  }
  return errors;
}

function toStoredRecipes(recipes: Recipes): Array<{ size: Size; uses: Array<{ ingredientId: string; quantity: number }> }> {
  return recipes.map(({ size, ingredients }) => ({ size, uses: ingredients }));
}

/** Changes the fields `patch` has; `sizes` replaces the whole set. */
export async function updateMenuItem(
  db: Kysely<Database>,
  id: string,
  patch: MenuItemPatch,
  currency: string,
): Promise<MenuItemChanged> {
  const refused = await inTransaction(db, async (trx): Promise<Exclude<MenuItemChanged, { ok: true }> | undefined> => {
    const current = await selectCurrentMenuItem(trx, id);
    if (!current) return { ok: false, reason: 'not-found' };
    if (Object.values(patch).every((value) => value === undefined)) {
      return {
        ok: false,
        reason: 'invalid',
        errors: [{ pointer: '/body', detail: 'Must have at least one of the properties name, description, sizes, dietary, stockTracked, recipes.' }],
      };
    }
    if (patch.sizes) {
      const errors = sizeErrors(patch.sizes, current.category, currency);
      if (errors.length) return { ok: false, reason: 'invalid', errors };
    }
    const sizes = patch.sizes?.map(({ size }) => size) ?? [...new Set((await selectMenuItemSizes(trx, id)).map((row) => row.size))];
    const stockTracked = patch.stockTracked ?? current.stock_tracked === 1;
    const recipeProblems = await recipeErrors(trx, patch.recipes ?? [], sizes, await sizesWithRecipes(trx, id), stockTracked);
    if (recipeProblems.length) return { ok: false, reason: 'invalid', errors: recipeProblems };
    if (patch.sizes) await replaceMenuItemSizes(trx, id, toStoredSizes(patch.sizes));
    await replaceRecipes(trx, id, toStoredRecipes(patch.recipes ?? []));
    await updateMenuItemColumns(trx, id, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.dietary !== undefined && { dietary: toJsonText(patch.dietary) }),
      ...(patch.stockTracked !== undefined && { stock_tracked: patch.stockTracked ? 1 : 0 }),
    });
    return undefined;
  });
  return refused ?? { ok: true, item: await readChangedItem(db, id, currency) };
}

/** Takes the item off the menu; an unknown or already retired item is `not-found`. */
export async function retireMenuItem(db: Kysely<Database>, id: string): Promise<{ ok: true } | { ok: false; reason: 'not-found' }> {
  if (!(await retireMenuItemRow(db, id))) return { ok: false, reason: 'not-found' };
  invalidateMenuCache(db);
  return { ok: true };
}

/** Drops the stale snapshot and reads the changed item back as the menu now shows it. */
async function readChangedItem(db: Kysely<Database>, id: string, currency: string): Promise<MenuItem> {
  invalidateMenuCache(db);
  const [item] = toMenuItems(await selectMenuItemSizes(db, id), currency);
  // Only a concurrent retirement between the write and this read leaves nothing to show.
  if (!item) throw new Error(`menu item ${id} vanished right after it was written`);
  return item;
}

/** Folds size rows into items, grouped by category in menu order and then by name; sizes smallest first. */
function toMenuItems(rows: MenuItemSizeRow[], currency: string): MenuItem[] {
  const sizeRowsByItem = new Map<string, MenuItemSizeRow[]>();
  for (const row of rows) {
    const sizeRows = sizeRowsByItem.get(row.id);
    if (sizeRows) sizeRows.push(row);
    else sizeRowsByItem.set(row.id, [row]);
  }
  const items = [...sizeRowsByItem.values()].map((sizeRows): MenuItem => {
    const [first] = sizeRows as [MenuItemSizeRow];
    return {
      id: first.id,
      name: first.name,
      description: first.description,
      category: first.category,
      sizes: sizeRows
        .map((row) => ({ size: row.size, price: { amount: row.price_cents, currency } }))
        .sort((a, b) => sizeOrder.indexOf(a.size) - sizeOrder.indexOf(b.size)),
      dietary: parseJsonText(first.dietary),
      // An item is available when at least one of its sizes can be made.
      available: sizeRows.some((row) => row.orderable === 1),
      createdAt: first.created_at,
      updatedAt: first.updated_at,
    };
  });
  return items.sort((a, b) => categoryOrder.indexOf(a.category) - categoryOrder.indexOf(b.category) || byName(a, b));
}

function byName(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return a.name.localeCompare(b.name, 'en') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** What is wrong with a set of sizes for an item of `category`, each error pointing into the request body. */
function sizeErrors(sizes: MenuItemSizes, category: MenuCategory, currency: string): ValidationError[] {
  const allowed = sizesByCategory[category];
  return sizes.flatMap(({ size, price }, index) => {
    const errors: ValidationError[] = [];
    const firstIndex = sizes.findIndex((other) => other.size === size);
    if (firstIndex !== index) {
      errors.push({ pointer: `/body/sizes/${index}/size`, detail: `Must not repeat a size; ${size} is already at /body/sizes/${firstIndex}.` });
    } else if (!allowed.includes(size)) {
      errors.push({ pointer: `/body/sizes/${index}/size`, detail: `Must be one of: ${allowed.map((name) => JSON.stringify(name)).join(', ')} for a ${category}.` });
    }
    if (price.currency !== currency) {
      errors.push({ pointer: `/body/sizes/${index}/price/currency`, detail: `Must be ${currency}, the currency of every price.` });
    }
    return errors;
  });
}

function toStoredSizes(sizes: MenuItemSizes): Array<{ size: Size; priceCents: number }> {
  return sizes.map(({ size, price }) => ({ size, priceCents: price.amount }));
}
