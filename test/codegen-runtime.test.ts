import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { OpenAPIHono } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it } from 'vitest';

import { validationHook } from '../server/problem.ts';
import { fixtureSpec, generateInto } from './fixtures/codegen/generate.ts';

/** The parts of a generated route layer these tests use; its handlers are checked by the type tests. */
interface RouteLayer {
  registerHandlers(app: OpenAPIHono, handlers: Record<string, (c: any) => Response>): void;
}

async function appFor(spec: string, handlers: Record<string, (c: any) => Response>) {
  const output = await generateInto(fixtureSpec(spec), `codegen-runtime/${spec}`);
  const layer = (await import(`${output}/hono.gen.ts`)) as RouteLayer;
  const app = new OpenAPIHono({ defaultHook: validationHook });
  layer.registerHandlers(app, handlers);
  return app;
}

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { status: number; type: string; errors: Array<{ pointer: string; detail: string }> };
}

describe('generated routes on a running app', () => {
  let parametersApp: OpenAPIHono;
  let schemasApp: OpenAPIHono;

  beforeAll(async () => {
    parametersApp = await appFor('parameters', {
      listItems: (c) =>
        c.json({ query: c.req.valid('query'), path: c.req.valid('param'), headers: c.req.valid('header') }, 200),
      getItem: (c) => c.json(c.req.valid('param'), 200),
    });
    schemasApp = await appFor('schemas', {
      placeOrder: (c) => c.json({ body: c.req.valid('json'), headers: c.req.valid('header') }, 201),
      getCategory: (c) => c.json({ query: c.req.valid('query'), path: c.req.valid('param') }, 200),
    });
  });

  it('hands the handler numbers, booleans and arrays read from the query string', async () => {
    const response = await parametersApp.request(
      '/shops/shp_1/items?limit=5&minPrice=2.5&inStock=false&tag=veg&size=1&size=2',
      { headers: { 'X-Trace-Id': 'trace-1' } },
    );
    expect(response.status).toBe(200);
    const { query } = await response.json();
    expect(query).toEqual({ limit: 5, minPrice: 2.5, inStock: false, tag: ['veg'], size: [1, 2] });
  });

  it('applies query defaults when the parameter is absent', async () => {
    const response = await parametersApp.request('/shops/shp_1/items', { headers: { 'x-trace-id': 't' } });
    expect(response.status).toBe(200);
    expect((await response.json()).query).toEqual({ limit: 20 });
  });

  it('hands the handler path parameters read as their types and headers under lowercase names', async () => {
    const list = await parametersApp.request('/shops/shp_1/items', {
      headers: { 'X-Trace-Id': 'trace-1', 'If-None-Match': '"v1"' },
    });
    expect(list.status).toBe(200);
    const { path, headers } = await list.json();
    expect(path).toEqual({ shopId: 'shp_1' });
    expect(headers).toEqual({ 'x-trace-id': 'trace-1', 'if-none-match': '"v1"' });

    const item = await parametersApp.request('/shops/shp_1/items/42');
    expect(item.status).toBe(200);
    expect(await item.json()).toEqual({ shopId: 'shp_1', itemId: 42 });
  });

  it('refuses a query value out of range with a 400 problem pointing at it', async () => {
    const response = await parametersApp.request('/shops/shp_1/items?limit=500&inStock=maybe&size=x', {
      headers: { 'x-trace-id': 't' },
    });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ status: 400, type: 'https://pizza-place.example/problems/invalid-parameter' });
    expect(problem.errors).toEqual([
      { pointer: '/query/limit', detail: 'Must be at most 100.' },
      { pointer: '/query/inStock', detail: 'Must be a boolean.' },
      { pointer: '/query/size/0', detail: 'Must be a number.' },
    ]);
  });

  it.each([
    ['limit=05', '/query/limit'],
    ['limit=0x10', '/query/limit'],
    ['limit=5.0', '/query/limit'],
    ['minPrice=1e1', '/query/minPrice'],
    ['minPrice=+2.5', '/query/minPrice'],
  ])('reads only canonical decimal numbers from the query: %s is a 400', async (query, pointer) => {
    const response = await parametersApp.request(`/shops/shp_1/items?${query}`, { headers: { 'x-trace-id': 't' } });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([{ pointer, detail: 'Must be a number.' }]);
  });

  it('tells every answer of a deprecated operation so, from the contract: Deprecation and Sunset headers', async () => {
    const found = await parametersApp.request('/shops/shp_1/items/42');
    expect(found.status).toBe(200);
    expect(found.headers.get('deprecation')).toBe(`@${Date.parse('2026-11-01T00:00:00Z') / 1000}`);
    expect(found.headers.get('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
    const refused = await parametersApp.request('/shops/shp_1/items/forty-two');
    expect(refused.status).toBe(400);
    expect(refused.headers.get('deprecation')).not.toBeNull();
    const live = await parametersApp.request('/shops/shp_1/items', { headers: { 'x-trace-id': 't' } });
    expect(live.headers.get('deprecation')).toBeNull();
  });

  it('marks a deprecated operation @deprecated in the generated SDK', async () => {
    const output = await generateInto(fixtureSpec('parameters'), 'codegen-runtime/parameters-sdk');
    const sdk = await readFile(path.join(output, 'operations.gen.ts'), 'utf8');
    const getItem = sdk.slice(0, sdk.indexOf('export const getItem'));
    expect(getItem.slice(getItem.lastIndexOf('/**'))).toContain('@deprecated');
    const listItems = sdk.slice(0, sdk.indexOf('export const listItems'));
    expect(listItems.slice(listItems.lastIndexOf('/**'))).not.toContain('@deprecated');
  });

  it('refuses a missing required header with a 400 problem pointing at the header', async () => {
    const response = await parametersApp.request('/shops/shp_1/items');
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([
      { pointer: '/header', detail: 'Must have the property x-trace-id.' },
    ]);
  });

  it('refuses a path parameter of the wrong type with a 400 problem', async () => {
    const response = await parametersApp.request('/shops/shp_1/items/forty-two');
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([{ pointer: '/path/itemId', detail: 'Must be a number.' }]);
  });

  it('hands the handler a valid body with its discriminated fulfilment', async () => {
    const body = {
      lines: [{ itemId: 'itm_1', quantity: 2 }],
      fulfilment: { type: 'delivery', address: { line1: '1 Main St', postalCode: '12345' } },
      contact: 'ada@example.com',
      notes: null,
    };
    const response = await schemasApp.request('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-12345678' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ body, headers: { 'idempotency-key': 'key-12345678' } });
  });

  it('refuses a body that breaks the schema with a 422 problem pointing into the body', async () => {
    const response = await schemasApp.request('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-12345678' },
      body: JSON.stringify({
        lines: [{ itemId: 'itm_1', quantity: 21 }],
        fulfilment: { type: 'delivery', address: { line1: '1 Main St' } },
        contact: 'not-an-email',
      }),
    });
    expect(response.status).toBe(422);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ status: 422, type: 'https://pizza-place.example/problems/validation-failed' });
    expect(problem.errors).toEqual([
      { pointer: '/body/lines/0/quantity', detail: 'Must be at most 20.' },
      { pointer: '/body/fulfilment/address', detail: 'Must have the property postalCode.' },
      { pointer: '/body/contact', detail: 'Must be an email address.' },
    ]);
  });

  it('refuses a repeated item in a uniqueItems array and an unknown property in a closed union branch', async () => {
    const response = await schemasApp.request('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-12345678' },
      body: JSON.stringify({ lines: [{ itemId: 'itm_1', quantity: 1 }], fulfilment: { type: 'pickup', by: 'drone' }, contact: 'a@b.co', tags: ['gift', 'gift'] }),
    });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors).toEqual([
      { pointer: '/body/fulfilment/by', detail: 'Is not a property of this request (by); remove it.' },
      { pointer: '/body/tags', detail: 'Must not list the same item twice.' },
    ]);
  });

  it('keeps an open union branch open: unknown properties of a delivery pass', async () => {
    const response = await schemasApp.request('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-12345678' },
      body: JSON.stringify({ lines: [{ itemId: 'itm_1', quantity: 1 }], fulfilment: { type: 'delivery', address: { line1: 'a', postalCode: 'b' }, floor: 3 }, contact: 'a@b.co' }),
    });
    expect(response.status).toBe(201);
  });

  it('refuses an unknown fulfilment type naming the allowed ones', async () => {
    const response = await schemasApp.request('/orders', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'key-12345678' },
      body: JSON.stringify({ lines: [{ itemId: 'itm_1', quantity: 1 }], fulfilment: { type: 'drone' }, contact: 'a@b.co' }),
    });
    expect(response.status).toBe(422);
    expect((await problemOf(response)).errors).toEqual([
      { pointer: '/body/fulfilment/type', detail: 'Must be one of: "delivery", "pickup".' },
    ]);
  });

  it('reads an integer enum and a repeated enum array from the query', async () => {
    const id = '3f2b8c1e-8d4a-4c2e-9b1a-2d3e4f5a6b7c';
    const ok = await schemasApp.request(`/categories/${id}?depth=2&status=confirmed&status=delivered`);
    expect(ok.status).toBe(200);
    expect((await ok.json()).query).toEqual({ depth: 2, status: ['confirmed', 'delivered'] });

    const bad = await schemasApp.request(`/categories/${id}?depth=7`);
    expect(bad.status).toBe(400);
    expect((await problemOf(bad)).errors).toEqual([{ pointer: '/query/depth', detail: 'Must be one of: 1, 2, 3.' }]);
  });

  it('refuses a path parameter in the wrong format naming the format', async () => {
    const response = await schemasApp.request('/categories/not-a-uuid');
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([{ pointer: '/path/categoryId', detail: 'Must be a UUID.' }]);
  });
});
