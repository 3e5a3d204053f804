import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '../server/auth/jwt.ts';
import { useTestApp } from './support/app.ts';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token shaped by hand, to forge what a client might send. */
function handMadeToken(header: object, claims: object, secret: string): string {
  const signingInput = `${encode(header)}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

describe('authentication and roles', () => {
  const testApp = useTestApp('sqlite');

  async function expectUnauthorized(response: Response, error: string | null) {
    expect(response.status).toBe(401);
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    const challenge = response.headers.get('WWW-Authenticate');
    expect(challenge).toMatch(/^Bearer realm="pizza-place"/);
    if (error) expect(challenge).toContain(`error="${error}"`);
    else expect(challenge).not.toContain('error=');
    const body = await response.json();
    expect(body).toMatchObject({ type: 'https://pizza-place.example/problems/unauthorized', status: 401 });
    return body as { detail: string };
  }

  function validClaims() {
    const { config } = testApp();
    const now = Math.floor(Date.now() / 1000);
    return { sub: 'usr_staffAccount01', role: 'staff', iss: config.jwt.issuer, aud: config.jwt.audience, iat: now, nbf: now, exp: now + 600 };
  }

  it('answers a secured operation without a token with 401 and a Bearer challenge', async () => {
    const { request } = testApp();
    await expectUnauthorized(await request('/me'), null);
  });

  it('answers an expired token with 401 invalid_token saying it expired', async () => {
    const { request, config } = testApp();
    const { token } = signAccessToken({ id: 'usr_staffAccount01', role: 'staff' }, config.jwt, new Date(Date.now() - 2 * config.jwt.ttlSeconds * 1000));
    const body = await expectUnauthorized(await request('/me', { token }), 'invalid_token');
    expect(body.detail).toContain('expired');
  });

  it('answers a token signed with another secret with 401', async () => {
    const { request } = testApp();
    const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, validClaims(), 'another secret that is long enough to sign');
    await expectUnauthorized(await request('/inventory/ingredients', { token }), 'invalid_token');
  });

  it('answers an unsigned alg "none" token with 401', async () => {
    const { request } = testApp();
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(validClaims())}.`;
    await expectUnauthorized(await request('/inventory/ingredients', { token }), 'invalid_token');
    const withSignature = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(validClaims())}.AAAA`;
    await expectUnauthorized(await request('/inventory/ingredients', { token: withSignature }), 'invalid_token');
  });

  it('answers a token signed with the right secret but another algorithm with 401', async () => {
    const { request, config } = testApp();
    const signingInput = `${encode({ alg: 'HS512', typ: 'JWT' })}.${encode(validClaims())}`;
    const token = `${signingInput}.${createHmac('sha512', config.jwt.secret).update(signingInput).digest('base64url')}`;
    await expectUnauthorized(await request('/inventory/ingredients', { token }), 'invalid_token');
  });

  it('answers a token for another issuer or audience with 401', async () => {
    const { request, config } = testApp();
    for (const claims of [{ ...validClaims(), iss: 'someone-else' }, { ...validClaims(), aud: 'another-api' }]) {
      const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, claims, config.jwt.secret);
      await expectUnauthorized(await request('/inventory/ingredients', { token }), 'invalid_token');
    }
  });

  it('accepts a hand-made token with the right secret and claims, so the refusals above are about what was changed', async () => {
    const { request, config } = testApp();
    const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, validClaims(), config.jwt.secret);
    expect((await request('/inventory/ingredients', { token })).status).toBe(200);
  });

  it('answers a malformed Authorization header with 401 invalid_request', async () => {
    const { request } = testApp();
    await expectUnauthorized(await request('/me', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }), 'invalid_request');
  });

  it('never echoes the token it refuses', async () => {
    const { request } = testApp();
    const token = handMadeToken({ alg: 'HS256', typ: 'JWT' }, validClaims(), 'another secret that is long enough to sign');
    const response = await request('/me', { token });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toContain(token.split('.')[2]);
  });

  it('answers a customer calling a staff-only operation with 403', async () => {
    const { request, tokenFor } = testApp();
    const response = await request('/inventory/ingredients', { token: await tokenFor('customer') });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ type: 'https://pizza-place.example/problems/forbidden', status: 403 });
  });

  it('lets staff call a staff-only operation', async () => {
    const { request, tokenFor } = testApp();
    expect((await request('/inventory/ingredients', { token: await tokenFor('staff') })).status).toBe(200);
  });

  it('lets anyone call a public operation without a token, even with a broken one', async () => {
    const { request } = testApp();
    expect((await request('/menu/items')).status).toBe(200);
    expect((await request('/menu/items', { token: 'not-a-token' })).status).toBe(200);
  });
});
