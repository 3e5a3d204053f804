import { PostgresAdapter, sql, type Kysely } from 'kysely';

// A landed migration never changes, so it imports nothing that may: the database's clock is spelled out here.
function currentTimestamp(db: Kysely<any>) {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? sql`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;
}

// A landed migration never changes: the allowed values below are spelled out here rather than imported.

export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`(${currentTimestamp(db)})`;

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('email', 'text', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('users_email_lowercase', sql`email = lower(email)`)
    .addCheckConstraint('users_role_known', sql`role in ('customer', 'staff')`)
    .execute();

  await db.schema
    .createTable('menu_items')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('dietary', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('retired_at', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('menu_items_category_known', sql`category in ('pizza', 'side', 'drink', 'dessert')`)
    .execute();

  await db.schema
    .createTable('menu_item_sizes')
    .addColumn('item_id', 'text', (col) => col.notNull().references('menu_items.id').onDelete('cascade'))
    .addColumn('size', 'text', (col) => col.notNull())
    .addColumn('price_cents', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('menu_item_sizes_pk', ['item_id', 'size'])
    .addCheckConstraint('menu_item_sizes_size_known', sql`size in ('small', 'medium', 'large', 'regular')`)
    .addCheckConstraint('menu_item_sizes_price_not_negative', sql`price_cents >= 0`)
    .execute();

  await db.schema
    .createTable('toppings')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('price_cents', 'integer', (col) => col.notNull())
    .addColumn('dietary', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('toppings_price_not_negative', sql`price_cents >= 0`)
    .execute();

  await db.schema
    .createTable('ingredients')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('unit', 'text', (col) => col.notNull())
    .addColumn('stock_level', 'integer', (col) => col.notNull())
    .addColumn('low_stock_threshold', 'integer', (col) => col.notNull())
    .addCheckConstraint('ingredients_unit_known', sql`unit in ('g', 'ml', 'piece')`)
    .addCheckConstraint('ingredients_stock_not_negative', sql`stock_level >= 0`)
    .addCheckConstraint('ingredients_threshold_not_negative', sql`low_stock_threshold >= 0`)
    .execute();

  // No cascade from sizes: replacing an item's sizes by delete-and-insert would silently drop its recipes.
  await db.schema
    .createTable('recipes')
    .addColumn('item_id', 'text', (col) => col.notNull())
    .addColumn('size', 'text', (col) => col.notNull())
    .addColumn('ingredient_id', 'text', (col) => col.notNull().references('ingredients.id'))
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('recipes_pk', ['item_id', 'size', 'ingredient_id'])
    .addForeignKeyConstraint('recipes_item_size_fk', ['item_id', 'size'], 'menu_item_sizes', ['item_id', 'size'])
    .addCheckConstraint('recipes_quantity_positive', sql`quantity > 0`)
    .execute();

  await db.schema
    .createTable('topping_ingredients')
    .addColumn('topping_id', 'text', (col) => col.notNull().references('toppings.id').onDelete('cascade'))
    .addColumn('ingredient_id', 'text', (col) => col.notNull().references('ingredients.id'))
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('topping_ingredients_pk', ['topping_id', 'ingredient_id'])
    .addCheckConstraint('topping_ingredients_quantity_positive', sql`quantity > 0`)
    .execute();

  await db.schema
    .createTable('stock_adjustments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('ingredient_id', 'text', (col) => col.notNull().references('ingredients.id'))
    .addColumn('delta', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('stock_level_after', 'integer', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull().references('users.id'))
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('stock_adjustments_delta_not_zero', sql`delta <> 0`)
    .addCheckConstraint('stock_adjustments_reason_known', sql`reason in ('restock', 'waste', 'correction')`)
    .addCheckConstraint('stock_adjustments_level_not_negative', sql`stock_level_after >= 0`)
    .execute();
  await db.schema
    .createIndex('stock_adjustments_by_ingredient')
    .on('stock_adjustments')
    .columns(['ingredient_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('stock_adjustments_by_time').on('stock_adjustments').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('customer_id', 'text', (col) => col.notNull().references('users.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('fulfilment_type', 'text', (col) => col.notNull())
    .addColumn('address', 'text')
    .addColumn('notes', 'text')
    .addColumn('subtotal_cents', 'integer', (col) => col.notNull())
    .addColumn('delivery_fee_cents', 'integer', (col) => col.notNull())
    .addColumn('tax_cents', 'integer', (col) => col.notNull())
    .addColumn('total_cents', 'integer', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('cancel_reason', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addColumn('updated_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint(
      'orders_status_known',
      sql`status in ('awaiting_payment', 'confirmed', 'preparing', 'baking', 'ready', 'out_for_delivery', 'delivered', 'collected', 'cancelled')`,
    )
    .addCheckConstraint(
      'orders_address_matches_fulfilment',
      sql`(fulfilment_type = 'delivery' and address is not null) or (fulfilment_type = 'pickup' and address is null)`,
    )
    .addCheckConstraint(
      'orders_amounts_not_negative',
      sql`subtotal_cents >= 0 and delivery_fee_cents >= 0 and tax_cents >= 0`,
    )
    .addCheckConstraint('orders_total_adds_up', sql`total_cents = subtotal_cents + delivery_fee_cents + tax_cents`)
    .execute();
  await db.schema.createIndex('orders_by_customer').on('orders').columns(['customer_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('orders_by_status').on('orders').columns(['status', 'created_at', 'id']).execute();
  await db.schema.createIndex('orders_by_time').on('orders').columns(['created_at', 'id']).execute();

  // The primary key (order_id, position) is also the index for reading an order's lines.
  await db.schema
    .createTable('order_lines')
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('item_id', 'text', (col) => col.notNull().references('menu_items.id'))
    .addColumn('item_name', 'text', (col) => col.notNull())
    .addColumn('size', 'text', (col) => col.notNull())
    .addColumn('quantity', 'integer', (col) => col.notNull())
    .addColumn('toppings', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('unit_price_cents', 'integer', (col) => col.notNull())
    .addColumn('line_total_cents', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'position'])
    .addCheckConstraint('order_lines_quantity_positive', sql`quantity > 0`)
    .addCheckConstraint('order_lines_total_adds_up', sql`unit_price_cents >= 0 and line_total_cents = unit_price_cents * quantity`)
    .execute();

  await db.schema
    .createTable('order_events')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('previous_status', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('changed_by', 'text', (col) => col.references('users.id'))
    .addColumn('occurred_at', 'text', (col) => col.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('order_events_by_order').on('order_events').columns(['order_id', 'occurred_at', 'id']).execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('order_id', 'text', (col) => col.notNull().references('orders.id'))
    .addColumn('amount_cents', 'integer', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('card_brand', 'text', (col) => col.notNull())
    .addColumn('card_last4', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('payments_status_known', sql`status in ('succeeded', 'refunded')`)
    .addCheckConstraint('payments_amount_not_negative', sql`amount_cents >= 0`)
    .execute();
  // Only successful payments are stored and a refund keeps the row, so this is "an order is paid at most once".
  await db.schema.createIndex('payments_one_per_order').on('payments').column('order_id').unique().execute();

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('payment_id', 'text', (col) => col.notNull().unique().references('payments.id'))
    .addColumn('amount_cents', 'integer', (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addCheckConstraint('refunds_amount_not_negative', sql`amount_cents >= 0`)
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id'))
    .addColumn('operation', 'text', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('response_headers', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull().defaultTo(now))
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'operation', 'key'])
    .addCheckConstraint('idempotency_keys_status_known', sql`status in ('in_progress', 'done')`)
    .addCheckConstraint(
      'idempotency_keys_done_has_response',
      sql`status = 'in_progress' or response_status is not null`,
    )
    .execute();
  await db.schema.createIndex('idempotency_keys_by_expiry').on('idempotency_keys').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const newestFirst = [
    'idempotency_keys',
    'refunds',
    'payments',
    'order_events',
    'order_lines',
    'orders',
    'stock_adjustments',
    'topping_ingredients',
    'recipes',
    'ingredients',
    'toppings',
    'menu_item_sizes',
    'menu_items',
    'users',
  ];
  for (const table of newestFirst) await db.schema.dropTable(table).execute();
}
