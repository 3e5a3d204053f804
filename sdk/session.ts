import { issueToken, refreshToken, revokeToken } from '../generated/operations.gen.ts';
import type { TokenResponse } from '../generated/types.gen.ts';
import { createPizzaPlaceClient, type PizzaPlaceClient, type PizzaPlaceClientOptions } from './client.ts';

/** What a session keeps between calls (and, with a {@link TokenStore}, between page loads). */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, in milliseconds since the epoch. */
  accessTokenExpiresAt: number;
}

/** Where a session keeps its tokens. The default keeps them in memory only, so a reload signs out. */
export interface TokenStore {
  load(): SessionTokens | undefined;
  save(tokens: SessionTokens | undefined): void;
}

export interface SessionOptions extends Omit<PizzaPlaceClientOptions, 'token'> {
  /** @default in memory */
  store?: TokenStore | undefined;
  /** Refresh this long before the access token expires, in milliseconds. @default 30_000 */
  refreshMarginMs?: number | undefined;
  /** Called when the session ends without {@link Session.signOut}: its refresh token was refused (expired, revoked, reused). */
  onSignedOut?: (() => void) | undefined;
}

export interface Session {
  /** A client whose secured calls carry the session's access token, refreshed when needed. */
  client: PizzaPlaceClient;
  /** Signs in (`issueToken`); resolves to the call's result, so a wrong password is its `error`. */
  signIn(credentials: { email: string; password: string }): ReturnType<typeof issueToken>;
  /** Ends the session on the server (`revokeToken`) and forgets its tokens. */
  signOut(): Promise<void>;
  /** Whether the session holds tokens. */
  readonly signedIn: boolean;
  /** Takes the tokens of an answer that starts a new session (e.g. `changePassword`'s). */
  adopt(tokens: TokenResponse): void;
}

/** A {@link TokenStore} over a Web Storage area (`sessionStorage` keeps a session per tab, until it closes). */
export function webStorageTokens(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>, key = 'pizza-place-session'): TokenStore {
  return {
    load: () => {
      const saved = storage.getItem(key);
      return saved ? (JSON.parse(saved) as SessionTokens) : undefined;
    },
    save: (tokens) => (tokens ? storage.setItem(key, JSON.stringify(tokens)) : storage.removeItem(key)),
  };
}

/**
 * A signed-in session for a browser (or any client): it keeps the access and refresh tokens, refreshes the access
 * token once shortly before it expires or after a `401`, retries the refused call once with the new token, and
 * never refreshes twice at the same time (concurrent calls wait for the one refresh). Refresh tokens rotate: each
 * is used once, and the session keeps the new one.
 *
 * @example
 * ```ts
 * import { createSession, placeOrder, webStorageTokens } from '@pizza-place/api';
 *
 * const session = createSession({ baseUrl: 'http://localhost:8080', store: webStorageTokens(sessionStorage) });
 * const { error } = await session.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
 * if (!error) await placeOrder({ client: session.client, body: { lines, fulfilment: { type: 'pickup' } } });
 * ```
 */
export function createSession(options: SessionOptions): Session {
  const { store, refreshMarginMs = 30_000, onSignedOut, ...clientOptions } = options;
  let memory: SessionTokens | undefined;
  const load = () => (store ? store.load() : memory);
  const save = (tokens: SessionTokens | undefined) => (store ? store.save(tokens) : (memory = tokens));
  const keep = (tokens: TokenResponse) =>
    save({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessTokenExpiresAt: Date.now() + tokens.expiresIn * 1000 });

  // Token calls go out without the session's token and without its retry-after-401.
  const bare = createPizzaPlaceClient(clientOptions);
  let refreshing: Promise<string | undefined> | undefined;

  /** The one refresh under way, or a new one; resolves to the new access token, or undefined when the session ended. */
  function refresh(): Promise<string | undefined> {
    refreshing ??= (async () => {
      const current = load();
      if (!current) return undefined;
      const { data, error } = await refreshToken({ client: bare, body: { refreshToken: current.refreshToken } });
      if (data) {
        keep(data);
        return data.accessToken;
      }
      // A refused refresh token ends the session; a network failure keeps it for the next try.
      if (error.kind === 'problem' && error.status === 401) {
        save(undefined);
        onSignedOut?.();
      }
      return undefined;
    })().finally(() => (refreshing = undefined));
    return refreshing;
  }

  async function accessToken(): Promise<string | undefined> {
    const current = load();
    if (!current) return undefined;
    if (current.accessTokenExpiresAt - refreshMarginMs > Date.now()) return current.accessToken;
    return (await refresh()) ?? load()?.accessToken;
  }

  const send = clientOptions.fetch ?? ((request: Request, init?: RequestInit) => globalThis.fetch(request, init));
  const client = createPizzaPlaceClient({
    ...clientOptions,
    token: accessToken,
    fetch: (async (input: Request, init?: RequestInit) => {
      const again = input.headers.has('Authorization') ? input.clone() : undefined;
      const response = await send(input, init);
      if (response.status !== 401 || !again) return response;
      const sentWith = again.headers.get('Authorization');
      // Another call may have refreshed while this one was out; only refresh when this call's token is still the current one.
      const fresh = load()?.accessToken !== sentWith?.slice('Bearer '.length) ? load()?.accessToken : await refresh();
      if (!fresh) return response;
      again.headers.set('Authorization', `Bearer ${fresh}`);
      response.body?.cancel().catch(() => undefined);
      return send(again, init);
    }) as typeof fetch,
  });

  return {
    client,
    async signIn(credentials) {
      const result = await issueToken({ client: bare, body: credentials });
      if (result.data) keep(result.data);
      return result;
    },
    async signOut() {
      const current = load();
      save(undefined);
      if (current) await revokeToken({ client: bare, body: { refreshToken: current.refreshToken } });
    },
    get signedIn() {
      return load() !== undefined;
    },
    adopt: keep,
  };
}
