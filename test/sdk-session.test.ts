import { expect, it } from 'vitest';
import { createSession, getMe, listOrders, type SessionTokens, type TokenStore } from '../sdk/index.ts';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';

/** A fetch into the app in process, counting the refreshes it sees. */
function appFetch(app: TestApp) {
  const seen = { refreshes: 0, unauthorized: 0 };
  const fetch = (async (request: Request) => {
    if (new URL(request.url).pathname === '/auth/token/refresh') seen.refreshes++;
    const response = await app.app.request(request);
    if (response.status === 401) seen.unauthorized++;
    return response;
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

function memoryStore(): TokenStore & { tokens: SessionTokens | undefined } {
  return {
    tokens: undefined,
    load() {
      return this.tokens;
    },
    save(tokens) {
      this.tokens = tokens;
    },
  };
}

const password = 'correct horse battery staple';

describeEachDatabase('the SDK session helper', (kind) => {
  const testApp = useTestApp(kind);

  async function signedIn(app: TestApp, options: { refreshMarginMs?: number; onSignedOut?: () => void } = {}) {
    const email = `session-${crypto.randomUUID()}@example.com`;
    expect((await app.request('/accounts', { method: 'POST', json: { email, password, name: 'Ada' } })).status).toBe(201);
    const { fetch, seen } = appFetch(app);
    const store = memoryStore();
    const session = createSession({ baseUrl: 'http://pizza.test', fetch, store, retries: 0, ...options });
    const { error } = await session.signIn({ email, password });
    expect(error).toBeUndefined();
    return { session, store, seen };
  }

  it('refreshes once before the access token expires, however many calls want it at once', async () => {
    const app = testApp();
    const { session, store, seen } = await signedIn(app);
    const first = store.tokens!;
    store.tokens = { ...first, accessTokenExpiresAt: Date.now() + 1_000 };
    const results = await Promise.all(Array.from({ length: 5 }, () => listOrders({ client: session.client })));
    expect(results.every((result) => result.response?.status === 200)).toBe(true);
    expect(seen.refreshes).toBe(1);
    expect(store.tokens!.refreshToken).not.toBe(first.refreshToken);
    expect(seen.unauthorized).toBe(0);
  });

  it('refreshes after a 401 and retries the call once, so the caller sees the answer', async () => {
    const app = testApp();
    const { session, store, seen } = await signedIn(app);
    store.tokens = { ...store.tokens!, accessToken: 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' };
    const [a, b] = await Promise.all([getMe({ client: session.client }), getMe({ client: session.client })]);
    expect(a.response?.status).toBe(200);
    expect(b.response?.status).toBe(200);
    expect(seen.unauthorized).toBe(2);
    expect(seen.refreshes).toBe(1);
  });

  it('ends the session when its refresh token is refused, and answers the call with the 401', async () => {
    const app = testApp();
    let signedOut = 0;
    const { session, store } = await signedIn(app, { onSignedOut: () => signedOut++ });
    await app.db.updateTable('refresh_tokens').set({ revoked_at: new Date().toISOString() }).execute();
    store.tokens = { ...store.tokens!, accessTokenExpiresAt: Date.now() };
    const { error } = await getMe({ client: session.client });
    expect(error?.kind === 'problem' && error.status).toBe(401);
    expect(session.signedIn).toBe(false);
    expect(signedOut).toBe(1);
  });

  it('signs out on the server: the refresh token no longer works', async () => {
    const app = testApp();
    const { session, store } = await signedIn(app);
    const { refreshToken } = store.tokens!;
    await session.signOut();
    expect(session.signedIn).toBe(false);
    expect((await app.request('/auth/token/refresh', { method: 'POST', json: { refreshToken } })).status).toBe(401);
  });
});
