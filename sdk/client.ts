import { createClient, createConfig, type Client } from '../generated/client/index.ts';

/** A bearer token, or a function that returns one (sync or async) — called before every request that needs it, so an app can refresh tokens. */
export type TokenProvider = string | (() => string | undefined | Promise<string | undefined>);

export interface PizzaPlaceClientOptions {
  /**
   * Where the API lives: the Prism mock (`http://127.0.0.1:4010`) while the backend does not exist,
   * the real server (`http://localhost:8080` in development) afterwards. Nothing else changes.
   */
  baseUrl: string;
  /**
   * The access token from `issueToken`, or a provider of it. Sent as `Authorization: Bearer …` on the
   * operations the contract secures, never on public ones.
   * @default undefined (public operations only)
   */
  token?: TokenProvider;
  /**
   * The `fetch` to use, e.g. one with instrumentation or a test double.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

/** A configured client; pass it as `{ client }` to any operation function. */
export type PizzaPlaceClient = Client;

/**
 * Creates a client bound to one Pizza Place server. Operation functions are separate imports, so a
 * bundle contains only the operations it calls.
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
 *   headers: { 'Idempotency-Key': crypto.randomUUID() },
 *   body: { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' } },
 * });
 * ```
 */
export function createPizzaPlaceClient(options: PizzaPlaceClientOptions): PizzaPlaceClient {
  const { baseUrl, token, fetch: customFetch } = options;
  return createClient(
    createConfig({
      baseUrl,
      ...(token !== undefined && { auth: typeof token === 'function' ? () => token() : token }),
      ...(customFetch && { fetch: customFetch }),
    }),
  );
}
