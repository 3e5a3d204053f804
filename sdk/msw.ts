/**
 * Mock Service Worker (MSW 2.x: `msw` ^2.4, in Node with `msw/node`, in a browser with `msw/browser`)
 * handlers for every operation of the Pizza Place API, answering with the contract's examples, and
 * fixture factories made from those examples. `handlers` mocks the whole API; `<operationId>Handler(resolver?)`
 * overrides one operation in one test, its resolver typed by the contract (path parameters, request
 * body, the bodies it may answer with); `<schema>Fixture(overrides?)` gives a fresh copy of an example.
 *
 * @example
 * ```ts
 * import { HttpResponse } from 'msw';
 * import { setupServer } from 'msw/node';
 * import { getOrderHandler, handlers, orderFixture } from '@pizza-place/api/msw';
 *
 * const server = setupServer(...handlers);
 * beforeAll(() => server.listen());
 * afterEach(() => server.resetHandlers());
 * afterAll(() => server.close());
 *
 * it('shows a ready order', async () => {
 *   server.use(getOrderHandler(({ params }) => HttpResponse.json(orderFixture({ id: params.orderId, status: 'ready' }))));
 *   // … render and assert
 * });
 * ```
 * @module
 */
export * from '../generated/msw.gen.ts';
export type { DefaultAnswer, PathParamsOf, RequestBodyOf, ResolverOf, ResponseBodyOf } from './msw-handlers.ts';
