import { HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createPizzaPlaceClient, getMe, getOrder, isProblem, listMenuItems, placeOrder, retireMenuItem } from '../sdk/index.ts';
import { getOrderHandler, handlers, listMenuItemsHandler, menuItemListFixture, orderFixture, placeOrderHandler } from '../sdk/msw.ts';
import { exampleOf, operations, successResponse } from './support/spec.ts';

const server = setupServer(...handlers);
const client = createPizzaPlaceClient({ baseUrl: 'http://api.msw.test/v1', token: 'token', retryDelay: 1, timeout: 5_000 });
const body = { lines: [{ itemId: 'itm_margherita01', size: 'medium' as const, quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' as const } };

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('MSW handlers generated from the contract', () => {
  it('has a handler for every operation but the event stream, each answering its first example', () => {
    const callable = operations().filter((op) => !('text/event-stream' in (successResponse(op.operation).response.content ?? {})));
    expect(handlers).toHaveLength(callable.length);
    const menu = successResponse(operations().find((op) => op.operationId === 'listMenuItems')!.operation).response.content['application/json'];
    expect(menuItemListFixture()).toEqual(exampleOf(menu));
  });

  it('answers the SDK with the examples, on any origin and base path', async () => {
    const menu = await listMenuItems({ client, throwOnError: true });
    expect(menu.data).toEqual(menuItemListFixture());
    const me = await getMe({ client });
    expect(me.error).toBeUndefined();
    const retired = await retireMenuItem({ client, path: { itemId: 'itm_margherita01' } });
    expect(retired.response?.status).toBe(204);
  });

  it('overrides one operation per test with a resolver typed by the contract', async () => {
    server.use(getOrderHandler(({ params }) => HttpResponse.json(orderFixture({ id: params.orderId, status: 'ready' }))));
    const { data } = await getOrder({ client, path: { orderId: 'ord_fromTheTest01' }, throwOnError: true });
    expect(data).toMatchObject({ id: 'ord_fromTheTest01', status: 'ready' });
  });

  it('lets the SDK retry after a mocked 503 and succeed, with the same Idempotency-Key', async () => {
    const keys: Array<string | null> = [];
    server.use(
      placeOrderHandler(({ request }) => {
        keys.push(request.headers.get('Idempotency-Key'));
        return keys.length === 1
          ? HttpResponse.json({ type: 'about:blank', title: 'Service Unavailable', status: 503 }, { status: 503 })
          : HttpResponse.json(orderFixture(), { status: 201 });
      }),
    );
    const { data, error } = await placeOrder({ client, body });
    expect(error).toBeUndefined();
    expect(data?.id).toBe(orderFixture().id);
    expect(keys).toEqual([keys[0], keys[0]]);
  });

  it('gives a typed problem for a mocked error answer', async () => {
    server.use(listMenuItemsHandler(() => HttpResponse.json({ type: 'about:blank', title: 'Internal Server Error', status: 500 }, { status: 500 })));
    const { error } = await listMenuItems({ client, retries: 0 });
    expect(isProblem(error, 500)).toBe(true);
  });

  it('makes a fresh fixture each time, overrides on top', () => {
    const first = orderFixture();
    first.lines.length = 0;
    expect(orderFixture().lines.length).toBeGreaterThan(0);
    expect(orderFixture({ status: 'cancelled' }).status).toBe('cancelled');
  });
});
