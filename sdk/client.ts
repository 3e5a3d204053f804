import { createClient, createConfig, type Client, type RequestOptions } from '../generated/sdk/client/index.ts';
import type { Problem } from '../generated/sdk/types.gen.ts';
import { ContractError, ProblemError, type ContractIssue } from './errors.ts';
import { abortFailure, deadlineSignal, defaultRetryPolicy, fetchWithRetries, type RetryPolicy } from './retry.ts';

/**
 * A bearer token, or a function that returns one (sync or async). The function is called before every
 * request that needs a token, so an app can refresh it there; the token is only ever put in the
 * `Authorization` header, never in an error, message or log line of the SDK.
 *
 * @example
 * ```ts
 * const token: TokenProvider = async () => (await session.refreshIfExpired()).accessToken;
 * ```
 */
export type TokenProvider = string | (() => string | undefined | Promise<string | undefined>);

/**
 * The validators of one operation, as `@pizza-place/api/validation` exports them (`placeOrderValidators`):
 * each resolves with the parsed value or throws an error with zod-like `issues`.
 */
export interface OperationValidators {
  /** The operation as `'<METHOD> <path template>'`, e.g. `'POST /orders'`. */
  operation: string;
  request?: (options: unknown) => Promise<unknown>;
  response?: (data: unknown) => Promise<unknown>;
}

export interface PizzaPlaceClientOptions extends RetryPolicy {
  /**
   * Where the API lives: the Prism mock (`http://127.0.0.1:4010`) while the backend does not exist,
   * the real server (`http://localhost:8080` in development) afterwards. Nothing else changes.
   *
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl: import.meta.env.VITE_API_URL ?? 'http://127.0.0.1:4010' });
   * ```
   */
  baseUrl: string;
  /**
   * The access token from `issueToken`, or a provider of it. Sent as `Authorization: Bearer …` on the
   * operations the contract secures, never on public ones.
   *
   * @default undefined (public operations only)
   * @example
   * ```ts
   * let token: string | undefined;
   * const client = createPizzaPlaceClient({ baseUrl, token: () => token });
   * ```
   */
  token?: TokenProvider;
  /**
   * The `fetch` to use, e.g. one with instrumentation or a test double. Called once per attempt.
   *
   * @default globalThis.fetch (looked up at call time)
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl, fetch: (request) => (console.debug(request.method, request.url), fetch(request)) });
   * ```
   */
  fetch?: typeof fetch;
  /**
   * Request and response validation, with `zod/mini` schemas from `@pizza-place/api/validation`. Off
   * unless given, and then the bundle holds no zod at all. With it, a request that breaks the contract
   * is refused before it is sent (`invalid-request`) and a 2xx answer that breaks it is reported
   * (`invalid-response`). Pass `validators` for every operation, or only the operations you call
   * (`placeOrderValidators`, …) to bundle only their schemas; other operations go unvalidated.
   *
   * @default undefined (no validation)
   * @example
   * ```ts
   * import { validators } from '@pizza-place/api/validation';
   * const client = createPizzaPlaceClient({ baseUrl, validation: validators });
   * ```
   * @example
   * ```ts
   * import { getOrderValidators, placeOrderValidators } from '@pizza-place/api/validation';
   * const client = createPizzaPlaceClient({ baseUrl, validation: [placeOrderValidators, getOrderValidators] });
   * ```
   */
  validation?: Iterable<OperationValidators>;
}

/** A configured client; pass it as `{ client }` to any operation function. */
export type PizzaPlaceClient = Client;

/**
 * The operations that change state and carry an `Idempotency-Key` (the contract's `IdempotencyKey`
 * header parameter). A test compares this list with the spec.
 */
export const idempotentOperations: ReadonlySet<string> = new Set(['POST /orders', 'POST /orders/{orderId}/payments']);

/** The SDK's own per-call options, next to `client`, `path`, `query`, `headers`, `body`, `signal` and `throwOnError`. */
export type CallPolicy = RetryPolicy;

/**
 * Creates a client bound to one Pizza Place server. Operation functions are separate imports, so a
 * bundle contains only the operations it calls. Every call through the client gets, whatever the
 * operation: errors as {@link PizzaPlaceError}s, retries and a timeout (see {@link RetryPolicy}), an
 * `Idempotency-Key` on `placeOrder`/`payOrder` when the caller gives none, and validation when on.
 *
 * @example
 * ```ts
 * import { createPizzaPlaceClient, issueToken, placeOrder } from '@pizza-place/api';
 *
 * let token: string | undefined;
 * const client = createPizzaPlaceClient({ baseUrl: 'http://localhost:8080', token: () => token });
 * const signIn = await issueToken({ client, body: { email: 'ada@example.com', password: 'correct horse battery' } });
 * token = signIn.data?.accessToken;
 * const placed = await placeOrder({
 *   client,
 *   body: { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } },
 * });
 * ```
 */
