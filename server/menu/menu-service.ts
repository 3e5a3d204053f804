import type { Kysely } from 'kysely';
import type {
  MenuCategory,
  MenuItem,
  MenuItemInput,
  MenuItemList,
  MenuItemPatch,
  MenuItemSizes,
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
import { cachedMenu, invalidateMenuCache } from './menu-cache.ts';
import {
  insertMenuItem,
  replaceMenuItemSizes,
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

export async function createMenuItem(db: Kysely<Database>, input: MenuItemInput, currency: string): Promise<MenuItemCreated> {
  const errors = sizeErrors(input.sizes, input.category, currency);
  if (errors.length) return { ok: false, reason: 'invalid', errors };
  const id = newId('itm');
  await inTransaction(db, (trx) =>
    insertMenuItem(
      trx,
      { id, name: input.name, description: input.description, category: input.category, dietary: toJsonText(input.dietary ?? []), retired_at: null },
      toStoredSizes(input.sizes),
    ),
  );
  return { ok: true, item: await readChangedItem(db, id, currency) };
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
    if (patch.name === undefined && patch.description === undefined && patch.sizes === undefined && patch.dietary === undefined) {
      return { ok: false, reason: 'invalid', errors: [{ pointer: '/body', detail: 'Must have at least one of the properties name, description, sizes, dietary.' }] };
    }
    if (patch.sizes) {
      const errors = sizeErrors(patch.sizes, current.category, currency);
      if (errors.length) return { ok: false, reason: 'invalid', errors };
      await replaceMenuItemSizes(trx, id, toStoredSizes(patch.sizes));
    }
    await updateMenuItemColumns(trx, id, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.dietary !== undefined && { dietary: toJsonText(patch.dietary) }),
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
