import type { Problem } from '../generated/types.gen.ts';
import { ClientError, ContractError, PizzaPlaceError, ProblemError, TransportError, type ContractIssue } from './errors.ts';
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
   * An absolute `http:`/`https:` URL, or in a page a path (`/api`) resolved against the page's origin;
   * a trailing slash does not matter. Anything else (`127.0.0.1:8080` without a scheme) fails every call
   * with an `invalid-config` error.
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
  token?: TokenProvider | undefined;
  /**
   * The `fetch` to use, e.g. one with instrumentation or a test double. Called once per attempt.
   *
   * @default globalThis.fetch (looked up at call time)
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl, fetch: (request) => (console.debug(request.method, request.url), fetch(request)) });
   * ```
   */
  fetch?: typeof fetch | undefined;
  /**
   * Headers sent with every call (an API gateway's key, a client version); a call's own `headers` win.
   *
   * @default undefined
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl, headers: { 'X-Client-Version': '2.4.1' } });
   * ```
   */
  headers?: HeadersInit | undefined;
  /**
   * Whether a browser sends cookies and HTTP authentication with each call (`fetch`'s `credentials`).
   *
   * @default undefined (fetch's own default, `'same-origin'`)
   * @example
   * ```ts
   * createPizzaPlaceClient({ baseUrl: 'https://api.pizza-place.example', credentials: 'include' });
   * ```
   */
  credentials?: RequestCredentials | undefined;
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
  validation?: Iterable<OperationValidators> | undefined;
}

/**
 * What a generated operation function hands its client: the route and security the contract gives the
 * operation, with the caller's options spread over them.
 */
export interface OperationCall extends CallPolicy {
  /** The path template, e.g. `'/orders/{orderId}'`. */
  url: string;
  /** Whether the contract secures the operation: it then gets the token. */
  secured?: boolean;
  path?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  headers?: Record<string, unknown> | undefined;
  body?: unknown;
  signal?: AbortSignal | null | undefined;
  throwOnError?: boolean | undefined;
  /** Resolve to a 2xx answer's body unread, as a stream (`watchOrder`'s events), instead of reading it as JSON. */
  stream?: boolean | undefined;
  /** Whether the contract declares an `Idempotency-Key`: the client then sends one when the call has none. */
  idempotent?: boolean;
}

/** The HTTP methods of the contract's operations. */
type Method = 'delete' | 'get' | 'patch' | 'post' | 'put';

/**
 * A configured client; pass it as `{ client }` to any operation function. Its methods are what the
 * generated operation functions call; an app calls the operation functions instead.
 */
