import type { CallPolicy, PizzaPlaceClient } from './client.ts';
import type { OperationError } from './errors.ts';

/** What the contract declares of an operation's request (the generated `…Data` types, e.g. `PlaceOrderData`). */
export interface DataShape {
  body?: unknown;
  headers?: unknown;
  path?: unknown;
  query?: unknown;
  url: string;
}

/** Where an operation lives, as the contract declares it; `generated/operations.gen.ts` gives one to each operation. */
export interface Route {
  /** The operation's `operationId`, e.g. `'placeOrder'`. */
  readonly operationId: string;
  readonly method: 'DELETE' | 'GET' | 'PATCH' | 'POST' | 'PUT';
  /** The path template, e.g. `'/orders/{orderId}'`. */
  readonly url: string;
  /** Whether the contract secures it: the call then carries the client's token. */
  readonly secured: boolean;
  /** Whether the contract declares an `Idempotency-Key` header: the client then sends one when the caller gives none. */
  readonly idempotent: boolean;
}

/** The request parts (`path`, `query`, `headers`, `body`) an operation takes, each as required as the contract says. */
type PartName = 'body' | 'headers' | 'path' | 'query';
type Parts<Data> = {
  [Part in keyof Data as Part extends PartName ? ([Exclude<Data[Part], undefined>] extends [never] ? never : Part) : never]: Part extends 'body'
    ? Data[Part]
    : AcceptsUndefined<Data[Part]>;
};

/** `T` with `undefined` allowed for every optional property, so it type-checks under `exactOptionalPropertyTypes` too. */
type AcceptsUndefined<T> = T extends object ? { [Key in keyof T]: {} extends Pick<T, Key> ? T[Key] | undefined : T[Key] } : T;

/**
 * What every operation function takes: `client` (required: calls go through its retries, errors and
 * validation), the operation's `path`, `query`, `headers` and `body` as the contract declares them,
 * an optional `signal`, `throwOnError`, and any {@link CallPolicy} field to override the client's for
 * this one call. Nothing else: every option listed here is honoured.
 *
 * @example
 * ```ts
 * const options: CallOptions<GetOrderData> = { client, path: { orderId }, timeout: 5_000, signal: controller.signal };
 * ```
 */
export type CallOptions<Data extends DataShape, ThrowOnError extends boolean = false> = Parts<Data> &
  CallPolicy & {
    /**
     * The client from `createPizzaPlaceClient`.
     * @example
     * ```ts
     * await listMenuItems({ client });
     * ```
     */
    client: PizzaPlaceClient;
    /**
     * Cancels the call, retries and waits included; it then fails with an `aborted` error.
     * @default undefined
     * @example
     * ```ts
     * await listMenuItems({ client, signal: AbortSignal.timeout(2_000) });
     * ```
     */
    signal?: AbortSignal | null | undefined;
    /**
     * Reject with the {@link PizzaPlaceError} instead of resolving to `{ error }`; the promise then
     * resolves to the success only.
     * @default false
     * @example
     * ```ts
     * const { data: order } = await getOrder({ client, path: { orderId }, throwOnError: true });
     * ```
     */
    throwOnError?: ThrowOnError | undefined;
  };

/** A 2xx answer: `data` is the body the contract declares for it. */
export interface Success<Responses> {
  data: Responses[keyof Responses];
  error: undefined;
  request: Request;
  response: Response;
}

/**
 * `304 Not Modified`, the answer to a conditional `GET` (`If-None-Match` with the `ETag` of an earlier
 * answer): what you have is still current, and there is no body.
 */
export interface NotModified {
  data: undefined;
  error: undefined;
  request: Request;
  response: Response;
}

/** A failed call: `error` says why; `request` and `response` are there when one was built or received. */
export interface Failure<Errors> {
  data: undefined;
  error: OperationError<Errors>;
  request: Request | undefined;
  response: Response | undefined;
}

/** What an operation resolves to without `throwOnError`: check `error` (or `data`) to narrow. */
export type Result<Responses, Errors> = Success<Responses> | Failure<Errors>;

/** A call that sends `If-None-Match`: it may be answered `304 Not Modified` (see {@link NotModified}). */
type Conditional = { headers: { 'If-None-Match': string } };

/**
 * An operation function. It resolves to `{ data, error, request, response }` and does not reject for
 * an HTTP, network, timeout, abort, configuration or contract failure; with `throwOnError: true` it
 * resolves to the success and rejects with the {@link PizzaPlaceError} instead. `route` says which
 * operation it is; `~types` carries its types for helpers (TanStack Query, MSW) and holds no value.
 *
 * @example
 * ```ts
 * const { data, error } = await getOrder({ client, path: { orderId: 'ord_7Hq2mX9kLp4Rt8Vw' } });
 * if (error) return showError(error.message);
 * console.log(data.status);
 * ```
 */
export interface Operation<Data extends DataShape, Responses, Errors> {
  <ThrowOnError extends boolean = false>(
    options: CallOptions<IdempotencyKeyOptional<Data>, ThrowOnError> & Conditional,
  ): Promise<ThrowOnError extends true ? Success<Responses> | NotModified : Result<Responses, Errors> | NotModified>;
  <ThrowOnError extends boolean = false>(
    options: CallOptions<IdempotencyKeyOptional<Data>, ThrowOnError>,
  ): Promise<ThrowOnError extends true ? Success<Responses> : Result<Responses, Errors>>;
  readonly route: Route;
  readonly '~types'?: { data: Data; responses: Responses; errors: Errors } | undefined;
}

/** The client fills in a missing `Idempotency-Key` (the route says `idempotent`), so callers may leave it out. */
export type IdempotencyKeyOptional<Data extends DataShape> = Data extends { headers: { 'Idempotency-Key': string } }
  ? Omit<Data, 'headers'> & { headers?: Omit<Data['headers'], 'Idempotency-Key'> & { 'Idempotency-Key'?: string } }
  : Data;

/** The options of an operation (`OptionsOf<typeof placeOrder>`), as its function takes them. */
export type OptionsOf<Op> = Op extends Operation<infer Data, infer _Responses, infer _Errors> ? CallOptions<IdempotencyKeyOptional<Data>> : never;


/**
 * Makes the function of one operation: it hands the call to the client with the operation's route.
 * `generated/operations.gen.ts` calls it once per operation of the contract.
 */
export function operation<Data extends DataShape, Responses, Errors>(
  operationId: string,
  method: Route['method'],
  url: string,
  secured: boolean,
  idempotent = false,
): Operation<Data, Responses, Errors> {
  const route: Route = { operationId, method, url, secured, idempotent };
  // The route rides along with the caller's options: the client reads its `url`, `secured` and `idempotent`.
  const call = (options: { client: PizzaPlaceClient }) =>
    options.client[route.method.toLowerCase() as Lowercase<Route['method']>]({ ...options, ...route });
  return Object.assign(call, { route }) as unknown as Operation<Data, Responses, Errors>;
}
