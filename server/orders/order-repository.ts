import type { CompiledQuery, Kysely } from 'kysely';
import { currentTimestamp, executeTogether, lockForUpdate, writeTogether, type JsonText, type Timestamp } from '../db/dialect.ts';
import { precompiledQuery } from '../db/precompiled-query.ts';
import type { Database, NewRow, OrderStatus, Row, Size, StoredLineTopping } from '../db/tables.ts';
import { olderThan, type PagePosition } from '../pagination.ts';
import { outboxInsert, webhookEvent } from '../webhooks/outbox.ts';

/** Whose orders a caller may see: a customer only their own (`customerId`), staff every order (`undefined`). */
export interface Visibility {
  customerId: string | undefined;
}

export interface MenuItemForOrder {
  id: string;
  name: string;
  retired: boolean;
  /** Whether ordering it takes its recipe from stock. */
  stockTracked: boolean;
  /** Price in cents of each size the item is offered in. */
  prices: Map<Size, number>;
  /** What one unit of each size uses. */
  recipes: Map<Size, IngredientUse[]>;
}

export interface ToppingForOrder {
  id: string;
  name: string;
  priceCents: number;
  /** What the topping adds to one unit of a line. */
  uses: IngredientUse[];
}

/** How much of an ingredient one unit of something uses. */
export interface IngredientUse {
  ingredientId: string;
  quantity: number;
}

export type OrderRow = Row<'orders'>;
export type OrderLineRow = Row<'order_lines'>;

export interface OrderWithLines {
  order: OrderRow;
  /** In position order. */
  lines: OrderLineRow[];
}

/** The items with their sizes' prices and recipes, in one query. */
export async function findMenuItemsForOrder(db: Kysely<Database>, itemIds: string[]): Promise<Map<string, MenuItemForOrder>> {
  const rows = await db
    .selectFrom('menu_items')
    .leftJoin('menu_item_sizes', 'menu_item_sizes.item_id', 'menu_items.id')
    .leftJoin('recipes', (join) => join.onRef('recipes.item_id', '=', 'menu_item_sizes.item_id').onRef('recipes.size', '=', 'menu_item_sizes.size'))
    .select([
      'menu_items.id',
      'menu_items.name',
      'menu_items.retired_at',
      'menu_items.stock_tracked',
      'menu_item_sizes.size',
      'menu_item_sizes.price_cents',
      'recipes.ingredient_id',
      'recipes.quantity',
    ])
    .where('menu_items.id', 'in', itemIds)
    .execute();
  const items = new Map<string, MenuItemForOrder>();
  for (const row of rows) {
    let item = items.get(row.id);
    if (!item) {
      item = { id: row.id, name: row.name, retired: row.retired_at !== null, stockTracked: row.stock_tracked === 1, prices: new Map(), recipes: new Map() };
      items.set(row.id, item);
    }
    if (row.size === null || row.price_cents === null) continue;
    item.prices.set(row.size, row.price_cents);
    const recipe = item.recipes.get(row.size) ?? [];
    if (row.ingredient_id !== null && row.quantity !== null) recipe.push({ ingredientId: row.ingredient_id, quantity: row.quantity });
    item.recipes.set(row.size, recipe);
  }
  return items;
}

/** The toppings with their prices and what they use, in one query. */
export async function findToppingsForOrder(db: Kysely<Database>, toppingIds: string[]): Promise<Map<string, ToppingForOrder>> {
  const toppings = new Map<string, ToppingForOrder>();
  if (toppingIds.length === 0) return toppings;
  const rows = await db
    .selectFrom('toppings')
    .leftJoin('topping_ingredients', 'topping_ingredients.topping_id', 'toppings.id')
    .select(['toppings.id', 'toppings.name', 'toppings.price_cents', 'topping_ingredients.ingredient_id', 'topping_ingredients.quantity'])
    .where('toppings.id', 'in', toppingIds)
    .execute();
  for (const row of rows) {
    let topping = toppings.get(row.id);
    if (!topping) {
      topping = { id: row.id, name: row.name, priceCents: row.price_cents, uses: [] };
      toppings.set(row.id, topping);
    }
    if (row.ingredient_id !== null && row.quantity !== null) topping.uses.push({ ingredientId: row.ingredient_id, quantity: row.quantity });
  }
  return toppings;
}

