import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zOrderTrackingEvent } from '../generated/zod.gen.ts';
import { startMock, type RunningPrism } from './support/prism.ts';
import { SseReader } from './support/sse.ts';

import { exampleOf, operations, resolve, spec, successResponse, type Json, type SpecOperation } from './support/spec.ts';

const bearer = { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfbW9jayJ9.c2lnbmF0dXJl' };

interface PreparedRequest {
  url: string;
  init: RequestInit & { headers: Record<string, string> };
}

/** Builds a request the contract accepts, from the examples the contract documents. */
function validRequest(baseUrl: string, op: SpecOperation): PreparedRequest {
  let path = op.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = op.secured ? { ...bearer } : {};
  for (const parameter of op.parameters) {
    if (parameter.in === 'path') {
      path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(exampleOf(parameter))));
    } else if (parameter.required && parameter.in === 'query') {
      query.set(parameter.name, String(exampleOf(parameter)));
    } else if (parameter.required && parameter.in === 'header') {
      headers[parameter.name.toLowerCase()] = String(exampleOf(parameter));
    }
  }
  const init: PreparedRequest['init'] = { method: op.method.toUpperCase(), headers };
  const body = op.operation.requestBody ? resolve(op.operation.requestBody) : undefined;
  if (body?.content?.['application/json']) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(exampleOf(body.content['application/json']));
  }
  const search = query.size > 0 ? `?${query}` : '';
  return { url: `${baseUrl}${path}${search}`, init };
}

/** Breaks a valid request in the first way this operation's contract forbids. */
function invalidRequest(baseUrl: string, op: SpecOperation): { request: PreparedRequest; how: string } {
  const request = validRequest(baseUrl, op);
  if (request.init.body !== undefined) {
    request.init.body = JSON.stringify(['not', 'an', 'object']);
    return { request, how: 'a body of the wrong type' };
  }
  const requiredHeader = op.parameters.find((p) => p.in === 'header' && p.required);
  if (requiredHeader) {
    delete request.init.headers[requiredHeader.name.toLowerCase()];
    return { request, how: `no ${requiredHeader.name} header` };
  }
  if (op.secured) {
    delete request.init.headers.authorization;
    return { request, how: 'no bearer token' };
  }
  const constrained = op.parameters.find((p) => p.in === 'query' && resolve(p.schema ?? {}).enum);
  if (constrained) {
    const url = new URL(request.url);
    url.searchParams.set(constrained.name, 'not-a-documented-value');
    request.url = url.toString();
    return { request, how: `an undocumented ${constrained.name}` };
  }
  request.init.method = op.method === 'delete' ? 'PUT' : 'DELETE';
  return { request, how: `the method ${request.init.method}, which the path does not offer` };
}

