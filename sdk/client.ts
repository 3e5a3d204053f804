import type { Problem } from '../generated/sdk/types.gen.ts';
import { ContractError, PizzaPlaceError, ProblemError, type ContractIssue } from './errors.ts';
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

/**
 * What a generated operation function hands its client: the route and security the contract gives the
 * operation, with the caller's options spread over them.
 */
export interface OperationCall extends CallPolicy {
  /** The path template, e.g. `'/orders/{orderId}'`. */
  url: string;
  /** Present on the operations the contract secures: they get the token. */
  security?: ReadonlyArray<unknown>;
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  body?: unknown;
  signal?: AbortSignal | null;
  throwOnError?: boolean;
}

/** The HTTP methods of the contract's operations. */
type Method = 'delete' | 'get' | 'patch' | 'post';

/**
 * A configured client; pass it as `{ client }` to any operation function. Its methods are what the
 * generated operation functions call; an app calls the operation functions instead.
 */
export type PizzaPlaceClient = { readonly [M in Method]: (call: OperationCall) => Promise<unknown> };

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

  const request = async (method: string, call: OperationCall) => {
    const operation = `${method} ${call.url}`;
    const callPolicy = { ...defaults, ...definedOnly({ retries: call.retries, retryDelay: call.retryDelay, maxRetryDelay: call.maxRetryDelay, timeout: call.timeout }) };
    const signals = { caller: call.signal ?? undefined, deadline: deadlineSignal(callPolicy.timeout) };
    const validators = validatorsOf.get(operation);
    let sent: Request | undefined;
    let response: Response | undefined;
    let data: unknown;
    let error: unknown;
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(call.headers ?? {})) if (value != null) headers.set(name, String(value));
      if (idempotentOperations.has(operation) && !headers.has('Idempotency-Key')) headers.set('Idempotency-Key', crypto.randomUUID());
      const bearer = call.security && (typeof token === 'function' ? await token() : token);
      if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
      if (validators?.request) await validate(operation, 'invalid-request', validators.request, { ...call, headers });
      if (call.body === undefined) headers.delete('Content-Type');
      sent = new Request(urlOf(baseUrl, call), { method, headers, body: call.body === undefined ? null : JSON.stringify(call.body) });
      response = await fetchWithRetries(sent, (attempt, init) => (customFetch ?? globalThis.fetch)(attempt, init), operation, callPolicy, signals);
      const text = await response.text();
      if (!response.ok) {
        error = problemError(operation, parsedOrNot(text), response);
      } else if (response.status !== 204) {
        data = text && /json/i.test(response.headers.get('Content-Type') ?? '') ? JSON.parse(text) : text || undefined;
        if (validators?.response) await validate(operation, 'invalid-response', validators.response, data, response);
      }
    } catch (thrown) {
      error = thrown instanceof PizzaPlaceError ? thrown : abortFailure(operation, signals, callPolicy.timeout);
      if (error === undefined && thrown instanceof SyntaxError && response) {
        error = new ContractError(operation, 'invalid-response', [{ path: [], message: 'the body is not JSON' }], response);
      }
      if (error === undefined) throw thrown;
    }
    if (error !== undefined && call.throwOnError) throw error;
    return error === undefined ? { data, error, request: sent, response } : { data: undefined, error, request: sent, response };
  };

  const send = (method: string) => (call: OperationCall) => request(method, call);
  return { delete: send('DELETE'), get: send('GET'), patch: send('PATCH'), post: send('POST') };
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The request URL: `path` parameters put into the template (percent-encoded), `query` parameters
 * appended in the contract's default style (`form`, exploded: an array repeats its name).
 */
function urlOf(baseUrl: string, { url, path, query }: OperationCall): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of [value].flat()) if (item != null) search.append(name, String(item));
  }
  const route = url.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(path?.[name])));
  const queryString = search.toString();
  return `${baseUrl}${route}${queryString && `?${queryString}`}`;
}

/** A body as JSON when it is JSON, else as the text it is (a proxy's HTML). */
function parsedOrNot(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Runs a validator; what it finds is thrown as a {@link ContractError} of `kind`. */
async function validate(
  operation: string,
  kind: ContractError['kind'],
  validator: (value: unknown) => Promise<unknown>,
  value: unknown,
  response?: Response,
): Promise<void> {
  try {
    await validator(value);
  } catch (error) {
    // Only where and what: zod can echo input values (a password), which must not reach a log.
    const issues = ((error as { issues?: ContractIssue[] }).issues ?? [{ path: [], message: String(error) }]).map(
      ({ path, message, code }) => ({ path, message, ...(code !== undefined && { code }) }),
    );
    throw new ContractError(operation, kind, issues, response);
  }
}

/** A non-2xx answer as a {@link ProblemError}; a body that is not a Problem (a proxy's HTML) becomes one from the status line. */
function problemError(operation: string, body: unknown, answer: Response): ProblemError {
  const problem: Problem =
    typeof body === 'object' && body !== null && 'title' in body
      ? { type: 'about:blank', ...(body as Partial<Problem>), title: String((body as Problem).title), status: answer.status }
      : { type: 'about:blank', title: answer.statusText || `HTTP ${answer.status}`, status: answer.status };
  return new ProblemError(operation, problem, answer);
}