export interface NewOrderLine {
  itemId: string;
  itemName: string;
  size: Size;
  quantity: number;
  toppings: JsonText<StoredLineTopping[]>;
  unitPriceCents: number;
  lineTotalCents: number;
}

/** The row a line of an order is stored as. */
function toLineRow(orderId: string, position: number, line: NewOrderLine): OrderLineRow {
  return {
    order_id: orderId,
    position,
    item_id: line.itemId,
    item_name: line.itemName,
    size: line.size,
    quantity: line.quantity,
    toppings: line.toppings,
    unit_price_cents: line.unitPriceCents,
    line_total_cents: line.lineTotalCents,
  };
}

type NewOrder = Omit<NewRow<'orders'>, 'created_at' | 'updated_at'>;

const insertOrderRow = precompiledQuery((db, order: Required<NewOrder>) =>
  db
    .insertInto('orders')
    .values({
      id: order.id,
      customer_id: order.customer_id,
      status: order.status,
      fulfilment_type: order.fulfilment_type,
      address: order.address,
      notes: order.notes,
      subtotal_cents: order.subtotal_cents,
      delivery_fee_cents: order.delivery_fee_cents,
      tax_cents: order.tax_cents,
      total_cents: order.total_cents,
      currency: order.currency,
      cancel_reason: order.cancel_reason,
    })
    .returningAll(),
);

/** Inserts an order, its lines and its first event (which happens when the order row is created); returns the stored order and its lines. */
export async function insertOrder(
  db: Kysely<Database>,
  order: Required<NewOrder>,
  lines: NewOrderLine[],
  eventId: string,
): Promise<OrderWithLines> {
  const lineRows = lines.map((line, position) => toLineRow(order.id, position, line));
  const [stored] = await executeTogether(
    db,
    insertOrderRow.compile(db, order),
    db.insertInto('order_lines').values(lineRows).compile(),
    insertFirstOrderEventRow.compile(db, { id: eventId, orderId: order.id, status: order.status, changedBy: order.customer_id }),
  );
  if (!stored) throw new Error(`order ${order.id} was not stored`);
  return { order: stored, lines: lineRows };
}

const insertFirstOrderEventRow = precompiledQuery((db, event: { id: string; orderId: string; status: OrderStatus; changedBy: string | null }) =>
  db.insertInto('order_events').values({
    id: event.id,
    order_id: event.orderId,
    previous_status: null,
    status: event.status,
    changed_by: event.changedBy,
    occurred_at: currentTimestamp(db),
  }),
);

/** A change of an order's status, as `order_events` keeps it and the `order.status_changed` webhook reports it. */
export interface OrderStatusEvent {
  id: string;
  orderId: string;
  previousStatus: OrderStatus;
  status: OrderStatus;
  changedBy: string | null;
  occurredAt: Timestamp;
}

const insertOrderEventRow = precompiledQuery((db, event: OrderStatusEvent) =>
  db.insertInto('order_events').values({
    id: event.id,
    order_id: event.orderId,
    previous_status: event.previousStatus,
    status: event.status,
    changed_by: event.changedBy,
    occurred_at: event.occurredAt,
  }),
);

/** Records a status change in the order's history and, in the same statement, its `order.status_changed` webhook event. */
export async function insertOrderEvent(db: Kysely<Database>, event: OrderStatusEvent, ...alongside: CompiledQuery[]): Promise<void> {
  const webhook = webhookEvent(
    'order.status_changed',
    { orderId: event.orderId, previousStatus: event.previousStatus, status: event.status },
    { id: event.id, occurredAt: event.occurredAt },
  );
  await writeTogether(db, insertOrderEventRow.compile(db, event), outboxInsert(db, [webhook]), ...alongside);
}

/** The statement that keeps what an order took from stock, to run with the statement that takes it. */
export function insertStockTakesQuery(db: Kysely<Database>, orderId: string, taken: ReadonlyMap<string, number>): CompiledQuery {
  return db
    .insertInto('order_stock_takes')
    .values([...taken].map(([ingredientId, quantity]) => ({ order_id: orderId, ingredient_id: ingredientId, quantity })))
    .compile();
}

/** What the order took from stock, per ingredient. */
export async function findStockTakes(db: Kysely<Database>, orderId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('order_stock_takes').select(['ingredient_id', 'quantity']).where('order_id', '=', orderId).execute();
  return new Map(rows.map((row) => [row.ingredient_id, row.quantity]));
}

