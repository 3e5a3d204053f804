import type { DataTag, InfiniteData, MutationFunctionContext, QueryFunctionContext } from '@tanstack/query-core';

import { idempotencyKey, type CallPolicy } from './client.ts';
import { isProblem, type OperationError } from './errors.ts';
import type { Operation, OptionsOf, Route } from './operations.ts';

// The helpers `generated/tanstack-query.gen.ts` makes for every operation. They build TanStack Query
// option objects from `@tanstack/query-core`'s types only, so React, Vue, Solid, Svelte and Angular
// adapters all take them, and nothing of TanStack Query's runtime is imported here.

type AnyOperation = Operation<any, any, any>;
type TypesOf<Op extends AnyOperation> = NonNullable<Op['~types']>;

/** What an operation's query or mutation resolves to: the body of its 2xx answer. */
export type DataOf<Op extends AnyOperation> = TypesOf<Op>['responses'][keyof TypesOf<Op>['responses']];
/** What an operation's query or mutation fails with: its {@link OperationError}. */
export type ErrorOf<Op extends AnyOperation> = OperationError<TypesOf<Op>['errors']>;

/** What a query helper takes: the operation's options without `signal` and `throwOnError`, which TanStack Query sets. */
export type QueryInput<Op extends AnyOperation> = Omit<OptionsOf<Op>, 'signal' | 'throwOnError' | 'retries'>;
/** What a query key is made of: the operation's `path` and `query`. */
export type QueryKeyInput<Op extends AnyOperation> = Omit<QueryInput<Op>, 'client' | 'headers' | 'body' | keyof CallPolicy>;
/** What a mutation's `mutate(variables)` takes: the operation's `path`, `query`, `headers` and `body`. */
export type MutationVariables<Op extends AnyOperation> = Omit<OptionsOf<Op>, 'client' | 'signal' | 'throwOnError' | keyof CallPolicy>;
/** What a mutation helper takes: the client, and the call policy for every attempt. */
export type MutationInput = { client: OptionsOf<AnyOperation>['client'] } & Omit<CallPolicy, 'retries'>;

type Arguments<Input> = {} extends Input ? [options?: Input] : [options: Input];
/** How the helpers call an operation, whatever its types: always with `throwOnError`, so it resolves to its data. */
type Call = (options: object) => Promise<{ data: unknown }>;

/** A query key, tagged with the data and error of its query so `getQueryData` and `setQueryData` are typed. */
export type PizzaPlaceQueryKey<Data, Error> = DataTag<ReadonlyArray<unknown>, Data, Error>;

/** The options `<operationId>Options(…)` returns, for `useQuery`, `useSuspenseQuery`, `fetchQuery`, `prefetchQuery`, … */
export interface PizzaPlaceQueryOptions<Data, Error> {
  queryKey: PizzaPlaceQueryKey<Data, Error>;
  queryFn: (context: QueryFunctionContext) => Promise<Data>;
  retry: (failureCount: number, error: Error) => boolean;
  retryDelay: (failureCount: number, error: Error) => number;
}

/** The options `<operationId>InfiniteOptions(…)` returns, for `useInfiniteQuery`: one page per cursor. */
export interface PizzaPlaceInfiniteQueryOptions<Page, Error> {
  queryKey: PizzaPlaceQueryKey<InfiniteData<Page, string | undefined>, Error>;
  queryFn: (context: QueryFunctionContext<ReadonlyArray<unknown>, string | undefined>) => Promise<Page>;
  initialPageParam: string | undefined;
  getNextPageParam: (page: Page) => string | undefined;
  retry: (failureCount: number, error: Error) => boolean;
  retryDelay: (failureCount: number, error: Error) => number;
}

/** The options `<operationId>Mutation(…)` returns, for `useMutation` or `new MutationObserver`. */
export interface PizzaPlaceMutationOptions<Data, Error, Variables> {
  mutationKey: ReadonlyArray<unknown>;
  mutationFn: (variables: Variables) => Promise<Data>;
  onSuccess: (data: Data, variables: Variables, onMutateResult: unknown, context: MutationFunctionContext) => Promise<void> | undefined;
  retry: (failureCount: number, error: Error) => boolean;
  retryDelay: (failureCount: number, error: Error) => number;
}

/** The first element of every query and mutation key of this API: `invalidateQueries({ queryKey: [pizzaPlaceScope] })` refreshes everything. */
export const pizzaPlaceScope = 'pizza-place';

/** How many times TanStack Query retries a failed query, or a mutation that carries an `Idempotency-Key`. */
const attempts = 3;

/**
 * Whether TanStack Query should try a failed call again: after a network error, a timeout, a `429` or
 * a `503`, up to 3 times. The helpers call the SDK with `retries: 0`, so the two never stack.
 *
 * @example
 * ```ts
 * new QueryClient({ defaultOptions: { queries: { retry: shouldRetry, retryDelay } } });
 * ```
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= attempts) return false;
  const kind = (error as { kind?: string } | null)?.kind;
  return kind === 'network' || kind === 'timeout' || isProblem(error, 429) || isProblem(error, 503);
}

/**
 * How long TanStack Query waits before the next attempt: what the server's `Retry-After` asked for,
 * else exponential backoff from 300 ms (300, 600, 1,200 …), capped at 10 s.
 *
 * @example
 * ```ts
 * useQuery({ ...getOrderOptions({ client, path: { orderId } }), retryDelay });
 * ```
 */
