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
  /** Present on the operations the contract secures: they get the token. */
  security?: ReadonlyArray<unknown>;
  path?: Record<string, unknown> | undefined;
  query?: Record<string, unknown> | undefined;
  headers?: Record<string, unknown> | undefined;
  body?: unknown;
  signal?: AbortSignal | null | undefined;
  throwOnError?: boolean | undefined;
  /** Resolve to a 2xx answer's body unread, as a stream (`watchOrder`'s events), instead of reading it as JSON. */
  stream?: boolean | undefined;
  /** Present on the operations whose contract declares an `Idempotency-Key`: the client sends one when the call has none. */
  idempotent?: true;
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
  const defaults = { ...defaultRetryPolicy, ...definedOnly(policy) };
  const origin = resolvedBaseUrl(baseUrl);
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
      if (origin === undefined) throw new ClientError(operation, 'invalid-config', `baseUrl ${JSON.stringify(baseUrl)} is not an http(s) URL`);
      const headers = new Headers(clientHeaders);
      for (const [name, value] of Object.entries(call.headers ?? {})) if (value != null) headers.set(name, String(value));
      if (call.idempotent && !headers.has('Idempotency-Key')) headers.set('Idempotency-Key', idempotencyKey());
      const bearer = call.security && (await tokenOf(operation, token));
      if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
      if (validators?.request) await validate(operation, 'invalid-request', validators.request, { ...call, headers });
      if (call.body === undefined) headers.delete('Content-Type');
      else if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
      const body = call.body === undefined ? null : JSON.stringify(call.body);
      sent = new Request(urlOf(origin, call), { method, headers, body, ...(credentials && { credentials }) });
      response = await fetchWithRetries(sent, (attempt, init) => (customFetch ?? globalThis.fetch)(attempt, init), operation, callPolicy, signals);
      const streamed = call.stream && response.ok;
      const text = streamed ? '' : await response.text();
      if (streamed) {
        data = response.body;
      } else if (response.status === 304) {
        // Not Modified: the answer to a conditional GET (If-None-Match), a result without a body.
      } else if (!response.ok) {
        error = problemError(operation, parsedOrNot(text), response);
      } else if (text) {
        // A body that is not JSON (an SPA's fallback page) ends as a SyntaxError: `invalid-response` below.
        data = /\bjson\b/i.test(response.headers.get('Content-Type') ?? '') ? JSON.parse(text) : JSON.parse('');
        if (validators?.response) await validate(operation, 'invalid-response', validators.response, data, response);
      }
    } catch (thrown) {
      error =
        thrown instanceof PizzaPlaceError
          ? thrown
          : (abortFailure(operation, signals, callPolicy.timeout) ??
            (thrown instanceof SyntaxError && response
              ? new ContractError(operation, 'invalid-response', [{ path: [], message: 'the body is not JSON' }], response)
              : new TransportError(operation, 'network', 'the request failed', { cause: thrown })));
    }
    if (error !== undefined && call.throwOnError) throw error;
    return error === undefined ? { data, error, request: sent, response } : { data: undefined, error, request: sent, response };
  };

  const send = (method: string) => (call: OperationCall) => request(method, call);
  return { delete: send('DELETE'), get: send('GET'), patch: send('PATCH'), post: send('POST'), put: send('PUT') };
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

function definedOnly<T extends object>(values: T): { [Key in keyof T]?: Exclude<T[Key], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [Key in keyof T]?: Exclude<T[Key], undefined> };
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
