import type { CompiledQuery, Kysely } from 'kysely';
import type { Address, Fulfilment, Order, OrderLine, OrderQuote, OrderStatus, PlaceOrderRequest } from '../../generated/types.gen.ts';
import { zMoney } from '../../generated/zod.gen.ts';
import type { AuthenticatedUser } from '../app-env.ts';
import type { Config } from '../config.ts';
import { parseJsonText, toJsonText, toTimestamp } from '../db/dialect.ts';
import { newId } from '../db/ids.ts';
import { inTransaction } from '../db/transaction.ts';
import { addToStockLevels, selectIngredientLevels, selectIngredientsForUpdate, type ChangedStockLevel } from '../inventory/inventory-repository.ts';
import type { Database, FulfilmentType, StoredAddress, StoredLineTopping } from '../db/tables.ts';
import { runIdempotently, type IdempotentOutcome } from '../idempotency/idempotency.ts';
import { decodeCursor, pageOf, type Page } from '../pagination.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import { hasUnfinishedAttempt } from '../payments/payment-repository.ts';
import { completeRefunds, pendingRefundsOfOrder, recordRefundOfOrder } from '../payments/payment-service.ts';
import type { ValidationError } from '../problem.ts';
import { outboxInsert, recordEvents, stockLowEvents, webhookEvent } from '../webhooks/outbox.ts';
import {
  changeOrderStatus,
  findMenuItemsForOrder,
  findOrder,
  findOrderLines,
  findOrderWithLines,
  findStockTakes,
  findToppingsForOrder,
  insertOrder,
  insertOrderEvent,
  insertStockTakesQuery,
  listOrders as listOrderRows,
  type IngredientUse,
  type NewOrderLine,
  type OrderLineRow,
  type OrderRow,
  type Visibility,
} from './order-repository.ts';

/** The largest amount the contract's `Money` holds, so the largest total an order may have. */
const largestAmountCents = zMoney.shape.amount.maxValue ?? Number.MAX_SAFE_INTEGER;

export interface Shortage {
  ingredientId: string;
  ingredientName: string;
  required: number;
  available: number;
}

export type PlaceOrderFailure =
  | { ok: false; reason: 'unorderable'; errors: ValidationError[] }
  | { ok: false; reason: 'too-large'; totalCents: number; largestTotalCents: number }
  | { ok: false; reason: 'out-of-stock'; shortages: Shortage[] };

export type PlaceOrderResult = IdempotentOutcome<Order, PlaceOrderFailure>;

export type OrderChangeResult =
  | { ok: true; order: Order }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; status: OrderStatus };

/** Customers see their own orders; staff see every order. */
export function visibilityFor(user: AuthenticatedUser): Visibility {
  return { customerId: user.role === 'staff' ? undefined : user.id };
}

/**
 * Places an order at most once per `Idempotency-Key`: prices it from the menu, takes its ingredients from stock
 * and stores it, all in one transaction, so a short ingredient leaves everything as it was.
 */
