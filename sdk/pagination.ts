import type { CallOptions, DataShape, Operation } from './operations.ts';

/** A page of a cursor-paginated list, as the contract shapes it (`OrderPage`, `StockAdjustmentPage`). */
export interface Page<Item> {
  data: Item[];
  nextCursor: string | null;
}

/** An operation whose `200` answer is a {@link Page} and whose query takes a `cursor`: `listOrders`, `listStockAdjustments`. */
export type PaginatedOperation<Data extends PaginatedData, Item, Errors> = Operation<Data, { 200: Page<Item> }, Errors>;
type PaginatedData = DataShape & { query?: { cursor?: string } };

/**
 * Walks a cursor-paginated list page by page, from `query.cursor` (or the first page) until
 * `nextCursor` is null. A failed page rejects the iteration with its {@link PizzaPlaceError}; each
 * page is one call, with the client's retries and timeout. Stop early with `break`.
 *
 * @example
 * ```ts
 * for await (const page of pages(listOrders, { client, query: { status: 'delivered', limit: 50 } })) {
 *   render(page.data);
 *   if (!confirm('More?')) break;
 * }
 * ```
 */
export async function* pages<Data extends PaginatedData, Item, Errors>(
  operation: PaginatedOperation<Data, Item, Errors>,
  options: Omit<CallOptions<Data>, 'throwOnError'>,
): AsyncGenerator<Page<Item>, void, undefined> {
  const { query } = options as { query?: Data['query'] };
  let cursor = query?.cursor;
  do {
    const { data } = await operation({ ...options, query: { ...query, cursor }, throwOnError: true } as unknown as Parameters<typeof operation<true>>[0]);
    yield data;
    // A page pointing at itself (a mock serving one example) would otherwise loop forever.
    cursor = data.nextCursor === cursor ? undefined : (data.nextCursor ?? undefined);
  } while (cursor);
}

/**
 * Every item of a cursor-paginated list, fetching the next page only when the loop gets there.
 * For one page at a time use {@link pages}, or call the operation with `query.cursor` yourself.
 *
 * @example
 * ```ts
 * for await (const order of paginate(listOrders, { client, query: { limit: 50 } })) {
 *   console.log(order.id, order.status);
 * }
 * ```
 */
export async function* paginate<Data extends PaginatedData, Item, Errors>(
  operation: PaginatedOperation<Data, Item, Errors>,
  options: Omit<CallOptions<Data>, 'throwOnError'>,
): AsyncGenerator<Item, void, undefined> {
  for await (const page of pages(operation, options)) yield* page.data;
}
