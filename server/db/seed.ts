import type { Kysely } from 'kysely';
import { hashPassword } from '../accounts/password.ts';
import type { Config } from '../config.ts';
import { isUniqueViolation, toJsonText } from './dialect.ts';
import type { Database, Dietary, MenuCategory, NewRow, Size } from './tables.ts';

/** Ids of everything the seed creates, fixed so that docs, examples and tests can name them. */
export const seededIds = {
  staff: 'usr_staffAccount01',
  items: {
    margherita: 'itm_margherita01',
    pepperoni: 'itm_pepperoni01',
    quattroFormaggi: 'itm_quattroFormaggi01',
    veganGarden: 'itm_veganGarden01',
    garlicBread: 'itm_garlicBread01',
    cola: 'itm_colaCan01',
    sparklingWater: 'itm_sparklingWater01',
    tiramisu: 'itm_tiramisu01',
  },
  toppings: {
    extraMozzarella: 'top_extraMozzarella01',
    mushrooms: 'top_mushrooms01',
    jalapenos: 'top_jalapenos01',
    blackOlives: 'top_blackOlives01',
    veganCheese: 'top_veganCheese01',
    pepperoni: 'top_pepperoni01',
  },
  ingredients: {
    dough: 'ing_pizzaDough01',
    tomatoSauce: 'ing_tomatoSauce01',
    mozzarella: 'ing_mozzarella01',
    parmesan: 'ing_parmesan01',
    gorgonzola: 'ing_gorgonzola01',
    fontina: 'ing_fontina01',
    pepperoni: 'ing_pepperoni01',
    basil: 'ing_freshBasil01',
    oliveOil: 'ing_oliveOil01',
    mushrooms: 'ing_mushrooms01',
    jalapenos: 'ing_jalapenos01',
    blackOlives: 'ing_blackOlives01',
    veganCheese: 'ing_veganCheese01',
    bellPeppers: 'ing_bellPeppers01',
    zucchini: 'ing_zucchini01',
    redOnion: 'ing_redOnion01',
    baguette: 'ing_baguette01',
    garlicButter: 'ing_garlicButter01',
    colaCans: 'ing_colaCans01',
    sparklingWater: 'ing_sparklingWater01',
    tiramisu: 'ing_tiramisuPortions01',
  },
} as const;

const ing = seededIds.ingredients;

const ingredients: NewRow<'ingredients'>[] = [
  { id: ing.dough, name: 'Pizza dough', unit: 'g', stock_level: 40_000, low_stock_threshold: 5_000 },
  { id: ing.tomatoSauce, name: 'Tomato sauce', unit: 'ml', stock_level: 20_000, low_stock_threshold: 3_000 },
  { id: ing.mozzarella, name: 'Mozzarella', unit: 'g', stock_level: 20_000, low_stock_threshold: 3_000 },
  { id: ing.parmesan, name: 'Parmesan', unit: 'g', stock_level: 4_000, low_stock_threshold: 500 },
  { id: ing.gorgonzola, name: 'Gorgonzola', unit: 'g', stock_level: 4_000, low_stock_threshold: 500 },
  { id: ing.fontina, name: 'Fontina', unit: 'g', stock_level: 4_000, low_stock_threshold: 500 },
  { id: ing.pepperoni, name: 'Pepperoni', unit: 'g', stock_level: 8_000, low_stock_threshold: 1_000 },
  { id: ing.basil, name: 'Fresh basil', unit: 'g', stock_level: 600, low_stock_threshold: 100 },
  { id: ing.oliveOil, name: 'Olive oil', unit: 'ml', stock_level: 5_000, low_stock_threshold: 500 },
  { id: ing.mushrooms, name: 'Mushrooms', unit: 'g', stock_level: 5_000, low_stock_threshold: 800 },
  { id: ing.jalapenos, name: 'Jalapeños', unit: 'g', stock_level: 2_000, low_stock_threshold: 300 },
  { id: ing.blackOlives, name: 'Black olives', unit: 'g', stock_level: 3_000, low_stock_threshold: 400 },
  { id: ing.veganCheese, name: 'Vegan cheese', unit: 'g', stock_level: 5_000, low_stock_threshold: 800 },
  { id: ing.bellPeppers, name: 'Bell peppers', unit: 'g', stock_level: 4_000, low_stock_threshold: 600 },
  { id: ing.zucchini, name: 'Zucchini', unit: 'g', stock_level: 4_000, low_stock_threshold: 600 },
  { id: ing.redOnion, name: 'Red onion', unit: 'g', stock_level: 3_000, low_stock_threshold: 400 },
  { id: ing.baguette, name: 'Baguette', unit: 'piece', stock_level: 60, low_stock_threshold: 10 },
  { id: ing.garlicButter, name: 'Garlic butter', unit: 'g', stock_level: 3_000, low_stock_threshold: 400 },
  { id: ing.colaCans, name: 'Cola, 330 ml can', unit: 'piece', stock_level: 144, low_stock_threshold: 24 },
  { id: ing.sparklingWater, name: 'Sparkling water, 500 ml bottle', unit: 'piece', stock_level: 144, low_stock_threshold: 24 },
  { id: ing.tiramisu, name: 'Tiramisu portion', unit: 'piece', stock_level: 40, low_stock_threshold: 8 },
];