export function placeOrder(
  db: Kysely<Database>,
  pricing: Config['pricing'],
  user: AuthenticatedUser,
  input: PlaceOrderRequest,
  idempotencyKey: string,
): Promise<PlaceOrderResult> {
  return runIdempotently<Order, PlaceOrderFailure>(
    db,
    { userId: user.id, operation: 'placeOrder', key: idempotencyKey, request: input },
    async (trx, keep) => {
      const priced = await priceOrder(trx, pricing, input);
      if (!priced.ok) return priced;
      const id = newId('ord');
      const stored = await insertOrder(
        trx,
        {
          id,
          customer_id: user.id,
          status: 'awaiting_payment',
          fulfilment_type: input.fulfilment.type,
          address: input.fulfilment.type === 'delivery' ? toJsonText(toStoredAddress(input.fulfilment.address)) : null,
          notes: input.notes ?? null,
          subtotal_cents: priced.subtotalCents,
          delivery_fee_cents: priced.deliveryFeeCents,
          tax_cents: priced.taxCents,
          total_cents: priced.subtotalCents + priced.deliveryFeeCents + priced.taxCents,
          currency: pricing.currency,
          cancel_reason: null,
        },
        priced.lines,
        newId('evt'),
      );
      const order = toOrder(stored.order, stored.lines);
      const response = { body: order };
      const placed = webhookEvent('order.placed', order, { occurredAt: order.createdAt });
      // Last, and in one statement with keeping the response under the key and the event in the outbox, so that
      // the hot ingredient rows stay locked for as short a time as possible: that statement and the commit.
      const keepTakes = priced.ingredients.size > 0 ? [insertStockTakesQuery(trx, id, priced.ingredients)] : [];
      const taken = await takeStock(trx, priced.ingredients, [keep(response), outboxInsert(trx, [placed]), ...keepTakes]);
      if (!taken.ok) return taken;
      // Rare (an ingredient crossing its threshold), so its own statement costs the common case nothing.
      await recordEvents(trx, stockLowEvents([...taken.levels.values()], negated(priced.ingredients)));
      return { ok: true, response, kept: true };
    },
  );
}

export type QuoteResult = { ok: true; quote: OrderQuote } | Extract<PlaceOrderFailure, { reason: 'unorderable' | 'too-large' }>;

/**
 * What placing `input` would cost now and whether the stock there is now would make it, reserving nothing:
 * priced by the same code as {@link placeOrder}, so a quote and the order placed from it agree to the cent.
 */
export async function quoteOrder(db: Kysely<Database>, pricing: Config['pricing'], input: PlaceOrderRequest): Promise<QuoteResult> {
  const priced = await priceOrder(db, pricing, input);
  if (!priced.ok) return priced;
  const shortages = shortagesOf(await selectIngredientLevels(db, priced.ingredients.keys()), priced.ingredients);
  const money = (amount: number) => ({ amount, currency: pricing.currency });
  return {
    ok: true,
    quote: {
      lines: priced.lines.map((line) => toOrderLine(line, pricing.currency)),
      subtotal: money(priced.subtotalCents),
      deliveryFee: money(priced.deliveryFeeCents),
      tax: money(priced.taxCents),
      total: money(priced.subtotalCents + priced.deliveryFeeCents + priced.taxCents),
      available: shortages.length === 0,
      shortages,
    },
  };
}

type PricedOrder = {
  ok: true;
  lines: NewOrderLine[];
  subtotalCents: number;
  deliveryFeeCents: number;
  taxCents: number;
  /** How much of each ingredient the whole order uses. */
  ingredients: Map<string, number>;
};

