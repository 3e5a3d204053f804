import type { ItemSize, MenuItem, Money, OrderLineInput, Topping } from '@pizza-place/api';

/** One line of the cart: what the customer chose, kept with the menu data needed to show and price it. */
export interface CartLine {
  item: MenuItem;
  size: ItemSize;
  quantity: number;
  toppings: Topping[];
}

/**
 * The price the menu shows for one of a line (its size's price plus its toppings), times its quantity.
 * Only an estimate for the cart: the server prices the order when it is placed.
 */
export function estimateLine(line: CartLine): Money {
  const sizePrice = line.item.sizes.find((offer) => offer.size === line.size)?.price;
  if (!sizePrice) throw new Error(`${line.item.name} is not offered in size ${line.size}`);
  const unit = line.toppings.reduce((sum, topping) => sum + topping.price.amount, sizePrice.amount);
  return { amount: unit * line.quantity, currency: sizePrice.currency };
}

/** The sum of the lines' estimates, or undefined for an empty cart. */
export function estimateSubtotal(lines: readonly CartLine[]): Money | undefined {
  const [first, ...rest] = lines.map(estimateLine);
  if (!first) return undefined;
  return rest.reduce((sum, line) => ({ amount: sum.amount + line.amount, currency: sum.currency }), first);
}

/** The cart as the `lines` of a `placeOrder` request. */
export function toOrderLines(lines: readonly CartLine[]): OrderLineInput[] {
  return lines.map((line) => ({
    itemId: line.item.id,
    size: line.size,
    quantity: line.quantity,
    toppings: line.toppings.map((topping) => topping.id),
  }));
}