interface SeedItem {
  id: string;
  name: string;
  description: string;
  category: MenuCategory;
  dietary: Dietary[];
  prices: Partial<Record<Size, number>>;
  /** Ingredient quantities for a medium pizza, or for the one regular size of anything else. */
  recipe: Record<string, number>;
}

const pizzaPrices = (small: number, medium: number, large: number) => ({ small, medium, large });
/** How a medium pizza's recipe scales to the other sizes. */
const sizeFactor: Record<Size, number> = { small: 0.75, medium: 1, large: 1.3, regular: 1 };

const item = seededIds.items;

const menu: SeedItem[] = [
  {
    id: item.margherita,
    name: 'Margherita',
    description: 'San Marzano tomato sauce, fior di latte mozzarella, fresh basil and a drizzle of olive oil.',
    category: 'pizza',
    dietary: ['vegetarian'],
    prices: pizzaPrices(899, 1199, 1499),
    recipe: { [ing.dough]: 250, [ing.tomatoSauce]: 80, [ing.mozzarella]: 120, [ing.basil]: 3, [ing.oliveOil]: 5 },
  },
  {
    id: item.pepperoni,
    name: 'Pepperoni',
    description: 'Tomato sauce, mozzarella and a generous layer of spicy pepperoni.',
    category: 'pizza',
    dietary: [],
    prices: pizzaPrices(999, 1299, 1599),
    recipe: { [ing.dough]: 250, [ing.tomatoSauce]: 80, [ing.mozzarella]: 110, [ing.pepperoni]: 60 },
  },
  {
    id: item.quattroFormaggi,
    name: 'Quattro Formaggi',
    description: 'A white pizza with mozzarella, gorgonzola, fontina and aged parmesan.',
    category: 'pizza',
    dietary: ['vegetarian'],
    prices: pizzaPrices(1099, 1399, 1699),
    recipe: { [ing.dough]: 250, [ing.mozzarella]: 80, [ing.gorgonzola]: 40, [ing.fontina]: 40, [ing.parmesan]: 30, [ing.oliveOil]: 5 },
  },
  {
    id: item.veganGarden,
    name: 'Vegan Garden',
    description: 'Tomato sauce, vegan cheese, roasted bell peppers, zucchini, mushrooms and red onion.',
    category: 'pizza',
    dietary: ['vegetarian', 'vegan'],
    prices: pizzaPrices(1049, 1349, 1649),
    recipe: {
      [ing.dough]: 250,
      [ing.tomatoSauce]: 90,
      [ing.veganCheese]: 100,
      [ing.bellPeppers]: 50,
      [ing.zucchini]: 50,
      [ing.mushrooms]: 40,
      [ing.redOnion]: 25,
    },
  },
  {
    id: item.garlicBread,
    name: 'Garlic Bread',
    description: 'Oven-baked baguette with garlic and parsley butter.',
    category: 'side',
    dietary: ['vegetarian'],
    prices: { regular: 549 },
    recipe: { [ing.baguette]: 1, [ing.garlicButter]: 40 },
  },
  {
    id: item.cola,
    name: 'Cola',
    description: 'Ice-cold cola, 330 ml can.',
    category: 'drink',
    dietary: ['vegetarian', 'vegan', 'gluten_free'],
    prices: { regular: 299 },
    recipe: { [ing.colaCans]: 1 },
  },
  {
    id: item.sparklingWater,
    name: 'Sparkling Water',
    description: 'Italian sparkling mineral water, 500 ml bottle.',
    category: 'drink',
    dietary: ['vegetarian', 'vegan', 'gluten_free'],
    prices: { regular: 249 },
    recipe: { [ing.sparklingWater]: 1 },
  },
  {
    id: item.tiramisu,
    name: 'Tiramisu',
    description: 'Espresso-soaked savoiardi layered with mascarpone cream and cocoa.',
    category: 'dessert',
    dietary: ['vegetarian'],
    prices: { regular: 649 },
    recipe: { [ing.tiramisu]: 1 },
  },
];