async function priceOrder(
  db: Kysely<Database>,
  pricing: Config['pricing'],
  input: PlaceOrderRequest,
): Promise<PricedOrder | Extract<PlaceOrderFailure, { reason: 'unorderable' | 'too-large' }>> {
  const itemIds = [...new Set(input.lines.map((line) => line.itemId))];
  const toppingIds = [...new Set(input.lines.flatMap((line) => line.toppings ?? []))];
  const [items, toppings] = await Promise.all([findMenuItemsForOrder(db, itemIds), findToppingsForOrder(db, toppingIds)]);

  const errors: ValidationError[] = [];
  const lines: NewOrderLine[] = [];
  const ingredients = new Map<string, number>();

  input.lines.forEach((line, index) => {
    const pointer = `/body/lines/${index}`;
    const item = items.get(line.itemId);
    const sizePrice = item?.prices.get(line.size);
    if (!item) errors.push({ pointer: `${pointer}/itemId`, detail: `There is no menu item ${line.itemId}.` });
    else if (item.retired) errors.push({ pointer: `${pointer}/itemId`, detail: `${item.name} (${item.id}) has been retired from the menu.` });
    else if (sizePrice === undefined) {
      const offered = [...item.prices.keys()].join(', ');
      errors.push({ pointer: `${pointer}/size`, detail: `${item.name} is not offered in size ${line.size}; it comes in ${offered}.` });
    } else if (item.stockTracked && !item.recipes.get(line.size)?.length) {
      // Never sold as if unlimited: a tracked item must say what it takes from stock.
      errors.push({ pointer: `${pointer}/size`, detail: `${item.name} in size ${line.size} has no recipe yet, so it cannot be ordered.` });
    }
    const lineToppings: StoredLineTopping[] = [];
    (line.toppings ?? []).forEach((toppingId, toppingIndex) => {
      const topping = toppings.get(toppingId);
      if (!topping) errors.push({ pointer: `${pointer}/toppings/${toppingIndex}`, detail: `There is no topping ${toppingId}.` });
      else lineToppings.push({ id: topping.id, name: topping.name, priceCents: topping.priceCents });
    });
    if (!item || sizePrice === undefined || errors.length > 0) return;
    const unitPriceCents = sizePrice + lineToppings.reduce((sum, topping) => sum + topping.priceCents, 0);
    lines.push({
      itemId: item.id,
      itemName: item.name,
      size: line.size,
      quantity: line.quantity,
      toppings: toJsonText(lineToppings),
      unitPriceCents,
      lineTotalCents: unitPriceCents * line.quantity,
    });
    if (item.stockTracked) addUses(ingredients, item.recipes.get(line.size), line.quantity);
    for (const topping of lineToppings) addUses(ingredients, toppings.get(topping.id)!.uses, line.quantity);
  });
  if (errors.length > 0) return { ok: false, reason: 'unorderable', errors };

  const subtotalCents = lines.reduce((sum, line) => sum + line.lineTotalCents, 0);
  const deliveryFeeCents = deliveryFee(pricing, input.fulfilment.type);
  const taxCents = Math.round(((subtotalCents + deliveryFeeCents) * pricing.taxRatePercent) / 100);
  // Every amount of an order (unit and line prices, subtotal, tax) is at most its total.
  const totalCents = subtotalCents + deliveryFeeCents + taxCents;
  if (totalCents > largestAmountCents) return { ok: false, reason: 'too-large', totalCents, largestTotalCents: largestAmountCents };
  return { ok: true, lines, subtotalCents, deliveryFeeCents, taxCents, ingredients };
}

function deliveryFee(pricing: Config['pricing'], type: FulfilmentType): number {
  return type === 'delivery' ? pricing.deliveryFeeCents : 0;
}

/** Adds `times` units' worth of `uses` to the running `amounts` per ingredient. */
function addUses(amounts: Map<string, number>, uses: IngredientUse[] | undefined, times: number): void {
  for (const { ingredientId, quantity } of uses ?? []) amounts.set(ingredientId, (amounts.get(ingredientId) ?? 0) + quantity * times);
}

function negated(amounts: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...amounts].map(([ingredientId, amount]) => [ingredientId, -amount]));
}

/** Takes every ingredient the order needs; when one is short, names every shortage (the caller rolls back). */
async function takeStock(
  db: Kysely<Database>,
  required: Map<string, number>,
  alongside: CompiledQuery[],
): Promise<{ ok: true; levels: Map<string, ChangedStockLevel> } | Extract<PlaceOrderFailure, { reason: 'out-of-stock' }>> {
  const taken = await addToStockLevels(db, negated(required), alongside);
  if (taken.size === required.size) return { ok: true, levels: taken };
  // What the statement took from the ingredients that had enough is put back in the numbers: it rolls back.
  const levels = (await selectIngredientsForUpdate(db, required.keys())).map((level) => ({
    ...level,
    stock_level: level.stock_level + (taken.has(level.id) ? required.get(level.id)! : 0),
  }));
  return { ok: false, reason: 'out-of-stock', shortages: shortagesOf(levels, required) };
}