export function createPizzaPlaceClient(options: PizzaPlaceClientOptions): PizzaPlaceClient {
  const { baseUrl, token, fetch: customFetch, validation, ...policy } = options;
  const defaults = { ...defaultRetryPolicy, ...definedOnly(policy) };
  const validatorsOf = new Map([...(validation ?? [])].map((validators) => [validators.operation, validators]));
  const base = createClient(
    createConfig({ baseUrl, ...(token !== undefined && { auth: typeof token === 'function' ? () => token() : token }) }),
  );

  const request = async (call: RequestOptions & CallPolicy & Required<Pick<RequestOptions, 'method'>>) => {
    const operation = `${call.method.toUpperCase()} ${call.url}`;
    const callPolicy = { ...defaults, ...definedOnly({ retries: call.retries, retryDelay: call.retryDelay, maxRetryDelay: call.maxRetryDelay, timeout: call.timeout }) };
    const signals = { caller: call.signal ?? undefined, deadline: deadlineSignal(callPolicy.timeout) };
    const validators = validatorsOf.get(operation);
    let response: Response | undefined;
    const fetch = async (request: Request) =>
      (response = await fetchWithRetries(request, (attempt) => (customFetch ?? globalThis.fetch)(attempt), operation, callPolicy, signals));

    let error: unknown;
    let result: { data?: unknown; error?: unknown; request?: Request } | undefined;
    try {
      result = await base.request({
        ...call,
        headers: idempotentOperations.has(operation) ? withIdempotencyKey(call.headers) : call.headers,
        fetch: fetch as typeof globalThis.fetch,
        requestValidator: validators?.request && contractCheck(operation, 'invalid-request', validators.request),
        responseValidator: validators?.response && contractCheck(operation, 'invalid-response', validators.response, () => response),
        responseStyle: 'fields',
        throwOnError: false,
      });
      error = result.error === undefined ? undefined : result.error instanceof Error ? result.error : problemError(operation, result.error, response);
    } catch (thrown) {
      error = thrown instanceof ContractError ? thrown : abortFailure(operation, signals, callPolicy.timeout);
      if (error === undefined && thrown instanceof SyntaxError && response) {
        error = new ContractError(operation, 'invalid-response', [{ path: [], message: 'the body is not JSON' }], response);
      }
      if (error === undefined) throw thrown;
    }
    if (error !== undefined && call.throwOnError) throw error;
    return error === undefined
      ? { data: result?.data, error: undefined, request: result?.request, response }
      : { data: undefined, error, request: result?.request, response };
  };

  const method = (name: NonNullable<RequestOptions['method']>) => (call: RequestOptions) => request({ ...call, method: name });
  return {
    ...base,
    request,
    connect: method('CONNECT'),
    delete: method('DELETE'),
    get: method('GET'),
    head: method('HEAD'),
    options: method('OPTIONS'),
    patch: method('PATCH'),
    post: method('POST'),
    put: method('PUT'),
    trace: method('TRACE'),
  } as Client;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function withIdempotencyKey(headers: RequestOptions['headers']): RequestOptions['headers'] {
  const given = new Headers(Object.entries(headers ?? {}).filter(([, value]) => value != null) as Array<[string, string]>);
  return given.has('Idempotency-Key') ? headers : { ...headers, 'Idempotency-Key': crypto.randomUUID() };
}

/** Wraps a validator so that what it finds becomes a {@link ContractError} of `kind`. */
function contractCheck(
  operation: string,
  kind: ContractError['kind'],
  validate: (value: unknown) => Promise<unknown>,
  response?: () => Response | undefined,
) {
  return async (value: unknown) => {
    try {
      return await validate(value);
    } catch (error) {
      // Only where and what: zod can echo input values (a password), which must not reach a log.
      const issues = ((error as { issues?: ContractIssue[] }).issues ?? [{ path: [], message: String(error) }]).map(
        ({ path, message, code }) => ({ path, message, ...(code !== undefined && { code }) }),
      );
      throw new ContractError(operation, kind, issues, response?.());
    }
  };
}

/** A non-2xx answer as a {@link ProblemError}; a body that is not a Problem (a proxy's HTML) becomes one from the status line. */
function problemError(operation: string, body: unknown, response: Response | undefined): ProblemError {
  const answer = response ?? new Response(null, { status: 500 });
  const problem: Problem =
    typeof body === 'object' && body !== null && 'title' in body
      ? { type: 'about:blank', ...(body as Partial<Problem>), title: String((body as Problem).title), status: answer.status }
      : { type: 'about:blank', title: answer.statusText || `HTTP ${answer.status}`, status: answer.status };
  return new ProblemError(operation, problem, answer);
}
