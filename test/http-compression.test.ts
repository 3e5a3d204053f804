import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MenuItemList } from '../generated/types.gen.ts';
import { seededIds } from '../server/db/seed.ts';
import { useTestApp, type TestApp } from './support/app.ts';

const decoders: Record<string, (body: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync, deflate: inflateSync };

/** The bytes of a `200` answer to `path` for a client that accepts no encoding. */
async function identityBytes({ request }: TestApp, path: string): Promise<Buffer> {
  const response = await request(path);
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Encoding')).toBeNull();
  return Buffer.from(await response.arrayBuffer());
}

/** The body as sent and decoded by its `Content-Encoding`; checks that a compressed body's `Content-Length` counts what was sent. */
async function sentAndDecoded(response: Response): Promise<{ sent: Buffer; decoded: Buffer }> {
  const sent = Buffer.from(await response.arrayBuffer());
  const coding = response.headers.get('Content-Encoding');
  if (coding === null) return { sent, decoded: sent };
  expect(response.headers.get('Content-Length')).toBe(String(sent.byteLength));
  return { sent, decoded: decoders[coding]!(sent) };
}

/** `/openapi.json` is compressed per request; the menu list is sent in forms compressed ahead of time. */
const largePaths = ['/openapi.json', '/menu/items'];

describe('compression', () => {
  const testApp = useTestApp('sqlite');

  it.each(largePaths)('sends %s in br to a client that accepts br, decoding to exactly the bytes sent uncompressed', async (path) => {
    const app = testApp();
    const identity = await identityBytes(app, path);
    const response = await app.request(path, { headers: { 'Accept-Encoding': 'br' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Encoding')).toBe('br');
    expect(response.headers.get('Vary')).toMatch(/accept-encoding/i);
    const { sent, decoded } = await sentAndDecoded(response);
    expect(sent.byteLength).toBeLessThan(identity.byteLength);
    expect(decoded.equals(identity)).toBe(true);
  });

  it.each([
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['deflate;q=0.8, gzip;q=0.8', 'gzip'],
    ['br;q=0, gzip, deflate', 'gzip'],
    ['br;q=0', null],
    ['*;q=0.1, deflate', 'deflate'],
    ['*', 'br'],
    ['*;q=0', null],
    ['identity', null],
    ['gzip;q=0.5, identity', null],
  ])('answers Accept-Encoding: %s with Content-Encoding %s', async (acceptEncoding, expected) => {
    const app = testApp();
    for (const path of largePaths) {
      const response = await app.request(path, { headers: { 'Accept-Encoding': acceptEncoding } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('Content-Encoding'), path).toBe(expected);
      expect(response.headers.get('Vary'), path).toMatch(/accept-encoding/i);
      expect((await sentAndDecoded(response)).decoded.equals(await identityBytes(app, path)), path).toBe(true);
    }
  });

  it('sends the menu in br and gzip compressed ahead of time at their best, the same JSON as uncompressed', async () => {
    const app = testApp();
    const identity = await identityBytes(app, '/menu/items');
    const best = {
      br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
      gzip: gzipSync(identity, { level: constants.Z_BEST_COMPRESSION }),
    };
    for (const coding of ['br', 'gzip'] as const) {
      const response = await app.request('/menu/items', { headers: { 'Accept-Encoding': coding } });
      expect(response.status, coding).toBe(200);
      expect(response.headers.get('Content-Encoding'), coding).toBe(coding);
      const { sent, decoded } = await sentAndDecoded(response);
      expect(sent.equals(best[coding]), coding).toBe(true);
      expect(JSON.parse(decoded.toString('utf8'))).toEqual(JSON.parse(identity.toString('utf8')));
    }
  });

  it('answers If-None-Match for each form of the menu with 304 repeating its ETag and Vary', async () => {
    const { request } = testApp();
    const etags = new Set<string>();
    for (const acceptEncoding of ['br', 'gzip', 'deflate', 'identity']) {
      const headers = { 'Accept-Encoding': acceptEncoding };
      const response = await request('/menu/items', { headers });
      expect(response.status, acceptEncoding).toBe(200);
      const etag = response.headers.get('ETag')!;
      // Compressed bytes differ from the ones the strong tag names, so they carry its weak form.
      expect(etag, acceptEncoding).toMatch(acceptEncoding === 'identity' ? /^"/ : /^W\/"/);
      etags.add(etag.replace(/^W\//, ''));

      const notModified = await request('/menu/items', { headers: { ...headers, 'If-None-Match': etag } });
      expect(notModified.status, acceptEncoding).toBe(304);
      expect(notModified.headers.get('ETag'), acceptEncoding).toBe(etag);
      expect(notModified.headers.get('Vary'), acceptEncoding).toMatch(/accept-encoding/i);
      expect(await notModified.text()).toBe('');
    }
    expect(etags.size).toBe(1);
  });

  it('sends the changed menu in br once a price changes, never the bytes compressed before', async () => {
    const app = testApp();
    const before = await app.request('/menu/items', { headers: { 'Accept-Encoding': 'br' } });
    expect(before.status).toBe(200);
    const patch = await app.request(`/menu/items/${seededIds.items.cola}`, {
      method: 'PATCH',
      token: await app.tokenFor('staff'),
      json: { sizes: [{ size: 'regular', price: { amount: 349, currency: 'USD' } }] },
    });
    expect(patch.status).toBe(200);

    const after = await app.request('/menu/items', { headers: { 'Accept-Encoding': 'br', 'If-None-Match': before.headers.get('ETag')! } });
    expect(after.status).toBe(200);
    expect(after.headers.get('Content-Encoding')).toBe('br');
    const { decoded } = await sentAndDecoded(after);
    expect(decoded.equals(await identityBytes(app, '/menu/items'))).toBe(true);
    const { data } = JSON.parse(decoded.toString('utf8')) as MenuItemList;
    expect(data.find((item) => item.id === seededIds.items.cola)!.sizes[0]!.price.amount).toBe(349);
  });

  it.each(['/menu/toppings', '/health/live'])('sends %s, under 1 KiB, uncompressed whatever the client accepts', async (path) => {
    const app = testApp();
    const identity = await identityBytes(app, path);
    expect(identity.byteLength).toBeLessThan(1024);
    const response = await app.request(path, { headers: { 'Accept-Encoding': 'br, gzip, deflate' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Encoding')).toBeNull();
    expect(Buffer.from(await response.arrayBuffer()).equals(identity)).toBe(true);
  });
});