export type PizzaPlaceClient = { readonly [M in Method]: (call: OperationCall) => Promise<unknown> };


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
  const { baseUrl, token, fetch: customFetch, validation, headers: clientHeaders, credentials, ...policy } = options;

  const origin = resolvedBaseUrl(baseUrl);
  const validatorsOf = new Map([...(validation ?? [])].map((validators) => [validators.operation, validators]));

  const request = async (method: string, call: OperationCall) => {
    const operation = `${method} ${call.url}`;
    // Each field of the policy: the call's, else the client's, else the default.
    const callPolicy = { ...defaultRetryPolicy };
    for (const field in callPolicy) {
      const key = field as keyof RetryPolicy;
      callPolicy[key] = call[key] ?? policy[key] ?? callPolicy[key];
    }
    const signals = { caller: call.signal ?? undefined, deadline: deadlineSignal(callPolicy.timeout) };
    const validators = validatorsOf.get(operation);
    let sent: Request | undefined;
    let response: Response | undefined;
    let data: unknown;
    let error: unknown;
    try {
      if (origin === undefined) throw new ClientError(operation, 'invalid-config', `baseUrl ${JSON.stringify(baseUrl)} is not an http(s) URL`);
      const headers = new Headers(clientHeaders);
      for (const [name, value] of Object.entries(call.headers ?? {})) if (value != null) headers.set(name, String(value));
      if (call.idempotent && !headers.has('Idempotency-Key')) headers.set('Idempotency-Key', idempotencyKey());
      const bearer = call.secured && (await tokenOf(operation, token));
      if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
      // A validator throws an error with `issues`; it becomes an `invalid-request` (no answer yet) or `invalid-response` below.
      await validators?.request?.({ ...call, headers });
      if (call.body === undefined) headers.delete('Content-Type');
      else if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
      sent = new Request(urlOf(origin, call), { method, headers, body: call.body === undefined ? null : JSON.stringify(call.body), ...(credentials && { credentials }) });
      response = await fetchWithRetries(sent, (attempt, init) => (customFetch ?? globalThis.fetch)(attempt, init), operation, callPolicy, signals);
      if (call.stream && response.ok) {
        data = response.body;
      } else {
        const text = await response.text();
        // 304 Not Modified: the answer to a conditional GET (If-None-Match), a result without a body.
        if (!response.ok && response.status !== 304) error = problemError(operation, parsedOrNot(text), response);
        else if (text) {
          // A body that is not JSON (an SPA's fallback page) ends as a SyntaxError: `invalid-response` below.
          data = JSON.parse(/\bjson\b/i.test(response.headers.get('Content-Type') ?? '') ? text : '');
          await validators?.response?.(data);
        }
      }
    } catch (thrown) {
      const issues = (thrown as { issues?: ContractIssue[] } | undefined)?.issues;
      error =
        thrown instanceof PizzaPlaceError
          ? thrown
          : (abortFailure(operation, signals, callPolicy.timeout) ??
            (issues
              ? new ContractError(operation, response ? 'invalid-response' : 'invalid-request', issues, response)
              : thrown instanceof SyntaxError && response
                ? new ContractError(operation, 'invalid-response', [{ path: [], message: 'the body is not JSON' }], response)
                : new TransportError(operation, 'network', 'the request failed', { cause: thrown })));
    }
    if (error && call.throwOnError) throw error;
    return { data: error ? undefined : data, error, request: sent, response };
  };

  return Object.fromEntries(['delete', 'get', 'patch', 'post', 'put'].map((method) => [method, (call: OperationCall) => request(method.toUpperCase(), call)])) as PizzaPlaceClient;
}

/** `baseUrl` as an absolute http(s) URL without a trailing slash, resolved against the page in a browser; `undefined` when it is none. */
function resolvedBaseUrl(baseUrl: string): string | undefined {
  try {
    const url = new URL(baseUrl, baseUrl[0] === '/' ? (globalThis as { location?: { href?: string } }).location?.href : undefined);
    return /^https?:$/.test(url.protocol) ? `${url.origin}${url.pathname.replace(/\/+$/, '')}` : undefined;
  } catch {
    return undefined;
  }
}

/** The bearer token of a secured call; a token function that fails makes a `token-failed` error with its error as the cause. */
async function tokenOf(operation: string, token: TokenProvider | undefined): Promise<string | undefined> {
  try {
    return typeof token === 'function' ? await token() : token;
  } catch (cause) {
    throw new ClientError(operation, 'token-failed', 'the token function failed', { cause });
  }
}

/**
 * A random (version 4) UUID for an `Idempotency-Key`, from `crypto.getRandomValues`, which every
 * browser has everywhere; `crypto.randomUUID` exists only in secure contexts (not on plain http to a
 * LAN address).
 */
export function idempotencyKey(): string {
  const random = crypto.getRandomValues(new Uint8Array(31));
  let at = 0;
  // Each x is a random hex digit; y is one of 8, 9, a, b (the RFC 9562 variant).
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (digit) => (digit === 'x' ? random[at++]! & 15 : (random[at++]! & 3) | 8).toString(16));
}

/**
 * The request URL: `path` parameters put into the template (percent-encoded), `query` parameters
 * appended in the contract's default style (`form`, exploded: an array repeats its name).
 */
function urlOf(origin: string, { url, path, query }: OperationCall): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    for (const item of [value].flat()) if (item != null) search.append(name, String(item));
  }
  const route = url.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(path?.[name])));
  const queryString = search.toString();
  return `${origin}${route}${queryString && `?${queryString}`}`;
}

/** A body as JSON when it is JSON, else as the text it is (a proxy's HTML). */
function parsedOrNot(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A non-2xx answer as a {@link ProblemError}; a body that is not a Problem (a proxy's HTML) becomes one from the status line. */
function problemError(operation: string, body: unknown, answer: Response): ProblemError {
  const { status, statusText } = answer;
  const fields = typeof body === 'object' && body !== null && 'title' in body ? (body as Problem) : { title: statusText || `HTTP ${status}` };
  return new ProblemError(operation, { type: 'about:blank', ...fields, title: String(fields.title), status }, answer);
}
