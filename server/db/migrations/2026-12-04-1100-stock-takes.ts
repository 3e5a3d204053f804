import { sql, type Kysely } from 'kysely';

/**
 * Stock that stays true: each order keeps exactly what it took from stock (`order_stock_takes`), so cancelling it
 * gives back that, whatever the menu says by then; menu items say whether they are stock-tracked (an item without
 * a recipe is then not orderable rather than unlimited); ingredients get a creation time, to be paged like the rest.
 * Orders placed before keep what their recipes and toppings take today, the best knowledge there is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('menu_items').addColumn('stock_tracked', 'integer', (col) => col.notNull().defaultTo(1)).execute();
  // SQLite adds columns with constant defaults only; new ingredients get their time from the application.
  await db.schema.alterTable('ingredients').addColumn('created_at', 'text', (col) => col.notNull().defaultTo('2026-12-04T00:00:00.000Z')).execute();
  await db.schema.createIndex('ingredients_newest_first').on('ingredients').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('order_stock_takes')
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('ingredient_id', 'text', (col) => col.notNull().references('ingredients.id'))
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('order_stock_takes_pk', ['order_id', 'ingredient_id'])
    .addCheckConstraint('order_stock_takes_quantity_positive', sql`quantity > 0`)
    .execute();

  const lines = await db
    .selectFrom('order_lines')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .select(['order_lines.order_id', 'order_lines.item_id', 'order_lines.size', 'order_lines.quantity', 'order_lines.toppings'])
    .where('orders.status', '<>', 'cancelled')
    .execute();
  const recipes = await db.selectFrom('recipes').select(['item_id', 'size', 'ingredient_id', 'quantity']).execute();
  const toppingUses = await db.selectFrom('topping_ingredients').select(['topping_id', 'ingredient_id', 'quantity']).execute();
  const takes = new Map<string, Map<string, number>>();
  const add = (orderId: string, ingredientId: string, quantity: number) => {
    const ofOrder = takes.get(orderId) ?? new Map<string, number>();
    ofOrder.set(ingredientId, (ofOrder.get(ingredientId) ?? 0) + quantity);
    takes.set(orderId, ofOrder);
  };
  for (const line of lines) {
    for (const use of recipes) if (use.item_id === line.item_id && use.size === line.size) add(line.order_id, use.ingredient_id, use.quantity * line.quantity);
    for (const topping of JSON.parse(line.toppings) as Array<{ id: string }>) {
      for (const use of toppingUses) if (use.topping_id === topping.id) add(line.order_id, use.ingredient_id, use.quantity * line.quantity);
    }
  }
  const rows = [...takes].flatMap(([order_id, ofOrder]) => [...ofOrder].map(([ingredient_id, quantity]) => ({ order_id, ingredient_id, quantity })));
  for (let start = 0; start < rows.length; start += 500) await db.insertInto('order_stock_takes').values(rows.slice(start, start + 500)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('order_stock_takes').execute();
  await db.schema.dropIndex('ingredients_newest_first').execute();
  await db.schema.alterTable('ingredients').dropColumn('created_at').execute();
  await db.schema.alterTable('menu_items').dropColumn('stock_tracked').execute();
}