describe('the mock of the contract (pizza-place-mock)', () => {
  let prism: RunningPrism;
  beforeAll(async () => {
    prism = await startMock();
  });
  afterAll(async () => {
    await prism?.stop();
  });

  it.each(operations().map((op) => [op.operationId, op] as const))(
    '%s answers a valid request with its documented example',
    async (_id, op) => {
      const { url, init } = validRequest(prism.url, op);
      const response = await fetch(url, init);
      const { status, response: documented } = successResponse(op.operation);
      expect(response.status, await peek(response)).toBe(status);
      const media = documented.content?.['application/json'];
      if (media) {
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toEqual(exampleOf(media));
      }
    },
  );

  it.each(operations().map((op) => [op.operationId, op] as const))(
    '%s refuses an invalid request with a 4xx problem',
    async (_id, op) => {
      const { request, how } = invalidRequest(prism.url, op);
      const response = await fetch(request.url, request.init);
      expect(response.status, `${how}: ${await peek(response)}`).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem: Json = await response.json();
      expect(problem).toHaveProperty('title');
      expect(problem).toHaveProperty('status', response.status);
    },
  );

  it.each([
    ['an undocumented category', '/menu/items?category=pasta', {}, '/query/category'],
    ['a limit over the maximum', '/orders?limit=500', bearer, '/query/limit'],
    ['a non-canonical number', '/orders?limit=05', bearer, '/query/limit'],
  ])('answers %s as the server does: 400 pointing at the real violation', async (_, path, headers, pointer) => {
    const response = await fetch(`${prism.url}${path}`, { headers });
    expect(response.status).toBe(400);
    const problem: Json = await response.json();
    expect(problem).toMatchObject({ type: 'https://pizza-place.example/problems/invalid-parameter', status: 400 });
    expect(problem.errors.map((error: Json) => error.pointer)).toEqual([pointer]);
  });

  it('answers an order without Idempotency-Key with 400, as the server does, and a bad body with 422 at the real violation', async () => {
    const order = { lines: [{ itemId: 'itm_margherita01', size: 'medium', quantity: 1 }], fulfilment: { type: 'pickup' } };
    const json = { ...bearer, 'content-type': 'application/json' };
    const withoutKey = await fetch(`${prism.url}/orders`, { method: 'POST', headers: json, body: JSON.stringify(order) });
    expect(withoutKey.status).toBe(400);
    expect(await withoutKey.json()).toMatchObject({ errors: [{ pointer: '/header', detail: 'Must have the property idempotency-key.' }] });

    const badLine = { ...order, lines: [{ ...order.lines[0], quantity: 21 }], fulfilment: { type: 'pickup', role: 'staff' } };
    const refused = await fetch(`${prism.url}/orders`, { method: 'POST', headers: { ...json, 'idempotency-key': 'mock-order-0001' }, body: JSON.stringify(badLine) });
    expect(refused.status).toBe(422);
    const problem: Json = await refused.json();
    expect(problem.errors.map((error: Json) => error.pointer).sort()).toEqual(['/body/fulfilment/role', '/body/lines/0/quantity']);
  });

  it("answers watchOrder asked for text/event-stream with the contract's example stream, events the server's schema accepts", async () => {
    const op = operations().find((o) => o.operationId === 'watchOrder')!;
    const { url, init } = validRequest(prism.url, op);
    const response = await fetch(url, { ...init, headers: { ...init.headers, accept: 'text/event-stream' } });
    expect(response.status, await peek(response)).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const documented = exampleOf(successResponse(op.operation).response.content['text/event-stream']) as string;
    const body = await response.text();
    // Every event ends with a blank line, the last one too, or a client would drop it unfinished.
    expect(body.endsWith('}\n\n')).toBe(true);
    expect(body.trimEnd()).toBe(documented.trimEnd());

    const blocks = await new SseReader([body]).rest();
    expect(blocks[0]?.retry).toBeGreaterThan(0);
    const events = blocks.filter((block) => block.data !== undefined).map((block) => ({ id: block.id, event: block.event, ...zOrderTrackingEvent.parse(JSON.parse(block.data!)) }));
    expect(events.map((event) => event.status)).toEqual(['confirmed', 'preparing', 'baking', 'ready', 'out_for_delivery', 'delivered']);
    expect(events.every((event, i) => event.event === 'status' && /^evt_/.test(event.id!) && event.previousStatus === (i === 0 ? 'awaiting_payment' : events[i - 1]!.status))).toBe(true);
  });

  it('refuses a malformed Last-Event-ID on watchOrder with 400 pointing at it, as the server does', async () => {
    const response = await fetch(`${prism.url}/orders/ord_7Hk2QpX9mRt4/events`, { headers: { ...bearer, accept: 'text/event-stream', 'last-event-id': 'not an event id' } });
    expect(response.status).toBe(400);
    const problem: Json = await response.json();
    expect(problem.errors.map((error: Json) => error.pointer)).toEqual(['/header/last-event-id']);
  });

  it('serves the documented error for Prefer: code=404', async () => {
    const op = operations().find((o) => o.method === 'get' && o.operation.responses['404'] && !o.secured)!;
    const { url, init } = validRequest(prism.url, op);
    const response = await fetch(url, { ...init, headers: { ...init.headers, prefer: 'code=404' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toEqual(exampleOf(resolve(op.operation.responses['404']).content['application/problem+json']));
  });

  it('serves a named example for Prefer: example=<name>', async () => {
    const op = operations().find((o) => {
      const media = successResponse(o.operation).response.content?.['application/json'];
      return media?.examples && Object.keys(media.examples).length > 1;
    });
    expect(op, 'some operation documents more than one success example').toBeDefined();
    const media = successResponse(op!.operation).response.content['application/json'];
    const second = Object.keys(media.examples)[1]!;
    const { url, init } = validRequest(prism.url, op!);
    const response = await fetch(url, { ...init, headers: { ...init.headers, prefer: `example=${second}` } });
    expect(response.status).toBe(successResponse(op!.operation).status);
    expect(await response.json()).toEqual(exampleOf(media, second));
  });
});

describe('the mock with --dynamic', () => {
  let prism: RunningPrism;
  beforeAll(async () => {
    prism = await startMock(['--dynamic']);
  });
  afterAll(async () => {
    await prism?.stop();
  });

  it('generates menu data from the schema instead of the examples', async () => {
    const op = operations().find((o) => o.operationId === 'listMenuItems')!;
    const response = await fetch(`${prism.url}${op.path}`);
    expect(response.status).toBe(200);
    const body: Json = await response.json();
    expect(Array.isArray(body.data)).toBe(true);
    expect(body).not.toEqual(exampleOf(successResponse(op.operation).response.content['application/json']));
  });

  it('makes up believable data: ids of their pattern, USD, sane amounts, no properties the schema does not declare', async () => {
    const response = await fetch(`${prism.url}/menu/items`);
    const body: Json = await response.json();
    const declared = (name: string) => Object.keys(spec.components.schemas[name].properties);
    expect(Object.keys(body).every((key) => declared('MenuItemList').includes(key))).toBe(true);
    expect(body.data.length).toBeGreaterThan(0);
    for (const item of body.data) {
      expect(Object.keys(item).every((key) => declared('MenuItem').includes(key))).toBe(true);
      expect(item.id).toMatch(/^itm_[A-Za-z0-9]{8,40}$/);
      for (const { price } of item.sizes) {
        expect(price.currency).toBe('USD');
        expect(price.amount).toBeGreaterThan(0);
        expect(price.amount).toBeLessThan(100_00);
      }
    }
  });
});

async function peek(response: Response): Promise<string> {
  return response.clone().text();
}