export function retryDelay(failureCount: number, error: unknown): number {
  return (error as { retryAfter?: number } | null)?.retryAfter ?? Math.min(300 * 2 ** failureCount, 10_000);
}

/** The hierarchical key of a call: the scope, the path's segments with its parameters filled in, then what identifies the call. */
function keyOf(route: Route, options: object | undefined, infinite?: boolean): ReadonlyArray<unknown> {
  const { path = {}, query } = (options ?? {}) as { path?: Record<string, unknown>; query?: unknown };
  const segments = route.url
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith('{') ? String(path[segment.slice(1, -1)]) : segment));
  return [pizzaPlaceScope, ...segments, { operation: route.operationId, ...(query !== undefined && { query }), ...(infinite && { infinite }) }];
}

/**
 * Makes `<operationId>QueryKey`: the key of a call, `['pizza-place', ...path segments, { operation, query }]`,
 * so a prefix matches every call below it (`['pizza-place', 'orders']` covers every order list and order),
 * and the key made without a query (`listOrdersQueryKey()`) matches every list of that operation.
 */
export function queryKeyOf<Op extends AnyOperation>(operation: Op) {
  return (...[options]: Arguments<QueryKeyInput<Op>>) => keyOf(operation.route, options) as PizzaPlaceQueryKey<DataOf<Op>, ErrorOf<Op>>;
}

/** Makes `<operationId>Options`: `queryKey`, a `queryFn` that calls the operation (cancelled with the query), and retries as {@link shouldRetry} says. */
export function queryOptionsOf<Op extends AnyOperation>(operation: Op) {
  return (...[options]: Arguments<QueryInput<Op>>): PizzaPlaceQueryOptions<DataOf<Op>, ErrorOf<Op>> => ({
    queryKey: keyOf(operation.route, options) as PizzaPlaceQueryKey<DataOf<Op>, ErrorOf<Op>>,
    queryFn: async ({ signal }) => (await (operation as Call)({ ...options, signal, retries: 0, throwOnError: true })).data as DataOf<Op>,
    retry: shouldRetry,
    retryDelay,
  });
}

/** Makes `<operationId>InfiniteOptions` for a cursor-paginated list: each page's `nextCursor` is the next page's `query.cursor`. */
export function infiniteQueryOptionsOf<Op extends AnyOperation>(operation: Op) {
  type Page = DataOf<Op> & { nextCursor: string | null };
  return (...[options]: Arguments<QueryInput<Op>>): PizzaPlaceInfiniteQueryOptions<Page, ErrorOf<Op>> => ({
    queryKey: keyOf(operation.route, options, true) as PizzaPlaceQueryKey<InfiniteData<Page, string | undefined>, ErrorOf<Op>>,
    queryFn: async ({ pageParam, signal }) => {
      const query = { ...(options as { query?: object } | undefined)?.query, cursor: pageParam };
      return (await (operation as Call)({ ...options, query, signal, retries: 0, throwOnError: true })).data as Page;
    },
    initialPageParam: undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    retry: shouldRetry,
    retryDelay,
  });
}

/**
 * Makes `<operationId>Mutation`. `mutate(variables)` takes the operation's `path`, `query`, `headers`
 * and `body`. An operation with an `Idempotency-Key` gets one written into `variables.headers` on its
 * first attempt, so every retry TanStack Query makes resends the same key (pass your own to keep it
 * across page loads); only those operations are retried. On success every query under the operation's
 * first path segment is invalidated (`['pizza-place', 'orders']` after `placeOrder` or `payOrder`).
 */
export function mutationOf<Op extends AnyOperation>(operation: Op) {
  const { route } = operation;
  const idempotent = route.idempotent;
  const resource = route.url.split('/')[1];
  type Variables = MutationVariables<Op>;
  return (options: MutationInput): PizzaPlaceMutationOptions<DataOf<Op>, ErrorOf<Op>, Variables> => ({
    mutationKey: [pizzaPlaceScope, route.operationId],
    mutationFn: async (variables) => {
      const call = (variables ?? {}) as { headers?: Record<string, unknown> };
      if (idempotent && call.headers?.['Idempotency-Key'] == null) call.headers = { ...call.headers, 'Idempotency-Key': idempotencyKey() };
      return (await (operation as Call)({ ...options, ...call, retries: 0, throwOnError: true })).data as DataOf<Op>;
    },
    onSuccess: (_data, _variables, _onMutateResult, context) => context?.client.invalidateQueries({ queryKey: [pizzaPlaceScope, resource] }),
    retry: (failureCount, error) => idempotent && shouldRetry(failureCount, error),
    retryDelay,
  });
}
