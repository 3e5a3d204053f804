import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { expect, it } from 'vitest';
import { useTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/database.ts';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshTokenExpiresIn: number;
}

const password = 'correct horse battery staple';

async function register(app: TestApp, email = `ada-${randomUUID()}@example.com`): Promise<string> {
  const registered = await app.request('/accounts', { method: 'POST', json: { email, password, name: 'Ada' } });
  expect(registered.status).toBe(201);
  return email;
}

async function signIn(app: TestApp, email: string, secret = password): Promise<Tokens> {
  const response = await app.request('/auth/token', { method: 'POST', json: { email, password: secret } });
  expect(response.status).toBe(200);
  return (await response.json()) as Tokens;
}

function refresh(app: TestApp, refreshToken: string): Promise<Response> {
  return app.request('/auth/token/refresh', { method: 'POST', json: { refreshToken } });
}

async function expectProblem(response: Response, status: number, type: string) {
  expect(response.status).toBe(status);
  expect(await response.json()).toMatchObject({ status, type: `https://pizza-place.example/problems/${type}` });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('sessions: refresh, rotation, sign-out, revocation', (kind) => {
  const testApp = useTestApp(kind, { env: { ACCOUNT_CHECK_INTERVAL_MS: '150' } });

  it('signs in with an access token and a 30-day refresh token, stored only as a hash', async () => {
    const app = testApp();
    const tokens = await signIn(app, await register(app));
    expect(tokens).toMatchObject({ expiresIn: 900, refreshTokenExpiresIn: 30 * 86_400 });
    expect(tokens.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    const stored = await app.db.selectFrom('refresh_tokens').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(tokens.refreshToken.slice(3));
    const expiresInDays = (Date.parse(stored[0]!.expires_at) - Date.now()) / 86_400_000;
    expect(expiresInDays).toBeGreaterThan(29.9);
    expect(expiresInDays).toBeLessThanOrEqual(30);
  });

  it('exchanges a refresh token for a new pair, once: the new access token works and the old refresh token does not', async () => {
    const app = testApp();
    const first = await signIn(app, await register(app));
    const refreshed = await refresh(app, first.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('Cache-Control')).toBe('no-store');
    const second = (await refreshed.json()) as Tokens;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await app.request('/me', { token: second.accessToken })).status).toBe(200);
    await expectProblem(await refresh(app, first.refreshToken), 401, 'invalid-refresh-token');
  });

  it('ends the whole session when a used refresh token is presented again (theft detection)', async () => {
    const app = testApp();
    const first = await signIn(app, await register(app));
    const second = (await (await refresh(app, first.refreshToken)).json()) as Tokens;
    await expectProblem(await refresh(app, first.refreshToken), 401, 'invalid-refresh-token');
    // The thief's replay also ended the legitimate holder's chain.
    await expectProblem(await refresh(app, second.refreshToken), 401, 'invalid-refresh-token');
  });

  it('lets only one of two concurrent exchanges of one refresh token succeed, and counts the other as reuse', async () => {
    const app = testApp();
    const first = await signIn(app, await register(app));
    const answers = await Promise.all([refresh(app, first.refreshToken), refresh(app, first.refreshToken)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const winner = (await answers.find((answer) => answer.status === 200)!.json()) as Tokens;
    await expectProblem(await refresh(app, winner.refreshToken), 401, 'invalid-refresh-token');
  });

  it('keeps other sessions of the account when one is reused or signed out', async () => {
    const app = testApp();
    const email = await register(app);
    const laptop = await signIn(app, email);
    const phone = await signIn(app, email);
    expect((await app.request('/auth/token/revoke', { method: 'POST', json: { refreshToken: laptop.refreshToken } })).status).toBe(204);
    await expectProblem(await refresh(app, laptop.refreshToken), 401, 'invalid-refresh-token');
    expect((await refresh(app, phone.refreshToken)).status).toBe(200);
  });

  it('answers 204 to signing out with an unknown refresh token, and 401 to refreshing one', async () => {
    const app = testApp();
    const unknown = `rt_${randomBytes(32).toString('base64url')}`;
    expect((await app.request('/auth/token/revoke', { method: 'POST', json: { refreshToken: unknown } })).status).toBe(204);
    await expectProblem(await refresh(app, unknown), 401, 'invalid-refresh-token');
    await expectProblem(await refresh(app, 'not a token'), 422, 'validation-failed');
  });

  it('refuses an expired refresh token', async () => {
    const app = testApp();
    const tokens = await signIn(app, await register(app));
    await app.db.updateTable('refresh_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
    await expectProblem(await refresh(app, tokens.refreshToken), 401, 'invalid-refresh-token');
  });

  it('takes access away from a disabled account within seconds: its access token, its refresh token, signing in', async () => {
    const app = testApp();
    const email = await register(app);
    const tokens = await signIn(app, email);
    expect((await app.request('/me', { token: tokens.accessToken })).status).toBe(200);
    await app.db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('email', '=', email).execute();
    await pause(200);
    await expectProblem(await app.request('/me', { token: tokens.accessToken }), 401, 'unauthorized');
    await expectProblem(await refresh(app, tokens.refreshToken), 401, 'invalid-refresh-token');
    const signIn2 = await app.request('/auth/token', { method: 'POST', json: { email, password } });
    await expectProblem(signIn2, 401, 'invalid-credentials');
  });

  it('takes staff operations away from an account that loses the staff role within seconds', async () => {
    const app = testApp();
    const token = await app.tokenFor('staff');
    expect((await app.request('/inventory/ingredients', { token })).status).toBe(200);
    await app.db.updateTable('users').set({ role: 'customer' }).where('id', '=', 'usr_staffAccount01').execute();
    await pause(200);
    await expectProblem(await app.request('/inventory/ingredients', { token }), 401, 'unauthorized');
  });

  it('changes the password after checking the current one, and ends every other session', async () => {
    const app = testApp();
    const email = await register(app);
    const other = await signIn(app, email);
    const current = await signIn(app, email);
    const newPassword = 'staple battery horse correct';

    const wrong = await app.request('/me/password', { method: 'POST', token: current.accessToken, json: { currentPassword: 'not my password', newPassword } });
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({ type: 'https://pizza-place.example/problems/wrong-password', errors: [{ pointer: '/body/currentPassword' }] });

    const changed = await app.request('/me/password', { method: 'POST', token: current.accessToken, json: { currentPassword: password, newPassword } });
    expect(changed.status).toBe(200);
    const fresh = (await changed.json()) as Tokens;
    expect((await app.request('/me', { token: fresh.accessToken })).status).toBe(200);
    expect((await refresh(app, fresh.refreshToken)).status).toBe(200);

    await expectProblem(await refresh(app, other.refreshToken), 401, 'invalid-refresh-token');
    await expectProblem(await refresh(app, current.refreshToken), 401, 'invalid-refresh-token');
    await pause(200);
    await expectProblem(await app.request('/me', { token: other.accessToken }), 401, 'unauthorized');

    await expectProblem(await app.request('/auth/token', { method: 'POST', json: { email, password } }), 401, 'invalid-credentials');
    await signIn(app, email, newPassword);
  });
});

describeEachDatabase('password hashes', (kind) => {
  const testApp = useTestApp(kind);

  it('upgrades a hash made at a lower scrypt cost to N=2^17 when its password signs in', async () => {
    const app = testApp();
    const email = await register(app);
    const salt = randomBytes(16);
    const weakKey = scryptSync(password, salt, 64, { N: 16_384, r: 8, p: 1 });
    const weakHash = ['scrypt', 16_384, 8, 1, salt.toString('base64url'), weakKey.toString('base64url')].join('$');
    await app.db.updateTable('users').set({ password_hash: weakHash }).where('email', '=', email).execute();

    await signIn(app, email);
    const { password_hash } = await app.db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow();
    expect(password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    await signIn(app, email);
  });
});
