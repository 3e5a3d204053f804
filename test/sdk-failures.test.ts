import { afterEach, describe, expect, it, vi } from 'vitest';

import { createPizzaPlaceClient, getMenuItem, getOrder, listMenuItems, placeOrder, type PizzaPlaceClientOptions } from '../sdk/index.ts';
import { exampleOf, operations, successResponse } from './support/spec.ts';

const order = exampleOf(successResponse(operations().find((op) => op.operationId === 'getOrder')!.operation).response.content['application/json']);
const orderBody = { lines: [{ itemId: 'itm_margherita01', size: 'medium' as const, quantity: 1, toppings: [] }], fulfilment: { type: 'pickup' as const } };

/** A client whose fetch records each request and answers from `answers` in turn (the last one repeats). */
function scripted(answers: Array<() => unknown>, options: Partial<PizzaPlaceClientOptions> = {}) {
  const sent: Request[] = [];
  const fetch = vi.fn(async (request: Request) => {
    sent.push(request);
    return answers[Math.min(sent.length - 1, answers.length - 1)]!();
  }) as unknown as typeof globalThis.fetch;
  return { sent, client: createPizzaPlaceClient({ baseUrl: 'http://api.test', retryDelay: 1, fetch, ...options }) };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('every failure of a call resolves to a typed error', () => {
  it.each(['/api', '127.0.0.1:8080', 'localhost:8080', 'ftp://files.test'])('reports baseUrl %j outside a page as invalid-config, sending nothing', async (baseUrl) => {
    const { sent, client } = scripted([json(200, { data: [] })], { baseUrl });
    const { data, error } = await listMenuItems({ client });
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ kind: 'invalid-config', operation: 'GET /menu/items' });
    expect(sent).toHaveLength(0);
  });

  it('resolves a path baseUrl against the page in a browser', async () => {
    vi.stubGlobal('location', { href: 'http://localhost:5173/shop/cart' });
    const { sent, client } = scripted([json(200, { data: [] })], { baseUrl: '/api/' });
    expect((await listMenuItems({ client })).error).toBeUndefined();
    expect(sent[0]!.url).toBe('http://localhost:5173/api/menu/items');
  });

  it('keeps a token function’s failure as the cause of a token-failed error', async () => {
    const failure = new Error('refresh token expired');
    for (const token of [() => { throw failure; }, () => Promise.reject(failure)]) {
      const { sent, client } = scripted([json(200, order)], { token });
      const { error } = await getOrder({ client, path: { orderId: 'ord_1' } });
      expect(error).toMatchObject({ kind: 'token-failed', cause: failure });
      expect(sent).toHaveLength(0);
    }
  });

  it.each([
    ['an empty object', () => ({})],
    ['undefined', () => undefined],
    ['a string', () => 'OK'],
  ])('reports a custom fetch that resolves to %s as a network error', async (_, junk) => {
    const { client } = scripted([junk], { retries: 0 });
    const { error } = await listMenuItems({ client });
    expect(error).toMatchObject({ kind: 'network', cause: expect.any(TypeError) });
  });

  it('makes idempotency keys with crypto.getRandomValues where crypto.randomUUID is missing (no secure context)', async () => {
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
    const { sent, client } = scripted([json(201, order)]);
    const { error } = await placeOrder({ client, body: orderBody });
    expect(error).toBeUndefined();
    expect(sent[0]!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the X-Request-Id and the Retry-After (in ms) of an error answer', async () => {
    const { client } = scripted([json(429, { type: 'https://pizza-place.example/problems/rate-limited', title: 'Too many requests', status: 429 }, { 'Retry-After': '120', 'X-Request-Id': 'req_7Hq2mX9k' })]);
    const { error } = await listMenuItems({ client });
    expect(error).toMatchObject({ kind: 'problem', status: 429, requestId: 'req_7Hq2mX9k', retryAfter: 120_000 });
  });
});

describe('what comes back', () => {
  it.each([
    ['http://api.test/', 'http://api.test/menu/items'],
    ['http://api.test//', 'http://api.test/menu/items'],
    ['http://api.test/v1/', 'http://api.test/v1/menu/items'],
  ])('joins baseUrl %j and the path with one slash', async (baseUrl, url) => {
    const { sent, client } = scripted([json(200, { data: [] })], { baseUrl });
    await listMenuItems({ client });
    expect(sent[0]!.url).toBe(url);
  });

  it('returns a 304 answer to If-None-Match as a result without data, not as an error', async () => {
    const { client } = scripted([() => new Response(null, { status: 304, headers: { ETag: '"v1"' } })]);
    const { data, error, response } = await getMenuItem({ client, path: { itemId: 'itm_margherita01' }, headers: { 'If-None-Match': '"v1"' } });
    expect(error).toBeUndefined();
    expect(data).toBeUndefined();
    expect(response?.status).toBe(304);
  });

  it('reports a 2xx that is not JSON (an SPA fallback page) as invalid-response, with validation off', async () => {
    const { client } = scripted([() => new Response('<!doctype html><div id="app"></div>', { status: 200, headers: { 'Content-Type': 'text/html' } })]);
    const { data, error } = await listMenuItems({ client });
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ kind: 'invalid-response', issues: [{ path: [], message: 'the body is not JSON' }] });
  });

  it('retries a 503 without waiting for the body’s cancel, which a mocked response may never settle', async () => {
    const hangingBody = () =>
      new Response(new ReadableStream({ cancel: () => new Promise<void>(() => undefined) }), { status: 503, headers: { 'Retry-After': '0' } });
    const { sent, client } = scripted([hangingBody, json(200, { data: [] })], { timeout: 2_000 });
    const { data, error } = await listMenuItems({ client });
    expect(error).toBeUndefined();
    expect(data).toEqual({ data: [] });
    expect(sent).toHaveLength(2);
  });
});
