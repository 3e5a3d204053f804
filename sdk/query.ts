/**
 * TanStack Query v5 helpers for every operation of the Pizza Place API, named as hey-api's TanStack
 * Query plugins name them: `<operationId>QueryKey` and `<operationId>Options` for each `GET`,
 * `<operationId>InfiniteOptions` for each cursor-paginated list, `<operationId>Mutation` for each other
 * method. They are plain option objects typed with `@tanstack/query-core`, so every adapter takes them
 * (`@tanstack/react-query`, `vue-query`, `solid-query`, `svelte-query`, `angular-query`); errors are
 * typed as the SDK's (`ErrorOf<typeof placeOrder>`).
 *
 * Retries are TanStack Query's ({@link shouldRetry}: network errors, timeouts, 429 and 503, waiting
 * `Retry-After`); the helpers call the SDK with `retries: 0`, so the two never stack. A mutation of an
 * operation with an `Idempotency-Key` (`placeOrder`, `payOrder`) carries its key in its variables, so
 * each retry resends the same key. Keys are hierarchical (`['pizza-place', 'orders', orderId, {…}]`):
 * a mutation invalidates everything under its first path segment when it succeeds.
 *
 * @example
 * ```tsx
 * import { QueryClient, QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
 * import { createPizzaPlaceClient, isProblem } from '@pizza-place/api';
 * import { listMenuItemsOptions, placeOrderMutation } from '@pizza-place/api/query';
 *
 * const client = createPizzaPlaceClient({ baseUrl: 'http://127.0.0.1:4010', token: () => session.token });
 *
 * function Menu() {
 *   const menu = useQuery(listMenuItemsOptions({ client }));
 *   const order = useMutation(placeOrderMutation({ client }));
 *   if (isProblem(order.error, 409)) return <OutOfStock shortages={order.error.problem.shortages} />;
 *   return <MenuList items={menu.data?.data ?? []} onOrder={(body) => order.mutate({ body })} />;
 * }
 * ```
 * @module
 */
export * from '../generated/tanstack-query.gen.ts';
export {
  pizzaPlaceScope, retryDelay, shouldRetry,
  type DataOf, type ErrorOf, type MutationInput, type MutationVariables, type PizzaPlaceInfiniteQueryOptions,
  type PizzaPlaceMutationOptions, type PizzaPlaceQueryKey, type PizzaPlaceQueryOptions, type QueryInput, type QueryKeyInput,
} from './tanstack-query.ts';
