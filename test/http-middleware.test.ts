import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../server/http/logger.ts';
import { useTestApp } from './support/app.ts';

describe('request ids, security headers, CORS, compression, contract documents', () => {
  const testApp = useTestApp('sqlite');

  it('gives every response an X-Request-Id, keeping a sane one the client sent', async () => {
    const { request } = testApp();
    const generated = await request('/health/live');
    expect(generated.headers.get('X-Request-Id')).toMatch(/^req_[A-Za-z0-9]{32}$/);
    const kept = await request('/nowhere', { headers: { 'X-Request-Id': 'client-chosen-id.42' } });
    expect(kept.status).toBe(404);
    expect(kept.headers.get('X-Request-Id')).toBe('client-chosen-id.42');
    const replaced = await request('/health/live', { headers: { 'X-Request-Id': 'bad id\twith <script>' } });
    expect(replaced.headers.get('X-Request-Id')).toMatch(/^req_/);
  });

  it('sends the security headers on every response', async () => {
    const { request } = testApp();
    for (const path of ['/menu/items', '/nowhere']) {
      const response = await request(path);
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(response.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
      expect(response.headers.get('Strict-Transport-Security')).toContain('max-age=');
      expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    }
  });

  it('allows an origin on the CORS list and exposes the headers scripts need', async () => {
    const { request, config } = testApp();
    const [origin] = config.corsOrigins;
    const response = await request('/menu/items', { headers: { Origin: origin! } });
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(origin);
    expect(response.headers.get('Access-Control-Expose-Headers')?.split(',')).toEqual(
      expect.arrayContaining(['X-Request-Id', 'ETag', 'Location', 'RateLimit', 'RateLimit-Policy', 'Retry-After']),
    );
    const preflight = await request('/orders', {
      method: 'OPTIONS',
      headers: { Origin: origin!, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe(origin);
    expect(preflight.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('does not allow an origin missing from the CORS list', async () => {
    const { request } = testApp();
    const response = await request('/menu/items', { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });

  it('gzips a large response when the client accepts gzip, and only then', async () => {
    const { request } = testApp();
    const plain = await request('/menu/items');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    const plainBody = await plain.text();
    expect(plainBody.length).toBeGreaterThan(1024);

    const gzipped = await request('/menu/items', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzipped.status).toBe(200);
    expect(gzipped.headers.get('Content-Encoding')).toBe('gzip');
    const compressed = Buffer.from(await gzipped.arrayBuffer());
    expect(compressed.length).toBeLessThan(plainBody.length);
    expect(JSON.parse(gunzipSync(compressed).toString('utf8'))).toEqual(JSON.parse(plainBody));
  });

  it('does not compress a small response', async () => {
    const { request } = testApp();
    const response = await request('/health/live', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(response.headers.get('Content-Encoding')).toBeNull();
  });

  it('serves the contract as JSON at /openapi.json and its reference page at /docs', async () => {
    const { request } = testApp();
    const contract = await request('/openapi.json');
    expect(contract.status).toBe(200);
    expect(contract.headers.get('Content-Type')).toContain('application/json');
    const document = await contract.json();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths)).toContain('/orders');
    const docs = await request('/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('Content-Type')).toContain('text/html');
    expect(await docs.text()).toContain('/openapi.json');
  });
});

describe('logs', () => {
  const testApp = useTestApp('sqlite');

  it('writes one JSON line per request with method, path, status, duration and request id', async () => {
    const { request, logs } = testApp();
    await request('/menu/items?category=pizza', { headers: { 'X-Request-Id': 'req_logLineCheck01' } });
    const line = logs().find((entry) => entry.requestId === 'req_logLineCheck01' && entry.msg === 'request');
    expect(line).toMatchObject({ method: 'GET', path: '/menu/items', status: 200, durationMs: expect.any(Number) });
  });

  it('never writes passwords, tokens or Authorization headers', async () => {
    const { request, logs } = testApp();
    const password = 'a very secret password 123';
    await request('/accounts', { method: 'POST', json: { email: 'ada@example.com', password, name: 'Ada' } });
    const tokenResponse = await request('/auth/token', { method: 'POST', json: { email: 'ada@example.com', password } });
    const { accessToken } = await tokenResponse.json();
    await request('/me', { token: accessToken });
    await request('/auth/token', { method: 'POST', json: { email: 'ada@example.com', password: 'wrong but secret 456' } });
    await request(`/me?token=${accessToken}`, { token: `${accessToken}x` });
    const written = JSON.stringify(logs());
    expect(logs().length).toBeGreaterThanOrEqual(5);
    for (const secret of [password, 'wrong but secret 456', accessToken, accessToken.split('.')[2]!]) expect(written).not.toContain(secret);
  });

  it('censors secrets that a careless log call passes along', () => {
    const written: Array<string> = [];
    const logger = createLogger({ logLevel: 'info' }, new Writable({ write: (chunk, _encoding, done) => done(void written.push(String(chunk))) }));
    logger.info({ password: 'pw-1', accessToken: 'tok-2', body: { password: 'pw-3' }, req: { headers: { authorization: 'Bearer tok-4' } } }, 'oops');
    expect(written.join('')).not.toMatch(/pw-1|tok-2|pw-3|tok-4/);
    expect(written.join('')).toContain('[redacted]');
  });
});
