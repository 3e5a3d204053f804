import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { signAccessToken } from '../server/auth/jwt.ts';
import { createDatabase } from '../server/db/database.ts';
import { createTestApp, useTestApp } from './support/app.ts';

const problemType = (slug: string) => `https://pizza-place.example/problems/${slug}`;
const newCustomer = { email: 'ada@example.com', password: 'correct horse battery staple', name: 'Ada Lovelace' };

describe('errors as problems', () => {
  const testApp = useTestApp('sqlite');

  it('answers an unknown path with 404 not-found as application/problem+json', async () => {
    const { request } = testApp();
    const response = await request('/pizzas/not-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ type: problemType('not-found'), status: 404, instance: '/pizzas/not-here' });
  });

  it('answers a method the path does not offer with 405 and Allow listing the methods it does', async () => {
    const { request } = testApp();
    const response = await request('/menu/items/itm_margherita01', { method: 'PUT', json: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH']);
    expect(await response.json()).toMatchObject({ type: problemType('method-not-allowed'), status: 405 });
  });

  it('answers a body that is not JSON with 400 malformed-request pointing at /body', async () => {
    const { request } = testApp();
    const response = await request('/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email": "ada@example.com", "password": "secret-secret-secret',
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ type: problemType('malformed-request'), status: 400, errors: [{ pointer: '/body' }] });
    expect(JSON.stringify(body)).not.toContain('secret-secret');
  });

  it('answers a body in a media type the operation does not take with 415', async () => {
    const { request } = testApp();
    const headerSets: Array<Record<string, string>> = [{ 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/x-www-form-urlencoded' }, {}];
    for (const headers of headerSets) {
      const response = await request('/accounts', { method: 'POST', headers, body: 'email=ada@example.com' });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ type: problemType('unsupported-media-type'), status: 415 });
    }
  });

  it('accepts application/json with a charset parameter', async () => {
    const { request } = testApp();
    const response = await request('/accounts', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(newCustomer),
    });
    expect(response.status).toBe(201);
  });

  it('answers a body over the configured limit with 413', async () => {
    const { request, config } = testApp();
    const response = await request('/accounts', { method: 'POST', json: { ...newCustomer, name: 'x'.repeat(config.bodyLimitBytes) } });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: problemType('content-too-large'), status: 413 });
  });

  it('answers a body that breaks the schema with 422 and a JSON pointer for each problem', async () => {
    const { request } = testApp();
    const response = await request('/accounts', { method: 'POST', json: { email: 42, password: 'short', name: 'Ada' } });
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body).toMatchObject({ type: problemType('validation-failed'), status: 422, instance: '/accounts' });
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/body/email', detail: expect.any(String) },
        { pointer: '/body/password', detail: 'Must be at least 12 characters long.' },
      ]),
    );
  });

  it('answers a bad query parameter with 400 invalid-parameter pointing at it', async () => {
    const { request } = testApp();
    const response = await request('/menu/items?category=calzone');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: problemType('invalid-parameter'), errors: [{ pointer: '/query/category' }] });
  });
});

describe('unexpected failures', () => {
  const testApp = useTestApp('sqlite');

  /** The app over a database whose connections are already closed, so every query throws. */
  async function appOverClosedDatabase() {
    const { config } = testApp();
    const broken = createDatabase(config);
    await sql`select 1`.execute(broken.db);
    await broken.close();
    return createTestApp({ db: broken.db, dialect: broken.dialect, config });
  }

  it('answers a handler that throws with 500 internal-error quoting the request id, without a stack', async () => {
    const { request, logs, config } = await appOverClosedDatabase();
    const { token } = signAccessToken({ id: 'usr_staffAccount01', role: 'staff' }, config.jwt);
    const response = await request('/me', { token, headers: { 'X-Request-Id': 'req_failingRequest01' } });
    expect(response.status).toBe(500);
    expect(response.headers.get('Content-Type')).toBe('application/problem+json');
    expect(response.headers.get('X-Request-Id')).toBe('req_failingRequest01');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      type: problemType('internal-error'),
      title: 'Internal server error',
      status: 500,
      detail: 'Something went wrong on our side. Quote request id req_failingRequest01 when reporting it.',
      instance: '/me',
    });
    expect(text).not.toMatch(/at .*\.ts|stack|destroyed/i);
    const logged = logs().find((line) => line.msg === 'unexpected error');
    expect(logged).toMatchObject({ requestId: 'req_failingRequest01', err: { stack: expect.any(String) } });
  });

  it('answers readiness with 503 and Retry-After when the database does not answer', async () => {
    const { request } = await appOverClosedDatabase();
    const response = await request('/health/ready');
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toMatch(/^\d+$/);
    expect(await response.json()).toMatchObject({ type: problemType('service-unavailable'), status: 503 });
  });

  it('answers liveness and readiness with 200 while the database answers', async () => {
    const { request } = testApp();
    const live = await request('/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });
});