/** The ingredients of which there is less than `required`. */
function shortagesOf(levels: ReadonlyArray<Pick<ChangedStockLevel, 'id' | 'name' | 'stock_level'>>, required: ReadonlyMap<string, number>): Shortage[] {
  return levels
    .map((level) => ({ ingredientId: level.id, ingredientName: level.name, required: required.get(level.id)!, available: level.stock_level }))
    .filter((shortage) => shortage.available < shortage.required);
}

/** The order, if the caller may see it. */
export async function getOrder(db: Kysely<Database>, user: AuthenticatedUser, orderId: string): Promise<Order | undefined> {
  const found = await findOrderWithLines(db, orderId, visibilityFor(user));
  return found && toOrder(found.order, found.lines);
}

/** A page of the orders the caller may see, newest first; `'malformed-cursor'` for a cursor this server did not make. */
export async function listOrders(
  db: Kysely<Database>,
  user: AuthenticatedUser,
  query: { status?: OrderStatus; cursor?: string; limit: number },
): Promise<Page<Order> | 'malformed-cursor'> {
  const after = decodeCursor(query.cursor);
  if (after === 'malformed') return 'malformed-cursor';
  const rows = await listOrderRows(db, { ...visibilityFor(user), status: query.status, after, limit: query.limit + 1 });
  const lines = await findOrderLines(db, rows.map((row) => row.id));
  return pageOf(
    rows.map((row) => toOrder(row, lines.get(row.id) ?? [])),
    query.limit,
  );
}

/** The one status each kitchen status moves on to; pickup orders are collected, delivery orders go out. */
function nextKitchenStatus(status: OrderStatus, fulfilment: FulfilmentType): OrderStatus | undefined {
  switch (status) {
    case 'confirmed':
      return 'preparing';
    case 'preparing':
      return 'baking';
    case 'baking':
      return 'ready';
    case 'ready':
      return fulfilment === 'delivery' ? 'out_for_delivery' : 'collected';
    case 'out_for_delivery':
      return 'delivered';
    default:
      return undefined;
  }
}

/** Staff move an order one step along the kitchen's status machine; any other move is not allowed. */
export async function advanceOrderStatus(
  db: Kysely<Database>,
  user: AuthenticatedUser,
  orderId: string,
  target: OrderStatus,
): Promise<OrderChangeResult> {
  return inTransaction(db, async (trx) => {
    const row = await findOrder(trx, orderId, visibilityFor(user));
    if (!row) return { ok: false, reason: 'not-found' };
    if (nextKitchenStatus(row.status, row.fulfilment_type) !== target) return { ok: false, reason: 'not-allowed', status: row.status };
    return changeStatus(trx, user, row, target);
  });
}

const cancellableByCustomer: ReadonlySet<OrderStatus> = new Set(['awaiting_payment', 'confirmed']);
const cancellableByStaff: ReadonlySet<OrderStatus> = new Set(['awaiting_payment', 'confirmed', 'preparing', 'baking', 'ready', 'out_for_delivery']);

export type CancelOrderResult = OrderChangeResult | { ok: false; reason: 'payment-in-progress' };

/**
 * Cancels an order: in one transaction holding the order row, the status change, its ingredients back to stock and
 * a pending refund of what is left of its payment, so that of two racing cancellations only one does any of it;
 * then, outside the transaction, the refund through the provider under the refund's id as idempotency key. When
 * the provider cannot be reached the order stays cancelled with its refund pending, and cancelling again (or the
 * start-up recovery) finishes the refund, still once.
 */