const top = seededIds.toppings;

const toppings: Array<{ id: string; name: string; priceCents: number; dietary: Dietary[]; uses: Record<string, number> }> = [
  { id: top.extraMozzarella, name: 'Extra Mozzarella', priceCents: 150, dietary: ['vegetarian', 'gluten_free'], uses: { [ing.mozzarella]: 60 } },
  { id: top.mushrooms, name: 'Mushrooms', priceCents: 100, dietary: ['vegetarian', 'vegan', 'gluten_free'], uses: { [ing.mushrooms]: 40 } },
  { id: top.jalapenos, name: 'Jalapeños', priceCents: 100, dietary: ['vegetarian', 'vegan', 'gluten_free', 'spicy'], uses: { [ing.jalapenos]: 20 } },
  { id: top.blackOlives, name: 'Black Olives', priceCents: 100, dietary: ['vegetarian', 'vegan', 'gluten_free'], uses: { [ing.blackOlives]: 30 } },
  { id: top.veganCheese, name: 'Vegan Cheese', priceCents: 175, dietary: ['vegetarian', 'vegan', 'gluten_free'], uses: { [ing.veganCheese]: 60 } },
  { id: top.pepperoni, name: 'Pepperoni', priceCents: 175, dietary: ['gluten_free', 'spicy'], uses: { [ing.pepperoni]: 40 } },
];

async function seedMenu(db: Kysely<Database>): Promise<void> {
  await db.insertInto('ingredients').values(ingredients).execute();
  await db
    .insertInto('menu_items')
    .values(menu.map(({ id, name, description, category, dietary }) => ({ id, name, description, category, dietary: toJsonText(dietary) })))
    .execute();
  const sizes = menu.flatMap(({ id, prices }) =>
    Object.entries(prices).map(([size, price]) => ({ item_id: id, size: size as Size, price_cents: price })),
  );
  await db.insertInto('menu_item_sizes').values(sizes).execute();
  const recipes = menu.flatMap(({ id, prices, recipe }) =>
    Object.keys(prices).flatMap((size) =>
      Object.entries(recipe).map(([ingredientId, quantity]) => ({
        item_id: id,
        size: size as Size,
        ingredient_id: ingredientId,
        quantity: Math.max(1, Math.round(quantity * sizeFactor[size as Size])),
      })),
    ),
  );
  await db.insertInto('recipes').values(recipes).execute();
  await db
    .insertInto('toppings')
    .values(toppings.map(({ id, name, priceCents, dietary }) => ({ id, name, price_cents: priceCents, dietary: toJsonText(dietary) })))
    .execute();
  const toppingIngredients = toppings.flatMap(({ id, uses }) =>
    Object.entries(uses).map(([ingredientId, quantity]) => ({ topping_id: id, ingredient_id: ingredientId, quantity })),
  );
  await db.insertInto('topping_ingredients').values(toppingIngredients).execute();
}

async function upsertStaffAccount(db: Kysely<Database>, staff: Config['staff']): Promise<void> {
  const account = { email: staff.email, name: 'Pizza Place Staff', password_hash: await hashPassword(staff.password), role: 'staff' as const };
  await db
    .insertInto('users')
    .values({ id: seededIds.staff, ...account })
    .onConflict((conflict) => conflict.column('id').doUpdateSet(account))
    .execute();
}

/**
 * Makes a migrated database ready to serve: the staff account from the configuration is created or
 * brought up to date (email, password) every time; the menu, toppings, ingredients and recipes are
 * created only while the menu is empty, so later edits by staff survive restarts.
 */
export async function seedDatabase(db: Kysely<Database>, config: Pick<Config, 'staff'>): Promise<{ menuSeeded: boolean }> {
  await upsertStaffAccount(db, config.staff);
  const existing = await db.selectFrom('menu_items').select('id').limit(1).executeTakeFirst();
  if (existing) return { menuSeeded: false };
  try {
    await db.transaction().execute(seedMenu);
    return { menuSeeded: true };
  } catch (error) {
    // Another instance starting at the same moment seeded it first.
    if (isUniqueViolation(error)) return { menuSeeded: false };
    throw error;
  }
}