/** The order if the caller may see it; `lock` holds it until the transaction ends. */
export async function findOrder(db: Kysely<Database>, orderId: string, visibility: Visibility, lock = false): Promise<OrderRow | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .$if(visibility.customerId !== undefined, (qb) => qb.where('customer_id', '=', visibility.customerId!))
    .$if(lock, lockForUpdate(db))
    .executeTakeFirst();
}

function orderWithLinesQuery(ofCustomerOnly: boolean) {
  return precompiledQuery((db, values: { orderId: string; customerId: string | undefined }) =>
    db
      .selectFrom('orders')
      .leftJoin('order_lines', 'order_lines.order_id', 'orders.id')
      .selectAll('orders')
      .select([
        'order_lines.order_id',
        'order_lines.position',
        'order_lines.item_id',
        'order_lines.item_name',
        'order_lines.size',
        'order_lines.quantity',
        'order_lines.toppings',
        'order_lines.unit_price_cents',
        'order_lines.line_total_cents',
      ])
      .where('orders.id', '=', values.orderId)
      .$if(ofCustomerOnly, (qb) => qb.where('orders.customer_id', '=', values.customerId!))
      .orderBy('order_lines.position'),
  );
}

const selectOrderWithLines = { ofCustomer: orderWithLinesQuery(true), ofAnyone: orderWithLinesQuery(false) };

/** The order and its lines if the caller may see it, in one query (a join: the order's columns repeat on each line). */
export async function findOrderWithLines(db: Kysely<Database>, orderId: string, visibility: Visibility): Promise<OrderWithLines | undefined> {
  const select = visibility.customerId === undefined ? selectOrderWithLines.ofAnyone : selectOrderWithLines.ofCustomer;
  const rows = await select(db, { orderId, customerId: visibility.customerId });
  const [first] = rows;
  if (!first) return undefined;
  const { order_id, position, item_id, item_name, size, quantity, toppings, unit_price_cents, line_total_cents, ...order } = first;
  const lines: OrderLineRow[] = [];
  for (const row of rows) {
    if (row.order_id === null) continue; // an order without lines: the left join's one row of nulls
    lines.push({
      order_id: row.order_id,
      position: row.position!,
      item_id: row.item_id!,
      item_name: row.item_name!,
      size: row.size!,
      quantity: row.quantity!,
      toppings: row.toppings!,
      unit_price_cents: row.unit_price_cents!,
      line_total_cents: row.line_total_cents!,
    });
  }
  return { order, lines };
}

/** The lines of the given orders, in position order, grouped by order id. */
export async function findOrderLines(db: Kysely<Database>, orderIds: string[]): Promise<Map<string, OrderLineRow[]>> {
  const grouped = new Map<string, OrderLineRow[]>();
  if (orderIds.length === 0) return grouped;
  const rows = await db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('order_id')
    .orderBy('position')
    .execute();
  for (const row of rows) {
    const lines = grouped.get(row.order_id) ?? [];
    lines.push(row);
    grouped.set(row.order_id, lines);
  }
  return grouped;
}

/** Newest first, `limit` rows after `after`; each filter picks the index it can use. */
export async function listOrders(
  db: Kysely<Database>,
  filter: Visibility & { status: OrderStatus | undefined; after: PagePosition | undefined; limit: number },
): Promise<OrderRow[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .$if(filter.customerId !== undefined, (qb) => qb.where('customer_id', '=', filter.customerId!))
    .$if(filter.status !== undefined, (qb) => qb.where('status', '=', filter.status!))
    .$if(filter.after !== undefined, (qb) => qb.where(olderThan(filter.after!)))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .execute();
}

/**
 * Moves an order from `from` to `to` only if it is still in `from`, so that of two racing changes one wins.
 * @returns the updated row, or `undefined` when the order had already moved on.
 */
export async function changeOrderStatus(
  db: Kysely<Database>,
  orderId: string,
  from: OrderStatus,
  to: OrderStatus,
  cancelReason?: string | null,
): Promise<OrderRow | undefined> {
  return db
    .updateTable('orders')
    .set({ status: to, updated_at: currentTimestamp(db), ...(cancelReason !== undefined && { cancel_reason: cancelReason }) })
    .where('id', '=', orderId)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}