export async function cancelOrder(
  db: Kysely<Database>,
  provider: PaymentProvider,
  user: AuthenticatedUser,
  orderId: string,
  reason: string | undefined,
): Promise<CancelOrderResult> {
  const cancelled = await inTransaction(db, async (trx) => {
    const row = await findOrder(trx, orderId, visibilityFor(user), true);
    if (!row) return { ok: false, reason: 'not-found' } as const;
    if (row.status === 'cancelled') {
      const pending = await pendingRefundsOfOrder(trx, row.id);
      if (pending.length === 0) return { ok: false, reason: 'not-allowed', status: row.status } as const;
      const lines = (await findOrderLines(trx, [row.id])).get(row.id) ?? [];
      return { ok: true, order: toOrder(row, lines), refunds: pending } as const;
    }
    const allowed = user.role === 'staff' ? cancellableByStaff : cancellableByCustomer;
    if (!allowed.has(row.status)) return { ok: false, reason: 'not-allowed', status: row.status } as const;
    if (await hasUnfinishedAttempt(trx, row.id)) return { ok: false, reason: 'payment-in-progress' } as const;
    const result = await changeStatus(trx, user, row, 'cancelled', reason ?? null);
    if (!result.ok) return result;
    await addToStockLevels(trx, await findStockTakes(trx, row.id));
    const refundReason = reason ?? (user.role === 'staff' ? 'Order cancelled by the Pizza Place.' : 'Order cancelled by the customer.');
    return { ok: true, order: result.order, refunds: await recordRefundOfOrder(trx, row.id, refundReason) } as const;
  });
  if (!cancelled.ok) return cancelled;
  await completeRefunds(db, provider, cancelled.refunds);
  return { ok: true, order: cancelled.order };
}

async function changeStatus(
  trx: Kysely<Database>,
  user: AuthenticatedUser,
  row: OrderRow,
  target: OrderStatus,
  cancelReason?: string | null,
): Promise<({ ok: true; order: Order; lines: OrderLineRow[] }) | { ok: false; reason: 'not-allowed'; status: OrderStatus }> {
  const changed = await changeOrderStatus(trx, row.id, row.status, target, cancelReason);
  // Another request moved the order between our read and this update.
  if (!changed) return { ok: false, reason: 'not-allowed', status: row.status };
  await insertOrderEvent(trx, {
    id: newId('evt'),
    orderId: row.id,
    previousStatus: row.status,
    status: target,
    changedBy: user.id,
    occurredAt: toTimestamp(new Date()),
  });
  const lines = (await findOrderLines(trx, [row.id])).get(row.id) ?? [];
  return { ok: true, order: toOrder(changed, lines), lines };
}

function toStoredAddress(address: Address): StoredAddress {
  return {
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    postalCode: address.postalCode,
    instructions: address.instructions ?? null,
  };
}

function toFulfilment(row: OrderRow): Fulfilment {
  if (row.fulfilment_type === 'pickup' || row.address === null) return { type: 'pickup' };
  const { line2, instructions, ...address } = parseJsonText(row.address);
  return {
    type: 'delivery',
    address: { ...address, ...(line2 !== null && { line2 }), ...(instructions !== null && { instructions }) },
  };
}

/** The contract's OrderLine from a priced line, stored or not. */
function toOrderLine(line: NewOrderLine, currency: string): OrderLine {
  return {
    itemId: line.itemId,
    itemName: line.itemName,
    size: line.size,
    quantity: line.quantity,
    toppings: parseJsonText(line.toppings).map((topping) => topping.id),
    unitPrice: { amount: line.unitPriceCents, currency },
    lineTotal: { amount: line.lineTotalCents, currency },
  };
}

/** The contract's Order from its row and its lines' rows. */
export function toOrder(row: OrderRow, lines: OrderLineRow[]): Order {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    lines: lines.map((line) =>
      toOrderLine(
        {
          itemId: line.item_id,
          itemName: line.item_name,
          size: line.size,
          quantity: line.quantity,
          toppings: line.toppings,
          unitPriceCents: line.unit_price_cents,
          lineTotalCents: line.line_total_cents,
        },
        row.currency,
      ),
    ),
    fulfilment: toFulfilment(row),
    notes: row.notes,
    subtotal: money(row.subtotal_cents),
    deliveryFee: money(row.delivery_fee_cents),
    tax: money(row.tax_cents),
    total: money(row.total_cents),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
