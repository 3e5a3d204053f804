import { InfiniteQueryObserver, MutationObserver, QueryClient } from '@tanstack/query-core';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createPizzaPlaceClient, isProblem, type Order, type Problem } from '../sdk/index.ts';
import { getOrderHandler, handlers, listOrdersHandler, orderFixture, orderPageFixture, placeOrderHandler } from '../sdk/msw.ts';
import {
  getOrderOptions, getOrderQueryKey, listMenuItemsOptions, listOrdersInfiniteOptions, listOrdersOptions, listOrdersQueryKey,
  placeOrderMutation, pizzaPlaceScope,
} from '../sdk/query.ts';

const baseUrl = 'http://api.query.test';
const server = setupServer(...handlers);
const client = createPizzaPlaceClient({ baseUrl, token: 'token', retryDelay: 1 });
const body = { lines: [{ itemId: 'itm_margherita01', size: 'medium' as const, quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' as const } };
const unavailable = () => HttpResponse.json<Problem>({ type: 'about:blank', title: 'Service Unavailable', status: 503 }, { status: 503, headers: { 'Retry-After': '0' } });
const fresh = () => new QueryClient({ defaultOptions: { queries: { gcTime: Infinity } } });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('TanStack Query helpers with a real QueryClient', () => {
  it('fetches a query through the SDK and caches it under a key that getQueryData reads back typed', async () => {
    const queryClient = fresh();
    const order = await queryClient.fetchQuery(getOrderOptions({ client, path: { orderId: 'ord_7Hk2QpX9mRt4' } }));
    expect(order.id).toBe(orderFixture().id);
    expect(getOrderQueryKey({ path: { orderId: 'ord_7Hk2QpX9mRt4' } })).toEqual([pizzaPlaceScope, 'orders', 'ord_7Hk2QpX9mRt4', { operation: 'getOrder' }]);
    const cached: Order | undefined = queryClient.getQueryData(getOrderQueryKey({ path: { orderId: 'ord_7Hk2QpX9mRt4' } }));
    expect(cached).toEqual(order);
  });

  it('refreshes every order list and order after placeOrder succeeds, and no menu query', async () => {
    const queryClient = fresh();
    await queryClient.fetchQuery(listOrdersOptions({ client, query: { status: 'confirmed' } }));
    await queryClient.fetchQuery(listOrdersOptions({ client, query: { limit: 5 } }));
    await queryClient.fetchQuery(getOrderOptions({ client, path: { orderId: 'ord_1' } }));
    await queryClient.fetchQuery(listMenuItemsOptions({ client }));
    const mutation = new MutationObserver(queryClient, placeOrderMutation({ client }));
    await mutation.mutate({ body });
    const invalidated = queryClient.getQueryCache().findAll({ predicate: (query) => query.state.isInvalidated });
    expect(invalidated.map((query) => query.queryKey.slice(0, 2))).toEqual([[pizzaPlaceScope, 'orders'], [pizzaPlaceScope, 'orders'], [pizzaPlaceScope, 'orders']]);
    expect(queryClient.getQueryCache().findAll({ queryKey: listOrdersQueryKey() })).toHaveLength(2);
  });

  it('resends the same Idempotency-Key when TanStack Query retries a mutation after a 503, and the SDK itself does not retry', async () => {
    const keys: Array<string | null> = [];
    let calls = 0;
    server.use(
      placeOrderHandler(({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        return ++calls === 1 ? unavailable() : HttpResponse.json(orderFixture(), { status: 201 });
      }),
    );
    const queryClient = fresh();
    const options = placeOrderMutation({ client });
    const mutation = new MutationObserver(queryClient, { ...options, retryDelay: 1 });
    const placed = await mutation.mutate({ body });
    expect(placed.id).toBe(orderFixture().id);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(mutation.getCurrentResult().variables?.headers?.['Idempotency-Key']).toBe(keys[0]);
  });

  it('fails a query with the SDK’s typed error after TanStack Query’s own retries, one request per attempt', async () => {
    let requests = 0;
    server.use(getOrderHandler(() => (requests++, unavailable())));
    const queryClient = fresh();
    const failure = await queryClient.fetchQuery({ ...getOrderOptions({ client, path: { orderId: 'ord_1' } }), retryDelay: 1 }).catch((error: unknown) => error);
    expect(isProblem(failure, 503)).toBe(true);
    expect(requests).toBe(4);
  });

  it('walks a cursor-paginated list page by page with infinite options', async () => {
    const first = orderPageFixture({ nextCursor: 'c2' });
    const second = orderPageFixture({ data: [orderFixture({ id: 'ord_second0001' })], nextCursor: null });
    server.use(listOrdersHandler(({ request }) => HttpResponse.json(new URL(request.url).searchParams.get('cursor') === 'c2' ? second : first)));
    const observer = new InfiniteQueryObserver(fresh(), listOrdersInfiniteOptions({ client, query: { limit: 1 } }));
    const unsubscribe = observer.subscribe(() => undefined);
    await observer.refetch();
    const result = await observer.fetchNextPage();
    unsubscribe();
    expect(result.data?.pages.map((page) => page.data[0]?.id)).toEqual([first.data[0]?.id, 'ord_second0001']);
    expect(result.hasNextPage).toBe(false);
  });

  it('cancels the request when its query is cancelled', async () => {
    let aborted = false;
    server.use(
      http.get(`${baseUrl}/menu/items`, ({ request }) => new Promise((resolve) => request.signal.addEventListener('abort', () => ((aborted = true), resolve(HttpResponse.error()))))),
    );
    const queryClient = fresh();
    const options = listMenuItemsOptions({ client });
    const fetching = queryClient.fetchQuery(options).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await queryClient.cancelQueries({ queryKey: options.queryKey });
    await fetching;
    expect(aborted).toBe(true);
  });
});
